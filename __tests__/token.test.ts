import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it
} from '@jest/globals'
import * as net from 'node:net'
import { TokenRequestError } from '../src/errors.js'
import { basicCredentials, secretForms } from '../src/secrets.js'
import { requestToken } from '../src/token.js'
import { connectionError, MAX_ANSWER_BYTES } from '../src/transport.js'
import { makeCertificates } from '../test/support/certs.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../test/support/torq-server.js'
import { recordSockets, startRawPeer } from '../test/support/raw-peers.js'
import { failure, requestTo } from '../test/support/requests.js'

// The advice for an untrusted certificate depends on it; the machine may set it.
const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS']
beforeAll(() => {
  delete process.env['NODE_EXTRA_CA_CERTS']
})
afterAll(() => {
  if (extraCaCerts !== undefined)
    process.env['NODE_EXTRA_CA_CERTS'] = extraCaCerts
})

describe('requestToken against a Torq-compatible server', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer({
      clients: {
        [DEMO_CLIENT_ID]: DEMO_CLIENT_SECRET,
        'ïd.-_~': 'p@ss:w%rd+/='
      }
    })
  })
  afterAll(() => server.close())
  afterEach(() => {
    server.requests.length = 0
  })

  it('sends the request as Torq documents it and returns the token', async () => {
    const token = await requestToken(requestTo(server.url))
    expect(token).toEqual({
      accessToken: server.tokens.at(-1),
      tokenType: 'Bearer',
      expiresIn: 3600
    })
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/auth/token',
      body: 'grant_type=client_credentials'
    })
    expect(request?.headers).toMatchObject({
      authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'accept-language': 'en_US',
      'user-agent': 'torq-token-action/test',
      // One request per connection: nothing is kept open after the answer.
      connection: 'close'
    })
  })

  it('sends id and secret raw, as curl -u does, not form-encoded', async () => {
    await requestToken(
      requestTo(server.url, {
        clientId: 'ïd.-_~',
        clientSecret: 'p@ss:w%rd+/='
      })
    )
    const header = server.requests[0]?.headers.authorization ?? ''
    expect(
      Buffer.from(header.replace('Basic ', ''), 'base64').toString('utf8')
    ).toBe('ïd.-_~:p@ss:w%rd+/=')
    expect(basicCredentials('a', 'b')).toBe('YTpi')
  })

  it('turns 401 invalid_client into a hint about secret and region', async () => {
    const error = await failure(
      requestToken(requestTo(server.url, { clientSecret: 'wrong' }))
    )
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('Torq rejected the client credentials')
    expect(error.message).toContain('HTTP 401, invalid_client')
    expect(error.message).toContain('region: eu')
    expect(error.message).toContain('app.eu.torq.io')
  })

  it('leaves no timer or connection behind, on success or failure', async () => {
    // The timers the request itself sets, not the process's: Node.js and
    // Jest keep timers of their own that come and go.
    const pending = new Set<unknown>()
    const { setTimeout: set, clearTimeout: clear } = globalThis
    globalThis.setTimeout = ((run: () => void, ms: number) => {
      const timer = set(() => {
        pending.delete(timer)
        run()
      }, ms)
      pending.add(timer)
      return timer
    }) as unknown as typeof setTimeout
    globalThis.clearTimeout = ((timer: NodeJS.Timeout) => {
      pending.delete(timer)
      clear(timer)
    }) as typeof clearTimeout
    const outcomes: (() => Promise<unknown>)[] = [
      () => requestToken(requestTo(server.url, { timeoutMs: 60_000 })),
      () => {
        server.script(replies.json(400, { error: 'invalid_request' }))
        return failure(
          requestToken(requestTo(server.url, { timeoutMs: 60_000 }))
        )
      },
      () => {
        server.script(replies.huge(MAX_ANSWER_BYTES + 1, { announce: true }))
        return failure(
          requestToken(requestTo(server.url, { timeoutMs: 60_000 }))
        )
      }
    ]
    try {
      for (const outcome of outcomes) {
        const requests = server.requests.length
        await outcome()
        expect(server.requests.length).toBe(requests + 1)
        expect(pending.size).toBe(0)
        for (let i = 0; i < 100 && server.openConnections() > 0; i++) {
          await new Promise((resolve) => set(resolve, 10))
        }
        expect(server.openConnections()).toBe(0)
      }
    } finally {
      globalThis.setTimeout = set
      globalThis.clearTimeout = clear
    }
  })

  it.each(['http', 'https'])(
    'listens for errors of its %s socket from the moment it exists',
    async (scheme) => {
      const recorded = recordSockets()
      let request: Promise<unknown>
      try {
        request = requestToken(
          requestTo(server.url.replace('http:', `${scheme}:`))
        )
      } finally {
        recorded.stop()
      }
      expect(recorded.sockets).toHaveLength(1)
      expect(recorded.ownErrorListeners(recorded.sockets[0])).toBe(1)
      await request.catch(() => undefined)
    }
  )

  it('closes its end of a connection it gives up on', async () => {
    server.script(replies.hang())
    await failure(requestToken(requestTo(server.url, { timeoutMs: 200 })))
    for (let i = 0; i < 100 && server.openConnections() > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(server.openConnections()).toBe(0)
  })

  it('refuses an announced size over 1 MiB before any of the body arrives', async () => {
    server.script(
      replies.text(200, 'application/json', '{', {
        'Content-Length': String(2 * MAX_ANSWER_BYTES)
      })
    )
    const error = await failure(
      requestToken(requestTo(server.url, { timeoutMs: 3000 }))
    )
    expect(error.message).toContain('more than 1 MiB')
  })

  it('judges the content of an announced answer of exactly 1 MiB', async () => {
    server.script(replies.huge(MAX_ANSWER_BYTES, { announce: true }))
    const error = await failure(requestToken(requestTo(server.url)))
    expect(error.message).toContain('not valid JSON')
  })

  it('describes an answer without a content type as such', async () => {
    server.script(replies.text(502, '', 'Bad gateway'))
    const error = await failure(requestToken(requestTo(server.url)))
    expect(error.message).toBe(
      'The token request failed (HTTP 502, not JSON: no content type).'
    )
  })

  it('does not follow a redirect, and the other server receives nothing', async () => {
    const elsewhere = await startTorqServer()
    try {
      server.script(replies.redirect(elsewhere.url, 307))
      const error = await failure(requestToken(requestTo(server.url)))
      expect(error.retryable).toBe(false)
      expect(error.message).toContain('redirect (HTTP 307)')
      expect(error.message).not.toContain(elsewhere.url)
      expect(elsewhere.requests).toHaveLength(0)
    } finally {
      await elsewhere.close()
    }
  })

  it('gives up on a server that accepts and never answers, at timeout-seconds', async () => {
    server.script(replies.hang())
    const started = Date.now()
    const error = await failure(
      requestToken(requestTo(server.url, { timeoutMs: 300 }))
    )
    expect(Date.now() - started).toBeLessThan(3000)
    expect(error.retryable).toBe(true)
    expect(error.message).toContain('within 0.3 s (timeout-seconds)')
  })

  it('counts a body that stalls after the headers against the same limit', async () => {
    server.script(replies.stallBody())
    const error = await failure(
      requestToken(requestTo(server.url, { timeoutMs: 300 }))
    )
    expect(error.retryable).toBe(true)
    expect(error.message).toContain('within 0.3 s')
  })

  it('treats a connection dropped mid-answer as transient', async () => {
    server.script(replies.dropMidBody())
    const error = await failure(requestToken(requestTo(server.url)))
    expect(error.retryable).toBe(true)
    expect(error.message).toMatch(
      /^Could not get an answer from 127\.0\.0\.1:\d+: aborted/
    )
  })

  it.each([
    ['announced by Content-Length', { announce: true }],
    ['streamed without a length', { announce: false }]
  ])('refuses an answer over 1 MiB %s', async (_how, options) => {
    server.script(replies.huge(MAX_ANSWER_BYTES + 1, options))
    const error = await failure(requestToken(requestTo(server.url)))
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('more than 1 MiB')
  })

  it('accepts an answer of exactly 1 MiB before judging its content', async () => {
    server.script(replies.huge(MAX_ANSWER_BYTES))
    const error = await failure(requestToken(requestTo(server.url)))
    expect(error.message).toContain('not valid JSON')
  })

  it('reads Retry-After on 503 and 429 only', async () => {
    server.script(
      replies.json(
        503,
        { error: 'temporarily_unavailable' },
        { 'Retry-After': '7' }
      ),
      replies.json(429, {}, { 'Retry-After': 'Sat, 28 Nov 2026 16:00:02 GMT' }),
      replies.json(500, {}, { 'Retry-After': '7' })
    )
    const unavailable = await failure(requestToken(requestTo(server.url)))
    expect(unavailable).toMatchObject({
      retryable: true,
      retryAfterMs: 7000,
      status: 503
    })
    expect(unavailable.message).toBe(
      'The token request failed (HTTP 503, temporarily_unavailable).'
    )
    await expect(requestToken(requestTo(server.url))).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 2000,
      status: 429
    })
    await expect(requestToken(requestTo(server.url))).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: undefined,
      status: 500
    })
  })

  it('refuses a connection that cannot be made, as transient', async () => {
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as net.AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const error = await failure(
      requestToken(requestTo(`http://127.0.0.1:${port}/v1/auth/token`))
    )
    expect(error.retryable).toBe(true)
    expect(error.message).toContain('ECONNREFUSED')
  })
})

