// A Torq-compatible token server on loopback, for the tests, the demo and the
// benchmark. By default it behaves like auth.torq.io: POST /v1/auth/token with
// HTTP Basic client credentials and grant_type=client_credentials returns
// {access_token, expires_in, token_type}; anything else gets an RFC 6749 §5.2
// error. Scripted replies (see `replies`) stand in for faults and odd servers.
import * as http from 'node:http'
import * as https from 'node:https'
import { randomUUID } from 'node:crypto'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { fixedWindow } from './herd.js'

export const DEMO_CLIENT_ID = 'demo-client-id'
export const DEMO_CLIENT_SECRET = 'demo-s3cr3t-7f3a9c1e5b'
export const TOKEN_PATH = '/v1/auth/token'

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} body
 */

/**
 * @typedef {(req: http.IncomingMessage, res: http.ServerResponse, request: RecordedRequest) => void} Reply
 */

/**
 * @typedef {object} ServerOptions
 * @property {Record<string, string>} [clients] client id -> secret
 * @property {{ key: string | Buffer, cert: string | Buffer }} [tls] serve https
 * @property {string} [host] address to listen on (loopback only)
 * @property {number} [port] 0 picks a free port
 * @property {number} [expiresIn]
 * @property {RateLimit} [rateLimit] answer 429 to requests over a rate
 */

/**
 * A rate limit as the herd simulation's fixed-window model has it: the first
 * `perSecond` requests of each second (counted from the server's start) are
 * answered; the rest get HTTP 429, with `retryAfter` as Retry-After if given.
 * @typedef {object} RateLimit
 * @property {number} perSecond
 * @property {string} [retryAfter]
 */

/** @typedef {Awaited<ReturnType<typeof startTorqServer>>} TorqServer */

