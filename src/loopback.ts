/**
 * Two loopback rules, on purpose: one strict, for where plain http may go,
 * and one as @actions/http-client has it, for which hosts skip a proxy.
 */

/** Loopback hosts, the only ones plain http may be used with: exact forms. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

/**
 * What http-client counts as loopback when it bypasses a proxy (any host
 * name starting `127.`); URL host names come lower-cased.
 */
export function bypassesProxyAsLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.startsWith('127.') ||
    hostname === '[::1]'
  )
}
