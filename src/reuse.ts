import * as core from '@actions/core'
import { createHmac, hash, randomBytes } from 'node:crypto'
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
  writeFileSync
} from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { Settings } from './inputs.js'
import {
  BEARER_TOKEN,
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH,
  type Token
} from './token.js'

/**
 * The job's token at rest: one file in RUNNER_TEMP, which the runner empties
 * at the start and end of every job, holding per identity (client id,
 * secret and token URL) the token an earlier step got, sealed with a key
 * only the secret gives. Every failure is a debug line, never an error:
 * without the state the action simply asks Torq.
 */
export const STATE_FILE = 'torq-token-action.json'
export const STATE_FORMAT = 'torq-token-action/job-state'
export const STATE_VERSION = 1
/** A few hundred bytes per identity; a larger file is not this action's. */
export const MAX_STATE_BYTES = 1024 * 1024

/** What is kept per identity; `mac` proves the secret's holder wrote it. */
interface Entry {
  token: string
  /** Milliseconds since the epoch. */
  expiresAt: number
  tokenType: string
  mac: string
}

/** Where this identity's token is kept in this job, and the time. */
export interface JobToken {
  dir: string
  fingerprint: string
  key: Buffer
  uid: number | undefined
  now: () => number
  minValiditySeconds: number
}

/** Why not, as a debug line ends it. */
class Reason {
  constructor(readonly text: string) {}
}

/**
 * The job state of this run's identity, or undefined when reuse is off (a
 * debug line says why): then the token is neither looked up nor kept.
 * Fingerprint and key are one-way digests (of a JSON array, so no two
 * triples encode alike): nothing the secret can be read back from.
 */
export function jobToken(
  settings: Settings,
  now: () => number,
  runnerTemp = process.env['RUNNER_TEMP'],
  uid = process.getuid?.()
): JobToken | undefined {
  const off = !settings.reuseToken
    ? 'reuse-token is false'
    : !runnerTemp
      ? 'RUNNER_TEMP is not set'
      : // A relative path would put the token in the workspace, next to the code.
        !isAbsolute(runnerTemp)
        ? 'RUNNER_TEMP is not an absolute path'
        : !writableDirectory(runnerTemp)
          ? 'RUNNER_TEMP is not a writable directory'
          : undefined
  if (off !== undefined) {
    core.debug(`Token reuse is off: ${off}.`)
    return undefined
  }
  const { clientId, clientSecret, tokenUrl } = settings
  const digest = (purpose: string) =>
    hash(
      'sha256',
      JSON.stringify([
        STATE_FORMAT,
        purpose,
        clientId,
        clientSecret,
        tokenUrl.href
      ]),
      'buffer'
    )
  return {
    dir: runnerTemp as string,
    fingerprint: digest('id').toString('hex'),
    key: digest('mac'),
    uid,
    now,
    minValiditySeconds: settings.minValiditySeconds
  }
}

function writableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function seal(job: JobToken, entry: Omit<Entry, 'mac'>): string {
  return createHmac('sha256', job.key)
    .update(
      JSON.stringify([
        job.fingerprint,
        entry.token,
        entry.expiresAt,
        entry.tokenType
      ])
    )
    .digest('hex')
}

/** An earlier step's token to publish again, or undefined (a debug line says why). */
export function earlierToken(job: JobToken): Token | undefined {
  const found = findToken(job)
  if (found instanceof Reason) {
    core.debug(`No token of an earlier step reused: ${found.text}.`)
    return undefined
  }
  return found
}

function findToken(job: JobToken): Token | Reason {
  const entries = readEntries(readState(job))
  if (entries instanceof Reason) return entries
  if (!Object.hasOwn(entries, job.fingerprint)) {
    return new Reason(
      'no token was kept for this client id, client secret and token URL'
    )
  }
  const entry = wellFormed(entries[job.fingerprint])
  if (entry === undefined || entry.mac !== seal(job, entry)) {
    return new Reason(
      'the kept token fails the checks of a fresh one or was not written by this action'
    )
  }
  const left = Math.floor((entry.expiresAt - job.now()) / 1000)
  if (left < 1) return new Reason('the kept token has expired')
  if (left > MAX_EXPIRES_IN)
    return new Reason('the kept token expires later than any token Torq issues')
  if (left < job.minValiditySeconds) {
    return new Reason(
      `the kept token is valid for ${left} s more, less than min-validity-seconds (${job.minValiditySeconds})`
    )
  }
  return {
    accessToken: entry.token,
    tokenType: entry.tokenType,
    expiresIn: left,
    expiresAt: entry.expiresAt
  }
}

