import * as core from '@actions/core'
import { accessSync, constants, statSync, truncateSync } from 'node:fs'
import { ActionError } from './errors.js'
import type { Settings } from './inputs.js'
import type { Token } from './token.js'

/** Every output of action.yml, in its order: a test keeps the two equal. */
export const OUTPUTS = [
  'token',
  'token-type',
  'expires-in',
  'expires-at',
  'reused',
  'api-url'
] as const

export type OutputName = (typeof OUTPUTS)[number]

/**
 * Tells the runner to hide each value from the log: a multi-line value also
 * line by line, since the runner matches masks within single lines.
 */
export function mask(values: readonly string[]): void {
  for (const value of new Set(values)) {
    if (value === '') continue
    core.setSecret(value)
    for (const line of value.split(/\r?\n|\r/)) {
      if (line !== '' && line !== value) core.setSecret(line)
    }
  }
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
  const code = String((error as { code?: unknown } | null)?.code)
  return /^E[A-Z0-9]+$/.test(code)
    ? `${REASONS[code] ?? 'an unexpected error'} (${code})`
    : 'an unexpected error'
}

/** The length of a writable regular file; throws otherwise. */
function size(path: string): number {
  accessSync(path, constants.W_OK)
  const stats = statSync(path)
  if (stats.isFile()) return stats.size
  throw Object.assign(new Error('not a regular file'), {
    code: stats.isDirectory() ? 'EISDIR' : 'ENOTFILE'
  })
}

/**
 * Masks the token, then hands it to later steps through @actions/core: the
 * outputs, and the variable unless export-env is false. All or nothing: the
 * lengths of GITHUB_OUTPUT and GITHUB_ENV are noted first, and if a write
 * fails, both are cut back to them.
 */
export function publishToken(
  token: Token,
  settings: Settings,
  reused = false
): void {
  const expiresAt =
    token.expiresAt === undefined ? '' : new Date(token.expiresAt).toISOString()
  const expiresIn = token.expiresIn === undefined ? '' : String(token.expiresIn)
  // Typed by OUTPUTS: an output not in action.yml does not compile, nor a missing one.
  const outputs: Record<OutputName, string> = {
    token: token.accessToken,
    'token-type': token.tokenType,
    'expires-in': expiresIn,
    'expires-at': expiresAt,
    reused: String(reused),
    'api-url': settings.apiUrl
  }
  mask([token.accessToken])
  if (expiresAt === '') {
    core.warning(
      'The token answer had no usable expires_in (a whole number of seconds up to a year); the outputs expires-in and expires-at are empty. Torq tokens usually last one hour.'
    )
  }
  const files = [
    { variable: 'GITHUB_OUTPUT', path: settings.outputFile },
    ...(settings.exportEnv
      ? [{ variable: 'GITHUB_ENV', path: settings.envFile }]
      : [])
  ].map((file) => {
    try {
      return { ...file, size: size(file.path) }
    } catch (error) {
      throw failure(
        file.variable,
        error,
        'Nothing was written to the runner files.'
      )
    }
  })
  let writing = 'GITHUB_OUTPUT'
  try {
    for (const name of OUTPUTS) core.setOutput(name, outputs[name])
    writing = 'GITHUB_ENV'
    if (settings.exportEnv)
      core.exportVariable(settings.envVar, token.accessToken)
  } catch (error) {
    throw failure(writing, error, restore(files))
  }
  const where = settings.exportEnv
    ? ` and in $${settings.envVar} for the following steps of this job`
    : ''
  core.info(
    reused
      ? `Reusing this job's Torq API token from an earlier step (valid for ${expiresIn} s more, until ${expiresAt}); no request sent.`
      : `Got a Torq API token (${token.tokenType}${expiresAt ? `, valid for ${expiresIn} s until ${expiresAt}` : ''}). It is in the step output token${where}.`
  )
}

/** Cuts each file back to its earlier length; says how that went. */
function restore(
  files: readonly { variable: string; path: string; size: number }[]
): string {
  const restored: string[] = []
  const broken: string[] = []
  for (const { variable, path, size } of files) {
    try {
      truncateSync(path, size)
      restored.push(variable)
    } catch (error) {
      broken.push(`${variable} (${reason(error)})`)
    }
  }
  const back =
    restored.length === 0
      ? ''
      : `${restored.join(' and ')} ${restored.length > 1 ? 'were' : 'was'} put back as before this step. `
  if (broken.length === 0)
    return `${back}No output and no variable was written.`
  return `${back}Putting back ${broken.join(' and ')} failed too, so ${broken.length > 1 ? 'those files' : 'that file'} may hold a partial write; do not rely on the outputs or variables of this step.`
}

function failure(
  variable: string,
  error: unknown,
  outcome: string
): ActionError {
  return new ActionError(
    `Could not write the runner's ${variable} file: ${reason(error)}. ${outcome} The runner makes this file for each step; check its disk, and that no earlier step changed or removed the file.`
  )
}
