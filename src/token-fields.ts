import { TokenRequestError } from './errors.js'
import { quoteIfShaped } from './outside-text.js'

/** What a successful token answer means. */
export interface Token {
  accessToken: string
  tokenType: string
  /** Seconds, as returned; undefined when the answer had no usable value. */
  expiresIn: number | undefined
}

/** RFC 6750 b64token: the characters a bearer token may have. */
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** No real token is anywhere near this long. */
export const MAX_TOKEN_LENGTH = 16 * 1024
/**
 * Torq's tokens have 36 characters. A shorter one would be masked wherever
 * it occurs in the job's log: `e` or `Bearer` would garble every line.
 */
export const MIN_TOKEN_LENGTH = 16
/** One year: the longest lifetime taken as meant. */
export const MAX_EXPIRES_IN = 31_536_000

const TOKEN_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/

/** Each is the same on the next attempt: the answer is what it is. */
const refused = (message: string) =>
  new TokenRequestError(message, { kind: 'refusal' })

/**
 * The token in the fields of a 200 answer (RFC 6749 §5.1), or why there is
 * none usable. `check` says where the URL came from, for the message.
 */
export function readToken(
  fields: Record<string, unknown>,
  secrets: readonly string[],
  check: string
): Token {
  const accessToken = fields['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw refused(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.'
    )
  }
  // The token goes into the runner's output and environment files and into
  // later steps' commands: only the characters of a bearer token are safe
  // there, and no real token has others.
  if (
    accessToken.length > MAX_TOKEN_LENGTH ||
    !BEARER_TOKEN.test(accessToken)
  ) {
    throw refused(
      `The access_token in the answer is not a bearer token (RFC 6750: letters, digits and -._~+/ then any =, at most ${MAX_TOKEN_LENGTH} characters); it was refused and nothing was written.`
    )
  }
  // Checked once the characters are known good, and never quoted: the token
  // was not masked.
  if (accessToken.length < MIN_TOKEN_LENGTH) {
    throw refused(
      `The access_token in the answer has ${accessToken.length} ${accessToken.length === 1 ? 'character' : 'characters'}, fewer than the ${MIN_TOKEN_LENGTH} of any real token (Torq's have 36); it was refused and nothing was written. ${check}: something other than Torq may be answering.`
    )
  }
  const tokenType = fields['token_type'] ?? 'Bearer'
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    // The refused token is cut out too: it was never masked.
    const shown =
      typeof tokenType === 'string'
        ? quoteIfShaped(tokenType, TOKEN_TYPE_SHAPE, [...secrets, accessToken])
        : undefined
    throw refused(
      `The token endpoint returned ${shown === undefined ? 'an unexpected token_type' : `token_type "${shown}"`}; this action hands out Bearer tokens only.`
    )
  }
  return {
    accessToken,
    tokenType,
    expiresIn: readExpiresIn(fields['expires_in'])
  }
}

/** Whole seconds from 1 to a year, as a number or a string of digits. */
function readExpiresIn(value: unknown): number | undefined {
  const seconds =
    typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value
  return typeof seconds === 'number' &&
    Number.isInteger(seconds) &&
    seconds >= 1 &&
    seconds <= MAX_EXPIRES_IN
    ? seconds
    : undefined
}
