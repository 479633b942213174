import * as core from '@actions/core'
import { readState, stateDirectory, writeState } from './job-state.js'
import type { ObtainedToken } from './obtain.js'
import {
  decide,
  identityOf,
  nextState,
  sealEntry,
  type Identity
} from './reuse.js'

/** The settings reuse depends on (a part of inputs.ts's Settings). */
export interface ReuseSettings {
  clientId: string
  clientSecret: string
  tokenUrl: URL
  reuseToken: boolean
  minValiditySeconds: number
}

/** Where this identity's token is kept in this job, and the time. */
export interface JobToken {
  dir: string
  identity: Identity
  uid: number | undefined
  now: () => number
  minValiditySeconds: number
}

/**
 * The job state of this run's identity, or undefined when reuse is off (a
 * debug line says why): then the token is neither looked up nor kept.
 */
export function jobToken(
  settings: ReuseSettings,
  now: () => number,
  runnerTemp = process.env['RUNNER_TEMP'],
  uid = process.getuid?.()
): JobToken | undefined {
  const where = settings.reuseToken
    ? stateDirectory(runnerTemp)
    : { reason: 'reuse-token is false' }
  if ('reason' in where) {
    core.debug(`Token reuse is off: ${where.reason}.`)
    return undefined
  }
  return {
    dir: where.dir,
    identity: identityOf(
      settings.clientId,
      settings.clientSecret,
      settings.tokenUrl.href
    ),
    uid,
    now,
    minValiditySeconds: settings.minValiditySeconds
  }
}

/** An earlier step's token to publish again, or undefined (a debug line says why). */
export function earlierToken(job: JobToken): ObtainedToken | undefined {
  const read = readState(job.dir, job.uid)
  const decision =
    'reason' in read
      ? read
      : decide(read.text, job.identity, job.now(), job.minValiditySeconds)
  if ('token' in decision) return decision.token
  core.debug(`No token of an earlier step reused: ${decision.reason}.`)
  return undefined
}

/**
 * Keeps a fresh token, once published, for later steps. Never fails the
 * step: a state that cannot be written is a debug line.
 */
export function keepToken(job: JobToken, token: ObtainedToken): void {
  if (token.expiresIn === undefined) {
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
  const read = readState(job.dir, job.uid)
  const entry = sealEntry(job.identity, {
    token: token.accessToken,
    // As publish.ts works out expires-at.
    expiresAt: token.sentAt + token.expiresIn * 1000,
    tokenType: token.tokenType
  })
  const failure = writeState(
    job.dir,
    nextState(
      'text' in read ? read.text : '',
      job.identity.fingerprint,
      entry,
      job.now()
    )
  )
  if (failure !== undefined) {
    core.debug(
      `The token could not be kept for later steps of this job (${failure}); they will ask Torq again.`
    )
  }
}
