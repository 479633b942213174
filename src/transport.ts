import * as http from 'node:http'
import * as https from 'node:https'
import { connect as connectTcp, type Socket } from 'node:net'
import type { Message } from './client-credentials.js'
import { TokenRequestError } from './errors.js'
import { describeNetError } from './net-errors.js'
import { quote } from './outside-text.js'
import { targetPeer } from './peers.js'
import { socketHost, type Route } from './route.js'
import { openTunnel, secureSocket } from './tunnel.js'

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

/** A POST of `body` to `url`, the way the route says, within `deadline`. */
export interface Exchange extends Message {
  url: URL
  route: Route
  /** Every form of every secret, cut out of any text quoted. */
  secrets: readonly string[]
  /** How the URL was chosen (`region eu`, `auth-url`), for messages. */
  endpointSource: string
  /** Aborts when the attempt's time is up, `timeoutMs` after it began. */
  deadline: AbortSignal
  timeoutMs: number
}

/**
 * Sends the request and reads the whole answer before the deadline. Fails
 * with a TokenRequestError for anything short of a complete answer; a 1xx
 * given as the answer is returned as one, without a body.
 */
export function send(exchange: Exchange): Promise<Answer> {
  const { url, route, secrets, deadline } = exchange
  const { proxy } = route
  const secure = url.protocol === 'https:'
  const host = socketHost(url.hostname)
  const port = Number(url.port) || (secure ? 443 : 80)
  const peer = targetPeer(exchange)
  // Ends the proxy's CONNECT, if one is under way, when the request fails.
  const abort = new AbortController()

  return new Promise<Answer>((resolve, reject) => {
    // Every socket fails the request on error from the moment it exists:
    // Node.js's own listeners come a tick later, after bytes may have arrived.
    const watched = (socket: Socket): Socket =>
      socket.on('error', (error) =>
        fail(describeNetError(error, peer, secrets))
      )
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
      openTunnel(proxy, route.target, secure, secrets, abort.signal)
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
        headers: exchange.headers
      },
      (res) => {
        const status = Number(res.statusCode)
        const head = {
          status,
          contentType: res.headers['content-type'] ?? '',
          retryAfter: res.headers['retry-after'],
          contentEncoding: res.headers['content-encoding']
        }
        // A 101 without the headers of an upgrade reaches here as final.
        if (status < 200) {
          settle(() => resolve({ ...head, body: '' }))
          return
        }
        if (Number(res.headers['content-length']) > MAX_ANSWER_BYTES) {
          fail(tooLarge(status))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) fail(tooLarge(status))
          else chunks.push(chunk)
        })
        res.on('error', (error) => fail(describeNetError(error, peer, secrets)))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          settle(() => resolve({ ...head, body }))
        })
      }
    )
    const timedOut = () =>
      fail(
        new TokenRequestError(
          `No complete answer from ${quote(url.host, secrets)} within ${exchange.timeoutMs / 1000} s (timeout-seconds).`,
          { kind: 'timeout' }
        )
      )
    /** Settles once, then closes: closing makes Node.js report a hang-up. */
    function settle(outcome: () => void): void {
      outcome()
      deadline.removeEventListener('abort', timedOut)
      abort.abort()
      req.destroy()
    }
    function fail(error: TokenRequestError): void {
      settle(() => reject(error))
    }
    req.on('error', (error) =>
      fail(
        error instanceof TokenRequestError
          ? // The tunnel words its failures itself: they concern the proxy.
            error
          : describeNetError(error, peer, secrets)
      )
    )
    // A 101 with `Upgrade`: Node.js hands the socket over, or without this
    // listener closes it and leaves the request waiting for its deadline.
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      settle(() =>
        resolve({
          status: Number(res.statusCode),
          contentType: '',
          retryAfter: undefined,
          contentEncoding: undefined,
          body: ''
        })
      )
    })
    if (deadline.aborted) {
      timedOut()
      return
    }
    deadline.addEventListener('abort', timedOut)
    req.end(exchange.body)
  })
}

function tooLarge(status: number): TokenRequestError {
  return new TokenRequestError(
    `The token endpoint answered HTTP ${status} with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; a token answer is a few hundred bytes, so it was refused unread. Check auth-url.`,
    { kind: 'refusal' }
  )
}
