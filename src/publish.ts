import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import type { ObtainedToken } from './obtain.js'

/**
 * Tells the runner to hide `value` from the log. A multi-line value is also
 * masked line by line, since the runner matches masks within single lines.
 */
export function mask(value: string): void {
  if (value === '') return
  core.setSecret(value)
  for (const line of value.split(/\r?\n|\r/)) {
    if (line !== '' && line !== value) core.setSecret(line)
  }
}

/** Masks the token, then hands it to later steps as outputs and a variable. */
export function publishToken(token: ObtainedToken, settings: Settings): void {
  mask(token.accessToken)
  core.setOutput('token', token.accessToken)
  core.setOutput('token-type', token.tokenType)

  let expiry = ''
  if (token.expiresIn === undefined) {
    core.warning(
      'The token answer had no usable expires_in; the outputs expires-in and expires-at are empty. Torq tokens usually last one hour.'
    )
    core.setOutput('expires-in', '')
    core.setOutput('expires-at', '')
  } else {
    const expiresAt = new Date(token.sentAt + token.expiresIn * 1000)
    core.setOutput('expires-in', String(token.expiresIn))
    core.setOutput('expires-at', expiresAt.toISOString())
    expiry = `, valid for ${token.expiresIn} s until ${expiresAt.toISOString()}`
  }

  if (settings.exportEnv) {
    core.exportVariable(settings.envVar, token.accessToken)
  }
  core.info(
    `Got a Torq API token (${token.tokenType}${expiry}). It is in the step output token${settings.exportEnv ? ` and in $${settings.envVar} for the following steps of this job` : ''}.`
  )
}
