import { INPUTS, TOKEN_URLS, type InputName } from './defaults.js'
import { InputError } from './errors.js'
import * as parse from './input-parsers.js'
import { Problem, type Parser } from './input-parsers.js'

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
export type InputReader = (name: InputName) => string

/** The step's environment, where the runner names its files. */
export type Environment = Readonly<Record<string, string | undefined>>

/** One parser per input of action.yml: adding an input is one line here. */
const PARSERS = {
  'client-id': parse.clientId,
  'client-secret': parse.credential('client-secret'),
  region: parse.region,
  'auth-url': parse.authUrl,
  'export-env': parse.yamlBoolean('export-env'),
  'env-var': parse.envVar,
  retries: parse.retries,
  'rate-limit-wait-seconds': parse.rateLimitWaitSeconds,
  'timeout-seconds': parse.timeoutSeconds,
  'reuse-token': parse.yamlBoolean('reuse-token'),
  'min-validity-seconds': parse.minValiditySeconds
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
  const inputs: Record<string, unknown> = {}
  for (const [key, parser] of Object.entries(PARSERS)) {
    const name = key as InputName
    const value = (parser as Parser<unknown>)(read(name) || INPUTS[name])
    if (value instanceof Problem) problems.push(value.message)
    else inputs[name] = value
  }
  const given = inputs as Inputs
  const outputFile = runnerFile(env, 'GITHUB_OUTPUT', problems)
  const envFile =
    // Read before the problems are known: export-env may have been one.
    inputs['export-env'] === true
      ? runnerFile(env, 'GITHUB_ENV', problems)
      : (env['GITHUB_ENV'] ?? '')
  if (problems.length > 0) throw new InputError(problems)

  const authUrl = given['auth-url']
  return {
    clientId: given['client-id'],
    clientSecret: given['client-secret'],
    tokenUrl: authUrl ?? new URL(TOKEN_URLS[given.region]),
    endpointSource: authUrl ? 'auth-url' : `region ${given.region}`,
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
  GITHUB_OUTPUT: ['the step outputs have nowhere to go', ''],
  GITHUB_ENV: [
    'the token cannot be exported',
    ' With export-env: false the token is in the step output only, and GITHUB_ENV is not needed.'
  ]
} as const

/**
 * The path of a runner file. Runners since v2.327.1 set both variables for
 * every step; the set-output and set-env commands they replace are disabled
 * there, so the action has no fallback and says so before any request.
 */
function runnerFile(
  env: Environment,
  variable: keyof typeof CONSEQUENCE,
  problems: string[]
): string {
  const path = env[variable]
  if (path) return path
  const [consequence, hint] = CONSEQUENCE[variable]
  problems.push(
    `The runner's ${variable} variable is unset or empty, so ${consequence}: this step is not running on a GitHub Actions runner of v2.327.1 or later, which sets it for every step (see Requirements in the README).${hint}`
  )
  return ''
}
