import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'
import { TokenRequestError } from './errors.js'
import { quote } from './outside-text.js'
import { basicCredentials } from './secrets.js'
import type { TokenRequest } from './token.js'

/** A token answer is a few hundred bytes; anything this large is refused. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** The parts of an HTTP answer the action looks at; the body never leaves answer.ts. */
export interface Answer {
  status: number
  contentType: string
  retryAfter: string | undefined
  body: string
}

/**
 * Sends the token request and reads the whole answer within the deadline.
 * Fails with a TokenRequestError for anything short of a complete answer.
 */
export function send(request: TokenRequest): Promise<Answer> {
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
        res.on('error', (error) => fail(connectionError(error, request)))
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
          `No complete answer from ${quote(url.host, request.secrets)} within ${request.timeoutMs / 1000} s (timeout-seconds).`,
          { retryable: true }
        )
      )
    }, request.timeoutMs)
    function fail(error: TokenRequestError): void {
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    req.on('error', (error) => fail(connectionError(error, request)))
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

/**
 * Describes a transport failure. The error's message may carry text from a
 * proxy or the network, so it is quoted, never printed as it is.
 */
export function connectionError(
  error: unknown,
  request: Pick<TokenRequest, 'url' | 'secrets'>
): TokenRequestError {
  const { url, secrets } = request
  const host = quote(url.host, secrets)
  // Not `instanceof Error`: errors may come from another realm.
  const fields: Partial<NodeJS.ErrnoException> =
    typeof error === 'object' && error !== null ? error : {}
  const rawCode = fields.code ?? ''
  const code = /^[A-Z0-9_]{1,64}$/.test(rawCode) ? rawCode : ''
  const raw =
    typeof fields.message === 'string' ? fields.message : String(error)
  const message = quote(raw, secrets)
  if (TLS_CODES.test(code)) {
    return new TokenRequestError(
      `TLS certificate problem talking to ${host}: ${message} (${code}). If your network inspects TLS with a private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`,
      { retryable: false }
    )
  }
  if (/tunneling socket could not be established/i.test(raw)) {
    const hint = raw.includes('statusCode=407')
      ? 'The proxy wants credentials: give them in the proxy URL, http://user:password@host:port.'
      : `Check HTTPS_PROXY and NO_PROXY, and that the proxy allows CONNECT to ${host}.`
    return new TokenRequestError(
      `The proxy refused or failed to open a tunnel to ${host}: ${message}. ${hint}`,
      { retryable: !/statusCode=4\d\d/.test(raw) }
    )
  }
  if (code === 'ENOTFOUND') {
    return new TokenRequestError(
      `Could not resolve ${quote(url.hostname, secrets)}. Check auth-url, or the runner's DNS and proxy settings.`,
      { retryable: false }
    )
  }
  const retryable = TRANSIENT_CODES.has(code)
  return new TokenRequestError(
    `Could not get an answer from ${host}: ${message}${code && !raw.includes(code) ? ` (${code})` : ''}.`,
    { retryable }
  )
}
