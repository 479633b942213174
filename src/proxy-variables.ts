/**
 * The proxy variables, named once: what the route reads (as the toolkit's
 * @actions/http-client does, the lower-case name first), what it names in the
 * log as not read, and the list of hosts to reach directly.
 */
export const PROXY_FOR_SCHEME = {
  https: ['https_proxy', 'HTTPS_PROXY'],
  http: ['http_proxy', 'HTTP_PROXY']
} as const
/** Read by curl and others, never by the toolkit. */
export const UNREAD_PROXY = ['all_proxy', 'ALL_PROXY'] as const
export const NO_PROXY = ['no_proxy', 'NO_PROXY'] as const

/**
 * Every variable that may name a proxy, and so hold a password to mask:
 * those the route reads and those it names as not read.
 */
export const PROXY_VARIABLES: readonly string[] = [
  ...PROXY_FOR_SCHEME.https,
  ...PROXY_FOR_SCHEME.http,
  ...UNREAD_PROXY
]

/** Every variable that changes the route: what a clean runner leaves unset. */
export const ROUTE_VARIABLES: readonly string[] = [
  ...PROXY_VARIABLES,
  ...NO_PROXY
]
