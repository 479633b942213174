import { TokenRequestError } from './errors.js'
import { quote, quoteIfShaped } from './outside-text.js'
import { parseRetryAfter } from './retry-after.js'
import { readToken, type Token } from './token-fields.js'
import type { Answer } from './transport.js'

/** What reading an answer needs besides the answer. */
export interface Reading {
  /** Every form of every secret, to cut out of any server text quoted. */
  secrets: readonly string[]
  /** How the URL was chosen (`region eu`, `auth-url`), for messages. */
  endpointSource: string
  /** The time in ms, for a Retry-After that is a date. */
  now: () => number
}

// Shapes of the server values that are quoted; anything else is described.
const ERROR_CODE_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/
const MIME_TYPE_SHAPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/
/** A content coding as RFC 9110 names them (`gzip`, `br`, `x-compress`). */
const CODINGS_SHAPE =
  /^[a-z0-9][a-z0-9._+-]{0,31}(, [a-z0-9][a-z0-9._+-]{0,31}){0,4}$/
/** 300 Multiple Choices offers choices and 304 to 306 point nowhere. */
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])

/**
 * Turns an answer into a Token or a TokenRequestError. Only the status, a
 * content type that is a MIME type, and for errors RFC 6749 §5.2 `error` (if
 * it is a code) and `error_description` (quoted) reach a message; the body
 * itself is never printed.
 */
export function interpretAnswer(answer: Answer, reading: Reading): Token {
  const { status } = answer
  const { secrets } = reading
  const check = `Check ${reading.endpointSource}`
  const refused = refusal(answer, reading, check)
  if (refused !== undefined) {
    throw new TokenRequestError(refused, { kind: 'refusal' })
  }
  const json = parseJson(answer.body)
  const fields = isObject(json) ? json : {}
  if (status === 200) {
    if (json === undefined) {
      throw new TokenRequestError(
        `The token endpoint answered HTTP 200, but the body is not valid JSON (${describeBody(answer, secrets)}). ${check}: a proxy or login page may be answering instead of Torq.`,
        { kind: 'refusal' }
      )
    }
    return readToken(fields, secrets, check)
  }
  const code = stringField(fields, 'error')
  const failure = {
    kind: 'answer' as const,
    status,
    code,
    retryAfterMs: parseRetryAfter(answer.retryAfter, reading.now())
  }
  const detail = describeError(answer, json, secrets)
  if (status === 401 || code === 'invalid_client') {
    throw new TokenRequestError(
      `Torq rejected the client credentials (${detail}). Check client-id and client-secret, and that ${reading.endpointSource === 'auth-url' ? 'auth-url points at' : 'region matches'} the account the API key was made in: an API key belongs to one Torq account and one region, so a key from app.eu.torq.io needs region: eu and one from app.torq.io region: us.`,
      failure
    )
  }
  throw new TokenRequestError(`The token request failed (${detail}).`, failure)
}

/** Why an answer is neither a token nor an error answer, if it is not. */
function refusal(
  answer: Answer,
  reading: Reading,
  check: string
): string | undefined {
  const { status } = answer
  if (status < 100 || status > 599) {
    return `The token endpoint answered with status ${status}, which is not an HTTP status (100 to 599). ${check}: something other than Torq is answering.`
  }
  if (status < 200) {
    return `The token endpoint answered HTTP ${status} as its final answer, where an OAuth token endpoint answers with a token or an error${status === 101 ? '; 101 Switching Protocols is what a WebSocket endpoint, or a server or proxy that switches protocols (h2c), answers' : ''}. ${check}: something other than Torq is answering.`
  }
  if (REDIRECT_STATUS.has(status)) {
    return `The token endpoint answered with a redirect (HTTP ${status}), which this action does not follow so that credentials go only to the configured URL. ${check}; give auth-url the final token URL.`
  }
  if (status >= 300 && status < 400) {
    return `The token endpoint answered with an unexpected status (HTTP ${status}): not a redirect, a token or an error${status === 304 ? ' (304 Not Modified answers a conditional request, and this action sends none)' : ''}. ${check}: something other than Torq may be answering.`
  }
  const encoding = describeEncoding(answer, reading.secrets)
  return encoding === undefined
    ? undefined
    : `The token endpoint answered HTTP ${status} with an encoded body (${encoding}) that this action did not ask for: it asks for no encoding and reads only plain bodies. A proxy or a misconfigured server is likely answering; check ${reading.endpointSource} and the runner's proxy settings.`
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

/** `HTTP 400, invalid_request, "description"`: what an error answer says. */
function describeError(
  answer: Answer,
  json: unknown,
  secrets: readonly string[]
): string {
  const parts = [`HTTP ${answer.status}`]
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
