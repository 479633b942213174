// The bundle under Node 24 against peers that write exact bytes
// (test/support/raw-peers.js): a proxy that tunnels to something that is not
// TLS, one that hangs up on CONNECT, and peers that stall. Each run ends by
// itself in one clear ::error, whatever sockets are left open: a stalled peer
// does not keep the process, and so the job, alive after the result.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { makeCertificates } from '../../test/support/certs.js'
import {
  answerThenRelay,
  startRawPeer,
  TLS_ALERT,
  TUNNEL_OPEN,
  tunnelThen,
  type RawPeer
} from '../../test/support/raw-peers.js'
import { runAction } from '../../test/support/runner.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import { credentials, expectOneError, node } from './helpers.js'

/** Runs the bundle with `peer` as its proxy, retrying at once; what `peer` heard, too. */
async function throughProxy(
  peer: RawPeer,
  inputs: Record<string, string> = {},
  args: string[] = []
) {
  const result = await runAction({
    node,
    args,
    inputs: { ...credentials, ...inputs },
    env: { HTTPS_PROXY: `http://127.0.0.1:${peer.port}` },
    random: 0,
    // A bound for a process that would not end: not a timing.
    killAfterMs: 10_000
  })
  return { ...result, heads: peer.heads.map((head) => head.split('\r\n')[0]) }
}

/** Starts a peer answering with `answer`, runs `use`, and closes the peer. */
async function withPeer<T>(
  answer: Parameters<typeof startRawPeer>[0],
  use: (peer: RawPeer) => Promise<T>
): Promise<T> {
  const peer = await startRawPeer(answer)
  try {
    return await use(peer)
  } finally {
    await peer.close()
  }
}

describe('a tunnel to something that is not TLS', () => {
  let plain: TorqServer
  beforeAll(async () => {
    plain = await startTorqServer()
  })
  afterAll(() => plain.close())

  it.each([
    [
      'a block page',
      () => tunnelThen('<html>Blocked by policy</html>'),
      /not TLS/
    ],
    ['a TLS alert', () => tunnelThen(TLS_ALERT), /TLS handshake .* failed/],
    [
      'a plain HTTP server',
      () => answerThenRelay([TUNNEL_OPEN], plain.port),
      /not TLS/
    ]
  ])(
    'fails at once when the proxy opens the tunnel to %s, naming the proxy',
    async (_case, answer, what) => {
      const result = await withPeer(answer(), (peer) => throughProxy(peer))
      const error = expectOneError(result)
      expect(error).toMatch(what)
      expect(error).toMatch(
        /through the proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\)/
      )
      expect(result.heads).toEqual(['CONNECT auth.torq.io:443 HTTP/1.1'])
      expect(result.shown).not.toContain('Blocked by policy')
    }
  )

  it('fails at once on plain HTTP at an https URL, direct', async () => {
    const result = await runAction({
      node,
      inputs: {
        ...credentials,
        'auth-url': plain.url.replace('http:', 'https:')
      }
    })
    expect(expectOneError(result)).toMatch(/does not speak TLS.*auth-url/)
    expect(plain.requests).toEqual([])
  })
})

describe('a proxy that hangs up on CONNECT without an answer', () => {
  it('is a reset, tried again, and then the run ends', async () => {
    const result = await withPeer(
      (socket) => socket.end(),
      (peer) => throughProxy(peer, { retries: '2' })
    )
    const error = expectOneError(result)
    expect(error).toMatch(/through the proxy .* \(ECONNRESET\)/)
    expect(error).toContain('(3 attempts made)')
    expect(result.heads).toHaveLength(3)
  })
})

describe('peers that stall', () => {
  const certs = makeCertificates(['auth.torq.io', '127.0.0.1'])
  afterAll(() => certs.dispose())
  const timeout = { retries: '0', 'timeout-seconds': '0.3' }
  // A timer that would keep Node.js running for good, as a socket can.
  const leak = ['--import', 'data:text/javascript,setInterval(() => {}, 1e6)']

  it('ends each run at timeout-seconds, naming what it waited for, and exits', async () => {
    const peers = await Promise.all([
      startRawPeer(() => {}),
      startRawPeer((socket) => socket.write(TUNNEL_OPEN)),
      startRawPeer(() => {}),
      startRawPeer(() => {})
    ])
    const [connect, handshake, direct, held] = peers
    try {
      const results = await Promise.all([
        throughProxy(connect, timeout),
        throughProxy(handshake, timeout),
        // The exit guard ends this one once the result is decided.
        throughProxy(held, timeout, leak),
        runAction({
          node,
          inputs: {
            ...credentials,
            ...timeout,
            'auth-url': `https://127.0.0.1:${direct.port}/v1/auth/token`
          },
          env: { NODE_EXTRA_CA_CERTS: certs.caFile },
          killAfterMs: 10_000
        })
      ])
      for (const result of results.slice(0, 3)) {
        expect(expectOneError(result)).toMatch(
          /^No complete answer from auth\.torq\.io through the proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) within 0\.3 s/
        )
      }
      for (const peer of [connect, handshake, held]) {
        expect(peer.heads.map((head) => head.split('\r\n')[0])).toEqual([
          'CONNECT auth.torq.io:443 HTTP/1.1'
        ])
      }
      expect(expectOneError(results[3])).toMatch(
        /^No complete answer from 127\.0\.0\.1:\d+ within 0\.3 s/
      )
    } finally {
      await Promise.all(peers.map((peer) => peer.close()))
    }
  })
})
