import type { Peer } from './net-errors.js'
import { quote } from './outside-text.js'
import type { Proxy, Route } from './route.js'

/** `the proxy 127.0.0.1:3128 (from HTTPS_PROXY)`, as messages name it. */
export function nameProxy(
  proxy: Proxy,
  secrets: readonly string[],
  article: 'the' | 'The' = 'the'
): string {
  return `${article} proxy ${quote(proxy.address, secrets)} (from ${proxy.variable})`
}

/** What bytes that are not TLS, where TLS through the tunnel was due, may mean. */
export function notTlsThrough(
  proxy: Proxy,
  target: string,
  secrets: readonly string[]
): string {
  return `${nameProxy(proxy, secrets, 'The')} answered the tunnel to ${quote(target, secrets)} with data that is not TLS (it may be inspecting or blocking the connection)`
}

/** The token endpoint, as the messages about a failure with it name it. */
export function targetPeer(to: {
  url: URL
  route: Route
  secrets: readonly string[]
  endpointSource: string
}): Peer {
  const { url, route, secrets } = to
  const host = quote(url.host, secrets)
  const plain = `${host} does not speak TLS (plain HTTP on an https URL?)`
  const name =
    route.proxy === undefined
      ? host
      : `${host} through ${nameProxy(route.proxy, secrets)}`
  return {
    name,
    notTls:
      route.proxy === undefined
        ? `${plain}. Check ${to.endpointSource}.`
        : `${notTlsThrough(route.proxy, route.target, secrets)}, or ${plain}.`,
    unresolved: `Could not resolve ${quote(url.hostname, secrets)}. Check auth-url, or the runner's DNS and proxy settings.`,
    checkHttp: `Check ${to.endpointSource}: something other than Torq is answering.`,
    privateCa: 'your network inspects TLS with a private certificate authority',
    failed: `Could not get an answer from ${name}`
  }
}

/** The proxy, as the messages about failing to reach or speak to it name it. */
export function proxyPeer(proxy: Proxy, secrets: readonly string[]): Peer {
  const name = nameProxy(proxy, secrets)
  return {
    name,
    notTls: `${nameProxy(proxy, secrets, 'The')} does not speak TLS: ${proxy.variable} starts with https://, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http://host:port.`,
    unresolved: `Could not resolve the host of ${name}. Check ${proxy.variable}.`,
    checkHttp: `Check ${proxy.variable}: it should name an HTTP proxy.`,
    privateCa:
      "the proxy's certificate comes from a private certificate authority",
    failed: `Could not reach ${name}`
  }
}
