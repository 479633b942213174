import { checkBypass, getProxyUrl } from '@actions/http-client/lib/proxy'
import { bypassesProxyAsLoopback } from './loopback.js'
import { quote } from './outside-text.js'
import { NO_PROXY, PROXY_FOR_SCHEME, UNREAD_PROXY } from './proxy-variables.js'

/** A proxy to open a CONNECT tunnel through, read from a proxy variable. */
export interface Proxy {
  /** The variable it was read from: `https_proxy`, `HTTPS_PROXY`... */
  variable: string
  /** An https:// proxy is spoken to over TLS. */
  tls: boolean
  /** The host to connect to (an IPv6 address without brackets). */
  hostname: string
  port: number
  /** `host:port`, as messages show it. */
  address: string
  /** Decoded `user:password` for Proxy-Authorization, if the URL has any. */
  credentials: string | undefined
}

/** Which way the token request goes, and why. */
export interface Route {
  /** `host:port` of the token endpoint. */
  target: string
  /** The proxy to tunnel through; undefined: straight to the target. */
  proxy: Proxy | undefined
  /**
   * Why it goes direct, for the log line; '' when through a proxy. It may
   * name the target's host, so it is shown quoted.
   */
  why: string
  /** A proxy variable is set but unusable, so it was not used: warn. */
  ignoredProxy: boolean
}

const HOW_TO_WRITE =
  'Write it as http://host:port, or http://user:password@host:port with @ : % / in the user name or password percent-encoded (%40 %3A %25 %2F); https:// only for a proxy that speaks TLS.'

/**
 * Decides the route as @actions/http-client, the toolkit's HTTP client, would,
 * with its own functions: for an https URL the proxy is `https_proxy`, else
 * `HTTPS_PROXY`; `no_proxy`, else `NO_PROXY`, lists hosts to reach directly;
 * loopback addresses are never proxied; `ALL_PROXY` is not read. A value that
 * is no http:// or https:// URL with a host is not used (http-client ignores
 * it or fails on it); the route line then is a warning. Reads process.env.
 */
export function decideRoute(url: URL): Route {
  const https = url.protocol === 'https:'
  const target = `${url.hostname}:${url.port || (https ? 443 : 80)}`
  const direct = (why: string, ignoredProxy = false): Route => ({
    target,
    proxy: undefined,
    why,
    ignoredProxy
  })
  if (checkBypass(url)) {
    return direct(
      bypassesProxyAsLoopback(url.hostname)
        ? 'loopback addresses never go through a proxy'
        : `${process.env[NO_PROXY[0]] ? NO_PROXY[0] : NO_PROXY[1]} matches ${url.hostname}`
    )
  }
  const scheme = https ? 'https' : 'http'
  const [lower, upper] = PROXY_FOR_SCHEME[scheme]
  const unreadNames = PROXY_FOR_SCHEME[https ? 'http' : 'https']
  const variable = firstSet(lower, upper)
  if (variable === undefined) {
    const unread = [...unreadNames, ...UNREAD_PROXY].filter(
      (name) => process.env[name]
    )
    return direct(
      `neither ${upper} nor ${lower} is set` +
        (unread.length > 0
          ? `; ${unread.join(' and ')} ${unread.length > 1 ? 'are' : 'is'} set but not read for ${scheme}`
          : '')
    )
  }
  const proxy = proxyFrom(url, variable)
  return proxy
    ? { target, proxy, why: '', ignoredProxy: false }
    : direct(
        `${variable} is set but is not a proxy URL this action can use`,
        true
      )
}

/** The route in one log line, without credentials. */
export function describeRoute(
  route: Route,
  secrets: readonly string[]
): string {
  const to = `Route to ${quote(route.target, secrets)}:`
  const { proxy } = route
  if (proxy === undefined) {
    // Quoted whole, for it may name the target's host (NO_PROXY matches it).
    return `${to} direct (${quote(route.why, secrets)}).${route.ignoredProxy ? ` ${HOW_TO_WRITE}` : ''}`
  }
  return `${to} through the proxy ${quote(proxy.address, secrets)}${proxy.tls ? ' over TLS' : ''} from ${proxy.variable}, ${proxy.credentials === undefined ? 'without' : 'with'} credentials.`
}

function proxyFrom(url: URL, variable: string): Proxy | undefined {
  let proxyUrl: URL | undefined
  try {
    proxyUrl = getProxyUrl(url)
  } catch {
    // Not a URL even with http:// in front: http-client would throw here.
    return undefined
  }
  // http: and https: URLs always have a host.
  if (
    proxyUrl === undefined ||
    (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:')
  ) {
    return undefined
  }
  const tls = proxyUrl.protocol === 'https:'
  const port = Number(proxyUrl.port) || (tls ? 443 : 80)
  // http-client's URL gives the user name and password decoded.
  const { username, password } = proxyUrl
  return {
    variable,
    tls,
    hostname: socketHost(proxyUrl.hostname),
    port,
    address: `${proxyUrl.hostname}:${port}`,
    credentials: username || password ? `${username}:${password}` : undefined
  }
}

/** A URL's host name as sockets take it: an IPv6 address without brackets. */
export function socketHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
}

/** The first of the two variables that is set and not empty, as `a || b`. */
function firstSet(first: string, second: string): string | undefined {
  if (process.env[first]) return first
  return process.env[second] ? second : undefined
}
