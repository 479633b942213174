// The environment a GitHub runner gives a step, stated once for both
// emulations: runner.js (dist/index.js as a child process) and in-process.ts
// (run() in this process). __tests__/action/emulations.test.ts checks that
// the two agree.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/**
 * The variables that change a request's route, which a clean runner leaves
 * unset: PROXY_VARIABLES of src/http.ts (the ones it reads, and ALL_PROXY,
 * whose password it masks) and NO_PROXY. Written out, not imported: Node runs
 * this file for the scripts, and src/ is TypeScript.
 */
const ROUTE_VARIABLES = [
  ...['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'],
  ...['all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']
]

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The inputs of action.yml with their defaults ('' where none). */
export function actionInputs() {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'))
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    defaults[name] = spec.default === undefined ? '' : String(spec.default)
  }
  return defaults
}

/**
 * The variable the runner sets for an input: upper-cased, spaces turned
 * into `_`, hyphens kept (`client-id` -> `INPUT_CLIENT-ID`), the name
 * `core.getInput` reads.
 * @param {string} name
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * What a machine sets that changes the action's route or trust: the proxy
 * variables and the CA file. A clean runner passes none of them; try-torq
 * passes the user's on.
 */
export const NETWORK_VARIABLES = [...ROUTE_VARIABLES, 'NODE_EXTRA_CA_CERTS']

// Runner-owned names, in any case: a step gets only its own.
const RUNNER_PREFIXES = ['INPUT_', 'GITHUB_', 'ACTIONS_', 'RUNNER_']
const NOT_PASSED = new Set(
  [...NETWORK_VARIABLES, 'NODE_OPTIONS'].map((name) => name.toLowerCase())
)

/**
 * True if a variable of the machine running the tests is not passed on to a
 * step: inputs, runner files, debug flags, proxy and CA settings and
 * NODE_OPTIONS would change what the action does. The rest (PATH, HOME,
 * SystemRoot on Windows...) lets Node start normally.
 * @param {string} name
 */
export function isDropped(name) {
  const lower = name.toLowerCase()
  return (
    NOT_PASSED.has(lower) ||
    RUNNER_PREFIXES.some((prefix) => lower.startsWith(prefix.toLowerCase()))
  )
}

/**
 * @typedef {object} StepEnvironment
 * @property {Record<string, string | undefined>} machine the environment to start from (process.env)
 * @property {Record<string, string>} inputs as a workflow's `with:` gives them; action.yml's defaults fill the rest
 * @property {{ output: string, env: string, runnerTemp: string }} files the step's GITHUB_OUTPUT, GITHUB_ENV and RUNNER_TEMP
 * @property {Record<string, string | undefined>} [env] set on top; `undefined` leaves a variable unset
 */

/**
 * The environment of a step, as a runner builds it.
 * @param {StepEnvironment} step
 * @returns {Record<string, string>}
 */
export function stepEnvironment({ machine, inputs, files, env = {} }) {
  /** @type {Record<string, string>} */
  const result = {}
  for (const [name, value] of Object.entries(machine)) {
    if (value !== undefined && !isDropped(name)) result[name] = value
  }
  Object.assign(result, {
    RUNNER_TEMP: files.runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_ACTIONS: 'true',
    CI: 'true'
  })
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) Reflect.deleteProperty(result, name)
    else result[name] = value
  }
  for (const [name, value] of Object.entries({
    ...actionInputs(),
    ...inputs
  })) {
    result[inputVariable(name)] = value
  }
  return result
}
