import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'
import { TokenRequestError } from './errors.js'
import { parseRetryAfter } from './retry.js'

/** What a successful token answer means. */
export interface Token {
  accessToken: string
  tokenType: string
  /** Seconds, as returned; undefined when the answer had no usable value. */
  expiresIn: number | undefined
}

export interface TokenRequest {
  url: URL
  clientId: string
  clientSecret: string
  /** For messages: how the URL was chosen (`region eu`, `auth-url`). */
  endpointSource: string
  timeoutMs: number
  userAgent: string
  /** Current time in ms, for Retry-After dates. */
  now: () => number
}

/** A token answer is a few hundred bytes; anything this large is refused. */
export const MAX_ANSWER_BYTES = 1024 * 1024

const RETRYABLE_STATUS = new Set([408, 429])
const RETRY_AFTER_STATUS = new Set([429, 503])

/** The value of the Authorization header: id and secret sent raw, as curl -u. */
export function basicCredentials(
  clientId: string,
  clientSecret: string
): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64')
}

/** Makes one token request and interprets the answer. */
export async function requestToken(request: TokenRequest): Promise<Token> {
  const answer = await send(request)
  return interpretAnswer(answer, request)
}

/** The parts of an HTTP answer the action looks at; the body never leaves here. */
export interface Answer {
  status: number
  contentType: string
  retryAfter: string | undefined
  body: string
}

function send(request: TokenRequest): Promise<Answer> {
  const body = 'grant_type=client_credentials'
  const { url } = request
  // http-client decides, from HTTPS_PROXY/https_proxy/NO_PROXY, whether to
  // tunnel through a proxy; the request itself stays in our hands so that
  // redirects are not followed and one deadline covers the whole answer.
  // With these options the agent sends `Connection: close`: one request, and
  // the socket closes with the answer (with none, it would ask to keep it).
  const agent = new HttpClient(request.userAgent, undefined, {
    keepAlive: false
  }).getAgent(url.href)
  const transport = url.protocol === 'https:' ? https : http

  return new Promise<Answer>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          Authorization: `Basic ${basicCredentials(request.clientId, request.clientSecret)}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
          'Accept-Language': 'en_US',
          'User-Agent': request.userAgent
        }
      },
      (res) => {
        const announced = Number(res.headers['content-length'])
        if (announced > MAX_ANSWER_BYTES) {
          fail(tooLarge(res.statusCode))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) {
            fail(tooLarge(res.statusCode))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', (error) => fail(connectionError(error, url)))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: Number(res.statusCode),
            contentType: res.headers['content-type'] ?? '',
            retryAfter: res.headers['retry-after'],
            body: Buffer.concat(chunks).toString('utf8')
          })
        })
      }
    )
    // Started once the request exists, so that a request() that throws
    // leaves no timer behind.
    const timer = setTimeout(() => {
      fail(
        new TokenRequestError(
          `No complete answer from ${url.host} within ${request.timeoutMs / 1000} s (timeout-seconds).`,
          { retryable: true }
        )
      )
    }, request.timeoutMs)
    function fail(error: TokenRequestError): void {
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    req.on('error', (error) => fail(connectionError(error, url)))
    req.end(body)
  })
}

function tooLarge(status: number | undefined): TokenRequestError {
  return new TokenRequestError(
    `The token endpoint answered HTTP ${status} with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; a token answer is a few hundred bytes, so it was refused unread. Check auth-url.`,
    { retryable: false }
  )
}

const TLS_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|ERR_SSL_)/
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN'
])

/** Describes a transport failure without anything the server sent. */
export function connectionError(error: unknown, url: URL): TokenRequestError {
  // Not `instanceof Error`: errors may come from another realm.
  const fields: Partial<NodeJS.ErrnoException> =
    typeof error === 'object' && error !== null ? error : {}
  const code = fields.code ?? ''
  const message =
    typeof fields.message === 'string' ? fields.message : String(error)
  if (TLS_CODES.test(code)) {
    return new TokenRequestError(
      `TLS certificate problem talking to ${url.host}: ${message} (${code}). If your network inspects TLS with a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`,
      { retryable: false }
    )
  }
  if (/tunneling socket could not be established/i.test(message)) {
    const hint = message.includes('statusCode=407')
      ? 'The proxy wants credentials: give them in the proxy URL, http://user:password@host:port.'
      : `Check HTTPS_PROXY and NO_PROXY, and that the proxy allows CONNECT to ${url.host}.`
    return new TokenRequestError(
      `The proxy refused or failed to open a tunnel to ${url.host}: ${message}. ${hint}`,
      { retryable: !/statusCode=4\d\d/.test(message) }
    )
  }
  if (code === 'ENOTFOUND') {
    return new TokenRequestError(
      `Could not resolve ${url.hostname}. Check auth-url, or the runner's DNS and proxy settings.`,
      { retryable: false }
    )
  }
  const retryable = TRANSIENT_CODES.has(code)
  return new TokenRequestError(
    `Could not get an answer from ${url.host}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}.`,
    { retryable }
  )
}

