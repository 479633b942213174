import { TokenRequestError } from './errors.js'
import type { Answer, Message } from './http.js'
import type { Context } from './inputs.js'
import {
  basic,
  isEcho,
  MAX_QUOTE_LENGTH,
  quote,
  quoteIfShaped
} from './outside-text.js'

/** Sent as User-Agent; kept equal to package.json by a test. */
export const USER_AGENT = 'torq-token-action/1.0.0'

/** A token, fresh from Torq or kept from an earlier step. */
export interface Token {
  accessToken: string
  tokenType: string
  /** Seconds: as Torq returned it, or for a kept token, the whole seconds left. */
  expiresIn: number | undefined
  /** When it expires, in ms since the epoch, counted from when the request was sent. */
  expiresAt: number | undefined
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
/** One year: the longest lifetime, and the longest Retry-After, taken as meant. */
export const MAX_EXPIRES_IN = 31_536_000

/**
 * The client-credentials grant (RFC 6749 §4.4), id and secret in HTTP Basic
 * sent raw, as Torq documents it.
 */
export function grant(clientId: string, clientSecret: string): Message {
  return {
    headers: {
      Authorization: `Basic ${basic(clientId, clientSecret)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      'Accept-Language': 'en_US',
      'User-Agent': USER_AGENT
    },
    body: 'grant_type=client_credentials'
  }
}

// Shapes of the server values that are quoted; anything else is described.
const ERROR_CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/
const MIME_TYPE_SHAPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/
const TOKEN_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/
/** 300 Multiple Choices offers choices and 304 to 306 point nowhere. */
const REDIRECT_STATUS = [301, 302, 303, 307, 308]

/**
 * Milliseconds a Retry-After header (RFC 9110 §10.2.3) asks to wait from
 * `now`: delay-seconds, or an HTTP-date (named days and months, so that no
 * bare number is taken for a date). Anything else, or over a year, is absent.
 */
export function retryAfterMs(
  header: string | undefined,
  now: number
): number | undefined {
  const value = header?.trim() ?? ''
  const ms = /^\d+$/.test(value)
    ? Number(value) * 1000
    : /^[A-Z][a-z]{2}/.test(value)
      ? Math.max(0, Date.parse(value) - now)
      : Number.NaN
  return ms <= MAX_EXPIRES_IN * 1000 ? ms : undefined
}

/**
 * What an answer means: a Token, or a TokenRequestError. Only the status, a
 * content type that is a MIME type, and for errors RFC 6749 §5.2 `error` (if
 * it is a code) and `error_description` (quoted) reach a message; the body
 * itself is never printed. `sentAt`: when the request was sent.
 */
export function readAnswer(
  answer: Answer,
  sentAt: number,
  ctx: Context
): Token {
  const { status } = answer
  const { secrets, settings } = ctx
  const check = `Check ${settings.source}`
  const refusal = (message: string) =>
    new TokenRequestError(message, { kind: 'refusal' })
  if (status < 200 || status > 599) {
    throw refusal(
      `The token endpoint answered with status ${status}, where an OAuth token endpoint answers with a token or an error. ${check}: something other than Torq is answering.`
    )
  }
  if (REDIRECT_STATUS.includes(status)) {
    throw refusal(
      `The token endpoint answered with a redirect (HTTP ${status}), which this action does not follow so that credentials go only to the configured URL. ${check}; give auth-url the final token URL.`
    )
  }
  if (status >= 300 && status < 400) {
    throw refusal(
      `The token endpoint answered with an unexpected status (HTTP ${status}): not a redirect, a token or an error. ${check}: something other than Torq may be answering.`
    )
  }
  const encoding = (answer.contentEncoding ?? '').trim().toLowerCase()
  if (answer.body !== '' && encoding !== '' && encoding !== 'identity') {
    throw refusal(
      `The token endpoint answered HTTP ${status} with an encoded body (Content-Encoding ${quoteIfShaped(encoding, /^[a-z0-9][a-z0-9._+, -]{0,63}$/, secrets) ?? 'unexpected'}) that this action did not ask for. A proxy or a misconfigured server is likely answering; ${check.toLowerCase()} and the runner's proxy settings.`
    )
  }
  const json = parseJson(answer.body)
  const fields = isObject(json) ? json : {}
  if (status === 200) {
    if (json === undefined) {
      throw refusal(
        `The token endpoint answered HTTP 200, but the body is not valid JSON (${describeBody(answer, secrets)}). ${check}: a proxy or login page may be answering instead of Torq.`
      )
    }
    // A token, or with neither a token nor an error, why there is none.
    if (fields['access_token'] !== undefined || fields['error'] === undefined)
      return readToken(fields, sentAt, ctx)
  }
  const code = typeof fields['error'] === 'string' ? fields['error'] : undefined
  const failure = {
    kind: 'answer' as const,
    status,
    code,
    retryAfterMs: retryAfterMs(answer.retryAfter, ctx.clock.now())
  }
  const parts = [`HTTP ${status}`]
  if (json === undefined)
    parts.push(`not JSON: ${describeBody(answer, secrets)}`)
  if (code) {
    parts.push(
      quoteIfShaped(code, ERROR_CODE_SHAPE, secrets) ??
        'an unexpected error code'
    )
  }
  const described = fields['error_description']
  const description =
    typeof described === 'string' ? quote(described, secrets) : ''
  if (description !== '') parts.push(`"${description}"`)
  const detail = parts.join(', ')
  if (status === 401 || code === 'invalid_client') {
    const where =
      settings.source === 'auth-url'
        ? `auth-url (${quote(settings.tokenUrl.href, secrets)}) is the token URL of the Torq account the key belongs to`
        : `${settings.source} is the key's: a key made in app.eu.torq.io needs region: eu, one made in app.torq.io region: us`
    throw new TokenRequestError(
      `Torq rejected the client credentials (${detail}). Check that client-id and client-secret are those of an API key that still exists (a Torq API key can expire or be deleted), and that ${where}.`,
      failure
    )
  }
  throw new TokenRequestError(`The token request failed (${detail}).`, failure)
}

/** The token in the fields of a 200 answer (RFC 6749 §5.1), or why there is none usable. */
function readToken(
  fields: Record<string, unknown>,
  sentAt: number,
  ctx: Context
): Token {
  const refused = (message: string) =>
    new TokenRequestError(message, { kind: 'refusal' })
  const accessToken = fields['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw refused(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.'
    )
  }
  // An endpoint echoing the request must not make a credential a token.
  if (isEcho(accessToken, [...ctx.secrets, ctx.settings.clientId])) {
    throw refused(
      `The token endpoint returned as access_token a credential the action sent (client-id, client-secret, or a proxy password); it was refused and nothing was written. Check ${ctx.settings.source}: something other than Torq is answering.`
    )
  }
  // The token goes into the runner's files and into later steps' commands:
  // only the characters of a bearer token are safe there.
  if (
    accessToken.length > MAX_TOKEN_LENGTH ||
    !BEARER_TOKEN.test(accessToken)
  ) {
    throw refused(
      `The access_token in the answer is not a bearer token (RFC 6750: letters, digits and -._~+/ then any =, at most ${MAX_TOKEN_LENGTH} characters); it was refused and nothing was written.`
    )
  }
  // Never quoted: the token was not masked.
  if (accessToken.length < MIN_TOKEN_LENGTH) {
    throw refused(
      `The access_token in the answer has ${accessToken.length} ${accessToken.length === 1 ? 'character' : 'characters'}, fewer than the ${MIN_TOKEN_LENGTH} of any real token (Torq's have 36); it was refused and nothing was written. Check ${ctx.settings.source}: something other than Torq may be answering.`
    )
  }
  const tokenType = fields['token_type'] ?? 'Bearer'
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw refused(
      `The token endpoint returned ${showTokenType(tokenType, [...ctx.secrets, accessToken])}; this action hands out Bearer tokens only.`
    )
  }
  // Whole seconds from 1 to a year, as a number or a string of digits.
  const given = fields['expires_in']
  const seconds =
    typeof given === 'string' && /^\d{1,9}$/.test(given) ? Number(given) : given
  const expiresIn =
    Number.isInteger(seconds) &&
    (seconds as number) >= 1 &&
    (seconds as number) <= MAX_EXPIRES_IN
      ? (seconds as number)
      : undefined
  return {
    accessToken,
    tokenType,
    expiresIn,
    expiresAt: expiresIn === undefined ? undefined : sentAt + expiresIn * 1000
  }
}

