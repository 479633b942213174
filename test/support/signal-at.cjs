// Preloaded into the bundled action with `node --require`: sends the process
// a signal right after one of its writes to the step's files returns, as a
// runner cancelling the step may at any moment. It counts the calls of
// node:fs that change a file the runner reads or keeps: the files named by
// GITHUB_OUTPUT and GITHUB_ENV, and any file under RUNNER_TEMP (a descriptor
// counts as its file). Only outermost calls count: appendFileSync calls
// writeFileSync, which calls openSync, inside. Settings, from the environment:
//   SIGNAL_AT_CALL      the call after which the signal is sent (1: the first);
//                       unset: none is sent
//   SIGNAL_AT_SIGNAL    which signal: SIGINT (default) or SIGTERM
//   SIGNAL_AT_LOG       a file outside RUNNER_TEMP that gets a JSON line per
//                       counted call ({ call, files }) and one when the signal
//                       is sent ({ signal })
//   SIGNAL_AT_PID_FILE  a file that gets this process's id, for a signal sent
//                       from outside
// The wrapped functions are also given to ES modules that import node:fs
// (module.syncBuiltinESMExports), so a bundle sees them however it imports.
'use strict'

const fs = process.getBuiltinModule('node:fs')
const path = process.getBuiltinModule('node:path')
const { syncBuiltinESMExports } = process.getBuiltinModule('node:module')

const settings = {
  at: Number(process.env['SIGNAL_AT_CALL'] ?? 0),
  signal: process.env['SIGNAL_AT_SIGNAL'] ?? 'SIGINT',
  log: process.env['SIGNAL_AT_LOG'],
  pidFile: process.env['SIGNAL_AT_PID_FILE']
}
const output = absolute(process.env['GITHUB_OUTPUT'])
const env = absolute(process.env['GITHUB_ENV'])
const temp = absolute(process.env['RUNNER_TEMP'])
// Kept before wrapping: the log's own writes are not counted.
const appendFileSync = fs.appendFileSync

if (settings.pidFile) fs.writeFileSync(settings.pidFile, String(process.pid))

/** @param {string | undefined} file */
function absolute(file) {
  return file ? path.resolve(file) : undefined
}

/** @param {unknown} record */
function log(record) {
  if (settings.log) appendFileSync(settings.log, `${JSON.stringify(record)}\n`)
}

/**
 * How the runner's files are named in the log: GITHUB_OUTPUT, GITHUB_ENV, or
 * the path under RUNNER_TEMP; undefined for any other file.
 * @param {unknown} file
 */
function named(file) {
  if (typeof file !== 'string') return undefined
  const full = path.resolve(file)
  if (full === output) return 'GITHUB_OUTPUT'
  if (full === env) return 'GITHUB_ENV'
  if (temp && full.startsWith(temp + path.sep)) return path.relative(temp, full)
  return undefined
}

/** @type {Map<number, string>} descriptors open for writing on the runner's files */
const descriptors = new Map()

/** @param {unknown} file a path or a descriptor */
function fileOf(file) {
  return typeof file === 'number' ? descriptors.get(file) : named(file)
}

const WRITE_FLAGS =
  fs.constants.O_WRONLY |
  fs.constants.O_RDWR |
  fs.constants.O_CREAT |
  fs.constants.O_TRUNC |
  fs.constants.O_APPEND

/** @param {unknown} flags openSync's flags; 'r' when left out */
function opensForWriting(flags) {
  if (typeof flags === 'number') return (flags & WRITE_FLAGS) !== 0
  return typeof flags === 'string' && /[wa+]/.test(flags)
}

/**
 * The functions wrapped, each with the runner's files a call changes (none:
 * the call is not counted).
 * @type {Record<string, (args: unknown[]) => (string | undefined)[]>}
 */
const CHANGES = {
  appendFileSync: ([file]) => [fileOf(file)],
  writeFileSync: ([file]) => [fileOf(file)],
  writeSync: ([fd]) => [fileOf(fd)],
  fsyncSync: ([fd]) => [fileOf(fd)],
  ftruncateSync: ([fd]) => [fileOf(fd)],
  closeSync: ([fd]) => [fileOf(fd)],
  openSync: ([file, flags]) => (opensForWriting(flags) ? [named(file)] : []),
  truncateSync: ([file]) => [named(file)],
  renameSync: ([from, to]) => [named(from), named(to)],
  copyFileSync: ([from, to]) => [named(from), named(to)],
  rmSync: ([file]) => [named(file)],
  unlinkSync: ([file]) => [named(file)],
  mkdirSync: ([file]) => [named(file)]
}

/** node:fs's functions, by name, to wrap in place. */
const functions =
  /** @type {Record<string, (...args: unknown[]) => unknown>} */ (
    /** @type {unknown} */ (fs)
  )

let depth = 0
let count = 0
for (const [name, changes] of Object.entries(CHANGES)) {
  const original = functions[name]
  if (original === undefined) continue
  /** @param {unknown[]} args */
  const wrapped = (...args) => {
    if (depth > 0) return original(...args)
    const files = changes(args).map((file) => file ?? '')
    const counted = files.some((file) => file !== '')
    depth++
    /** @type {unknown} */
    let result
    try {
      result = original(...args)
    } finally {
      depth--
    }
    if (!counted) return result
    if (name === 'openSync' && typeof result === 'number')
      descriptors.set(result, files[0] ?? '')
    if (name === 'closeSync' && typeof args[0] === 'number')
      descriptors.delete(args[0])
    count++
    log({ call: name, files })
    if (count === settings.at) {
      log({ signal: settings.signal })
      process.kill(process.pid, settings.signal)
    }
    return result
  }
  functions[name] = wrapped
}
syncBuiltinESMExports()
