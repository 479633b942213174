import { TokenRequestError } from './errors.js'
import { quote, quoteIfShaped } from './outside-text.js'
import { parseRetryAfter } from './retry.js'
import type { Token, TokenRequest } from './token.js'
import type { Answer } from './transport.js'

/** RFC 6750 b64token: the characters a bearer token may have. */
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** No real token is anywhere near this long. */
export const MAX_TOKEN_LENGTH = 16 * 1024
/** One year: the longest lifetime taken as meant. */
export const MAX_EXPIRES_IN = 31_536_000

// Shapes of the server values that are quoted; anything else is described.
const TOKEN_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/
const ERROR_CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/
const MIME_TYPE_SHAPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

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
  const json = parseJson(answer.body)

  if (status < 100 || status > 599) {
    throw new TokenRequestError(
      `The token endpoint answered with status ${status}, which is not an HTTP status (100 to 599). Check ${request.endpointSource}: something other than Torq is answering.`,
      { retryable: false }
    )
  }
  if (status === 200) {
    if (json === undefined) {
      throw new TokenRequestError(
        `The token endpoint answered HTTP 200, but the body is not valid JSON (${describeBody(answer, request.secrets)}). Check ${request.endpointSource}: a proxy or login page may be answering instead of Torq.`,
        { retryable: false }
      )
    }
    return readToken(json, request.secrets)
  }

  if (status >= 300 && status < 400) {
    throw new TokenRequestError(
      `The token endpoint answered with a redirect (HTTP ${status}), which this action does not follow so that credentials go only to the configured URL. Check ${request.endpointSource}; give auth-url the final token URL.`,
      { retryable: false }
    )
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

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
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

function readToken(json: unknown, secrets: readonly string[]): Token {
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
  const tokenType = fields['token_type'] ?? 'Bearer'
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    // The refused token is cut out too: it was never masked.
    const shown =
      typeof tokenType === 'string'
        ? quoteIfShaped(tokenType, TOKEN_TYPE_SHAPE, [...secrets, accessToken])
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
