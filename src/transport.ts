import * as http from 'node:http'
import * as https from 'node:https'
import { connect as connectTcp, type Socket } from 'node:net'
import { TokenRequestError } from './errors.js'
import { describeNetError } from './net-errors.js'
import { quote } from './outside-text.js'
import { socketHost } from './route.js'
import { basicCredentials } from './secrets.js'
import type { TokenRequest } from './token.js'
import { nameProxy, notTlsThrough, openTunnel, secureSocket } from './tunnel.js'

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
  const host = socketHost(url.hostname)
  const port = Number(url.port) || (secure ? 443 : 80)
  // Ends the proxy's CONNECT, if one is under way, when the request fails.
  const abort = new AbortController()

  return new Promise<Answer>((resolve, reject) => {
    // Every socket fails the request on error from the moment it exists:
    // Node.js's own listeners come a tick later, after bytes may have arrived.
    const watched = (socket: Socket): Socket =>
      socket.on('error', (error) => fail(connectionError(error, request)))
    // No agent: a socket of its own, TLS (for https) over the tunnel when
    // there is a proxy, and `Connection: close`: one request, and the socket
    // closes with the answer. Redirects are not followed and one deadline
    // covers the whole answer.
    const createConnection: http.RequestOptions['createConnection'] = (
      _options,
      done
    ) => {
      if (proxy === undefined) {
        return watched(
          secure ? secureSocket(host, port) : connectTcp({ host, port })
        )
      }
      openTunnel(proxy, route.target, secure, request.secrets, abort.signal)
        .then((socket) =>
          done(
            null,
            watched(secure ? secureSocket(host, port, socket) : socket)
          )
        )
        // Node.js calls `done` with an error and no socket.
        .catch((error: unknown) => done(error as Error, undefined as never))
      return undefined
    }
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        // Without an agent Node.js knows no default port, and would name
        // one in the Host header.
        defaultPort: secure ? 443 : 80,
        createConnection,
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
        const status = Number(res.statusCode)
        // A 101 without the headers of an upgrade reaches here as final.
        if (status < 200) {
          fail(switched(status, request))
          return
        }
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
      // Settled first: closing the sockets makes Node.js report a hang-up.
      reject(error)
      clearTimeout(timer)
      abort.abort()
      req.destroy()
    }
    req.on('error', (error) => fail(connectionError(error, request)))
    // A 101 with `Upgrade`: Node.js hands the socket over, or without this
    // listener closes it and leaves the request waiting for its deadline.
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      fail(switched(Number(res.statusCode), request))
    })
    req.end(body)
  })
}

/** A 1xx as the answer: something other than an OAuth endpoint answers. */
function switched(status: number, request: TokenRequest): TokenRequestError {
  return new TokenRequestError(
    `The token endpoint answered HTTP ${status} as its final answer, as a WebSocket endpoint or a server or proxy that switches protocols (h2c) does, never an OAuth token endpoint. Check ${request.endpointSource}.`,
    { retryable: false }
  )
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
  request: Pick<TokenRequest, 'url' | 'route' | 'secrets' | 'endpointSource'>
): TokenRequestError {
  // The tunnel words its failures itself: they concern the proxy.
  if (error instanceof TokenRequestError) return error
  const { url, route, secrets } = request
  const host = quote(url.host, secrets)
  const plain = `${host} does not speak TLS (plain HTTP on an https URL?)`
  const name =
    route.proxy === undefined
      ? host
      : `${host} through ${nameProxy(route.proxy, secrets)}`
  return describeNetError(
    error,
    {
      name,
      notTls:
        route.proxy === undefined
          ? `${plain}. Check ${request.endpointSource}.`
          : `${notTlsThrough(route.proxy, route.target, secrets)}, or ${plain}.`,
      unresolved: `Could not resolve ${quote(url.hostname, secrets)}. Check auth-url, or the runner's DNS and proxy settings.`,
      privateCa:
        'your network inspects TLS with a private certificate authority',
      failed: `Could not get an answer from ${name}`
    },
    secrets
  )
}
