import * as core from '@actions/core'
import type { InputName } from './defaults.js'
import { ActionError, InputError } from './errors.js'
import { readInputs } from './inputs.js'
import { earlierToken, jobToken, keepToken } from './job-token.js'
import { obtainToken } from './obtain.js'
import { quote } from './outside-text.js'
import { mask, publishToken } from './publish.js'
import { systemClock, type Clock } from './clock.js'
import { decideRoute, describeRoute } from './route.js'
import { proxySecretForms, secretForms } from './secrets.js'

/** The action: read inputs, get a token, publish it. */
export async function run(clock: Clock = systemClock): Promise<void> {
  // Named as action.yml and defaults.ts name them: a typo does not compile.
  const input = (name: InputName) => core.getInput(name)
  // Masked before anything else can print, even a message about bad input,
  // in every form a server or proxy could echo them (the Authorization and
  // Proxy-Authorization headers, base64, URL-encoded).
  const secrets = [
    ...secretForms(input('client-id'), input('client-secret')),
    ...proxySecretForms(process.env)
  ]
  mask(secrets)
  try {
    const settings = readInputs(input, process.env)
    const job = jobToken(settings, clock.now)
    const earlier = job && earlierToken(job)
    if (earlier) {
      publishToken(earlier, settings, true)
      return
    }
    const route = decideRoute(settings.tokenUrl)
    const line = describeRoute(route, secrets)
    if (route.ignoredProxy) core.warning(line)
    else core.info(line)
    const token = await obtainToken(settings, route, secrets, clock)
    publishToken(token, settings)
    if (job) keepToken(job, token)
  } catch (error) {
    fail(error, secrets)
  }
}

/** Our own errors carry messages written for the user; others are quoted. */
function fail(error: unknown, secrets: readonly string[]): void {
  if (error instanceof InputError && error.problems.length > 1) {
    for (const problem of error.problems) core.error(problem)
    core.setFailed(
      `${error.problems.length} problems need fixing (see the errors above); no request was made.`
    )
  } else if (error instanceof ActionError) {
    core.setFailed(error.message)
  } else {
    const text = error instanceof Error ? error.message : String(error)
    core.setFailed(`Unexpected failure: ${quote(text, secrets)}`)
  }
}
