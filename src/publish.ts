import * as core from '@actions/core'
import { accessSync, constants, statSync } from 'node:fs'
import { apiUrlFor } from './defaults.js'
import { ActionError } from './errors.js'
import type { Settings } from './inputs.js'
import type { ObtainedToken } from './obtain.js'

/**
 * Tells the runner to hide `value` from the log. A multi-line value is also
 * masked line by line, since the runner matches masks within single lines.
 */
export function mask(value: string): void {
  core.setSecret(value)
  for (const line of value.split(/\r?\n|\r/)) {
    if (line !== '' && line !== value) core.setSecret(line)
  }
}

/**
 * Masks the token, then hands it to later steps as outputs and a variable:
 * everything is worked out before the first write, so that either all of
 * them are written or, if anything fails, none.
 */
export function publishToken(
  token: ObtainedToken,
  settings: Settings,
  reused = false
): void {
  const expiresAt =
    token.expiresIn === undefined
      ? ''
      : new Date(token.sentAt + token.expiresIn * 1000).toISOString()
  const outputs = {
    token: token.accessToken,
    'token-type': token.tokenType,
    'expires-in': token.expiresIn === undefined ? '' : String(token.expiresIn),
    'expires-at': expiresAt,
    reused: String(reused),
    'api-url': apiUrlFor(settings.tokenUrl)
  }
  const where = settings.exportEnv
    ? ` and in $${settings.envVar} for the following steps of this job`
    : ''
  const expiry = expiresAt
    ? `, valid for ${outputs['expires-in']} s until ${expiresAt}`
    : ''

  assertWritable('GITHUB_OUTPUT')
  if (settings.exportEnv) assertWritable('GITHUB_ENV')

  mask(token.accessToken)
  if (expiresAt === '') {
    core.warning(
      'The token answer had no usable expires_in (a whole number of seconds up to a year); the outputs expires-in and expires-at are empty. Torq tokens usually last one hour.'
    )
  }
  for (const [name, value] of Object.entries(outputs)) {
    core.setOutput(name, value)
  }
  if (settings.exportEnv) {
    core.exportVariable(settings.envVar, token.accessToken)
  }
  core.info(
    reused
      ? `Reusing this job's Torq API token from an earlier step (valid for ${outputs['expires-in']} s more, until ${expiresAt}); no request sent.`
      : `Got a Torq API token (${token.tokenType}${expiry}). It is in the step output token${where}.`
  )
}

/**
 * The runner's file for outputs or variables must be a writable file before
 * the first write, so that a broken one fails the step with nothing written
 * rather than half of it. Unset, @actions/core falls back to commands.
 */
function assertWritable(variable: 'GITHUB_OUTPUT' | 'GITHUB_ENV'): void {
  const path = process.env[variable]
  if (path === undefined || path === '') return
  try {
    accessSync(path, constants.W_OK)
    if (statSync(path).isFile()) return
  } catch {
    // Described below, the same way as a path that is not a file.
  }
  throw new ActionError(
    `The runner's ${variable} file cannot be written, so no output and no variable was written. The runner sets it for each step; check that no earlier step changed or removed it.`
  )
}
