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
import { createProxy } from 'proxy'
import type { Proxy, Route } from '../src/route.js'
import { requestToken, type TokenRequest } from '../src/token.js'
import { makeCertificates } from '../test/support/certs.js'
import { failure, requestTo } from '../test/support/requests.js'
import { ROOT } from '../test/support/runner.js'
import { startTorqServer } from '../test/support/torq-server.js'

const certs = makeCertificates(['localhost', '127.0.0.1'])
// Node.js warnings (DEP0123 for a server name that is an address, say).
const warnings: Error[] = []
const onWarning = (warning: Error) => {
  warnings.push(warning)
}
beforeAll(() => {
  process.on('warning', onWarning)
})
afterAll(() => {
  process.off('warning', onWarning)
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
    now: () => 0,
    ...overrides
  })
}

/**
 * A hand-written proxy: reads each request head, records it, and lets
 * `answer` write what it likes to the socket.
 */
async function startRawProxy(
  answer: (socket: net.Socket, head: string) => void
) {
  const heads: string[] = []
  let closed = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      closed++
      sockets.delete(socket)
    })
    socket.on('error', () => {})
    let received = ''
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      const head = received.slice(0, end)
      heads.push(head)
      answer(socket, head)
    }
    socket.on('data', onData)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    heads,
    closed: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

const answerWith =
  (status: string, headers = '', after = '') =>
  (socket: net.Socket) =>
    socket.write(`HTTP/1.1 ${status}\r\n${headers}\r\n${after}`)

describe('the CONNECT request', () => {
  let raw: Awaited<ReturnType<typeof startRawProxy>>
  beforeAll(async () => {
    raw = await startRawProxy(
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
        )
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
        request('https://auth.torq.io:8443/v1/auth/token', proxyAt(raw.port))
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
      'asked for Negotiate with a token',
      'Proxy-Authenticate: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag==\r\n',
      undefined,
      'asks for Negotiate authentication (HTTP 407)'
    ]
  ]

  it.each(cases)(
    'credentials %s: says what to do, no retry',
    async (_case, challenge, credentials, message) => {
      const raw = await startRawProxy(
        answerWith('407 Proxy Authentication Required', challenge)
      )
      try {
        const error = await failure(
          requestToken(
            request(
              'https://auth.torq.io/v1/auth/token',
              proxyAt(raw.port, { credentials })
            )
          )
        )
        expect(error.retryable).toBe(false)
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
          request(torq.url, proxyAt(port, { credentials: 'us@er:p:sss' }))
        )
      )
      expect(wrong.message).toContain('rejected the credentials')
      const token = await requestToken(
        request(torq.url, proxyAt(port, { credentials: 'us@er:p:ss' }))
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
  it.each([
    [403, false, true],
    [199, false, true],
    [300, false, true],
    [499, false, true],
    [500, true, false],
    [502, true, false]
  ])(
    'HTTP %d: no tunnel, the connection closed; retryable %s, hint %s',
    async (status, retryable, hint) => {
      const raw = await startRawProxy(answerWith(`${status} No`))
      try {
        const error = await failure(
          requestToken(
            request('https://auth.torq.io/v1/auth/token', proxyAt(raw.port))
          )
        )
        expect(error.retryable).toBe(retryable)
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
      const raw = await startRawProxy(
        answerWith(
          `${status} Connection established`,
          '',
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        )
      )
      try {
        const token = await requestToken(
          request('http://torq.test/v1/auth/token', proxyAt(raw.port))
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
    const raw = await startRawProxy((socket) => {
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
        request('http://torq.test/v1/auth/token', proxyAt(raw.port))
      )
      expect(token.accessToken).toBe('tok-plain-0123456789')
      expect(raw.heads[1]).toMatch(/^POST \/v1\/auth\/token HTTP\/1\.1\r\n/)
      expect(raw.heads[1]?.split('\r\n')).toContain('Host: torq.test')
    } finally {
      await raw.close()
    }
  })

  it('a proxy that hangs up: transient', async () => {
    const raw = await startRawProxy((socket) => socket.destroy())
    try {
      const error = await failure(
        requestToken(request('https://auth.torq.io/', proxyAt(raw.port)))
      )
      expect(error.retryable).toBe(true)
      expect(error.message).toBe(
        `Could not reach the proxy 127.0.0.1:${raw.port} (from HTTPS_PROXY): socket hang up.`
      )
    } finally {
      await raw.close()
    }
  })

  it('a proxy that never answers: the deadline ends the CONNECT too', async () => {
    const raw = await startRawProxy(() => {})
    try {
      const error = await failure(
        requestToken(
          request('https://auth.torq.io/', proxyAt(raw.port), {
            timeoutMs: 200
          })
        )
      )
      expect(error.message).toContain('within 0.2 s (timeout-seconds)')
      for (let i = 0; i < 100 && raw.closed() === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(raw.closed()).toBe(1)
    } finally {
      await raw.close()
    }
  })
})

describe('reaching the proxy', () => {
  it('a closed port: transient, named', async () => {
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as net.AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const error = await failure(
      requestToken(request('https://auth.torq.io/', proxyAt(port)))
    )
    expect(error.retryable).toBe(true)
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
        )
      )
    )
    expect(error).toMatchObject({
      retryable: false,
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
          request('https://auth.torq.io/', proxyAt(raw.port, { tls: true }))
        )
      )
      expect(error.retryable).toBe(false)
      expect(error.message).toMatch(
        /^Could not speak TLS with the proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\): .*wrong version number.*\. HTTPS_PROXY starts with https:\/\/, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http:\/\/host:port\.$/
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
          request('https://auth.torq.io/', proxyAt(port, { tls: true }))
        )
      )
      expect(error.retryable).toBe(false)
      // Node.js 24 adds a hint of its own to the message.
      expect(error.message).toMatch(
        new RegExp(
          `^TLS certificate problem talking to the proxy 127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\): unable to verify the first certificate.* \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\)\\. If the proxy's certificate comes from a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env\\.$`
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
            request(`https://${host}:${target}/v1/auth/token`, proxyAt(port))
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

describe('the README', () => {
  it('quotes both 407 messages as the action gives them', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const raw = await startRawProxy(
      answerWith('407 Proxy Authentication Required', 'Content-Length: 0\r\n')
    )
    try {
      for (const credentials of [undefined, 'user:password']) {
        const proxy = proxyAt(raw.port, {
          address: 'proxy.corp.example:3128',
          credentials
        })
        const error = await failure(
          requestToken(request('https://auth.torq.io/v1/auth/token', proxy))
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
