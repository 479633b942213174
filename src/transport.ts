import * as http from 'node:http'
import * as https from 'node:https'
import type { Socket } from 'node:net'
import type { Message } from './client-credentials.js'
import { TokenRequestError } from './errors.js'
import { describeNetError } from './net-errors.js'
import { nameProxy, targetPeer } from './peers.js'
import { connection } from './connection.js'
import type { Route } from './route.js'

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
  const { url, secrets, deadline } = exchange
  const { proxy } = exchange.route
  const secure = url.protocol === 'https:'
  const peer = targetPeer(exchange)
  // Ends the proxy's CONNECT, if one is under way, when the request fails.
  const abort = new AbortController()
  let tunnelOpen = false
  // An interim status (100, 103...) with no final answer after it.
  let interim: number | undefined

  return new Promise<Answer>((resolve, reject) => {
    // Every socket fails the request on error from the moment it exists:
    // Node.js's own listeners come a tick later, after bytes may have arrived.
    const watched = (socket: Socket): Socket =>
      socket.on('error', (error) =>
        lost(describeNetError(error, peer, secrets))
      )
    const req = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        // Without an agent Node.js knows no default port, and would name
        // one in the Host header.
        defaultPort: secure ? 443 : 80,
        createConnection: connection(exchange, {
          watched,
          signal: abort.signal,
          opened: () => (tunnelOpen = true)
        }),
        headers: exchange.headers
      },
      (res) => {
        interim = undefined
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
          fail(tooLarge(status, 'announced', exchange))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) fail(tooLarge(status, 'sent', exchange))
          else chunks.push(chunk)
        })
        res.on('error', (error) => lost(describeNetError(error, peer, secrets)))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          settle(() => resolve({ ...head, body }))
        })
      }
    )
    const within = `within ${exchange.timeoutMs / 1000} s (timeout-seconds)`
    const timedOut = () =>
      lost(
        new TokenRequestError(
          proxy !== undefined && !tunnelOpen
            ? `${nameProxy(proxy, secrets, 'The')} did not answer CONNECT ${within}.`
            : `No complete answer from ${peer.name} ${within}.`,
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
    /**
     * The connection lost or the time up: after an interim status and no
     * final one, that status was all the answer there was.
     */
    function lost(error: TokenRequestError): void {
      if (interim === undefined) fail(error)
      else settle(() => resolve(headless(Number(interim))))
    }
    req.on('error', (error) =>
      error instanceof TokenRequestError
        ? // The tunnel words its failures itself: they concern the proxy.
          fail(error)
        : lost(describeNetError(error, peer, secrets))
    )
    req.on('information', (info) => {
      interim = info.statusCode
    })
    // A 101 with `Upgrade`: Node.js hands the socket over, or without this
    // listener closes it and leaves the request waiting for its deadline.
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      settle(() => resolve(headless(Number(res.statusCode))))
    })
    if (deadline.aborted) {
      timedOut()
      return
    }
    deadline.addEventListener('abort', timedOut)
    req.end(exchange.body)
  })
}

/** An answer of a status alone: a 1xx taken as final. */
function headless(status: number): Answer {
  return {
    status,
    contentType: '',
    retryAfter: undefined,
    contentEncoding: undefined,
    body: ''
  }
}

/** An answer of over 1 MiB, by its Content-Length or as it came. */
function tooLarge(
  status: number,
  how: 'announced' | 'sent',
  exchange: Exchange
): TokenRequestError {
  const read = how === 'announced' ? 'unread' : 'after its first MiB'
  return new TokenRequestError(
    `The token endpoint answered HTTP ${status} and ${how} more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; a token answer is a few hundred bytes, so it was refused ${read}. Check ${exchange.endpointSource}.`,
    { kind: 'answer', status }
  )
}
