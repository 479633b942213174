import { quote } from './outside-text.js'

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

/** What the action reads from an error of a socket, TLS or DNS lookup. */
export interface NetError {
  /** Node's error code when it looks like one (`ECONNREFUSED`), else ''. */
  code: string
  /** The error's message as it came, for matching only, never for printing. */
  raw: string
  /** The message quoted: secrets cut out, inert, one short line. */
  message: string
  /** A certificate or TLS failure: retrying cannot help. */
  tls: boolean
  /** A failure that may pass: worth another attempt. */
  transient: boolean
}

/**
 * Reads an error from the network. Its message may carry text from a server,
 * a proxy or the network, so it is quoted, never printed as it is.
 */
export function readNetError(
  error: unknown,
  secrets: readonly string[]
): NetError {
  // Not `instanceof Error`: errors may come from another realm.
  const fields: Partial<NodeJS.ErrnoException> =
    typeof error === 'object' && error !== null ? error : {}
  const rawCode = fields.code ?? ''
  const code = /^[A-Z0-9_]{1,64}$/.test(rawCode) ? rawCode : ''
  const raw =
    typeof fields.message === 'string' ? fields.message : String(error)
  return {
    code,
    raw,
    message: quote(raw, secrets),
    tls: TLS_CODES.test(code),
    transient: TRANSIENT_CODES.has(code)
  }
}
