import * as core from '@actions/core'
import {
  createCipheriv,
  createDecipheriv,
  hash,
  randomBytes
} from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { Clock } from './clock.js'
import type { Settings } from './inputs.js'
import {
  BEARER_TOKEN,
  isObject,
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH,
  type Token
} from './token.js'

/**
 * The job's token at rest: one file in RUNNER_TEMP, which the runner empties
 * at the start and end of every job. It holds per identity (client id, secret
 * and token URL) the token an earlier step got, encrypted (AES-256-GCM) under
 * a key only that identity's inputs give, and which identity last set each
 * env-var. Every failure is a debug line, never an error: without the state
 * the action simply asks Torq.
 */
export const STATE_FILE = 'torq-token-action.json'
export const STATE_FORMAT = 'torq-token-action/job-state'
export const STATE_VERSION = 2
/** A few hundred bytes per identity; a larger file is not this action's. */
export const MAX_STATE_BYTES = 1024 * 1024

/** What is encrypted per identity. */
interface Kept {
  token: string
  tokenType: string
  /** When the request that got the token was sent, in ms since the epoch. */
  requestedAt: number
  /** The same moment on the machine's uptime clock (Clock.uptime). */
  uptimeAt: number
  /** The lifetime Torq gave, in seconds. */
  expiresIn: number
}

/** The file's contents: entries and exporters by fingerprint. */
interface State {
  /** Fingerprint to base64 of IV, tag and ciphertext. */
  entries: Record<string, string>
  /** Variable name to the fingerprint of the identity that last set it. */
  exported: Record<string, string>
}

/** Where this identity's token is kept in this job, and the time. */
export interface JobToken {
  dir: string
  fingerprint: string
  key: Buffer
  uid: number | undefined
  clock: Pick<Clock, 'now' | 'uptime'>
  /** Whether tokens are looked up and kept; if not, only `envVar` is noted. */
  reuse: boolean
  minValiditySeconds: number
  /** The variable this step sets, if it sets one. */
  envVar: string | undefined
}

/** Why not, as a debug line ends it. */
class Reason {
  constructor(readonly text: string) {}
}

/**
 * The job state of this run's identity, or undefined without one (a debug
 * line says why). With reuse-token false the token is neither looked up nor
 * kept, and only the variable set is noted. Fingerprint and key are one-way
 * digests (of a JSON array, so no two triples encode alike): nothing the
 * secret can be read back from.
 */
export function jobToken(
  settings: Settings,
  clock: Pick<Clock, 'now' | 'uptime'>,
  runnerTemp = process.env['RUNNER_TEMP'],
  uid = process.getuid?.()
): JobToken | undefined {
  const unusable = !runnerTemp
    ? 'RUNNER_TEMP is not set'
    : // A relative path would put the token in the workspace, next to the code.
      !isAbsolute(runnerTemp)
      ? 'RUNNER_TEMP is not an absolute path'
      : !writableDirectory(runnerTemp)
        ? 'RUNNER_TEMP is not a writable directory'
        : undefined
  if (unusable !== undefined || !settings.reuseToken)
    core.debug(`Token reuse is off: ${unusable ?? 'reuse-token is false'}.`)
  if (unusable !== undefined || (!settings.reuseToken && !settings.exportEnv))
    return undefined
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
    key: digest('key'),
    uid,
    clock,
    reuse: settings.reuseToken,
    minValiditySeconds: settings.minValiditySeconds,
    envVar: settings.exportEnv ? settings.envVar : undefined
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

const IV_BYTES = 12
const TAG_BYTES = 16

/** `kept` encrypted under this identity's key, bound to its fingerprint. */
function seal(job: JobToken, kept: Kept): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', job.key, iv)
  cipher.setAAD(Buffer.from(job.fingerprint))
  const data = Buffer.concat([
    cipher.update(JSON.stringify(kept)),
    cipher.final()
  ])
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')
}

/**
 * What `sealed` holds, if this identity's key sealed it and it is
 * well-formed. Anything short or changed throws (no IV, a tag of another
 * length, a tag that does not match), which means undefined.
 */