/** @param {ServerOptions} [options] */
export async function startTorqServer(options = {}) {
  const clients = options.clients ?? { [DEMO_CLIENT_ID]: DEMO_CLIENT_SECRET }
  const expiresIn = options.expiresIn ?? 3600
  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {Reply[]} */
  const queue = []
  /** @type {string[]} */
  const tokens = []
  /** @type {((value: undefined) => void)[]} */
  const waiters = []
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const started = Date.now()
  const limit = options.rateLimit
  const limiter = limit && fixedWindow(limit.perSecond)

  /** @type {http.RequestListener} */
  const handle = (req, res) => {
    /** @type {Buffer[]} */
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8')
      }
      requests.push(request)
      if (limiter && !limiter.admit(Date.now() - started)) {
        return json(
          res,
          429,
          {
            error: 'too_many_requests',
            error_description: 'Rate limit exceeded'
          },
          limit.retryAfter === undefined
            ? {}
            : { 'Retry-After': limit.retryAfter }
        )
      }
      const reply = queue.shift() ?? torq
      reply(req, res, request)
      for (const resolve of waiters.splice(0)) resolve(undefined)
    })
  }

  /** @type {Reply} */
  const torq = (req, res, request) => {
    if (request.path !== TOKEN_PATH) {
      return json(res, 404, { error: 'not_found' })
    }
    if (request.method !== 'POST') {
      return json(res, 405, { error: 'invalid_request' })
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]
    const form = new URLSearchParams(request.body)
    if (type !== 'application/x-www-form-urlencoded') {
      return json(res, 400, {
        error: 'invalid_request',
        error_description: 'expected a form-encoded body'
      })
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return json(res, 400, { error: 'unsupported_grant_type' })
    }
    const [scheme, encoded = ''] = (req.headers.authorization ?? '').split(' ')
    const decoded = Buffer.from(encoded, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const id = decoded.slice(0, colon)
    const secret = decoded.slice(colon + 1)
    if (
      scheme !== 'Basic' ||
      colon < 0 ||
      !Object.hasOwn(clients, id) ||
      clients[id] !== secret
    ) {
      return json(res, 401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed'
      })
    }
    const token = randomUUID()
    tokens.push(token)
    json(res, 200, {
      access_token: token,
      expires_in: expiresIn,
      token_type: 'Bearer'
    })
  }

  const server = options.tls
    ? https.createServer(
        { key: options.tls.key, cert: options.tls.cert },
        handle
      )
    : http.createServer(handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // Errors of TLS handshakes the client aborts are expected in tests.
  server.on('tlsClientError', () => {})
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () =>
      resolve(undefined)
    )
  })
  const address = /** @type {import('node:net').AddressInfo} */ (
    server.address()
  )
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address
  const origin = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`

  return {
    origin,
    port: address.port,
    url: `${origin}${TOKEN_PATH}`,
    requests,
    tokens,
    /**
     * Settles once the next request has been read and its reply begun: when
     * a test moves a fake clock past a deadline the server is keeping.
     * @returns {Promise<undefined>}
     */
    replied: () => new Promise((resolve) => waiters.push(resolve)),
    /** How many client connections are open now. */
    openConnections: () => sockets.size,
    /** Queues replies for the next requests, in order; then Torq's behaviour resumes. */
    script: (/** @type {Reply[]} */ ...replies) => void queue.push(...replies),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve(undefined))
      })
  }
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {http.OutgoingHttpHeaders} [headers]
 */
function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers
  })
  res.end(text)
}

const COMPRESS = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync
}

/** Scripted replies: faults and answers a real server might give. */
export const replies = {
  /** @param {number} status @param {unknown} body @param {http.OutgoingHttpHeaders} [headers] @returns {Reply} */
  json: (status, body, headers) => (_req, res) =>
    json(res, status, body, headers),

  /**
   * A text answer; an empty `contentType` sends no Content-Type header.
   * @param {number} status @param {string} contentType @param {string} text
   * @param {http.OutgoingHttpHeaders} [headers] @returns {Reply}
   */
  text:
    (status, contentType, text, headers = {}) =>
    (_req, res) => {
      res.writeHead(status, {
        ...(contentType ? { 'Content-Type': contentType } : {}),
        ...headers
      })
      res.end(text)
    },

  /**
   * Raw bytes on the socket, for answers Node's server would not write (a
   * status outside 100 to 599, say). @param {string} text @returns {Reply}
   */
  raw: (text) => (_req, res) => {
    res.socket?.end(text)
  },

  /**
   * A JSON answer compressed as a server or proxy that ignores the request's
   * Accept-Encoding would send it, named in Content-Encoding.
   * @param {'gzip' | 'deflate' | 'br'} coding @param {number} status
   * @param {unknown} body @returns {Reply}
   */
  encoded: (coding, status, body) => (_req, res) => {
    const bytes = COMPRESS[coding](JSON.stringify(body))
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Encoding': coding,
      'Content-Length': bytes.length
    })
    res.end(bytes)
  },

  /** Accepts the request and never answers. @returns {Reply} */
  hang: () => () => {},

  /** Sends headers and part of the body, then stalls. @returns {Reply} */
  stallBody: () => (_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': 200
    })
    res.write('{"access_token":"')
  },

  /** Sends headers and part of the body, then drops the connection. @returns {Reply} */
  dropMidBody: () => (_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': 200
    })
    res.write('{"access_token":"', () => res.socket?.destroy())
  },

  /** A redirect to `location`. @param {string} location @param {number} [status] @returns {Reply} */
  redirect:
    (location, status = 302) =>
    (_req, res) => {
      res.writeHead(status, { Location: location, 'Content-Length': 0 })
      res.end()
    },

  /**
   * A body of `bytes` bytes streamed in chunks, with or without Content-Length;
   * `onSent` hears how many bytes the socket has taken so far.
   * @param {number} bytes
   * @param {{ announce?: boolean, onSent?: (sent: number) => void }} [options]
   * @returns {Reply}
   */
  huge:
    (bytes, options = {}) =>
    (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ...(options.announce ? { 'Content-Length': bytes } : {})
      })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let sent = 0
      const pump = () => {
        while (sent < bytes && !res.destroyed) {
          const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent))
          sent += part.length
          options.onSent?.(sent)
          if (!res.write(part)) return void res.once('drain', pump)
        }
        res.end()
      }
      res.on('error', () => {})
      pump()
    }
}
