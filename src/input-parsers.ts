import {
  MAX_MIN_VALIDITY_SECONDS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  TOKEN_URLS,
  type Region
} from './defaults.js'
import { isLoopbackHost } from './loopback.js'
import { lazyPattern } from './lazy-pattern.js'
import { quote } from './outside-text.js'

/** What is wrong with one input, worded for the workflow author. */
export class Problem {
  constructor(readonly message: string) {}
}

/** Reads one input's raw text (its default filled in): a value or a Problem. */
export type Parser<T> = (raw: string) => T | Problem

const FORK_HINT =
  'GitHub does not give secrets to workflows triggered from forks or by Dependabot, so the input arrives empty there.'

// Control characters (C0, DEL and C1), invisible format characters, line
// separators and lone surrogates: a value with them cannot be a Torq
// credential, and a line break could forge lines in the runner's files.
const control = lazyPattern(String.raw`[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]`, 'u')

/** A client id or secret: one line, as Torq showed it. */
export function credential(
  name: 'client-id' | 'client-secret'
): Parser<string> {
  const secret = name === 'client-id' ? 'CLIENT_ID' : 'CLIENT_SECRET'
  return (raw) => {
    if (raw === '') {
      return new Problem(
        `Input '${name}' is empty. Pass it from a repository or organization secret, for example \`${name}: \${{ secrets.TORQ_${secret} }}\`. ${FORK_HINT}`
      )
    }
    // Printable ASCII has none: the Unicode pattern need not be run (or built).
    if (!/^[\x20-\x7e]*$/.test(raw) && control().test(raw)) {
      return new Problem(
        `Input '${name}' contains a line break, a control character or an invisible formatting character. Paste the value exactly as Torq showed it, on one line.`
      )
    }
    return raw
  }
}

/** A client id also cannot hold ':', which ends the id in HTTP Basic. */
export const clientId: Parser<string> = (raw) => {
  const id = credential('client-id')(raw)
  return typeof id === 'string' && id.includes(':')
    ? new Problem(
        "Input 'client-id' contains ':', which HTTP Basic authentication cannot carry. Copy the client id exactly as Torq shows it under Settings > API Keys."
      )
    : id
}

export const region: Parser<Region> = (raw) => {
  const name = raw.toLowerCase()
  if (Object.hasOwn(TOKEN_URLS, name)) return name as Region
  return new Problem(
    `Input 'region' must be one of ${Object.keys(TOKEN_URLS).join(', ')}: use eu for accounts on app.eu.torq.io and us for app.torq.io. To reach another token URL, set auth-url instead.`
  )
}

/** A token URL that overrides region; '' (not given) is undefined. */
export const authUrl: Parser<URL | undefined> = (raw) => {
  if (raw === '') return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return new Problem(
      "Input 'auth-url' is not a URL. Give the full token URL, such as https://auth.torq.io/v1/auth/token, or leave it empty and set region."
    )
  }
  if (url.username || url.password) {
    return new Problem(
      "Input 'auth-url' contains a user name or password. Remove them: the credentials go in client-id and client-secret."
    )
  }
  if (url.hash) {
    return new Problem(
      "Input 'auth-url' has a #fragment, which no token URL has. Give the token URL without it, such as https://auth.torq.io/v1/auth/token."
    )
  }
  if (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && isLoopbackHost(url.hostname))
  ) {
    return url
  }
  return new Problem(
    "Input 'auth-url' must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]), so that the client secret is never sent in clear."
  )
}

const YAML_TRUE = ['true', 'True', 'TRUE']
const YAML_FALSE = ['false', 'False', 'FALSE']

/** `true` or `false` as YAML 1.2 writes them. */
export function yamlBoolean(name: string): Parser<boolean> {
  return (raw) => {
    if (YAML_TRUE.includes(raw)) return true
    if (YAML_FALSE.includes(raw)) return false
    return new Problem(`Input '${name}' must be true or false.`)
  }
}

// An exported name must contain TORQ, which no tool reads but Torq's: a
// token under any other name could reconfigure a later step (GOSUMDB=off,
// TAR_OPTIONS, LD_PRELOAD...), and no list of such names is complete. The
// runner's own prefixes are refused even with TORQ in them.
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const RUNNER_PREFIX = /^(GITHUB|RUNNER|ACTIONS|INPUT|STATE)_/i
const ENV_VAR_ADVICE =
  'Use a name with TORQ in it, such as TORQ_ACCESS_TOKEN (the default). To hand the token to one step under another name, map it there: `env: API_TOKEN: ${{ env.TORQ_ACCESS_TOKEN }}`.'

export const envVar: Parser<string> = (raw) => {
  const why = !VARIABLE_NAME.test(raw)
    ? 'which is not an environment variable name (letters, digits and _, not starting with a digit)'
    : !/TORQ/i.test(raw)
      ? 'which does not contain TORQ: a token under a name that other tools read could reconfigure later steps'
      : RUNNER_PREFIX.test(raw)
        ? 'which starts with a prefix the runner reserves (GITHUB_, RUNNER_, ACTIONS_, INPUT_, STATE_)'
        : undefined
  return why === undefined
    ? raw
    : new Problem(
        `Input 'env-var' is "${quote(raw, [])}", ${why}. ${ENV_VAR_ADVICE}`
      )
}

/** A whole number from 0 to `max`; `meaning` ends the message. */
export function wholeNumber(
  name: string,
  max: number,
  meaning: string
): Parser<number> {
  return (raw) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    return value <= max
      ? value
      : new Problem(
          `Input '${name}' must be a whole number from 0 to ${max}${meaning}`
        )
  }
}

export const retries = wholeNumber(
  'retries',
  MAX_RETRIES,
  ', the extra attempts after the first.'
)

export const rateLimitWaitSeconds = wholeNumber(
  'rate-limit-wait-seconds',
  MAX_RATE_LIMIT_WAIT_SECONDS,
  ': how many seconds in all to wait out HTTP 429 (rate limited) answers; 0 counts them under retries instead.'
)

export const minValiditySeconds = wholeNumber(
  'min-validity-seconds',
  MAX_MIN_VALIDITY_SECONDS,
  ': how many seconds a token from an earlier step of the job must stay valid to be used again.'
)

export const timeoutSeconds: Parser<number> = (raw) => {
  const seconds = /^\d{1,6}(\.\d{1,6})?$/.test(raw) ? Number(raw) : Number.NaN
  return seconds >= 0.001 && seconds <= MAX_TIMEOUT_SECONDS
    ? seconds
    : new Problem(
        `Input 'timeout-seconds' must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS} (for example 30 or 2.5): the limit for each attempt.`
      )
}
