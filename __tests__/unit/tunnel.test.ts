// The CONNECT tunnel, driven through requestToken, against real local
// servers: the `proxy` package, TLS servers, and hand-written proxies for
// answers the package does not give.
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import { join } from 'node:path'
import * as tls from 'node:tls'
import fc from 'fast-check'
import { createProxy } from 'proxy'
import { TokenRequestError } from '../../src/errors.js'
import type { Proxy, Route } from '../../src/route.js'
import { systemClock } from '../../src/clock.js'
import { requestToken, type TokenRequest } from '../../src/token.js'
import { MAX_HEAD_BYTES, openTunnel } from '../../src/tunnel.js'
import { makeCertificates } from '../../test/support/certs.js'
import {
  recordSockets,
  startRawPeer,
  TLS_ALERT,
  tunnelThen,
  type RawPeer
} from '../../test/support/raw-peers.js'
import { bounded } from '../../test/support/bounded.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import { failure, requestTo } from '../../test/support/requests.js'
import { runs } from '../../test/support/property-runs.js'
import { ROOT } from '../../test/support/runner.js'
import { startTorqServer } from '../../test/support/torq-server.js'

const certs = makeCertificates(['localhost', '127.0.0.1'])
// Node.js warnings (DEP0123 for a server name that is an address, say).
const warnings: Error[] = []
const onWarning = (warning: Error) => {
  warnings.push(warning)
}
// The advice for an untrusted certificate depends on it; the machine may set it.
const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS']
beforeAll(() => {
  process.on('warning', onWarning)
  delete process.env['NODE_EXTRA_CA_CERTS']
})
afterAll(() => {
  process.off('warning', onWarning)
  if (extraCaCerts !== undefined)
    process.env['NODE_EXTRA_CA_CERTS'] = extraCaCerts
  certs.dispose()
})

function proxyAt(port: number, overrides: Partial<Proxy> = {}): Proxy {
  return {
    variable: 'HTTPS_PROXY',
    tls: false,
    hostname: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    credentials: undefined,
    ...overrides
  }
}

function request(
  url: string,
  proxy: Proxy,
  overrides: Partial<TokenRequest> = {}
): TokenRequest {
  const parsed = new URL(url)
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80')
  const route: Route = {
    target: `${parsed.hostname}:${port}`,
    proxy,
    why: '',
    ignoredProxy: false
  }
  return requestTo(url, {
    route,
    endpointSource: 'auth-url',
    ...overrides
  })
}

const answerWith =
  (status: string, headers = '', after = '') =>
  (socket: net.Socket) =>
    socket.write(`HTTP/1.1 ${status}\r\n${headers}\r\n${after}`)

/**
 * A request through `raw` that meets its deadline once `reached` settles
 * (the proxy or the tunnel has the bytes): the error, after checking that
 * the proxy's connection was closed.
 */
