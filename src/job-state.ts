import { randomBytes } from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats
} from 'node:fs'
import { isAbsolute, join } from 'node:path'

/**
 * The job's token state: one file in RUNNER_TEMP, which the runner empties at
 * the start and end of every job. This module only moves its bytes, safely;
 * reuse.ts decides what they mean. Every failure becomes a reason, never an
 * error: without the state the action simply asks Torq.
 */
export const STATE_FILE = 'torq-token-action.json'
/** A few hundred bytes per identity; a larger file is not this action's. */
export const MAX_STATE_BYTES = 1024 * 1024

export type Found<T> = T | { reason: string }

/** RUNNER_TEMP, if it is a writable directory; otherwise why reuse is off. */
export function stateDirectory(
  runnerTemp: string | undefined
): Found<{ dir: string }> {
  if (runnerTemp === undefined || runnerTemp === '') {
    return { reason: 'RUNNER_TEMP is not set' }
  }
  // A relative path would put the token in the workspace, next to the code.
  if (!isAbsolute(runnerTemp)) {
    return { reason: 'RUNNER_TEMP is not an absolute path' }
  }
  try {
    accessSync(runnerTemp, constants.W_OK)
    if (statSync(runnerTemp).isDirectory()) return { dir: runnerTemp }
  } catch {
    // Described below, the same way as a path that is not a directory.
  }
  return { reason: 'RUNNER_TEMP is not a writable directory' }
}

/**
 * The state file's text, if it is a regular file of this user that no one
 * else may read or write. `uid` is undefined where the system has none
 * (Windows), which also has no such mode bits.
 */
export function readState(
  dir: string,
  uid: number | undefined
): Found<{ text: string }> {
  const path = join(dir, STATE_FILE)
  try {
    const stat = lstatSync(path, { throwIfNoEntry: false })
    if (stat === undefined) {
      return { reason: 'no earlier step of this job saved a token' }
    }
    const problem = statProblem(stat, uid)
    if (problem !== undefined) {
      return { reason: `the job state file ${problem}` }
    }
    // Not followed if it became a link since; not blocked if a pipe.
    const fd = openSync(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    )
    try {
      return { text: readFileSync(fd, 'utf8') }
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    return { reason: `the job state file cannot be read (${code(error)})` }
  }
}

function statProblem(stat: Stats, uid: number | undefined): string | undefined {
  if (stat.isSymbolicLink()) return 'is a symbolic link'
  if (!stat.isFile()) return 'is not a regular file'
  if (uid !== undefined) {
    if (stat.uid !== uid) return `belongs to uid ${stat.uid}, not ${uid}`
    const mode = stat.mode & 0o777
    if ((mode & 0o077) !== 0) {
      return `has mode ${mode.toString(8).padStart(4, '0')}, not 0600`
    }
  }
  if (stat.size > MAX_STATE_BYTES) {
    return `is larger than ${MAX_STATE_BYTES} bytes`
  }
  return undefined
}

/**
 * Replaces the state file whole: a new file only this user may read, created
 * under a random name in the same directory, then renamed over the old one,
 * so that a reader sees the old state or the new, never half of one.
 * Returns why it failed, or undefined.
 */
export function writeState(dir: string, text: string): string | undefined {
  const temp = join(dir, `.${STATE_FILE}.${randomBytes(8).toString('hex')}`)
  let fd: number
  try {
    fd = openSync(temp, 'wx', 0o600)
  } catch (error) {
    return code(error)
  }
  try {
    try {
      writeFileSync(fd, text)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, join(dir, STATE_FILE))
    return undefined
  } catch (error) {
    try {
      rmSync(temp)
    } catch {
      // Already gone: nothing is left behind.
    }
    return code(error)
  }
}

/** A system error's code (ENOENT, EISDIR...): Node's own word, never a path. */
function code(error: unknown): string {
  return String((error as NodeJS.ErrnoException).code)
}
