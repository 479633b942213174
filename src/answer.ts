import { TokenRequestError } from './errors.js'
import { quote, quoteIfShaped } from './outside-text.js'
import { parseRetryAfter } from './retry-after.js'
import type { Token, TokenRequest } from './token.js'
import type { Answer } from './transport.js'

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

// Shapes of the server values that are quoted; anything else is described.
const TOKEN_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/
const ERROR_CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/
const MIME_TYPE_SHAPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

/** A content coding as RFC 9110 names them (`gzip`, `br`, `x-compress`). */
const CODINGS_SHAPE =
  /^[a-z0-9][a-z0-9._+-]{0,31}(, [a-z0-9][a-z0-9._+-]{0,31}){0,4}$/

/** 300 Multiple Choices offers choices and 304 to 306 point nowhere. */
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const RETRYABLE_STATUS = new Set([408, 429])
const RETRY_AFTER_STATUS = new Set([429, 503])

/**
 * Turns an answer into a Token or a TokenRequestError. Only the status, a
 * content type that is a MIME type, and for errors RFC 6749 §5.2 `error` (if
 * it is a code) and `error_description` (quoted) reach a message; the body
 * itself is never printed.
 */
export function interpretAnswer(answer: Answer, request: TokenRequest): Token {
  const { status } = answer
  const refused = refusal(answer, request)
  if (refused !== undefined) {
    throw new TokenRequestError(refused, { retryable: false })
  }
  const json = parseJson(answer.body)
  if (status === 200) {
    if (json === undefined) {
      throw new TokenRequestError(
        `The token endpoint answered HTTP 200, but the body is not valid JSON (${describeBody(answer, request.secrets)}). Check ${request.endpointSource}: a proxy or login page may be answering instead of Torq.`,
        { retryable: false }
      )
    }
    return readToken(json, request)
  }

  const fields = isObject(json) ? json : {}
  const code = stringField(fields, 'error')
  const detail = describeError(status, answer, json, request.secrets)
  if (status === 401 || code === 'invalid_client') {
    throw new TokenRequestError(
      `Torq rejected the client credentials (${detail}). Check client-id and client-secret, and that ${request.endpointSource === 'auth-url' ? 'auth-url points at' : 'region matches'} the account the API key was made in: an API key belongs to one Torq account and one region, so a key from app.eu.torq.io needs region: eu and one from app.torq.io region: us.`,
      { retryable: false }
    )
  }
  const retryable = RETRYABLE_STATUS.has(status) || status >= 500
  throw new TokenRequestError(`The token request failed (${detail}).`, {
    retryable,
    status,
    retryAfterMs: RETRY_AFTER_STATUS.has(status)
      ? parseRetryAfter(answer.retryAfter, request.now())
      : undefined
  })
}

/**
 * Why an answer is neither a token nor an error answer, if it is not: what
 * it is would be the same on the next attempt, so it is not retried.
 */
function refusal(answer: Answer, request: TokenRequest): string | undefined {
  const { status } = answer
  const check = `Check ${request.endpointSource}`
  if (status < 100 || status > 599) {
    return `The token endpoint answered with status ${status}, which is not an HTTP status (100 to 599). ${check}: something other than Torq is answering.`
  }
  if (status < 200) {
    // Node.js reads past interim answers but for an upgrade: any 1xx here
    // was given as the answer.
    return `The token endpoint answered HTTP ${status}, an interim status, and nothing after it; an OAuth token endpoint answers with a final status (a token or an error)${status === 101 ? ', and 101 Switching Protocols means the connection was switched to another protocol (h2c, a WebSocket)' : ''}. ${check}: something other than Torq is answering.`
  }
  if (REDIRECT_STATUS.has(status)) {
    return `The token endpoint answered with a redirect (HTTP ${status}), which this action does not follow so that credentials go only to the configured URL. ${check}; give auth-url the final token URL.`
  }
  if (status >= 300 && status < 400) {
    return `The token endpoint answered with an unexpected status (HTTP ${status}): not a redirect, a token or an error${status === 304 ? ' (304 Not Modified answers a conditional request, and this action sends none)' : ''}. ${check}: something other than Torq may be answering.`
  }
  const encoding = describeEncoding(answer, request.secrets)
  return encoding === undefined
    ? undefined
    : `The token endpoint answered HTTP ${status} with an encoded body (${encoding}) that this action did not ask for: it asks for no encoding and reads only plain bodies. A proxy or a misconfigured server is likely answering; check ${request.endpointSource} and the runner's proxy settings.`
}