async function timedOutThrough(
  raw: Awaited<ReturnType<typeof startRawPeer>>,
  url: string,
  reached: (raw: Awaited<ReturnType<typeof startRawPeer>>) => Promise<void>
) {
  const { clock, advance } = fakeClock()
  const waiting = reached(raw)
  const pending = failure(
    requestToken(request(url, proxyAt(raw.port), { timeoutMs: 20_000 }), clock)
  )
  await bounded(waiting, 'the bytes reaching the proxy')
  advance(20_000)
  const error = await pending
  for (let i = 0; i < 100 && raw.closed() === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  expect(raw.closed()).toBe(1)
  return error
}

describe('the CONNECT request', () => {
  let raw: RawPeer
  beforeAll(async () => {
    raw = await startRawPeer(
      answerWith('407 Proxy Authentication Required', 'Content-Length: 0\r\n')
    )
  })
  afterAll(() => raw.close())
  beforeEach(() => {
    raw.heads.length = 0
  })

  it('asks for the target once, with Proxy-Authorization from the credentials', async () => {
    await failure(
      requestToken(
        request(
          'https://auth.torq.io/v1/auth/token',
          proxyAt(raw.port, { credentials: 'us@er:p:ss' })
        ),
        systemClock
      )
    )
    expect(raw.heads).toHaveLength(1)
    const [line, ...headers] = (raw.heads[0] ?? '').split('\r\n')
    expect(line).toBe('CONNECT auth.torq.io:443 HTTP/1.1')
    expect(headers).toContain('Host: auth.torq.io:443')
    expect(headers).toContain(
      `Proxy-Authorization: Basic ${Buffer.from('us@er:p:ss').toString('base64')}`
    )
  })

  it('sends no Proxy-Authorization without credentials', async () => {
    await failure(
      requestToken(
        request('https://auth.torq.io:8443/v1/auth/token', proxyAt(raw.port)),
        systemClock
      )
    )
    expect(raw.heads[0]).toMatch(/^CONNECT auth\.torq\.io:8443 HTTP\/1\.1\r\n/)
    expect(raw.heads[0]).not.toMatch(/proxy-authorization/i)
  })
})

describe('a proxy that wants credentials (407)', () => {
  const cases: [string, string, string | undefined, string][] = [
    [
      'none given',
      'Proxy-Authenticate: Basic realm="proxy"\r\n',
      undefined,
      'wants credentials (HTTP 407). Give them in the proxy URL, http://user:password@host:port, with any @ : % in them percent-encoded (%40 %3A %25).'
    ],
    [
      'given, and rejected',
      'Proxy-Authenticate: Basic realm="proxy"\r\n',
      'user:wrong',
      'rejected the credentials in its URL (HTTP 407). Check the user name and password, and that any @ : % in them is percent-encoded (%40 %3A %25).'
    ],
    [
      'given, with no challenge in the answer',
      '',
      'user:wrong',
      'rejected the credentials in its URL (HTTP 407).'
    ],
    [
      'given, with Basic among other schemes',
      'Proxy-Authenticate: Digest realm="a, NTLM", qop="auth", basic realm="b"\r\n',
      'user:wrong',
      'rejected the credentials in its URL (HTTP 407).'
    ],
    [
      'asked in schemes this action does not do',
      'Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\n',
      'user:password',
      'asks for Negotiate or NTLM authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for auth.torq.io:443 to be reachable without it.'
    ],
    [
      'asked without a space after the colon',
      'Proxy-Authenticate:Negotiate\r\n',
      undefined,
      'asks for Negotiate authentication (HTTP 407)'
    ],
    [
      'none given, and a header that only ends like the challenge',
      'X-Not-Proxy-Authenticate: Negotiate\r\n',
      undefined,
      'wants credentials (HTTP 407).'
    ],
    [
      'asked for Negotiate with a token',
      'Proxy-Authenticate: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag==\r\n',
      undefined,
      'asks for Negotiate authentication (HTTP 407)'
    ]
  ]

  it.each(cases)(
    'credentials %s: says what to do, no retry',
    async (_case, challenge, credentials, message) => {
      const raw = await startRawPeer(
        answerWith('407 Proxy Authentication Required', challenge)
      )
      try {
        const error = await failure(
          requestToken(
            request(
              'https://auth.torq.io/v1/auth/token',
              proxyAt(raw.port, { credentials })
            ),
            systemClock
          )
        )
        expect(error.failure).toEqual({ kind: 'proxy', status: 407 })
        expect(error.message).toContain(
          `The proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) ${message}`
        )
        expect(raw.heads).toHaveLength(1)
      } finally {
        await raw.close()
      }
    }
  )

  it('with the real proxy package: rejects wrong credentials, tunnels with right ones', async () => {
    const torq = await startTorqServer()
    const server = createProxy(http.createServer())
    const connects: string[] = []
    server.on('connect', (req: http.IncomingMessage) =>
      connects.push(String(req.url))
    )
    server.authenticate = (req) =>
      req.headers['proxy-authorization'] ===
      `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    try {
      const wrong = await failure(
        requestToken(
          request(torq.url, proxyAt(port, { credentials: 'us@er:p:sss' })),
          systemClock
        )
      )
      expect(wrong.message).toContain('rejected the credentials')
      const token = await requestToken(
        request(torq.url, proxyAt(port, { credentials: 'us@er:p:ss' })),
        systemClock
      )
      expect(token.accessToken).toBe(torq.tokens.at(-1))
      expect(connects).toEqual([
        `127.0.0.1:${torq.port}`,
        `127.0.0.1:${torq.port}`
      ])
      expect(torq.requests).toHaveLength(1)
      expect(torq.requests[0]?.headers).toMatchObject({
        host: `127.0.0.1:${torq.port}`,
        connection: 'close'
      })
    } finally {
      server.close()
      await torq.close()
    }
  })
})

describe('other answers to CONNECT', () => {
  it.each([101, 300, 304])(
    'HTTP %d: opens no tunnel; names the variable to check',
    async (status) => {
      const raw = await startRawPeer(answerWith(`${status} No`))
      try {
        const error = await failure(
          requestToken(
            request('https://auth.torq.io/v1/auth/token', proxyAt(raw.port)),
            systemClock
          )
        )
        expect(error.failure).toEqual({ kind: 'proxy', status })
        expect(error.message).toBe(
          `The proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) answered CONNECT with HTTP ${status}, which opens no tunnel. Check HTTPS_PROXY: it should name an HTTP proxy that tunnels (CONNECT).`
        )
      } finally {
        await raw.close()
      }
    }
  )

  it.each([
    [403, true],
    [499, true],
    [500, false],
    [502, false]
  ])(
    'HTTP %d: no tunnel, the connection closed; hint %s',
    async (status, hint) => {
      const raw = await startRawPeer(answerWith(`${status} No`))
      try {
        const error = await failure(
          requestToken(
            request('https://auth.torq.io/v1/auth/token', proxyAt(raw.port)),
            systemClock
          )
        )
        expect(error.failure).toEqual({ kind: 'proxy', status })
        const refused = `The proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) refused or failed to open a tunnel to auth.torq.io:443 (HTTP ${status}).`
        expect(error.message).toBe(
          hint
            ? `${refused} Ask for auth.torq.io:443 to be allowed through it, or list the host in NO_PROXY if it can be reached directly.`
            : refused
        )
        for (let i = 0; i < 100 && raw.closed() === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(raw.closed()).toBe(1)
      } finally {
        await raw.close()
      }
    }
  )

  it.each([200, 299])(
    'HTTP %d: a tunnel, and bytes sent along with the answer belong to it',
    async (status) => {
      const body = '{"access_token":"tok-through-the-tunnel","expires_in":60}'
      const raw = await startRawPeer(
        answerWith(
          `${status} Connection established`,
          '',
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        )
      )
      try {
        const token = await requestToken(
          request('http://torq.test/v1/auth/token', proxyAt(raw.port)),
          systemClock
        )
        expect(token.accessToken).toBe('tok-through-the-tunnel')
        expect(raw.heads[0]).toMatch(/^CONNECT torq\.test:80 HTTP\/1\.1\r\n/)
      } finally {
        await raw.close()
      }
    }
  )

  it('a plain http target: the request through the tunnel names no port', async () => {
    const body = '{"access_token":"tok-plain-0123456789","expires_in":60}'
    const raw = await startRawPeer((socket) => {
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
      let received = ''
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1')
        if (!received.includes('\r\n\r\n')) return
        raw.heads.push(received.slice(0, received.indexOf('\r\n\r\n')))
        socket.end(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        )
      })
    })
    try {
      const token = await requestToken(
        request('http://torq.test/v1/auth/token', proxyAt(raw.port)),
        systemClock
      )
      expect(token.accessToken).toBe('tok-plain-0123456789')
      expect(raw.heads[1]).toMatch(/^POST \/v1\/auth\/token HTTP\/1\.1\r\n/)
      expect(raw.heads[1]?.split('\r\n')).toContain('Host: torq.test')
    } finally {
      await raw.close()
    }
  })

  it('closes the connection it refuses itself, before its caller aborts', async () => {
    const raw = await startRawPeer(answerWith('403 Forbidden'))
    try {
      await expect(
        openTunnel(
          proxyAt(raw.port),
          'auth.torq.io:443',
          true,
          [],
          new AbortController().signal
        )
      ).rejects.toBeInstanceOf(TokenRequestError)
      for (let i = 0; i < 100 && raw.closed() === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(raw.closed()).toBe(1)
    } finally {
      await raw.close()
    }
  })

  it('a proxy that hangs up: transient', async () => {
    const raw = await startRawPeer((socket) => socket.end())
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error.failure).toEqual({ kind: 'hang-up' })
      expect(error.message).toBe(
        `Could not reach the proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY): it closed the connection without answering CONNECT.`
      )
    } finally {
      await raw.close()
    }
  })

  it('a proxy that never answers: the deadline of the clock ends the CONNECT too', async () => {
    const raw = await startRawPeer(() => {})
    try {
      const error = await timedOutThrough(raw, 'https://auth.torq.io/', (p) =>
        p.answered()
      )
      expect(error.failure).toEqual({ kind: 'timeout' })
      expect(error.message).toBe(
        `The proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) did not answer CONNECT within 20 s (timeout-seconds).`
      )
    } finally {
      await raw.close()
    }
  })
})

describe('a tunnel that opens, then nothing comes through it', () => {
  it.each([
    ['http', 'http://torq.test/v1/auth/token'],
    ['https', 'https://auth.torq.io/v1/auth/token']
  ])(
    '%s: the deadline says so, and the connection is closed',
    async (_scheme, url) => {
      const raw = await startRawPeer((socket) =>
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
      )
      try {
        // The request (or the TLS hello) is in the tunnel: then time runs out.
        const error = await timedOutThrough(raw, url, (p) => p.spokenAfter())
        expect(error.failure).toEqual({ kind: 'timeout' })
        expect(error.message).toMatch(
          /^No complete answer from (torq\.test|auth\.torq\.io) through the proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) within 20 s \(timeout-seconds\)\.$/
        )
      } finally {
        await raw.close()
      }
    }
  )
})

describe('reaching the proxy', () => {
  it('a closed port: transient, named', async () => {
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as net.AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const error = await failure(
      requestToken(request('https://auth.torq.io/', proxyAt(port)), systemClock)
    )
    expect(error.failure).toEqual({ kind: 'network', code: 'ECONNREFUSED' })
    expect(error.message).toMatch(
      new RegExp(
        `^Could not reach the proxy 127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\): connect ECONNREFUSED`
      )
    )
  })

  it('a host that does not resolve: not retried', async () => {
    const error = await failure(
      requestToken(
        request(
          'https://auth.torq.io/',
          proxyAt(3128, {
            hostname: 'proxy.invalid',
            address: 'proxy.invalid:3128',
            variable: 'https_proxy'
          })
        ),
        systemClock
      )
    )
    expect(error).toMatchObject({
      failure: { kind: 'network', code: 'ENOTFOUND' },
      message:
        'Could not resolve the host of the proxy proxy.invalid:3128 (from https_proxy). Check https_proxy.'
    })
  })

  it('https:// for a proxy that speaks plain HTTP: says to write http://', async () => {
    const plain = createProxy(http.createServer())
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    const raw = { port: (plain.address() as net.AddressInfo).port }
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port, { tls: true })),
          systemClock
        )
      )
      expect(error.failure).toEqual({ kind: 'tls' })
      expect(error.message).toMatch(
        /^The proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) does not speak TLS: HTTPS_PROXY starts with https:\/\/, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http:\/\/host:port\.$/
      )
    } finally {
      plain.close()
    }
  })

  it('a TLS proxy whose certificate is not trusted: names NODE_EXTRA_CA_CERTS', async () => {
    const server = tls.createServer({ key: certs.key, cert: certs.cert })
    server.on('tlsClientError', () => {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(port, { tls: true })),
          systemClock
        )
      )
      expect(error.failure).toEqual({ kind: 'tls' })
      // Node.js 24 adds a hint of its own to the message.
      expect(error.message).toMatch(
        new RegExp(
          `^TLS certificate problem talking to the proxy 127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\): unable to verify the first certificate.* \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\)\\. If the proxy's certificate comes from a private certificate authority, .*NODE_EXTRA_CA_CERTS`
        )
      )
    } finally {
      server.close()
    }
  })
})