interface ErrorFields {
  error?: string
  description?: string
}

/**
 * Turns an answer into a Token or a TokenRequestError. Only the status, the
 * content type and, for errors, RFC 6749 §5.2 `error` and `error_description`
 * reach a message; the body itself is never printed.
 */
export function interpretAnswer(answer: Answer, request: TokenRequest): Token {
  const { status } = answer
  const json = parseJson(answer.body)

  if (status === 200) {
    if (json === undefined) {
      throw new TokenRequestError(
        `The token endpoint answered HTTP 200, but the body is not valid JSON (${describeBody(answer)}). Check ${request.endpointSource}: a proxy or login page may be answering instead of Torq.`,
        { retryable: false }
      )
    }
    return readToken(json)
  }

  if (status >= 300 && status < 400) {
    throw new TokenRequestError(
      `The token endpoint answered with a redirect (HTTP ${status}), which this action does not follow so that credentials go only to the configured URL. Check ${request.endpointSource}; give auth-url the final token URL.`,
      { retryable: false }
    )
  }
  const fields = errorFields(json, request)
  const detail = describeError(status, fields, answer, json)
  if (status === 401 || fields.error === 'invalid_client') {
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

function readToken(json: unknown): Token {
  const fields = isObject(json) ? json : {}
  const accessToken = fields['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TokenRequestError(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.',
      { retryable: false }
    )
  }
  // The token goes into the runner's output and environment files; a line
  // break or space in it could forge entries there, and no real token has one.
  // eslint-disable-next-line no-control-regex -- control characters are the point
  if (/[\s\u0000-\u001f\u007f]/.test(accessToken)) {
    throw new TokenRequestError(
      'The access_token in the answer contains whitespace or control characters, which no Torq token has; it was refused and nothing was written.',
      { retryable: false }
    )
  }
  const tokenType = fields['token_type'] ?? 'Bearer'
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new TokenRequestError(
      `The token endpoint returned token_type ${JSON.stringify(clean(typeof tokenType === 'string' ? tokenType : JSON.stringify(tokenType)))}; this action hands out Bearer tokens only.`,
      { retryable: false }
    )
  }
  return {
    accessToken,
    tokenType,
    expiresIn: readExpiresIn(fields['expires_in'])
  }
}

function readExpiresIn(value: unknown): number | undefined {
  const seconds =
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return typeof seconds === 'number' &&
    Number.isSafeInteger(seconds) &&
    seconds >= 0
    ? seconds
    : undefined
}

function errorFields(json: unknown, request: TokenRequest): ErrorFields {
  if (!isObject(json)) return {}
  // A server may echo what it was sent; the secret is masked already, and is
  // also cut out here so that not even a failed mask can show it.
  const secrets = [
    request.clientSecret,
    basicCredentials(request.clientId, request.clientSecret)
  ]
  const text = (value: string): string =>
    clean(secrets.reduce((t, secret) => t.split(secret).join('***'), value))
  const fields: ErrorFields = {}
  if (typeof json['error'] === 'string') fields.error = text(json['error'])
  if (typeof json['error_description'] === 'string') {
    fields.description = text(json['error_description'])
  }
  return fields
}

function describeError(
  status: number,
  fields: ErrorFields,
  answer: Answer,
  json: unknown
): string {
  const parts = [`HTTP ${status}`]
  if (fields.error) parts.push(fields.error)
  if (fields.description) parts.push(`"${fields.description}"`)
  if (json === undefined) parts.push(`not JSON: ${describeBody(answer)}`)
  return parts.join(', ')
}

function describeBody(answer: Answer): string {
  if (answer.body === '') return 'empty body'
  const type = clean(answer.contentType.replace(/;.*/s, '')).toLowerCase()
  return type ? `content type ${type}` : 'no content type'
}

/**
 * Server text that reaches a message: one line, printable, short. It is
 * never trusted to be free of secrets; those are masked before any request.
 */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are the point
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}
