import { EOL } from 'node:os'

/**
 * What the action says to the runner on stdout, and how it reads its inputs,
 * byte for byte as @actions/core does (a test holds the two equal). Importing
 * @actions/core itself loads all of it, its HTTP client for OIDC tokens
 * included: most of what a run costs, for these few functions.
 */

/** An input as the runner passes it (INPUT_<NAME>), trimmed; '' if unset. */
export function getInput(name: string): string {
  const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
  return (process.env[variable] ?? '').trim()
}

/** `::name::data`, with what would end the data or its line escaped. */
function command(name: string, data: string): string {
  const escaped = data
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
  return `::${name}::${escaped}${EOL}`
}

/** Tells the runner to hide each value from the log, in one write. */
export function addMasks(values: readonly string[]): void {
  if (values.length > 0) {
    process.stdout.write(
      values.map((value) => command('add-mask', value)).join('')
    )
  }
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`)
}

/** Shown only when the run has step debug logging on. */
export function debug(message: string): void {
  process.stdout.write(command('debug', message))
}

export function warning(message: string): void {
  process.stdout.write(command('warning', message))
}

export function error(message: string): void {
  process.stdout.write(command('error', message))
}

/** The step fails with `message` as an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}
