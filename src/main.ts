import * as core from '@actions/core'
import { InputError } from './errors.js'
import { readInputs } from './inputs.js'
import { obtainToken } from './obtain.js'
import { mask, publishToken } from './publish.js'
import { systemClock, type Clock } from './retry.js'
import { basicCredentials } from './token.js'

/** The action: read inputs, get a token, publish it. */
export async function run(clock: Clock = systemClock): Promise<void> {
  try {
    // Masked before anything else can print, even a message about bad input.
    mask(core.getInput('client-secret'))
    const settings = readInputs((name) => core.getInput(name))
    // A server that echoes the Authorization header must not reveal it either.
    mask(basicCredentials(settings.clientId, settings.clientSecret))
    const token = await obtainToken(settings, clock)
    publishToken(token, settings)
  } catch (error) {
    fail(error)
  }
}

function fail(error: unknown): void {
  if (error instanceof InputError && error.problems.length > 1) {
    for (const problem of error.problems) core.error(problem)
    core.setFailed(
      `${error.problems.length} inputs need fixing (see the errors above); no request was made.`
    )
  } else if (error instanceof Error) {
    core.setFailed(error.message)
  } else {
    core.setFailed(`Unexpected failure: ${String(error)}`)
  }
}