describe('TLS to the target, through the tunnel', () => {
  let proxy: http.Server
  let port: number
  beforeAll(async () => {
    proxy = createProxy(http.createServer())
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    port = (proxy.address() as net.AddressInfo).port
  })
  afterAll(() => {
    proxy.close()
  })

  it.each([
    ['localhost', ['localhost']],
    ['127.0.0.1', []],
    ['[::1]', []]
  ])(
    'to %s: server names sent %j, certificate checked',
    async (host, servernames) => {
      const names: string[] = []
      const server = tls.createServer({
        key: certs.key,
        cert: certs.cert,
        SNICallback: (name, done) => {
          names.push(name)
          done(
            null,
            tls.createSecureContext({ key: certs.key, cert: certs.cert })
          )
        }
      })
      server.on('tlsClientError', () => {})
      await new Promise<void>((resolve) => server.listen(0, resolve))
      const target = (server.address() as net.AddressInfo).port
      try {
        const error = await failure(
          requestToken(
            request(`https://${host}:${target}/v1/auth/token`, proxyAt(port)),
            systemClock
          )
        )
        // The test's CA is not trusted here: the end-to-end tests trust it.
        expect(error.message).toContain(
          `TLS certificate problem talking to ${host}:${target}`
        )
        expect(names).toEqual(servernames)
      } finally {
        server.close()
      }
    }
  )
})