/**
 * Keeps a fresh token, once published, for later steps: its entry, and every
 * other identity's well-formed entry that has not expired. Never fails the
 * step: a state that cannot be written is a debug line.
 */
export function keepToken(job: JobToken, token: Token): void {
  if (token.expiresIn === undefined || token.expiresAt === undefined) {
    core.debug(
      'The token is not kept for later steps: its lifetime is unknown.'
    )
    return
  }
  if (token.expiresIn < job.minValiditySeconds) {
    core.warning(
      `Torq's token lasts ${token.expiresIn} s, less than min-validity-seconds (${job.minValiditySeconds}), so no later step can reuse it and each asks Torq again. Set min-validity-seconds below ${token.expiresIn} to reuse tokens.`
    )
  }
  const read = readEntries(readState(job))
  const entries: Record<string, Entry> = {}
  for (const [fingerprint, value] of Object.entries(
    read instanceof Reason ? {} : read
  )) {
    const other = /^[0-9a-f]{64}$/.test(fingerprint)
      ? wellFormed(value)
      : undefined
    if (other !== undefined && other.expiresAt > job.now())
      entries[fingerprint] = other
  }
  const kept = {
    token: token.accessToken,
    expiresAt: token.expiresAt,
    tokenType: token.tokenType
  }
  entries[job.fingerprint] = { ...kept, mac: seal(job, kept) }
  const failure = writeState(
    job.dir,
    JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, entries })
  )
  if (failure !== undefined) {
    core.debug(
      `The token could not be kept for later steps of this job (${failure}); they will ask Torq again.`
    )
  }
}

function readEntries(text: string | Reason): Record<string, unknown> | Reason {
  if (text instanceof Reason) return text
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return new Reason('the job state file is not JSON')
  }
  return isObject(json) &&
    json['format'] === STATE_FORMAT &&
    json['version'] === STATE_VERSION &&
    isObject(json['entries'])
    ? json['entries']
    : new Reason("the job state file is not in this action's format")
}

/** An entry whose token passes the checks a fresh token must pass. */
function wellFormed(value: unknown): Entry | undefined {
  if (!isObject(value)) return undefined
  const { token, expiresAt, tokenType, mac } = value
  return typeof token === 'string' &&
    token.length >= MIN_TOKEN_LENGTH &&
    token.length <= MAX_TOKEN_LENGTH &&
    BEARER_TOKEN.test(token) &&
    typeof tokenType === 'string' &&
    tokenType.toLowerCase() === 'bearer' &&
    Number.isSafeInteger(expiresAt) &&
    typeof mac === 'string'
    ? { token, expiresAt: expiresAt as number, tokenType, mac }
    : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The state file's text, if it is a regular file of this user that no one
 * else may read or write. `uid` is undefined where the system has none
 * (Windows), which also has no such mode bits.
 */
function readState({ dir, uid }: JobToken): string | Reason {
  const path = join(dir, STATE_FILE)
  try {
    const stat = lstatSync(path, { throwIfNoEntry: false })
    if (stat === undefined)
      return new Reason('no earlier step of this job saved a token')
    const mode = stat.mode & 0o777
    const problem = stat.isSymbolicLink()
      ? 'is a symbolic link'
      : !stat.isFile()
        ? 'is not a regular file'
        : uid !== undefined && stat.uid !== uid
          ? `belongs to uid ${stat.uid}, not ${uid}`
          : uid !== undefined && (mode & 0o077) !== 0
            ? `has mode ${mode.toString(8).padStart(4, '0')}, not 0600`
            : stat.size > MAX_STATE_BYTES
              ? `is larger than ${MAX_STATE_BYTES} bytes`
              : undefined
    if (problem !== undefined)
      return new Reason(`the job state file ${problem}`)
    // Not followed if it became a link since; not blocked if a pipe.
    const fd = openSync(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    )
    try {
      return readFileSync(fd, 'utf8')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    return new Reason(`the job state file cannot be read (${code(error)})`)
  }
}

/**
 * Replaces the state file whole: a new file only this user may read, made
 * under a random name in the same directory, then renamed over the old one,
 * so that a reader sees the old state or the new, never half of one.
 * Returns why it failed, or undefined.
 */
function writeState(dir: string, text: string): string | undefined {
  const temp = join(dir, `.${STATE_FILE}.${randomBytes(8).toString('hex')}`)
  try {
    const fd = openSync(temp, 'wx', 0o600)
    try {
      writeFileSync(fd, text)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, join(dir, STATE_FILE))
    return undefined
  } catch (error) {
    rmSync(temp, { force: true })
    return code(error)
  }
}

/** A system error's code (ENOENT, EISDIR...): Node's own word, never a path. */
function code(error: unknown): string {
  return String((error as NodeJS.ErrnoException).code)
}
