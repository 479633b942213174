import { interpretAnswer } from './answer.js'
import type { Route } from './route.js'
import { send } from './transport.js'

/** What a successful token answer means. */
export interface Token {
  accessToken: string
  tokenType: string
  /** Seconds, as returned; undefined when the answer had no usable value. */
  expiresIn: number | undefined
}

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
  /** Current time in ms, for Retry-After dates. */
  now: () => number
}

/** Makes one token request: sends it, then reads what the answer means. */
export async function requestToken(request: TokenRequest): Promise<Token> {
  return interpretAnswer(await send(request), request)
}