const tokenAnswer = (token: string) => {
  const body = `{"access_token":"${token}","expires_in":60}`
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
}

describe('interim answers to CONNECT', () => {
  it.each([
    ['100 Continue', 'in the same write', true],
    ['100 Continue', 'in a write of its own', false],
    ['102 Processing', 'in the same write', true],
    ['103 Early Hints', 'in a write of its own', false]
  ])(
    '%s before the 200, %s: skipped, the tunnel used',
    async (interim, _case, together) => {
      const answer = `HTTP/1.1 ${interim}\r\nLink: </x>\r\n\r\n`
      const rest = `HTTP/1.1 200 Connection established\r\n\r\n${tokenAnswer('tok-after-an-interim-answer')}`
      const raw = await startRawPeer((socket) => {
        if (together) socket.write(answer + rest)
        else
          socket.write(answer, () => setTimeout(() => socket.write(rest), 20))
      })
      try {
        const token = await requestToken(
          request('http://torq.test/v1/auth/token', proxyAt(raw.port)),
          systemClock
        )
        expect(token.accessToken).toBe('tok-after-an-interim-answer')
        expect(raw.heads).toHaveLength(1)
      } finally {
        await raw.close()
      }
    }
  )

  it('100 Continue before a 407: the 407 and its challenge are read', async () => {
    const raw = await startRawPeer(
      answerWith(
        '100 Continue\r\n\r\nHTTP/1.1 407 Proxy Authentication Required',
        'Proxy-Authenticate: Negotiate\r\n'
      )
    )
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error.message).toContain('asks for Negotiate authentication')
    } finally {
      await raw.close()
    }
  })
})

