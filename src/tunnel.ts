import * as http from 'node:http'
import * as https from 'node:https'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import * as tls from 'node:tls'
import { TokenRequestError } from './errors.js'
import { readNetError } from './net-errors.js'
import { quote } from './outside-text.js'
import { socketHost, type Proxy } from './route.js'

/**
 * Opens a connection to `target` (`host:port` of `url`) through a CONNECT
 * tunnel of `proxy`, then TLS to the target for an https `url`: one CONNECT,
 * ended when `signal` aborts. The action's own, rather than the `tunnel`
 * module of @actions/http-client: that one builds Proxy-Authorization with
 * `new Buffer()`, which makes Node.js print a deprecation warning (DEP0005)
 * in every run that sends proxy credentials, since the bundle is not under
 * node_modules.
 */
export function openTunnel(
  proxy: Proxy,
  target: string,
  url: URL,
  secrets: readonly string[],
  signal: AbortSignal
): Promise<Duplex> {
  const headers: http.OutgoingHttpHeaders = { Host: target }
  if (proxy.credentials !== undefined) {
    headers['Proxy-Authorization'] =
      `Basic ${Buffer.from(proxy.credentials).toString('base64')}`
  }
  return new Promise((resolve, reject) => {
    const connect = (proxy.tls ? https : http).request({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      signal
    })
    connect.on('connect', (res, socket, head) => {
      const status = Number(res.statusCode)
      if (status < 200 || status > 299) {
        socket.destroy()
        reject(
          refusal(
            status,
            res.headers['proxy-authenticate'],
            proxy,
            target,
            secrets
          )
        )
        return
      }
      // Bytes the proxy sent after its answer belong to the tunnel.
      socket.unshift(head)
      if (url.protocol !== 'https:') {
        resolve(socket)
        return
      }
      const host = socketHost(url.hostname)
      // No server name for an address: RFC 6066 allows none, and Node.js
      // warns (DEP0123) when given one.
      resolve(tls.connect({ socket, host, servername: isIP(host) ? '' : host }))
    })
    connect.on('error', (error) => reject(unreachable(error, proxy, secrets)))
    connect.end()
  })
}

/** What a proxy's answer other than 2xx to CONNECT means for the user. */
function refusal(
  status: number,
  challenge: string | undefined,
  proxy: Proxy,
  target: string,
  secrets: readonly string[]
): TokenRequestError {
  const at = `The proxy ${quote(proxy.address, secrets)} (from ${proxy.variable})`
  if (status !== 407) {
    return new TokenRequestError(
      `${at} refused or failed to open a tunnel to ${quote(target, secrets)} (HTTP ${status}).${status >= 500 ? '' : ` Ask for ${quote(target, secrets)} to be allowed through it, or list the host in NO_PROXY if it can be reached directly.`}`,
      { retryable: status >= 500 }
    )
  }
  const schemes = authSchemes(challenge ?? '', secrets)
  if (schemes.length > 0 && !schemes.some((s) => s.toLowerCase() === 'basic')) {
    return new TokenRequestError(
      `${at} asks for ${schemes.join(' or ')} authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for ${quote(target, secrets)} to be reachable without it.`,
      { retryable: false }
    )
  }
  return new TokenRequestError(
    proxy.credentials === undefined
      ? `${at} wants credentials (HTTP 407). Give them in the proxy URL, http://user:password@host:port, with any @ : % in them percent-encoded (%40 %3A %25).`
      : `${at} rejected the credentials in its URL (HTTP 407). Check the user name and password, and that any @ : % in them is percent-encoded (%40 %3A %25).`,
    { retryable: false }
  )
}

/** The scheme names of a Proxy-Authenticate header (`Negotiate, NTLM`). */
function authSchemes(challenge: string, secrets: readonly string[]): string[] {
  return Array.from(
    challenge.matchAll(/(?:^|,)\s*([A-Za-z][A-Za-z0-9._~+-]{0,31})(?=\s|,|$)/g),
    (match) => quote(String(match[1]), secrets)
  )
}

/** What a failure to reach the proxy, or to speak to it, means. */
function unreachable(
  error: unknown,
  proxy: Proxy,
  secrets: readonly string[]
): TokenRequestError {
  const {
    code,
    message,
    tls: badCertificate,
    transient
  } = readNetError(error, secrets)
  const at = `the proxy ${quote(proxy.address, secrets)} (from ${proxy.variable})`
  if (proxy.tls && code === 'EPROTO') {
    return new TokenRequestError(
      `Could not speak TLS with ${at}: ${message}. ${proxy.variable} starts with https://, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http://host:port.`,
      { retryable: false }
    )
  }
  if (badCertificate) {
    return new TokenRequestError(
      `TLS certificate problem talking to ${at}: ${message} (${code}). If the proxy's certificate comes from a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`,
      { retryable: false }
    )
  }
  if (code === 'ENOTFOUND') {
    return new TokenRequestError(
      `Could not resolve the host of ${at}. Check ${proxy.variable}.`,
      { retryable: false }
    )
  }
  return new TokenRequestError(`Could not reach ${at}: ${message}.`, {
    retryable: transient
  })
}
