/**
 * The facts the action is built on, each stated once. action.yml repeats the
 * input defaults for the runner; a test keeps the two in step.
 */
export const TOKEN_URLS = {
  us: 'https://auth.torq.io/v1/auth/token',
  eu: 'https://auth.eu.torq.io/v1/auth/token'
} as const

export type Region = keyof typeof TOKEN_URLS

export const INPUT_DEFAULTS = {
  region: 'us',
  'export-env': 'true',
  'env-var': 'TORQ_ACCESS_TOKEN',
  retries: '3',
  'rate-limit-wait-seconds': '120',
  'timeout-seconds': '30'
} as const

export const MAX_RETRIES = 10
export const MAX_RATE_LIMIT_WAIT_SECONDS = 3600
export const MAX_TIMEOUT_SECONDS = 3600
