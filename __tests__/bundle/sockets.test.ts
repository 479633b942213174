// The bundled action under Node 24 against proxies and servers that send
// exactly the bytes of a fault (test/support/raw-peers.js): data that is not
// TLS where TLS was due, a 101, an interim 100 before a proxy's answer, a 407
// with thousands of schemes, a CA file that gives Node.js nothing. Each run
// must end in one clear ::error: no stack trace, no unhandled event, no
// OpenSSL text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCertificates } from '../../test/support/certs.js'
import { startForwardProxy } from '../../test/support/forward-proxy.js'
import {
  answerThenRelay,
  startRawPeer,
  TLS_ALERT,
  TUNNEL_OPEN,
  tunnelThen,
  type RawPeer
} from '../../test/support/raw-peers.js'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const node = node24() ?? process.execPath
const credentials = {
  'client-id': DEMO_CLIENT_ID,
  'client-secret': DEMO_CLIENT_SECRET
}
const TORQ = 'auth.torq.io:443'
const BLOCK_PAGE = '<html>Blocked by policy</html>'

type Result = Awaited<ReturnType<typeof runAction>>

/** Exit 1 with exactly one ::error, and nothing of a crash or of OpenSSL. */
function expectOneClearError(result: Result): string {
  expect(result.log).not.toContain('    at ')
  expect(result.log).not.toMatch(/unhandled/i)
  expect(result.log).not.toMatch(/SSL routines|:error:[0-9A-F]{8}:|EPROTO/)
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  return result.errors[0] ?? ''
}

/** Waits (boundedly) until `peer` has seen `count` connections close. */
async function closedBy(peer: RawPeer, count: number): Promise<number> {
  for (let i = 0; i < 200 && peer.closed() < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return peer.closed()
}

describe('a proxy that answers the tunnel with data that is not TLS', () => {
  const notTls = (port: number) =>
    `The proxy 127.0.0.1:${port} (from HTTPS_PROXY) answered the tunnel to ${TORQ} with data that is not TLS (it may be inspecting or blocking the connection)`

  it.each([
    ['a block page', BLOCK_PAGE],
    ['a TLS alert record', TLS_ALERT],
    ['a TLS record header alone', Uint8Array.from([0x16, 3, 3, 0, 64])]
  ])(
    '%s in the same write as its 200: fails at once, naming the proxy',
    async (_case, bytes) => {
      const proxy = await startRawPeer(tunnelThen(bytes))
      try {
        const result = await runAction({
          node,
          inputs: credentials,
          env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }
        })
        expect(expectOneClearError(result)).toBe(`${notTls(proxy.port)}.`)
        expect(proxy.heads).toHaveLength(1)
        expect(result.shown).not.toContain('Blocked by policy')
      } finally {
        await proxy.close()
      }
    }
  )

  it('a block page 100 ms after its 200: the same words, and what else it may be', async () => {
    const proxy = await startRawPeer(tunnelThen(BLOCK_PAGE, { laterMs: 100 }))
    try {
      const result = await runAction({
        node,
        inputs: credentials,
        env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }
      })
      expect(expectOneClearError(result)).toBe(
        `${notTls(proxy.port)}, or auth.torq.io does not speak TLS (plain HTTP on an https URL?).`
      )
      expect(proxy.heads).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })

  it('a TLS alert 100 ms after its 200: the alert by name, the proxy named', async () => {
    const proxy = await startRawPeer(tunnelThen(TLS_ALERT, { laterMs: 100 }))
    try {
      const result = await runAction({
        node,
        inputs: credentials,
        env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }
      })
      expect(expectOneClearError(result)).toBe(
        `The TLS handshake with auth.torq.io through the proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) failed: the other end sent the TLS alert "handshake failure".`
      )
      expect(proxy.heads).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })
})

describe('a server that speaks plain HTTP on an https URL', () => {
  let plain: TorqServer
  beforeAll(async () => {
    plain = await startTorqServer()
  })
  afterAll(() => plain.close())
  const httpsUrl = () => plain.url.replace('http://', 'https://')

  it('direct: says it does not speak TLS, not retried', async () => {
    const result = await runAction({
      node,
      inputs: { ...credentials, 'auth-url': httpsUrl() }
    })
    expect(expectOneClearError(result)).toBe(
      `127.0.0.1:${plain.port} does not speak TLS (plain HTTP on an https URL?). Check auth-url.`
    )
    expect(result.shown).not.toContain('Retrying')
  })

  it('through a real proxy: the same, and that the proxy may be why', async () => {
    const proxy = await startForwardProxy({
      routes: { [TORQ]: `127.0.0.1:${plain.port}` }
    })
    try {
      const result = await runAction({
        node,
        inputs: credentials,
        env: { HTTPS_PROXY: proxy.url }
      })
      expect(proxy.connects).toEqual([TORQ])
      expect(expectOneClearError(result)).toBe(
        `The proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) answered the tunnel to ${TORQ} with data that is not TLS (it may be inspecting or blocking the connection), or auth.torq.io does not speak TLS (plain HTTP on an https URL?).`
      )
    } finally {
      await proxy.close()
    }
  })
})

