import * as core from '@actions/core'
import { apiUrlFor } from './defaults.js'
import type { Settings } from './inputs.js'
import type { ObtainedToken } from './obtain.js'
import {
  fileCommands,
  nodeFileOps,
  writeRunnerFiles,
  type FileOps,
  type FileWrite
} from './runner-files.js'

/**
 * Tells the runner to hide each value from the log: a multi-line value also
 * line by line, since the runner matches masks within single lines.
 */
export function mask(values: readonly string[]): void {
  for (const value of values) {
    core.setSecret(value)
    for (const line of value.split(/\r?\n|\r/)) {
      if (line !== '' && line !== value) core.setSecret(line)
    }
  }
}

/**
 * Masks the token, then hands it to later steps as outputs and a variable:
 * everything is worked out before the first write, and the runner's files
 * are written all or nothing (see runner-files.ts).
 */
export function publishToken(
  token: ObtainedToken,
  settings: Settings,
  reused = false,
  ops: FileOps = nodeFileOps
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

  mask([token.accessToken])
  if (expiresAt === '') {
    core.warning(
      'The token answer had no usable expires_in (a whole number of seconds up to a year); the outputs expires-in and expires-at are empty. Torq tokens usually last one hour.'
    )
  }
  const writes: FileWrite[] = [
    {
      variable: 'GITHUB_OUTPUT',
      path: settings.outputFile,
      text: fileCommands(outputs)
    }
  ]
  if (settings.exportEnv) {
    writes.push({
      variable: 'GITHUB_ENV',
      path: settings.envFile,
      text: fileCommands({ [settings.envVar]: token.accessToken })
    })
  }
  writeRunnerFiles(writes, ops)
  // As core.exportVariable does, for any later code of this process.
  if (settings.exportEnv) process.env[settings.envVar] = token.accessToken
  core.info(
    reused
      ? `Reusing this job's Torq API token from an earlier step (valid for ${outputs['expires-in']} s more, until ${expiresAt}); no request sent.`
      : `Got a Torq API token (${token.tokenType}${expiry}). It is in the step output token${where}.`
  )
}
