import { createHmac, hash } from 'node:crypto'
import {
  BEARER_TOKEN,
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH
} from './token-fields.js'
import type { ObtainedToken } from './obtain.js'

/**
 * Reuse of a token within one job, decided from the job state file's text
 * (job-state.ts reads and writes it): an earlier step's token is published
 * again while it stays valid long enough.
 */
export const STATE_FORMAT = 'torq-token-action/job-state'
export const STATE_VERSION = 1
const HEX_64 = /^[0-9a-f]{64}$/

/** Whose token: a fingerprint to file it under, a key to seal it with. */
export interface Identity {
  fingerprint: string
  key: Buffer
}

export interface Kept {
  token: string
  /** Milliseconds since the epoch, as publish.ts works it out. */
  expiresAt: number
  tokenType: string
}

/** What is kept per identity; `mac` proves the secret's holder wrote it. */
export interface Entry extends Kept {
  mac: string
}

export type Decision = { token: ObtainedToken } | { reason: string }

/**
 * One-way digests of client id, client secret and token URL (a JSON array,
 * so no two triples encode alike): nothing the secret can be read back from.
 */
export function identityOf(
  clientId: string,
  clientSecret: string,
  tokenUrl: string
): Identity {
  const digest = (purpose: string) =>
    hash(
      'sha256',
      JSON.stringify([STATE_FORMAT, purpose, clientId, clientSecret, tokenUrl]),
      'buffer'
    )
  return { fingerprint: digest('id').toString('hex'), key: digest('mac') }
}

/**
 * The entry for a token, sealed with a key only the secret gives: a planted
 * entry, whatever it holds, cannot pass for one this action wrote.
 */
export function sealEntry(identity: Identity, kept: Kept): Entry {
  return { ...kept, mac: seal(identity, kept) }
}

function seal(identity: Identity, kept: Kept): string {
  return createHmac('sha256', identity.key)
    .update(
      JSON.stringify([
        identity.fingerprint,
        kept.token,
        kept.expiresAt,
        kept.tokenType
      ])
    )
    .digest('hex')
}

/**
 * Whether the state file's text holds this identity's token, valid for at
 * least `minValiditySeconds` more after `now`, and otherwise why not.
 */
export function decide(
  text: string,
  identity: Identity,
  now: number,
  minValiditySeconds: number
): Decision {
  const state = readEntries(text)
  if ('reason' in state) return state
  if (!Object.hasOwn(state.entries, identity.fingerprint)) {
    return {
      reason:
        'no token was kept for this client id, client secret and token URL'
    }
  }
  const entry = wellFormed(state.entries[identity.fingerprint])
  if (entry === undefined || entry.mac !== seal(identity, entry)) {
    return {
      reason:
        'the kept token fails the checks of a fresh one or was not written by this action'
    }
  }
  const left = Math.floor((entry.expiresAt - now) / 1000)
  if (left < 1) return { reason: 'the kept token has expired' }
  if (left > MAX_EXPIRES_IN) {
    return { reason: 'the kept token expires later than any token Torq issues' }
  }
  if (left < minValiditySeconds) {
    return {
      reason: `the kept token is valid for ${left} s more, less than min-validity-seconds (${minValiditySeconds})`
    }
  }
  // publish.ts works out expires-at as sentAt + expiresIn: the original expiry.
  return {
    token: {
      accessToken: entry.token,
      tokenType: entry.tokenType,
      expiresIn: left,
      sentAt: entry.expiresAt - left * 1000
    }
  }
}

/**
 * The state file's next text: `entry` for its identity, and every other
 * identity's well-formed entry that has not expired by `now`.
 */
export function nextState(
  text: string,
  fingerprint: string,
  entry: Entry,
  now: number
): string {
  const state = readEntries(text)
  const entries: Record<string, Entry> = {}
  for (const [key, value] of Object.entries(
    'reason' in state ? {} : state.entries
  )) {
    const other = HEX_64.test(key) ? wellFormed(value) : undefined
    if (other !== undefined && other.expiresAt > now) entries[key] = other
  }
  entries[fingerprint] = entry
  return JSON.stringify({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    entries
  })
}

function readEntries(
  text: string
): { entries: Record<string, unknown> } | { reason: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { reason: 'the job state file is not JSON' }
  }
  return isObject(json) &&
    json['format'] === STATE_FORMAT &&
    json['version'] === STATE_VERSION &&
    isObject(json['entries'])
    ? { entries: json['entries'] }
    : { reason: "the job state file is not in this action's format" }
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