describe('a token endpoint that answers 101 Switching Protocols', () => {
  it.each([
    ['an h2c upgrade', 'Upgrade: h2c\r\nConnection: Upgrade\r\n'],
    ['a WebSocket upgrade', 'Upgrade: websocket\r\nConnection: Upgrade\r\n'],
    ['no upgrade headers', '']
  ])(
    '%s: fails at once, not retried, says what answers; the connection closed',
    async (_case, headers) => {
      const server = await startRawPeer((socket) =>
        socket.write(`HTTP/1.1 101 Switching Protocols\r\n${headers}\r\n`)
      )
      try {
        const result = await runAction({
          node,
          inputs: {
            ...credentials,
            'auth-url': `http://127.0.0.1:${server.port}/v1/auth/token`,
            // Bounded even where the 101 is waited out, as before the fix.
            'timeout-seconds': '2',
            retries: '1'
          }
        })
        expect(expectOneClearError(result)).toBe(
          'The token endpoint answered HTTP 101 as its final answer, where an OAuth token endpoint answers with a token or an error; 101 Switching Protocols is what a WebSocket endpoint, or a server or proxy that switches protocols (h2c), answers. Check auth-url: something other than Torq is answering.'
        )
        expect(server.heads).toHaveLength(1)
        expect(result.shown).not.toContain('Retrying')
        expect(await closedBy(server, 1)).toBe(1)
      } finally {
        await server.close()
      }
    }
  )
})

describe('proxies, odd but working or clearly refusing', () => {
  const certs = makeCertificates(['auth.torq.io'])
  let torq: TorqServer
  beforeAll(async () => {
    torq = await startTorqServer({ tls: { key: certs.key, cert: certs.cert } })
  })
  afterAll(async () => {
    await torq.close()
    certs.dispose()
  })

  it.each([
    ['in writes of their own', false],
    ['in one write', true]
  ])(
    'a 100 Continue before the 200, %s: skipped, and the token comes through',
    async (_case, together) => {
      const proxy = await startRawPeer(
        answerThenRelay(
          ['HTTP/1.1 100 Continue\r\n\r\n', TUNNEL_OPEN],
          torq.port,
          { together }
        )
      )
      try {
        const result = await runAction({
          node,
          inputs: credentials,
          env: {
            HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
            NODE_EXTRA_CA_CERTS: certs.caFile
          }
        })
        expect(result.errors).toEqual([])
        expect(result.exitCode).toBe(0)
        expect(result.outputs['token']).toBe(torq.tokens.at(-1))
        expect(proxy.heads).toEqual([
          expect.stringMatching(/^CONNECT auth\.torq\.io:443 HTTP\/1\.1\r\n/)
        ])
      } finally {
        await proxy.close()
      }
    }
  )

  it('a 407 that lists 2000 schemes: five named, the rest counted', async () => {
    const schemes = Array.from({ length: 2000 }, (_, i) => `S${i}`)
    const proxy = await startRawPeer((socket) =>
      socket.end(
        `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${schemes.join(', ')}\r\nContent-Length: 0\r\n\r\n`
      )
    )
    try {
      const result = await runAction({
        node,
        inputs: credentials,
        env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }
      })
      expect(expectOneClearError(result)).toBe(
        `The proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) asks for S0, S1, S2, S3, S4 and 1995 more authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for ${TORQ} to be reachable without it.`
      )
    } finally {
      await proxy.close()
    }
  })
})

describe('NODE_EXTRA_CA_CERTS that gives Node.js no certificate', () => {
  const certs = makeCertificates(['127.0.0.1'])
  const other = makeCertificates(['127.0.0.1'])
  const dir = mkdtempSync(join(tmpdir(), 'torq-ca-'))
  const notPem = join(dir, 'ca.der')
  writeFileSync(notPem, 'not a certificate\n')
  let torq: TorqServer
  beforeAll(async () => {
    torq = await startTorqServer({ tls: { key: certs.key, cert: certs.cert } })
  })
  afterAll(async () => {
    await torq.close()
    certs.dispose()
    other.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    ['a missing file', join(dir, 'missing.pem'), 'which does not exist'],
    ['a directory', dir, 'which is a directory'],
    ['a file that is not PEM', notPem, 'which holds no PEM certificate']
  ])('%s: the TLS error says so', async (_case, file, problem) => {
    const result = await runAction({
      node,
      inputs: { ...credentials, 'auth-url': torq.url },
      env: { NODE_EXTRA_CA_CERTS: file }
    })
    const error = expectOneClearError(result)
    expect(error).toMatch(
      new RegExp(
        `^TLS certificate problem talking to 127\\.0\\.0\\.1:${torq.port}: .*\\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\)\\. `
      )
    )
    // The file named with what is wrong with it (wording: net-errors.test.ts).
    expect(error).toContain(
      `NODE_EXTRA_CA_CERTS is set to "${file}", ${problem}`
    )
    expect(error).not.toContain('point NODE_EXTRA_CA_CERTS at')
  })

  it("another CA's PEM file: says the file must hold the CA's certificate", async () => {
    const result = await runAction({
      node,
      inputs: { ...credentials, 'auth-url': torq.url },
      env: { NODE_EXTRA_CA_CERTS: other.caFile }
    })
    const error = expectOneClearError(result)
    expect(error).toContain(`NODE_EXTRA_CA_CERTS is set to "${other.caFile}"`)
    expect(error).toContain('that file must hold')
  })
})
