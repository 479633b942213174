import * as http from 'node:http'
import * as https from 'node:https'
import { TokenRequestError } from './errors.js'
import { readNetError } from './net-errors.js'
import { quote } from './outside-text.js'
import { basicCredentials } from './secrets.js'
import type { TokenRequest } from './token.js'
import { openTunnel } from './tunnel.js'

/** A token answer is a few hundred bytes; anything this large is refused. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** The parts of an HTTP answer the action looks at; the body never leaves answer.ts. */
export interface Answer {
  status: number
  contentType: string
  retryAfter: string | undefined
  /** The body is passed on as it came, decoded by no one. */
  contentEncoding: string | undefined
  body: string
}

/**
 * Sends the token request and reads the whole answer within the deadline.
 * Fails with a TokenRequestError for anything short of a complete answer.
 */
export function send(request: TokenRequest): Promise<Answer> {
  const body = 'grant_type=client_credentials'
  const { url, route } = request
  const { proxy } = route
  const secure = url.protocol === 'https:'
  const transport = secure ? https : http
  // Ends the proxy's CONNECT, if one is under way, when the request fails.
  const abort = new AbortController()
  // Direct, a fresh agent that keeps nothing alive; through a proxy, no agent
  // and the tunnel as the connection. Either way the request says
  // `Connection: close`: one request, and the socket closes with the answer.
  // Redirects are not followed and one deadline covers the whole answer.
  const connection: http.RequestOptions =
    proxy === undefined
      ? { agent: false }
      : {
          // Without an agent Node.js knows no default port, and would name
          // one in the Host header.
          defaultPort: secure ? 443 : 80,
          createConnection: (_options, done) => {
            openTunnel(proxy, route.target, url, request.secrets, abort.signal)
              .then((socket) => done(null, socket))
              // Node.js calls `done` with an error and no socket.
              .catch((error: unknown) =>
                done(error as Error, undefined as never)
              )
            return undefined
          }
        }

  return new Promise<Answer>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        ...connection,
        headers: {
          Authorization: `Basic ${basicCredentials(request.clientId, request.clientSecret)}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
          'Accept-Language': 'en_US',
          'User-Agent': request.userAgent
        }
      },
      (res) => {
        const announced = Number(res.headers['content-length'])
        if (announced > MAX_ANSWER_BYTES) {
          fail(tooLarge(res.statusCode))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) {
            fail(tooLarge(res.statusCode))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', (error) => fail(connectionError(error, request)))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: Number(res.statusCode),
            contentType: res.headers['content-type'] ?? '',
            retryAfter: res.headers['retry-after'],
            contentEncoding: res.headers['content-encoding'],
            body: Buffer.concat(chunks).toString('utf8')
          })
        })
      }
    )
    // Started once the request exists, so that a request() that throws
    // leaves no timer behind.
    const timer = setTimeout(() => {
      fail(
        new TokenRequestError(
          `No complete answer from ${quote(url.host, request.secrets)} within ${request.timeoutMs / 1000} s (timeout-seconds).`,
          { retryable: true }
        )
      )
    }, request.timeoutMs)
    function fail(error: TokenRequestError): void {
      clearTimeout(timer)
      abort.abort()
      req.destroy()
      reject(error)
    }
    req.on('error', (error) => fail(connectionError(error, request)))
    req.end(body)
  })
}

function tooLarge(status: number | undefined): TokenRequestError {
  return new TokenRequestError(
    `The token endpoint answered HTTP ${status} with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; a token answer is a few hundred bytes, so it was refused unread. Check auth-url.`,
    { retryable: false }
  )
}

/**
 * Describes a transport failure. The error's message may carry text from a
 * proxy or the network, so it is quoted, never printed as it is.
 */
export function connectionError(
  error: unknown,
  request: Pick<TokenRequest, 'url' | 'secrets'>
): TokenRequestError {
  // The tunnel words its failures itself: they concern the proxy.
  if (error instanceof TokenRequestError) return error
  const { url, secrets } = request
  const host = quote(url.host, secrets)
  const { code, raw, message, tls, transient } = readNetError(error, secrets)
  if (tls) {
    return new TokenRequestError(
      `TLS certificate problem talking to ${host}: ${message} (${code}). If your network inspects TLS with a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`,
      { retryable: false }
    )
  }
  if (code === 'ENOTFOUND') {
    return new TokenRequestError(
      `Could not resolve ${quote(url.hostname, secrets)}. Check auth-url, or the runner's DNS and proxy settings.`,
      { retryable: false }
    )
  }
  return new TokenRequestError(
    `Could not get an answer from ${host}: ${message}${code && !raw.includes(code) ? ` (${code})` : ''}.`,
    { retryable: transient }
  )
}