/**
 * A token_type as the JSON had it, every invisible character (a space
 * included) escaped as \uXXXX, if it is a word besides; the refused token is
 * cut too, since it was never masked.
 */
function showTokenType(value: unknown, secrets: readonly string[]): string {
  if (
    typeof value !== 'string' ||
    value.length > MAX_QUOTE_LENGTH ||
    !quoteIfShaped(
      value.replace(/[^\x21-\x7e]/g, ''),
      TOKEN_TYPE_SHAPE,
      secrets
    )
  )
    return 'an unexpected token_type'
  const shown = JSON.stringify(value).replace(
    /[^\x21-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
  return shown.length <= MAX_QUOTE_LENGTH
    ? `token_type ${shown}`
    : 'an unexpected token_type'
}

function parseJson(body: string): unknown {
  try {
    // A byte order mark before JSON may be skipped (RFC 8259 §8.1).
    return JSON.parse(body.replace(/^\uFEFF/, '')) as unknown
  } catch {
    return undefined
  }
}

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeBody(answer: Answer, secrets: readonly string[]): string {
  if (answer.body === '') return 'empty body'
  const type = answer.contentType.replace(/;.*/s, '').trim()
  if (type === '') return 'no content type'
  const shown = quoteIfShaped(type, MIME_TYPE_SHAPE, secrets)
  return shown === undefined
    ? 'an unexpected content type'
    : `content type ${shown.toLowerCase()}`
}
