import { isIP, Socket, connect as connectTcp } from 'node:net'
import { connect as connectTls, type TLSSocket } from 'node:tls'
import { TokenRequestError } from './errors.js'
import { describeNetError } from './net-errors.js'
import { quote } from './outside-text.js'
import { nameProxy, notTlsThrough, proxyPeer } from './peers.js'
import type { Proxy } from './route.js'

/** The longest answer head taken from a proxy, four times what Node.js takes. */
export const MAX_HEAD_BYTES = 64 * 1024
/** How many of a 407's authentication schemes a message names. */
const SCHEMES_SHOWN = 5

/**
 * Opens a CONNECT tunnel through `proxy` to `target` (`host:port`): one
 * CONNECT, ended when `signal` aborts; the socket, once the proxy answered
 * 2xx. The action's own, rather than Node's HTTP client or the `tunnel`
 * module of @actions/http-client: that one builds Proxy-Authorization with
 * `new Buffer()`, which makes Node.js print a deprecation warning (DEP0005),
 * and Node's client takes an interim `100 Continue` for the answer.
 */
export function openTunnel(
  proxy: Proxy,
  target: string,
  secure: boolean,
  secrets: readonly string[],
  signal: AbortSignal
): Promise<Socket> {
  const auth =
    proxy.credentials === undefined
      ? ''
      : `Proxy-Authorization: Basic ${Buffer.from(proxy.credentials).toString('base64')}\r\n`
  return new Promise((resolve, reject) => {
    const socket = proxy.tls
      ? secureSocket(proxy.hostname, proxy.port)
      : connectTcp({ host: proxy.hostname, port: proxy.port })
    const fail = (error: TokenRequestError) => {
      socket.destroy()
      reject(error)
    }
    // Listened to from the start, and after the tunnel is handed over too.
    socket.on('error', (error) =>
      fail(describeNetError(error, proxyPeer(proxy, secrets), secrets))
    )
    signal.addEventListener('abort', () => socket.destroy())
    const hungUp = () =>
      fail(
        new TokenRequestError(
          `Could not reach ${nameProxy(proxy, secrets)}: it closed the connection without answering CONNECT.`,
          { kind: 'hang-up' }
        )
      )
    let received = Buffer.alloc(0)
    const onReadable = () => {
      let chunk: Buffer | null
      while ((chunk = socket.read() as Buffer | null) !== null) {
        received = Buffer.concat([received, chunk])
      }
      // Interim answers (`100 Continue`) come before the real one.
      let head = readHead(received)
      while (head !== undefined && head.status < 200 && head.status !== 101) {
        received = received.subarray(head.length)
        head = readHead(received)
      }
      if (head === undefined) {
        if (received.length > MAX_HEAD_BYTES) fail(malformed(proxy, secrets))
        return
      }
      socket.off('readable', onReadable)
      socket.off('end', hungUp)
      const after = received.subarray(head.length)
      if (!(head.status >= 200 && head.status <= 299)) {
        fail(refusal(head, proxy, target, secrets))
      } else if (secure && after.length > 0) {
        // A TLS server speaks only once spoken to: these bytes are the proxy's.
        fail(
          new TokenRequestError(`${notTlsThrough(proxy, target, secrets)}.`, {
            kind: 'tls'
          })
        )
      } else {
        // Bytes the proxy sent after its answer belong to the tunnel.
        socket.unshift(after)
        resolve(socket)
      }
    }
    socket.on('readable', onReadable)
    socket.on('end', hungUp)
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`)
  })
}

/**
 * TLS to `host`, over `socket` if given. No server name for an address:
 * RFC 6066 allows none, and Node.js warns (DEP0123) when given one.
 */
export function secureSocket(
  host: string,
  port: number,
  socket?: Socket
): TLSSocket {
  return connectTls({ host, port, socket, servername: isIP(host) ? '' : host })
}

/** The parts of an answer head the tunnel reads; NaN for a status line that is none. */
interface Head {
  status: number
  /** The Proxy-Authenticate values, joined. */
  challenge: string
  /** Bytes up to and with the blank line. */
  length: number
}

/** The first answer head in `bytes`, or undefined until it is complete. */
function readHead(bytes: Buffer): Head | undefined {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const text = bytes.toString('latin1', 0, end)
  const status = /^HTTP\/1\.[01] ([1-9]\d\d)(?:[ \r]|$)/.exec(text)?.[1]
  const challenges = text
    .split('\r\n')
    .filter((field) => /^proxy-authenticate:/i.test(field))
    .map((field) => field.slice(field.indexOf(':') + 1))
  return {
    status: Number(status),
    challenge: challenges.join(','),
    length: end + 4
  }
}

function malformed(
  proxy: Proxy,
  secrets: readonly string[]
): TokenRequestError {
  return new TokenRequestError(
    `${nameProxy(proxy, secrets, 'The')} did not answer CONNECT with HTTP (or with a head over ${MAX_HEAD_BYTES / 1024} KiB). Check ${proxy.variable}: it should name an HTTP proxy.`,
    { kind: 'refusal' }
  )
}

/** What a proxy's answer other than 2xx to CONNECT means for the user. */
function refusal(
  { status, challenge }: Head,
  proxy: Proxy,
  target: string,
  secrets: readonly string[]
): TokenRequestError {
  if (Number.isNaN(status)) return malformed(proxy, secrets)
  const at = nameProxy(proxy, secrets, 'The')
  if (status < 200 || (status >= 300 && status < 400)) {
    return new TokenRequestError(
      `${at} answered CONNECT with HTTP ${status}, which opens no tunnel. Check ${proxy.variable}: it should name an HTTP proxy that tunnels (CONNECT).`,
      { kind: 'proxy', status }
    )
  }
  if (status !== 407) {
    return new TokenRequestError(
      `${at} refused or failed to open a tunnel to ${quote(target, secrets)} (HTTP ${status}).${status >= 500 ? '' : ` Ask for ${quote(target, secrets)} to be allowed through it, or list the host in NO_PROXY if it can be reached directly.`}`,
      { kind: 'proxy', status }
    )
  }
  const schemes = authSchemes(challenge)
  if (schemes.length > 0 && !schemes.some((s) => s.toLowerCase() === 'basic')) {
    return new TokenRequestError(
      `${at} asks for ${listSchemes(schemes, secrets)} authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for ${quote(target, secrets)} to be reachable without it.`,
      { kind: 'proxy', status }
    )
  }
  return new TokenRequestError(
    proxy.credentials === undefined
      ? `${at} wants credentials (HTTP 407). Give them in the proxy URL, http://user:password@host:port, with any @ : % in them percent-encoded (%40 %3A %25).`
      : `${at} rejected the credentials in its URL (HTTP 407). Check the user name and password, and that any @ : % in them is percent-encoded (%40 %3A %25).`,
    { kind: 'proxy', status }
  )
}

/** The scheme names of a Proxy-Authenticate header (`Negotiate, NTLM`). */
function authSchemes(challenge: string): string[] {
  return Array.from(
    challenge.matchAll(/(?:^|,)\s*([A-Za-z][A-Za-z0-9._~+-]{0,31})(?=\s|,|$)/g),
    (match) => String(match[1])
  )
}

/** `Negotiate or NTLM`; past SCHEMES_SHOWN names, `A, B, C, D, E and 7 more`. */
function listSchemes(schemes: string[], secrets: readonly string[]): string {
  const shown = schemes.slice(0, SCHEMES_SHOWN).map((s) => quote(s, secrets))
  return schemes.length > SCHEMES_SHOWN
    ? `${shown.join(', ')} and ${schemes.length - SCHEMES_SHOWN} more`
    : shown.join(' or ')
}