function parseJson(body: string): unknown {
  try {
    // A byte order mark before JSON is allowed to be skipped (RFC 8259 §8.1).
    return JSON.parse(body.replace(/^\uFEFF/, '')) as unknown
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(
  fields: Record<string, unknown>,
  name: string
): string | undefined {
  const value = fields[name]
  return typeof value === 'string' ? value : undefined
}

function readToken(json: unknown, request: TokenRequest): Token {
  const fields = isObject(json) ? json : {}
  const accessToken = fields['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TokenRequestError(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.',
      { retryable: false }
    )
  }
  // The token goes into the runner's output and environment files and into
  // later steps' commands: only the characters of a bearer token are safe
  // there, and no real token has others.
  if (
    accessToken.length > MAX_TOKEN_LENGTH ||
    !BEARER_TOKEN.test(accessToken)
  ) {
    throw new TokenRequestError(
      `The access_token in the answer is not a bearer token (RFC 6750: letters, digits and -._~+/ then any =, at most ${MAX_TOKEN_LENGTH} characters); it was refused and nothing was written.`,
      { retryable: false }
    )
  }
  // Checked once the characters are known good, and never quoted: the token
  // was not masked.
  if (accessToken.length < MIN_TOKEN_LENGTH) {
    throw new TokenRequestError(
      `The access_token in the answer has ${accessToken.length} ${accessToken.length === 1 ? 'character' : 'characters'}, fewer than the ${MIN_TOKEN_LENGTH} of any real token (Torq's have 36); it was refused and nothing was written. Check ${request.endpointSource}: something other than Torq may be answering.`,
      { retryable: false }
    )
  }
  const tokenType = fields['token_type'] ?? 'Bearer'
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    // The refused token is cut out too: it was never masked.
    const shown =
      typeof tokenType === 'string'
        ? quoteIfShaped(tokenType, TOKEN_TYPE_SHAPE, [
            ...request.secrets,
            accessToken
          ])
        : undefined
    throw new TokenRequestError(
      `The token endpoint returned ${shown === undefined ? 'an unexpected token_type' : `token_type "${shown}"`}; this action hands out Bearer tokens only.`,
      { retryable: false }
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

function describeError(
  status: number,
  answer: Answer,
  json: unknown,
  secrets: readonly string[]
): string {
  const parts = [`HTTP ${status}`]
  if (json === undefined) {
    parts.push(`not JSON: ${describeBody(answer, secrets)}`)
    return parts.join(', ')
  }
  const fields = isObject(json) ? json : {}
  const code = stringField(fields, 'error')
  if (code !== undefined && code !== '') {
    parts.push(
      quoteIfShaped(code, ERROR_CODE_SHAPE, secrets) ??
        'an unexpected error code'
    )
  }
  const description = quote(
    stringField(fields, 'error_description') ?? '',
    secrets
  )
  if (description !== '') parts.push(`"${description}"`)
  return parts.join(', ')
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

/**
 * The Content-Encoding of a body, if it has one other than identity, for a
 * message: `Content-Encoding gzip`. Codings are names in any case, listed
 * with commas.
 */
function describeEncoding(
  answer: Answer,
  secrets: readonly string[]
): string | undefined {
  const codings = (answer.contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (answer.body === '' || codings.length === 0) return undefined
  const shown = quoteIfShaped(codings.join(', '), CODINGS_SHAPE, secrets)
  return shown === undefined
    ? 'an unexpected Content-Encoding'
    : `Content-Encoding ${shown}`
}