function unseal(job: JobToken, sealed: string): Kept | undefined {
  const bytes = Buffer.from(sealed, 'base64')
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      job.key,
      bytes.subarray(0, IV_BYTES),
      { authTagLength: TAG_BYTES }
    )
    decipher.setAAD(Buffer.from(job.fingerprint))
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    const text = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final()
    ]).toString()
    return wellFormed(JSON.parse(text) as Partial<Record<keyof Kept, unknown>>)
  } catch {
    return undefined
  }
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
  const state = readState(job)
  if (state instanceof Reason) return state
  const sealed = state.entries[job.fingerprint]
  if (sealed === undefined) {
    return new Reason(
      'no token was kept for this client id, client secret and token URL'
    )
  }
  const kept = unseal(job, sealed)
  if (kept === undefined) {
    return new Reason(
      'the kept token cannot be decrypted with the key of these inputs, or fails the checks of a fresh one'
    )
  }
  const now = job.clock.now()
  const uptime = job.clock.uptime()
  // A clock set back would otherwise make an expired token look valid.
  if (now < kept.requestedAt || uptime < kept.uptimeAt) {
    return new Reason(
      "the runner's clock reads earlier than when the kept token was requested"
    )
  }
  // The longer of the times since the request: a clock set right since (one
  // fast at the request) shows on the uptime clock. That counts only past a
  // second more, as the two clocks are read a moment apart.
  const leftMs =
    kept.expiresIn * 1000 -
    Math.max(now - kept.requestedAt, uptime - kept.uptimeAt - 1000)
  const left = Math.floor(leftMs / 1000)
  if (left < 1) return new Reason('the kept token has expired')
  if (left < job.minValiditySeconds) {
    return new Reason(
      `the kept token is valid for ${left} s more, less than min-validity-seconds (${job.minValiditySeconds})`
    )
  }
  return {
    accessToken: kept.token,
    tokenType: kept.tokenType,
    expiresIn: left,
    expiresAt: now + leftMs
  }
}

/**
 * After a token is published: keeps a fresh one for later steps, and notes
 * which identity set the variable, warning when it replaces another's. The
 * other identities' entries stay. Never fails the step: a state that cannot
 * be written is a debug line.
 */
export function keepToken(job: JobToken, token: Token, fresh = true): void {
  const read = readState(job)
  const state = read instanceof Reason ? { entries: {}, exported: {} } : read
  let changed = false
  if (job.envVar !== undefined) {
    const before = state.exported[job.envVar]
    if (before !== undefined && before !== job.fingerprint) {
      core.warning(
        `env-var ${job.envVar}: an earlier step of this job set it to a token for another client-id, client-secret or token URL, and this step replaced it with its own. Give each account its own env-var (TORQ_ACCESS_TOKEN_EU, say).`
      )
    }
    changed = before !== job.fingerprint
    state.exported[job.envVar] = job.fingerprint
  }
  if (fresh && job.reuse) {
    const { expiresIn, expiresAt } = token
    if (expiresIn === undefined || expiresAt === undefined) {
      core.debug(
        'The token is not kept for later steps: its lifetime is unknown.'
      )
    } else {
      lifetimeWarning(expiresIn, job.minValiditySeconds)
      const requestedAt = expiresAt - expiresIn * 1000
      // This step's few seconds since the request are taken on either clock.
      const uptimeAt = job.clock.uptime() - (job.clock.now() - requestedAt)
      state.entries[job.fingerprint] = seal(job, {
        token: token.accessToken,
        tokenType: token.tokenType,
        requestedAt,
        uptimeAt,
        expiresIn
      })
      changed = true
    }
  }
  if (!changed) return
  const failure = writeState(
    job.dir,
    JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, ...state })
  )
  if (failure !== undefined) {
    core.debug(
      `The token could not be kept for later steps of this job (${failure}); they will ask Torq again.`
    )
  }
}

