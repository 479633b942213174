import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import { quote } from './outside-text.js'
import { withRetries, type Clock, type RetryEvent } from './retry.js'
import type { Route } from './route.js'
import { requestToken, type Token } from './token.js'
import { USER_AGENT } from './version.js'

export interface ObtainedToken extends Token {
  /** When the request that returned the token was sent (ms since epoch). */
  sentAt: number
}

/** Asks Torq for a token, retrying transient failures as retry.ts decides. */
export async function obtainToken(
  settings: Settings,
  route: Route,
  secrets: readonly string[],
  clock: Clock
): Promise<ObtainedToken> {
  core.info(
    `Requesting a Torq API token from ${quote(settings.tokenUrl.href, secrets)} (${settings.endpointSource}).`
  )
  return withRetries(
    async (attempt) => {
      core.debug(`Token request attempt ${attempt}.`)
      const sentAt = clock.now()
      const token = await requestToken({
        url: settings.tokenUrl,
        route,
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        secrets,
        endpointSource: settings.endpointSource,
        timeoutMs: settings.timeoutMs,
        userAgent: USER_AGENT,
        now: clock.now
      })
      return { ...token, sentAt }
    },
    settings,
    clock,
    { retrying: (event) => core.info(retryLine(event)) }
  )
}

/** One line per retry: the attempt, why it failed, the wait, what is used up. */
function retryLine(event: RetryEvent): string {
  const used = event.rateLimited
    ? `HTTP 429 number ${event.count}; ${seconds(event.waitedMs)} s of the ${event.budgetMs / 1000} s of rate-limit-wait-seconds used`
    : `retry ${event.retry} of ${event.retries}`
  return `Attempt ${event.attempt} failed: ${event.reason} Retrying in ${seconds(event.waitMs)} s (${used}).`
}

/**
 * Tenths of a second, rounded down: a line never says more of the budget is
 * used than is, and its wait and time used agree.
 */
function seconds(ms: number): string {
  return (Math.floor(ms / 100) / 10).toFixed(1)
}
