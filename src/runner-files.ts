import { randomUUID } from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  statSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { EOL } from 'node:os'
import { ActionError } from './errors.js'

/**
 * The runner's GITHUB_OUTPUT and GITHUB_ENV files, written all or nothing:
 * each file's length is taken before the first write, and if any write
 * fails (a full disk, say), every file written to is cut back to it.
 */

export type RunnerFile = 'GITHUB_OUTPUT' | 'GITHUB_ENV'

/** What to append to one runner file. */
export interface FileWrite {
  variable: RunnerFile
  path: string
  text: string
}

/** The file operations, injected so that a test can fail one midway. */
export interface FileOps {
  /** The length of a writable regular file; throws otherwise. */
  size: (path: string) => number
  append: (path: string, text: string) => void
  truncate: (path: string, length: number) => void
}

export const nodeFileOps: FileOps = {
  size(path) {
    accessSync(path, constants.W_OK)
    const stats = statSync(path)
    if (stats.isFile()) return stats.size
    throw Object.assign(new Error('not a regular file'), {
      code: stats.isDirectory() ? 'EISDIR' : 'ENOTFILE'
    })
  },
  // O_APPEND without O_CREAT: a file the runner did not make is an error.
  append(path, text) {
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND)
    try {
      writeFileSync(fd, text)
    } finally {
      closeSync(fd)
    }
  },
  truncate: truncateSync
}

/** Why a file operation failed, in words, by error code. */
const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the runner's disk",
  EDQUOT: "the disk quota of the runner's user is used up",
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOTFILE: 'it is not a regular file',
  EIO: "an input/output error of the runner's disk",
  ENOENT: 'the file does not exist'
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) {
    return 'an unexpected error'
  }
  return `${REASONS[code] ?? 'an unexpected error'} (${code})`
}

/**
 * `name<<delimiter` blocks, as @actions/core writes them, with one delimiter
 * of its form (`ghadelimiter_<uuid>`) that occurs in no name and no value.
 */
export function fileCommands(
  values: Readonly<Record<string, string>>,
  uuid: () => string = randomUUID
): string {
  const texts = Object.entries(values).flat()
  let delimiter: string
  do delimiter = `ghadelimiter_${uuid()}`
  while (texts.some((text) => text.includes(delimiter)))
  return Object.entries(values)
    .map(
      ([name, value]) =>
        `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`
    )
    .join('')
}

/** Appends each write to its file: all of them, or none. */
export function writeRunnerFiles(
  writes: readonly FileWrite[],
  ops: FileOps = nodeFileOps
): void {
  const files: Written[] = []
  for (const write of writes) {
    try {
      files.push({ write, size: ops.size(write.path) })
    } catch (error) {
      throw failure(write, error, 'Nothing was written to the runner files.')
    }
  }
  const written: Written[] = []
  for (const file of files) {
    try {
      written.push(file)
      ops.append(file.write.path, file.write.text)
    } catch (error) {
      throw failure(file.write, error, restore(written, ops))
    }
  }
}

/** A file about to be written to, with its length before. */
interface Written {
  write: FileWrite
  size: number
}

/** Cuts each file back to its earlier length; says how that went. */
function restore(written: readonly Written[], ops: FileOps): string {
  const restored: string[] = []
  const broken: string[] = []
  for (const { write, size } of written) {
    try {
      ops.truncate(write.path, size)
      restored.push(write.variable)
    } catch (error) {
      broken.push(`${write.variable} (${reason(error)})`)
    }
  }
  const back =
    restored.length === 0
      ? ''
      : `${restored.join(' and ')} ${restored.length > 1 ? 'were' : 'was'} put back as before this step. `
  if (broken.length === 0) {
    return `${back}No output and no variable was written.`
  }
  return `${back}Putting back ${broken.join(' and ')} failed too, so ${broken.length > 1 ? 'those files' : 'that file'} may hold a partial write; do not rely on the outputs or variables of this step.`
}

function failure(
  write: FileWrite,
  error: unknown,
  outcome: string
): ActionError {
  return new ActionError(
    `Could not write the runner's ${write.variable} file: ${reason(error)}. ${outcome} The runner makes this file for each step; check its disk, and that no earlier step changed or removed the file.`
  )
}
