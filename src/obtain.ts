import * as core from '@actions/core'
import { withRetries } from './attempts.js'
import type { Clock } from './clock.js'
import type { Settings } from './inputs.js'
import { quote } from './outside-text.js'
import { retryLine } from './retry-words.js'
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
      const token = await requestToken(
        {
          url: settings.tokenUrl,
          route,
          clientId: settings.clientId,
          clientSecret: settings.clientSecret,
          secrets,
          endpointSource: settings.endpointSource,
          timeoutMs: settings.timeoutMs,
          userAgent: USER_AGENT
        },
        clock
      )
      return { ...token, sentAt }
    },
    settings,
    clock,
    { retrying: (event) => core.info(retryLine(event)) }
  )
}