describe('requestToken over TLS', () => {
  it('names an untrusted certificate, NODE_EXTRA_CA_CERTS, and does not retry', async () => {
    const certs = makeCertificates(['127.0.0.1'])
    const server = await startTorqServer({
      tls: { key: certs.key, cert: certs.cert }
    })
    try {
      const error = await failure(requestToken(requestTo(server.url)))
      expect(error.retryable).toBe(false)
      expect(error.message).toContain(
        'TLS certificate problem talking to 127.0.0.1'
      )
      expect(error.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
      expect(error.message).toContain('NODE_EXTRA_CA_CERTS')
      expect(server.requests).toHaveLength(0)
    } finally {
      await server.close()
      certs.dispose()
    }
  })
})

describe('requestToken against what is no token endpoint', () => {
  it.each([
    ['with Upgrade (h2c)', 'Upgrade: h2c\r\nConnection: Upgrade\r\n'],
    ['without Upgrade', '']
  ])(
    '101 Switching Protocols %s: fails at once, not retried, the connection closed',
    async (_case, headers) => {
      const server = await startRawPeer((socket) =>
        socket.write(`HTTP/1.1 101 Switching Protocols\r\n${headers}\r\n`)
      )
      try {
        const error = await failure(
          requestToken(
            requestTo(`http://127.0.0.1:${server.port}/v1/auth/token`, {
              endpointSource: 'auth-url'
            })
          )
        )
        expect(error).toMatchObject({
          retryable: false,
          message:
            'The token endpoint answered HTTP 101 as its final answer, as a WebSocket endpoint or a server or proxy that switches protocols (h2c) does, never an OAuth token endpoint. Check auth-url.'
        })
        for (let i = 0; i < 100 && server.closed() === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(server.closed()).toBe(1)
      } finally {
        await server.close()
      }
    }
  )

  it('a 100 Continue before the answer: the answer is read', async () => {
    const body = '{"access_token":"tok-after-continue","expires_in":60}'
    const server = await startRawPeer((socket) =>
      socket.end(
        `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      )
    )
    try {
      const token = await requestToken(
        requestTo(`http://127.0.0.1:${server.port}/v1/auth/token`)
      )
      expect(token.accessToken).toBe('tok-after-continue')
    } finally {
      await server.close()
    }
  })

  it('plain HTTP on an https URL: does not speak TLS, not retried', async () => {
    const server = await startTorqServer()
    try {
      const error = await failure(
        requestToken(
          requestTo(server.url.replace('http:', 'https:'), {
            endpointSource: 'auth-url'
          })
        )
      )
      expect(error).toMatchObject({
        retryable: false,
        message: `127.0.0.1:${server.port} does not speak TLS (plain HTTP on an https URL?). Check auth-url.`
      })
    } finally {
      await server.close()
    }
  })
})

describe('connectionError', () => {
  const target = requestTo('https://auth.torq.io/v1/auth/token', {
    route: {
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: '',
      ignoredProxy: false
    },
    endpointSource: 'auth-url'
  })
  const errno = (code: string, message: string) =>
    Object.assign(new Error(message), { code })

  it.each([
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain'
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate'
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames"
    ]
  ])('calls %s a certificate problem, not to be retried', (code, message) => {
    const error = connectionError(errno(code, message), target)
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      `TLS certificate problem talking to auth.torq.io: ${message} (${code}). If your network inspects TLS with a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`
    )
  })

  it('names the proxy the request went through, and what bytes that are not TLS may mean there', () => {
    const proxied = {
      ...target,
      route: {
        ...target.route,
        proxy: {
          variable: 'https_proxy',
          tls: false,
          hostname: 'proxy.corp',
          port: 3128,
          address: 'proxy.corp:3128',
          credentials: undefined
        }
      }
    }
    const notTls = errno(
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'x:error:0A00010B:SSL routines:f:wrong version number:y:1:'
    )
    expect(connectionError(notTls, proxied)).toMatchObject({
      retryable: false,
      message:
        'The proxy proxy.corp:3128 (from https_proxy) answered the tunnel to auth.torq.io:443 with data that is not TLS (it may be inspecting or blocking the connection), or auth.torq.io does not speak TLS (plain HTTP on an https URL?).'
    })
    expect(connectionError(notTls, target).message).toBe(
      'auth.torq.io does not speak TLS (plain HTTP on an https URL?). Check auth-url.'
    )
    expect(
      connectionError(errno('ECONNRESET', 'socket hang up'), proxied)
    ).toMatchObject({
      retryable: true,
      message:
        'Could not get an answer from auth.torq.io through the proxy proxy.corp:3128 (from https_proxy): socket hang up (ECONNRESET).'
    })
    expect(
      connectionError(errno('CERT_HAS_EXPIRED', 'expired'), proxied).message
    ).toMatch(
      /^TLS certificate problem talking to auth\.torq\.io through the proxy proxy\.corp:3128 \(from https_proxy\): expired/
    )
  })

  it('passes on a failure already worded, as the tunnel words its own', () => {
    const worded = new TokenRequestError('The proxy p:1 (from HTTPS_PROXY) x', {
      retryable: false
    })
    expect(connectionError(worded, target)).toBe(worded)
  })

  it('quotes what it names of the URL and the error, secret cut', () => {
    const secret = 'MySecretHost1234'
    const error = connectionError(
      errno('ECONNRESET', `reset by ${secret.toLowerCase()} ##[error]x`),
      {
        ...target,
        url: new URL('https://MYSECRETHOST1234.example/token'),
        secrets: secretForms('id', secret)
      }
    )
    expect(error.message).toBe(
      'Could not get an answer from ***.example: reset by *** # #[error]x (ECONNRESET).'
    )
    const unresolved = connectionError(errno('ENOTFOUND', 'x'), {
      ...target,
      url: new URL('https://MYSECRETHOST1234.example/token'),
      secrets: secretForms('id', secret)
    })
    expect(unresolved.message).toMatch(/^Could not resolve \*\*\*\.example\./)
  })

  it('does not retry a name that does not resolve', () => {
    const error = connectionError(
      errno('ENOTFOUND', 'getaddrinfo ENOTFOUND auth.torq.io'),
      target
    )
    expect(error).toMatchObject({
      retryable: false,
      message:
        "Could not resolve auth.torq.io. Check auth-url, or the runner's DNS and proxy settings."
    })
  })

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH'])(
    'retries %s',
    (code) => {
      const error = connectionError(
        errno(code, `connect ${code} 1.2.3.4:443`),
        target
      )
      expect(error.retryable).toBe(true)
      expect(error.message).toBe(
        `Could not get an answer from auth.torq.io: connect ${code} 1.2.3.4:443.`
      )
    }
  )

  it('names the code when the message does not, and does not retry the unknown', () => {
    expect(
      connectionError(errno('EPROTO', 'wrong version number'), target)
    ).toMatchObject({
      retryable: false,
      message:
        'Could not get an answer from auth.torq.io: wrong version number (EPROTO).'
    })
    expect(connectionError('odd', target)).toMatchObject({
      retryable: false,
      message: 'Could not get an answer from auth.torq.io: odd.'
    })
    expect(connectionError(undefined, target).message).toBe(
      'Could not get an answer from auth.torq.io: undefined.'
    )
    expect(connectionError(null, target).message).toBe(
      'Could not get an answer from auth.torq.io: null.'
    )
  })

  it.each(['x ECONNRESET', 'ECONNRESET x', 'NOT_A_CERT_ERROR'])(
    'takes only a whole code as a code: %j',
    (code) => {
      expect(connectionError(errno(code, 'failed'), target)).toMatchObject({
        retryable: false,
        message: `Could not get an answer from auth.torq.io: failed${code === 'NOT_A_CERT_ERROR' ? ` (${code})` : ''}.`
      })
    }
  )
})