describe('answers to CONNECT that are not HTTP', () => {
  const notHttp = (port: number) =>
    `The proxy 127.0.0.1:${port} (from HTTPS_PROXY) did not answer CONNECT with HTTP (or with a head over 64 KiB). Check HTTPS_PROXY: it should name an HTTP proxy.`

  it.each([
    ['another protocol', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a status of two digits', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['HTTP/2', 'HTTP/2 200\r\n\r\n'],
    ['no space after the status', 'HTTP/1.1 200OK\r\n\r\n'],
    ['text before the status line', 'x HTTP/1.1 200 OK\r\n\r\n'],
    ['an empty head', '\r\n\r\n']
  ])('%s: named, not retried', async (_case, answer) => {
    const raw = await startRawPeer((socket) => socket.write(answer))
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error).toMatchObject({
        failure: { kind: 'refusal' },
        message: notHttp(raw.port)
      })
    } finally {
      await raw.close()
    }
  })

  it('a status line alone, no reason: read', async () => {
    const raw = await startRawPeer((socket) =>
      socket.write(
        `HTTP/1.0 200\r\n\r\n${tokenAnswer('tok-status-line-no-reason')}`
      )
    )
    try {
      const token = await requestToken(
        request('http://torq.test/v1/auth/token', proxyAt(raw.port)),
        systemClock
      )
      expect(token.accessToken).toBe('tok-status-line-no-reason')
    } finally {
      await raw.close()
    }
  })

  it(`a head of ${MAX_HEAD_BYTES} bytes is waited out; one byte more without its end is refused`, async () => {
    const start =
      'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nX-Pad: '
    const full = start + 'x'.repeat(MAX_HEAD_BYTES - start.length)
    const raw = await startRawPeer((socket, head) => {
      if (head.includes('torq.test:80')) {
        socket.write(`${full}x`)
        return
      }
      socket.write(full, () => setTimeout(() => socket.write('\r\n\r\n'), 20))
    })
    try {
      const longest = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(longest.message).toContain('asks for Negotiate authentication')
      const longer = await failure(
        requestToken(
          request('http://torq.test/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(longer.message).toBe(notHttp(raw.port))
    } finally {
      await raw.close()
    }
  })
})

describe('a 407 with many schemes', () => {
  it.each([
    [5, 'S0 or S1 or S2 or S3 or S4'],
    [6, 'S0, S1, S2, S3, S4 and 1 more'],
    [2000, 'S0, S1, S2, S3, S4 and 1995 more']
  ])('%d: %s', async (count, named) => {
    const schemes = Array.from({ length: count }, (_, i) => `S${i}`)
    const raw = await startRawPeer(
      answerWith(
        '407 Proxy Authentication Required',
        `Proxy-Authenticate: ${schemes.join(', ')}\r\n`
      )
    )
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error.message).toBe(
        `The proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) asks for ${named} authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for auth.torq.io:443 to be reachable without it.`
      )
    } finally {
      await raw.close()
    }
  })
})

