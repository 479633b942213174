import * as core from '@actions/core'
import { systemClock, type Clock } from './clock.js'
import { ActionError, InputError } from './errors.js'
import { decideRoute, describeRoute, proxySecrets, send } from './http.js'
import { readInputs, type Context, type InputName } from './inputs.js'
import { basic, quote } from './outside-text.js'
import { mask, publishToken } from './publish.js'
import { withRetries } from './retry.js'
import { earlierToken, jobToken, keepToken } from './reuse.js'
import { grant, readAnswer } from './token.js'

/** The action: read inputs, reuse the job's token or get one, publish it. */
export async function run(clock: Clock = systemClock): Promise<void> {
  // Named as action.yml names them: a typo does not compile.
  const input = (name: InputName) => core.getInput(name)
  const id = input('client-id')
  const secret = input('client-secret')
  // Masked before anything else can print, even a message about bad input;
  // the runner masks their encodings too.
  const secrets = [
    ...(secret === '' ? [] : [secret, basic(id, secret)]),
    ...proxySecrets(process.env)
  ]
  mask(secrets)
  try {
    const settings = readInputs(input, process.env)
    const ctx: Context = { settings, secrets, clock }
    const job = jobToken(settings, clock)
    const earlier = job?.reuse && earlierToken(job)
    if (earlier) {
      publishToken(earlier, settings, true)
      keepToken(job, earlier, false)
      return
    }
    const route = decideRoute(settings.tokenUrl)
    const line = describeRoute(route, secrets)
    if (route.ignoredProxy) core.warning(line)
    else core.info(line)
    core.info(
      `Requesting a Torq API token from ${quote(settings.tokenUrl.href, secrets)} (${settings.source}).`
    )
    const message = grant(settings.clientId, settings.clientSecret)
    const token = await withRetries(
      async (n) => {
        core.debug(`Token request attempt ${n}.`)
        const sentAt = clock.now()
        return readAnswer(await send(message, route, ctx), sentAt, ctx)
      },
      settings,
      clock
    )
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
