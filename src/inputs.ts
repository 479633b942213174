import {
  INPUT_DEFAULTS,
  MAX_MIN_VALIDITY_SECONDS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  TOKEN_URLS,
  type Region
} from './defaults.js'
import { InputError } from './errors.js'
import { quote } from './outside-text.js'

/** Everything the action needs, validated once at the edge. */
export interface Settings {
  clientId: string
  clientSecret: string
  tokenUrl: URL
  /** How the URL was chosen, for messages: `region us` or `auth-url`. */
  endpointSource: string
  exportEnv: boolean
  envVar: string
  /** The runner's file for step outputs, named by GITHUB_OUTPUT. */
  outputFile: string
  /** The runner's file for variables, named by GITHUB_ENV; never '' when exportEnv. */
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

/** Reads one input by name; `core.getInput` in the action (it trims). */
export type InputReader = (name: string) => string

/** The step's environment, where the runner names its files. */
export type Environment = Readonly<Record<string, string | undefined>>

const FORK_HINT =
  'GitHub does not give secrets to workflows triggered from forks or by Dependabot, so the input arrives empty there.'

// Control characters (C0, DEL and C1), invisible format characters, line
// separators and lone surrogates: a value with them cannot be a Torq
// credential, and a line break could forge lines in the runner's files.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u

// An exported name must contain TORQ, which no tool reads but Torq's: a
// token under any other name could reconfigure a later step (GOSUMDB=off,
// TAR_OPTIONS, LD_PRELOAD...), and no list of such names is complete. The
// runner's own prefixes are refused even with TORQ in them.
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const RUNNER_PREFIX = /^(GITHUB|RUNNER|ACTIONS|INPUT|STATE)_/i
const ENV_VAR_ADVICE =
  'Use a name with TORQ in it, such as TORQ_ACCESS_TOKEN (the default). To hand the token to one step under another name, map it there: `env: API_TOKEN: ${{ env.TORQ_ACCESS_TOKEN }}`.'

const YAML_TRUE = ['true', 'True', 'TRUE']
const YAML_FALSE = ['false', 'False', 'FALSE']

/**
 * Turns the raw inputs and the runner's files into Settings, or throws an
 * InputError listing every problem at once, so that one run shows all that
 * needs fixing.
 */
export function readInputs(read: InputReader, env: Environment): Settings {
  const problems: string[] = []
  const problem = (message: string): undefined => {
    problems.push(message)
    return undefined
  }
  const value = (name: keyof typeof INPUT_DEFAULTS): string =>
    read(name) || INPUT_DEFAULTS[name]

  const clientId = credential(read('client-id'), 'client-id', problem)
  if (clientId?.includes(':')) {
    problem(
      "Input 'client-id' contains ':', which HTTP Basic authentication cannot carry. Copy the client id exactly as Torq shows it under Settings > API Keys."
    )
  }
  const clientSecret = credential(
    read('client-secret'),
    'client-secret',
    problem
  )
  const region = parseRegion(value('region'), problem)
  const authUrl = read('auth-url')
  const tokenUrl = authUrl
    ? parseAuthUrl(authUrl, problem)
    : region && new URL(TOKEN_URLS[region])
  const exportEnv = parseBoolean(value('export-env'), 'export-env', problem)
  const envVar = parseEnvVar(value('env-var'), problem)
  const retries = parseRetries(value('retries'), problem)
  const rateLimitWaitSeconds = parseRateLimitWait(
    value('rate-limit-wait-seconds'),
    problem
  )
  const timeoutSeconds = parseTimeout(value('timeout-seconds'), problem)
  const outputFile = runnerFile(
    env,
    'GITHUB_OUTPUT',
    'the step outputs have nowhere to go',
    '',
    problem
  )
  const envFile = exportEnv
    ? runnerFile(
        env,
        'GITHUB_ENV',
        'the token cannot be exported',
        ' With export-env: false the token is in the step output only, and GITHUB_ENV is not needed.',
        problem
      )
    : (env['GITHUB_ENV'] ?? '')
  const reuseToken = parseBoolean(value('reuse-token'), 'reuse-token', problem)
  const minValiditySeconds = parseMinValidity(
    value('min-validity-seconds'),
    problem
  )

  if (
    problems.length > 0 ||
    clientId === undefined ||
    clientSecret === undefined ||
    tokenUrl === undefined ||
    exportEnv === undefined ||
    envVar === undefined ||
    retries === undefined ||
    rateLimitWaitSeconds === undefined ||
    timeoutSeconds === undefined ||
    outputFile === undefined ||
    envFile === undefined ||
    reuseToken === undefined ||
    minValiditySeconds === undefined
  ) {
    throw new InputError(problems)
  }
  return {
    clientId,
    clientSecret,
    tokenUrl,
    endpointSource: authUrl ? 'auth-url' : `region ${region}`,
    exportEnv,
    envVar,
    retries,
    rateLimitWaitMs: rateLimitWaitSeconds * 1000,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    outputFile,
    envFile,
    reuseToken,
    minValiditySeconds
  }
}

/**
 * The path of a runner file. Runners since v2.327.1 set both variables for
 * every step; the set-output and set-env commands they replace are disabled
 * there, so the action has no fallback and says so before any request.
 */
function runnerFile(
  env: Environment,
  variable: 'GITHUB_OUTPUT' | 'GITHUB_ENV',
  consequence: string,
  hint: string,
  problem: Problem
): string | undefined {
  const path = env[variable]
  if (path) return path
  return problem(
    `The runner's ${variable} variable is unset or empty, so ${consequence}: this step is not running on a GitHub Actions runner of v2.327.1 or later, which sets it for every step (see Requirements in the README).${hint}`
  )
}

type Problem = (message: string) => undefined

function credential(
  raw: string,
  name: string,
  problem: Problem
): string | undefined {
  if (raw === '') {
    return problem(
      `Input '${name}' is empty. Pass it from a repository or organization secret, for example \`${name}: \${{ secrets.TORQ_${name === 'client-id' ? 'CLIENT_ID' : 'CLIENT_SECRET'} }}\`. ${FORK_HINT}`
    )
  }
  if (CONTROL.test(raw)) {
    return problem(
      `Input '${name}' contains a line break, a control character or an invisible formatting character. Paste the value exactly as Torq showed it, on one line.`
    )
  }
  return raw
}

function parseRegion(raw: string, problem: Problem): Region | undefined {
  const region = raw.toLowerCase()
  if (Object.hasOwn(TOKEN_URLS, region)) {
    return region as Region
  }
  return problem(
    `Input 'region' must be one of ${Object.keys(TOKEN_URLS).join(', ')}: use eu for accounts on app.eu.torq.io and us for app.torq.io. To reach another token URL, set auth-url instead.`
  )
}

/** Loopback hosts, the only ones plain http may be used with. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

function parseAuthUrl(raw: string, problem: Problem): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return problem(
      "Input 'auth-url' is not a URL. Give the full token URL, such as https://auth.torq.io/v1/auth/token, or leave it empty and set region."
    )
  }
  if (url.username || url.password) {
    return problem(
      "Input 'auth-url' contains a user name or password. Remove them: the credentials go in client-id and client-secret."
    )
  }
  if (url.hash) {
    return problem(
      "Input 'auth-url' has a #fragment, which no token URL has. Give the token URL without it, such as https://auth.torq.io/v1/auth/token."
    )
  }
  if (url.protocol === 'https:') {
    return url
  }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    return url
  }
  return problem(
    "Input 'auth-url' must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]), so that the client secret is never sent in clear."
  )
}

function parseBoolean(
  raw: string,
  name: string,
  problem: Problem
): boolean | undefined {
  if (YAML_TRUE.includes(raw)) return true
  if (YAML_FALSE.includes(raw)) return false
  return problem(`Input '${name}' must be true or false.`)
}

function parseEnvVar(raw: string, problem: Problem): string | undefined {
  const why = envVarFault(raw)
  if (why === undefined) return raw
  return problem(
    `Input 'env-var' is "${quote(raw, [])}", ${why}. ${ENV_VAR_ADVICE}`
  )
}

function envVarFault(name: string): string | undefined {
  if (!VARIABLE_NAME.test(name)) {
    return 'which is not an environment variable name (letters, digits and _, not starting with a digit)'
  }
  if (!/TORQ/i.test(name)) {
    return 'which does not contain TORQ: a token under a name that other tools read could reconfigure later steps'
  }
  if (RUNNER_PREFIX.test(name)) {
    return 'which starts with a prefix the runner reserves (GITHUB_, RUNNER_, ACTIONS_, INPUT_, STATE_)'
  }
  return undefined
}

function parseRetries(raw: string, problem: Problem): number | undefined {
  const retries = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN
  if (retries <= MAX_RETRIES) {
    return retries
  }
  return problem(
    `Input 'retries' must be a whole number from 0 to ${MAX_RETRIES}, the extra attempts after the first.`
  )
}

function parseRateLimitWait(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds <= MAX_RATE_LIMIT_WAIT_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'rate-limit-wait-seconds' must be a whole number from 0 to ${MAX_RATE_LIMIT_WAIT_SECONDS}: how many seconds in all to wait out HTTP 429 (rate limited) answers; 0 counts them under retries instead.`
  )
}

function parseTimeout(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d{1,6}(\.\d{1,6})?$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds >= 0.001 && seconds <= MAX_TIMEOUT_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'timeout-seconds' must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS} (for example 30 or 2.5): the limit for each attempt.`
  )
}

function parseMinValidity(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds <= MAX_MIN_VALIDITY_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'min-validity-seconds' must be a whole number from 0 to ${MAX_MIN_VALIDITY_SECONDS}: how many seconds a token from an earlier step of the job must stay valid to be used again.`
  )
}
