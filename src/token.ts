import { interpretAnswer } from './answer.js'
import type { Clock } from './clock.js'
import { clientCredentials } from './client-credentials.js'
import type { Route } from './route.js'
import type { Token } from './token-fields.js'
import { send } from './transport.js'

export type { Token } from './token-fields.js'

export interface TokenRequest {
  url: URL
  /** Direct or through which proxy, as decided once for the run. */
  route: Route
  clientId: string
  clientSecret: string
  /** Every form of the secret, to cut out of any server text quoted. */
  secrets: readonly string[]
  /** For messages: how the URL was chosen (`region eu`, `auth-url`). */
  endpointSource: string
  timeoutMs: number
  userAgent: string
}

/**
 * Makes one token request: the grant sent within timeout-seconds of the
 * clock, then what the answer means.
 */
export async function requestToken(
  request: TokenRequest,
  clock: Clock
): Promise<Token> {
  const { clientId, clientSecret, userAgent, secrets, endpointSource } = request
  const answer = await send({
    ...clientCredentials(clientId, clientSecret, userAgent),
    url: request.url,
    route: request.route,
    secrets,
    endpointSource,
    deadline: clock.deadline(request.timeoutMs),
    timeoutMs: request.timeoutMs
  })
  return interpretAnswer(answer, { secrets, endpointSource, now: clock.now })
}