describe('data that is not TLS through a tunnel to an https target', () => {
  const notTls = (port: number) =>
    `The proxy 127.0.0.1:${port} (from HTTPS_PROXY) answered the tunnel to auth.torq.io:443 with data that is not TLS (it may be inspecting or blocking the connection)`

  it.each([
    ['a block page', '<html>Blocked by policy</html>'],
    ['a TLS alert', TLS_ALERT],
    ['one byte', '\u0016']
  ])(
    '%s with the 200: fails at once, not retried, connection closed',
    async (_case, bytes) => {
      const raw = await startRawPeer(tunnelThen(bytes))
      try {
        const error = await failure(
          requestToken(
            request('https://auth.torq.io/', proxyAt(raw.port)),
            systemClock
          )
        )
        expect(error).toMatchObject({
          failure: { kind: 'tls' },
          message: `${notTls(raw.port)}.`
        })
        for (let i = 0; i < 100 && raw.closed() === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(raw.closed()).toBe(1)
      } finally {
        await raw.close()
      }
    }
  )

  it('a block page after the 200: the same, or the target speaks no TLS', async () => {
    const raw = await startRawPeer(
      tunnelThen('<html>Blocked by policy</html>', { laterMs: 100 })
    )
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error).toMatchObject({
        failure: { kind: 'tls' },
        message: `${notTls(raw.port)}, or auth.torq.io does not speak TLS (plain HTTP on an https URL?).`
      })
    } finally {
      await raw.close()
    }
  })

  it('a TLS alert after the 200: named, with the proxy', async () => {
    const raw = await startRawPeer(tunnelThen(TLS_ALERT, { laterMs: 100 }))
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port)),
          systemClock
        )
      )
      expect(error).toMatchObject({
        failure: { kind: 'tls' },
        message: `The TLS handshake with auth.torq.io through the proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY) failed: the other end sent the TLS alert "handshake failure".`
      })
    } finally {
      await raw.close()
    }
  })

  it('any bytes, in the same write as the 200 or after it: a TokenRequestError, never a crash', async () => {
    let next: { bytes: Uint8Array; laterMs: number | undefined } = {
      bytes: new Uint8Array(),
      laterMs: undefined
    }
    const raw = await startRawPeer((socket) =>
      tunnelThen(next.bytes, { laterMs: next.laterMs })(socket)
    )
    const crashes: unknown[] = []
    const onCrash = (error: unknown) => crashes.push(error)
    process.on('uncaughtException', onCrash)
    process.on('unhandledRejection', onCrash)
    // What a TLS server's first bytes look like: a record's type and version.
    const recordLike = fc
      .tuple(
        fc.constantFrom(0x14, 0x15, 0x16, 0x17),
        fc.integer({ min: 0, max: 4 }),
        fc.uint8Array({ maxLength: 40 })
      )
      .map(([type, minor, rest]) => Uint8Array.from([type, 3, minor, ...rest]))
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.uint8Array({ maxLength: 64 }), recordLike),
          fc.constantFrom(undefined, 0, 20),
          async (bytes, laterMs) => {
            next = { bytes, laterMs }
            const outcome = await requestToken(
              request('https://auth.torq.io/', proxyAt(raw.port), {
                timeoutMs: 5000
              }),
              systemClock
            ).catch((error: unknown) => error)
            expect(outcome).toBeInstanceOf(TokenRequestError)
            expect((outcome as Error).message).not.toMatch(
              /SSL routines|:error:|within 5 s/
            )
          }
        ),
        runs(40)
      )
      // Anything thrown outside the promise surfaces by the next turn.
      await new Promise((resolve) => setImmediate(resolve))
      expect(crashes).toEqual([])
    } finally {
      process.off('uncaughtException', onCrash)
      process.off('unhandledRejection', onCrash)
      await raw.close()
    }
  })
})

