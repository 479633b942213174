import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it
} from '@jest/globals'
import { getEventListeners } from 'node:events'
import * as net from 'node:net'
import { basicCredentials } from '../../src/secrets.js'
import { systemClock } from '../../src/clock.js'
import { requestToken } from '../../src/token.js'
import { MAX_ANSWER_BYTES } from '../../src/transport.js'
import { makeCertificates } from '../../test/support/certs.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import { recordSockets, startRawPeer } from '../../test/support/raw-peers.js'
import { failure, requestTo } from '../../test/support/requests.js'
import { bounded } from '../../test/support/bounded.js'
import { fakeClock } from '../../test/support/fake-clock.js'

// The advice for an untrusted certificate depends on it; the machine may set it.
const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS']
beforeAll(() => {
  delete process.env['NODE_EXTRA_CA_CERTS']
})
afterAll(() => {
  if (extraCaCerts !== undefined)
    process.env['NODE_EXTRA_CA_CERTS'] = extraCaCerts
})

/** The connections still open once the client has had a bounded while to close them. */
async function openAfterClosing(server: TorqServer): Promise<number> {
  for (let i = 0; i < 100 && server.openConnections() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return server.openConnections()
}

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
    const token = await requestToken(requestTo(server.url), systemClock)
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
      }),
      systemClock
    )
    const header = server.requests[0]?.headers.authorization ?? ''
    expect(
      Buffer.from(header.replace('Basic ', ''), 'base64').toString('utf8')
    ).toBe('ïd.-_~:p@ss:w%rd+/=')
    expect(basicCredentials('a', 'b')).toBe('YTpi')
  })

  it('turns 401 invalid_client into a hint about secret and region', async () => {
    const error = await failure(
      requestToken(
        requestTo(server.url, { clientSecret: 'wrong' }),
        systemClock
      )
    )
    expect(error.failure).toMatchObject({
      kind: 'answer',
      status: 401,
      code: 'invalid_client'
    })
    expect(error.message).toContain('Torq rejected the client credentials')
    expect(error.message).toContain('HTTP 401, invalid_client')
    expect(error.message).toContain('region: eu')
    expect(error.message).toContain('app.eu.torq.io')
  })

  it('leaves no listener on the deadline and no connection behind, on success or failure', async () => {
    const signals: AbortSignal[] = []
    const clock = {
      ...fakeClock().clock,
      deadline: () => {
        const signal = new AbortController().signal
        signals.push(signal)
        return signal
      }
    }
    const outcomes: (() => Promise<unknown>)[] = [
      () => requestToken(requestTo(server.url), clock),
      () => {
        server.script(replies.json(400, { error: 'invalid_request' }))
        return failure(requestToken(requestTo(server.url), clock))
      },
      () => {
        server.script(replies.huge(MAX_ANSWER_BYTES + 1, { announce: true }))
        return failure(requestToken(requestTo(server.url), clock))
      }
    ]
    for (const outcome of outcomes) {
      const requests = server.requests.length
      await outcome()
      expect(server.requests.length).toBe(requests + 1)
      expect(getEventListeners(signals.at(-1)!, 'abort')).toHaveLength(0)
      expect(await openAfterClosing(server)).toBe(0)
    }
    expect(signals).toHaveLength(3)
  })

  it.each(['http', 'https'])(
    'listens for errors of its %s socket from the moment it exists',
    async (scheme) => {
      const recorded = recordSockets()
      let request: Promise<unknown>
      try {
        request = requestToken(
          requestTo(server.url.replace('http:', `${scheme}:`)),
          systemClock
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
    const { clock, advance } = fakeClock()
    const replied = server.replied()
    const pending = failure(requestToken(requestTo(server.url), clock))
    await bounded(replied, 'the request reaching the server')
    advance(5000)
    await pending
    expect(await openAfterClosing(server)).toBe(0)
  })

  it('refuses an announced size over 1 MiB before any of the body arrives', async () => {
    server.script(
      replies.text(200, 'application/json', '{', {
        'Content-Length': String(2 * MAX_ANSWER_BYTES)
      })
    )
    const error = await failure(
      requestToken(requestTo(server.url, { timeoutMs: 3000 }), systemClock)
    )
    expect(error.message).toContain('more than 1 MiB')
  })

  it('judges the content of an announced answer of exactly 1 MiB', async () => {
    server.script(replies.huge(MAX_ANSWER_BYTES, { announce: true }))
    const error = await failure(
      requestToken(requestTo(server.url), systemClock)
    )
    expect(error.message).toContain('not valid JSON')
  })

  it('describes an answer without a content type as such', async () => {
    server.script(replies.text(502, '', 'Bad gateway'))
    const error = await failure(
      requestToken(requestTo(server.url), systemClock)
    )
    expect(error.message).toBe(
      'The token request failed (HTTP 502, not JSON: no content type).'
    )
  })

  it('does not follow a redirect, and the other server receives nothing', async () => {
    const elsewhere = await startTorqServer()
    try {
      server.script(replies.redirect(elsewhere.url, 307))
      const error = await failure(
        requestToken(requestTo(server.url), systemClock)
      )
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toContain('redirect (HTTP 307)')
      expect(error.message).not.toContain(elsewhere.url)
      expect(elsewhere.requests).toHaveLength(0)
    } finally {
      await elsewhere.close()
    }
  })

  it.each([
    ['accepts and never answers', replies.hang()],
    ['stalls after the headers', replies.stallBody()]
  ])(
    'gives up at timeout-seconds of the clock on a server that %s, and closes',
    async (_case, reply) => {
      server.script(reply)
      const { clock, advance } = fakeClock()
      const replied = server.replied()
      const pending = failure(
        requestToken(requestTo(server.url, { timeoutMs: 30_000 }), clock)
      )
      await bounded(replied, 'the request reaching the server')
      advance(29_999)
      advance(1)
      const error = await pending
      expect(error.failure).toEqual({ kind: 'timeout' })
      expect(error.message).toBe(
        `No complete answer from 127.0.0.1:${server.port} within 30 s (timeout-seconds).`
      )
    }
  )

  it('describes a connection dropped mid-answer by its code', async () => {
    server.script(replies.dropMidBody())
    const error = await failure(
      requestToken(requestTo(server.url), systemClock)
    )
    expect(error.failure).toEqual({ kind: 'network', code: 'ECONNRESET' })
    expect(error.message).toMatch(
      /^Could not get an answer from 127\.0\.0\.1:\d+: aborted/
    )
  })

  it.each([
    ['announced by Content-Length', { announce: true }],
    ['streamed without a length', { announce: false }]
  ])('refuses an answer over 1 MiB %s', async (_how, options) => {
    server.script(replies.huge(MAX_ANSWER_BYTES + 1, options))
    const error = await failure(
      requestToken(requestTo(server.url), systemClock)
    )
    expect(error.failure).toEqual({ kind: 'answer', status: 200 })
    expect(error.message).toBe(
      `The token endpoint answered HTTP 200 and ${options.announce ? 'announced' : 'sent'} more than 1 MiB; a token answer is a few hundred bytes, so it was refused ${options.announce ? 'unread' : 'after its first MiB'}. Check region us.`
    )
  })

  it('accepts an answer of exactly 1 MiB before judging its content', async () => {
    server.script(replies.huge(MAX_ANSWER_BYTES))
    const error = await failure(
      requestToken(requestTo(server.url), systemClock)
    )
    expect(error.message).toContain('not valid JSON')
  })

  it('reads Retry-After as a number of seconds or a date, and the error code', async () => {
    server.script(
      replies.json(
        503,
        { error: 'temporarily_unavailable' },
        { 'Retry-After': '7' }
      ),
      replies.json(429, {}, { 'Retry-After': 'Sat, 28 Nov 2026 16:00:02 GMT' }),
      replies.json(500, {}, { 'Retry-After': '7' })
    )
    const { clock } = fakeClock()
    const unavailable = await failure(
      requestToken(requestTo(server.url), clock)
    )
    expect(unavailable).toMatchObject({
      failure: {
        kind: 'answer',
        status: 503,
        code: 'temporarily_unavailable',
        retryAfterMs: 7000
      },

      status: 503
    })
    expect(unavailable.message).toBe(
      'The token request failed (HTTP 503, temporarily_unavailable).'
    )
    await expect(
      requestToken(requestTo(server.url), clock)
    ).rejects.toMatchObject({
      failure: { kind: 'answer', status: 429, retryAfterMs: 2000 }
    })
    await expect(
      requestToken(requestTo(server.url), clock)
    ).rejects.toMatchObject({
      failure: { kind: 'answer', status: 500, retryAfterMs: 7000 }
    })
  })

  it('describes a connection that cannot be made by its code', async () => {
    const closed = net.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as net.AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const error = await failure(
      requestToken(
        requestTo(`http://127.0.0.1:${port}/v1/auth/token`),
        systemClock
      )
    )
    expect(error.failure).toEqual({ kind: 'network', code: 'ECONNREFUSED' })
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
      const error = await failure(
        requestToken(requestTo(server.url), systemClock)
      )
      expect(error.failure).toEqual({ kind: 'tls' })
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
  it.each([100, 102, 103, 199])(
    'HTTP %d and then the connection closed: that status was the answer, not retried',
    async (status) => {
      const server = await startRawPeer((socket) =>
        socket.end(`HTTP/1.1 ${status} Interim\r\n\r\n`)
      )
      try {
        const error = await failure(
          requestToken(
            requestTo(`http://127.0.0.1:${server.port}/v1/auth/token`),
            systemClock
          )
        )
        expect(error.failure).toEqual({ kind: 'refusal' })
        expect(error.message).toMatch(
          new RegExp(
            `^The token endpoint answered HTTP ${status} as its final answer`
          )
        )
      } finally {
        await server.close()
      }
    }
  )

  it.each([
    ['a status line that is no HTTP status', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['lines ended without CR', 'HTTP/1.1 200 OK\nContent-Length: 2\n\n{}'],
    ['a version that is no HTTP version', 'HTTQ/1.1 200 OK\r\n\r\n']
  ])(
    "%s: not HTTP, named with the parser's reason, not retried",
    async (_case, bytes) => {
      const server = await startRawPeer((socket) => socket.end(bytes))
      try {
        const error = await failure(
          requestToken(
            requestTo(`http://127.0.0.1:${server.port}/v1/auth/token`, {
              endpointSource: 'auth-url'
            }),
            systemClock
          )
        )
        expect(error.failure).toEqual({ kind: 'refusal' })
        expect(error.message).toMatch(
          new RegExp(
            `^The answer from 127\\.0\\.0\\.1:${server.port} is not HTTP as Node\\.js reads it: .+ \\(HPE_[A-Z_]+\\)\\. Check auth-url: something other than Torq is answering\\.$`
          )
        )
      } finally {
        await server.close()
      }
    }
  )

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
            }),
            systemClock
          )
        )
        expect(error).toMatchObject({
          failure: { kind: 'refusal' },
          message:
            'The token endpoint answered HTTP 101 as its final answer, where an OAuth token endpoint answers with a token or an error; 101 Switching Protocols is what a WebSocket endpoint, or a server or proxy that switches protocols (h2c), answers. Check auth-url: something other than Torq is answering.'
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
        requestTo(`http://127.0.0.1:${server.port}/v1/auth/token`),
        systemClock
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
          }),
          systemClock
        )
      )
      expect(error).toMatchObject({
        failure: { kind: 'tls' },
        message: `127.0.0.1:${server.port} does not speak TLS (plain HTTP on an https URL?). Check auth-url.`
      })
    } finally {
      await server.close()
    }
  })
})
