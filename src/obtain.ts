import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import { quote } from './outside-text.js'
import { withRetries, type Clock } from './retry.js'
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
      core.debug(`Token request attempt ${attempt} of ${settings.retries + 1}.`)
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
    settings.retries,
    clock,
    {
      retrying: (attempt, attempts, reason, waitMs) =>
        core.info(
          `Attempt ${attempt} of ${attempts} failed: ${reason} Retrying in ${(waitMs / 1000).toFixed(1)} s.`
        )
    }
  )
}
