/**
 * The facts the action is built on, each stated once. action.yml repeats the
 * input defaults for the runner; a test keeps the two in step.
 */
export const TOKEN_URLS = {
  us: 'https://auth.torq.io/v1/auth/token',
  eu: 'https://auth.eu.torq.io/v1/auth/token'
} as const

export type Region = keyof typeof TOKEN_URLS

/** Torq's API host per region, as its developer documentation names them. */
export const API_URLS: Record<Region, string> = {
  us: 'https://api.torq.io',
  eu: 'https://api.eu.torq.io'
}

/** The API host of one of Torq's own token URLs; '' for any other URL. */
export function apiUrlFor(tokenUrl: URL): string {
  const region = (Object.keys(TOKEN_URLS) as Region[]).find(
    (name) => TOKEN_URLS[name] === tokenUrl.href
  )
  return region === undefined ? '' : API_URLS[region]
}

/**
 * Every input of action.yml, in its order, with the default the runner fills
 * in ('' for none): the code falls back to the same when an input is empty.
 */
export const INPUTS = {
  'client-id': '',
  'client-secret': '',
  region: 'us',
  'auth-url': '',
  'export-env': 'true',
  'env-var': 'TORQ_ACCESS_TOKEN',
  retries: '3',
  'rate-limit-wait-seconds': '120',
  'timeout-seconds': '30',
  'reuse-token': 'true',
  'min-validity-seconds': '600'
} as const

export type InputName = keyof typeof INPUTS

/** Every output of action.yml, in its order. */
export const OUTPUTS = [
  'token',
  'token-type',
  'expires-in',
  'expires-at',
  'reused',
  'api-url'
] as const

export type OutputName = (typeof OUTPUTS)[number]

export const MAX_RETRIES = 10
export const MAX_RATE_LIMIT_WAIT_SECONDS = 3600
export const MAX_TIMEOUT_SECONDS = 3600
export const MAX_MIN_VALIDITY_SECONDS = 3000
