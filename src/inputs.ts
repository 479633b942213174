import type { Clock } from './clock.js'
import { InputError } from './errors.js'
import { quote } from './outside-text.js'

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

export const MAX_RETRIES = 10
export const MAX_RATE_LIMIT_WAIT_SECONDS = 3600
export const MAX_TIMEOUT_SECONDS = 3600
export const MAX_MIN_VALIDITY_SECONDS = 3000

/** Everything the action needs, validated once at the edge. */
export interface Settings {
  clientId: string
  clientSecret: string
  tokenUrl: URL
  /** How the URL was chosen, for messages: `region us` or `auth-url`. */
  source: string
  /** Torq's API host for the token URL; '' for a URL not Torq's own. */
  apiUrl: string
  exportEnv: boolean
  envVar: string
  /** The runner's files for step outputs and variables (GITHUB_OUTPUT, GITHUB_ENV). */
  outputFile: string
  /** Never '' when exportEnv. */
  envFile: string
  retries: number
  /** How long HTTP 429 answers may be waited out in all; 0: they use `retries`. */
  rateLimitWaitMs: number
  timeoutMs: number
  /** Whether a token kept from an earlier step of the job may be published again. */
  reuseToken: boolean
  /** How long a kept token must stay valid to be published again. */
  minValiditySeconds: number
}

/** What one run knows, built once in main.ts and read where it is needed. */
export interface Context {
  settings: Settings
  /** The values to cut from any outside text quoted (see outside-text.ts). */
  secrets: readonly string[]
  clock: Clock
}

/** Reads one input by name; `core.getInput` in the action (it trims). */
export type InputReader = (name: InputName) => string

/** The step's environment, where the runner names its files. */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * What is wrong with one input, worded for the workflow author to follow
 * `Input 'name'` and, unless `showValue` is false (credentials, a URL with
 * a password), the value given, quoted.
 */
class Problem {
  constructor(
    readonly text: string,
    readonly showValue = true
  ) {}
}

/** Reads one input's text (its default filled in): a value or a Problem. */
type Parser<T> = (raw: string) => T | Problem

const FORK_HINT =
  'GitHub does not give secrets to workflows triggered from forks or by Dependabot, so the input arrives empty there.'

/** A client id or secret: one line, as Torq showed it. */
function credential(name: 'client-id' | 'client-secret'): Parser<string> {
  const secret = name === 'client-id' ? 'CLIENT_ID' : 'CLIENT_SECRET'
  return (raw) => {
    if (raw === '') {
      return new Problem(
        `is empty. Pass it from a repository or organization secret, for example \`${name}: \${{ secrets.TORQ_${secret} }}\`. ${FORK_HINT}`,
        false
      )
    }
    // Control characters, invisible format characters, line separators and
    // lone surrogates: a line break could forge lines in the runner's files.
    // Printable ASCII has none, so the Unicode pattern is built only for the rest.
    if (
      !/^[\x20-\x7e]*$/.test(raw) &&
      new RegExp(String.raw`[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]`, 'u').test(raw)
    ) {
      return new Problem(
        'contains a line break, a control character or an invisible formatting character. Paste the value exactly as Torq showed it, on one line.',
        false
      )
    }
    if (name === 'client-id' && raw.includes(':')) {
      return new Problem(
        "contains ':', which HTTP Basic authentication cannot carry. Copy the client id exactly as Torq shows it under Settings > API Keys.",
        false
      )
    }
    return raw
  }
}

const region: Parser<Region> = (raw) => {
  const name = raw.toLowerCase()
  if (Object.hasOwn(TOKEN_URLS, name)) return name as Region
  return new Problem(
    `must be one of ${Object.keys(TOKEN_URLS).join(', ')}: use eu for accounts on app.eu.torq.io and us for app.torq.io. To reach another token URL, set auth-url instead.`
  )
}

/** Loopback hosts, the only ones plain http may be used with: exact forms. */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

/** A token URL that overrides region; '' (not given) is undefined. */
const authUrl: Parser<URL | undefined> = (raw) => {
  if (raw === '') return undefined
  let url: URL | null = null
  try {
    url = new URL(raw)
  } catch {
    // Described below.
  }
  const why =
    url === null
      ? 'is not a URL. Give the full token URL, such as https://auth.torq.io/v1/auth/token, or leave it empty and set region.'
      : url.username || url.password
        ? 'contains a user name or password. Remove them: the credentials go in client-id and client-secret.'
        : url.hash
          ? 'has a #fragment, which no token URL has. Give the token URL without it, such as https://auth.torq.io/v1/auth/token.'
          : url.protocol === 'https:' ||
              (url.protocol === 'http:' && isLoopback(url.hostname))
            ? undefined
            : 'must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]), so that the client secret is never sent in clear.'
  // Not shown if it may hold a user name and password, parsed or not.
  return why === undefined ? (url as URL) : new Problem(why, !raw.includes('@'))
}

/** `true` or `false` as YAML 1.2 writes them. */
const yamlBoolean: Parser<boolean> = (raw) => {
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  return new Problem('must be true or false.')
}