/** A later step sees less than the whole lifetime: reuse needs more than min-validity-seconds. */
function lifetimeWarning(lifetime: number, min: number): void {
  if (lifetime > Math.max(min, 1)) return
  core.warning(
    lifetime <= 1
      ? `Torq's token lasts ${lifetime} s, too short for any later step to reuse it; each asks Torq again.`
      : `Torq's token lasts ${lifetime} s, not more than min-validity-seconds (${min}), so no later step can reuse it and each asks Torq again. Set min-validity-seconds below ${lifetime} to reuse tokens.`
  )
}

function parseState(text: string): State | Reason {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return new Reason('the job state file is not JSON')
  }
  if (
    !isObject(json) ||
    json['format'] !== STATE_FORMAT ||
    json['version'] !== STATE_VERSION
  ) {
    return new Reason("the job state file is not in this action's format")
  }
  // Only strings under names of the right shape; anything else is dropped.
  const strings = (value: unknown, name: RegExp) =>
    Object.fromEntries(
      Object.entries(isObject(value) ? value : {}).filter(
        ([key, item]) => name.test(key) && typeof item === 'string'
      )
    ) as Record<string, string>
  return {
    entries: strings(json['entries'], /^[0-9a-f]{64}$/),
    exported: strings(json['exported'], /^[A-Za-z_][A-Za-z0-9_]*$/)
  }
}

/** A kept token that passes the checks a fresh token must pass (null throws). */
function wellFormed(
  value: Partial<Record<keyof Kept, unknown>>
): Kept | undefined {
  const { token, tokenType, requestedAt, uptimeAt, expiresIn } = value
  return typeof token === 'string' &&
    token.length >= MIN_TOKEN_LENGTH &&
    token.length <= MAX_TOKEN_LENGTH &&
    BEARER_TOKEN.test(token) &&
    typeof tokenType === 'string' &&
    tokenType.toLowerCase() === 'bearer' &&
    Number.isSafeInteger(requestedAt) &&
    Number.isSafeInteger(uptimeAt) &&
    Number.isInteger(expiresIn) &&
    (expiresIn as number) >= 1 &&
    (expiresIn as number) <= MAX_EXPIRES_IN
    ? {
        token,
        tokenType,
        requestedAt: requestedAt as number,
        uptimeAt: uptimeAt as number,
        expiresIn: expiresIn as number
      }
    : undefined
}

/**
 * The state, if its file is a regular file of this user that no one else may
 * read or write, of at most MAX_STATE_BYTES. Checked on the open descriptor,
 * so a file swapped in meanwhile is not read. `uid` is undefined where the
 * system has none (Windows), which also has no such mode bits.
 */
function readState({ dir, uid }: JobToken): State | Reason {
  let fd: number
  try {
    // Not followed if a link; not blocked if a pipe.
    fd = openSync(
      join(dir, STATE_FILE),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    )
  } catch (error) {
    const failure = code(error)
    return new Reason(
      failure === 'ENOENT'
        ? 'no earlier step of this job saved a token'
        : failure === 'ELOOP'
          ? 'the job state file is a symbolic link'
          : `the job state file cannot be read (${failure})`
    )
  }
  try {
    const stat = fstatSync(fd)
    const mode = stat.mode & 0o777
    const problem = !stat.isFile()
      ? 'is not a regular file'
      : uid !== undefined && stat.uid !== uid
        ? `belongs to uid ${stat.uid}, not ${uid}`
        : uid !== undefined && (mode & 0o077) !== 0
          ? `has mode ${mode.toString(8).padStart(4, '0')}, not 0600`
          : undefined
    if (problem !== undefined)
      return new Reason(`the job state file ${problem}`)
    // Never more than the limit, even if the file grew after fstat. (A read
    // cut short leaves JSON that does not parse: Torq is asked.)
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_STATE_BYTES) + 1)
    const length = readSync(fd, buffer)
    if (length > MAX_STATE_BYTES)
      return new Reason(
        `the job state file is larger than ${MAX_STATE_BYTES} bytes`
      )
    return parseState(buffer.toString('utf8', 0, length))
  } catch (error) {
    return new Reason(`the job state file cannot be read (${code(error)})`)
  } finally {
    closeSync(fd)
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