describe('sockets to a proxy', () => {
  it.each([false, true])(
    'are listened to for errors from the moment they exist (TLS: %s)',
    async (useTls) => {
      // Hangs up at once, before a TLS handshake or a request head.
      const server = net.createServer((socket) => socket.destroy())
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve)
      )
      const { port } = server.address() as net.AddressInfo
      const recorded = recordSockets()
      let pending: Promise<unknown>
      try {
        pending = requestToken(
          request('https://auth.torq.io/', proxyAt(port, { tls: useTls })),
          systemClock
        )
      } finally {
        recorded.stop()
      }
      // The tunnel is handed to Node.js only once the proxy answered.
      expect(recorded.sockets).toHaveLength(1)
      expect(recorded.ownErrorListeners(recorded.sockets[0])).toBe(1)
      await failure(pending)
      server.close()
    }
  )
})

describe('the README', () => {
  it('quotes both 407 messages as the action gives them', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const raw = await startRawPeer(
      answerWith('407 Proxy Authentication Required', 'Content-Length: 0\r\n')
    )
    try {
      for (const credentials of [undefined, 'user:password']) {
        const proxy = proxyAt(raw.port, {
          address: 'proxy.corp.example:3128',
          credentials
        })
        const error = await failure(
          requestToken(
            request('https://auth.torq.io/v1/auth/token', proxy),
            systemClock
          )
        )
        expect(readme).toContain(`\n${error.message}\n`)
      }
    } finally {
      await raw.close()
    }
  })
})

describe('all along', () => {
  it('printed no Node.js warning', () => {
    expect(warnings).toEqual([])
  })
})