// An exported name must contain TORQ, which no tool reads but Torq's: a
// token under any other name could reconfigure a later step (GOSUMDB=off,
// TAR_OPTIONS, LD_PRELOAD...), and no list of such names is complete. The
// runner's own prefixes are refused even with TORQ in them.
const envVar: Parser<string> = (raw) => {
  const why = !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)
    ? 'is not an environment variable name (letters, digits and _, not starting with a digit)'
    : !/TORQ/i.test(raw)
      ? 'does not contain TORQ: a token under a name that other tools read could reconfigure later steps'
      : /^(GITHUB|RUNNER|ACTIONS|INPUT|STATE)_/i.test(raw)
        ? 'starts with a prefix the runner reserves (GITHUB_, RUNNER_, ACTIONS_, INPUT_, STATE_)'
        : undefined
  return why === undefined
    ? raw
    : new Problem(
        `${why}. Use a name with TORQ in it, such as TORQ_ACCESS_TOKEN (the default). To hand the token to one step under another name, map it there: \`env: API_TOKEN: \${{ env.TORQ_ACCESS_TOKEN }}\`.`
      )
}

/** A whole number from 0 to `max`; `meaning` ends the message. */
function wholeNumber(max: number, meaning: string): Parser<number> {
  return (raw) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    return value <= max
      ? value
      : new Problem(`must be a whole number from 0 to ${max}${meaning}`)
  }
}

const timeoutSeconds: Parser<number> = (raw) => {
  const seconds = /^\d{1,6}(\.\d{1,6})?$/.test(raw) ? Number(raw) : Number.NaN
  return seconds >= 0.001 && seconds <= MAX_TIMEOUT_SECONDS
    ? seconds
    : new Problem(
        `must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS} (for example 30 or 2.5): the limit for each attempt.`
      )
}

/** One parser per input of action.yml: adding an input is one line here. */
const PARSERS = {
  'client-id': credential('client-id'),
  'client-secret': credential('client-secret'),
  region,
  'auth-url': authUrl,
  'export-env': yamlBoolean,
  'env-var': envVar,
  retries: wholeNumber(MAX_RETRIES, ', the extra attempts after the first.'),
  'rate-limit-wait-seconds': wholeNumber(
    MAX_RATE_LIMIT_WAIT_SECONDS,
    ': how many seconds in all to wait out HTTP 429 (rate limited) answers; 0 counts them under retries instead.'
  ),
  'timeout-seconds': timeoutSeconds,
  'reuse-token': yamlBoolean,
  'min-validity-seconds': wholeNumber(
    MAX_MIN_VALIDITY_SECONDS,
    ': how many seconds a token from an earlier step of the job must stay valid to be used again.'
  )
} satisfies Record<InputName, Parser<unknown>>

type Inputs = {
  [Name in InputName]: Exclude<ReturnType<(typeof PARSERS)[Name]>, Problem>
}

/**
 * Turns the raw inputs and the runner's files into Settings, or throws an
 * InputError listing every problem at once, so that one run shows all that
 * needs fixing.
 */
export function readInputs(read: InputReader, env: Environment): Settings {
  const problems: string[] = []
  const values: Record<string, unknown> = {}
  for (const [name, parser] of Object.entries(PARSERS)) {
    const raw = read(name as InputName) || INPUTS[name as InputName]
    const value = (parser as Parser<unknown>)(raw)
    if (value instanceof Problem) {
      const shown = value.showValue ? ` ("${quote(raw, [])}")` : ''
      problems.push(`Input '${name}'${shown} ${value.text}`)
    } else values[name] = value
  }
  const given = values as Inputs
  const outputFile = runnerFile(env, 'GITHUB_OUTPUT', problems)
  // Read before the problems are known: export-env may have been one.
  const envFile =
    values['export-env'] === true
      ? runnerFile(env, 'GITHUB_ENV', problems)
      : (env['GITHUB_ENV'] ?? '')
  if (problems.length > 0) throw new InputError(problems)

  const authUrl = given['auth-url']
  const tokenUrl = authUrl ?? new URL(TOKEN_URLS[given.region])
  const region = (Object.keys(TOKEN_URLS) as Region[]).find(
    (name) => TOKEN_URLS[name] === tokenUrl.href
  )
  return {
    clientId: given['client-id'],
    clientSecret: given['client-secret'],
    tokenUrl,
    source: authUrl ? 'auth-url' : `region ${given.region}`,
    apiUrl: region === undefined ? '' : API_URLS[region],
    exportEnv: given['export-env'],
    envVar: given['env-var'],
    outputFile,
    envFile,
    retries: given.retries,
    rateLimitWaitMs: given['rate-limit-wait-seconds'] * 1000,
    timeoutMs: Math.round(given['timeout-seconds'] * 1000),
    reuseToken: given['reuse-token'],
    minValiditySeconds: given['min-validity-seconds']
  }
}

const CONSEQUENCE = {
  GITHUB_OUTPUT: 'the step outputs have nowhere to go: ',
  GITHUB_ENV: 'the token cannot be exported: '
} as const

/**
 * The path of a runner file. Runners since v2.327.1 set both variables for
 * every step; the set-output and set-env commands they replace are disabled
 * there (@actions/core would fall back to them), so the action says so
 * before any request.
 */
function runnerFile(
  env: Environment,
  variable: keyof typeof CONSEQUENCE,
  problems: string[]
): string {
  const path = env[variable] ?? ''
  if (path !== '') return path
  problems.push(
    `The runner's ${variable} variable is unset or empty, so ${CONSEQUENCE[variable]}this step is not running on a GitHub Actions runner of v2.327.1 or later, which sets it for every step (see Requirements in the README).${variable === 'GITHUB_ENV' ? ' With export-env: false the token is in the step output only, and GITHUB_ENV is not needed.' : ''}`
  )
  return path
}
