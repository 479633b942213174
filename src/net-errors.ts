import { readFileSync, statSync } from 'node:fs'
import { TokenRequestError } from './errors.js'
import { quote } from './outside-text.js'

const CERTIFICATE_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/
/** An OpenSSL error line: `…:error:0A00010B:SSL routines:function:reason:file:line:`. */
const OPENSSL_REASON = /:SSL routines:[^:]*:([^:]+):/
/** A TLS alert the other end sent: `ssl/tls alert handshake failure`. */
const ALERT_REASON = /^(?:ssl\/tls|sslv3|tlsv1) alert (.+)/
/**
 * OpenSSL's reasons for bytes that are no TLS server's answer: plain HTTP, a
 * block page, a record that is no record, handshake messages out of order.
 */
const NOT_TLS_REASONS = new Set([
  'wrong version number',
  'packet length too long',
  'data length too long',
  'excessive message size',
  'unexpected message',
  'unexpected record',
  'bad change cipher spec',
  'invalid alert',
  'unknown alert type',
  'record layer failure'
])

/** What a failure means for the user, whoever it happened with. */
export type NetErrorKind =
  'certificate' | 'not-tls' | 'tls-alert' | 'not-http' | 'unresolved' | 'other'

/** What the action reads from an error of a socket, TLS or DNS lookup. */
export interface NetError {
  kind: NetErrorKind
  /** Node's error code when it looks like one (`ECONNREFUSED`), else ''. */
  code: string
  /** The error's message as it came, for matching only, never for printing. */
  raw: string
  /**
   * The message quoted: OpenSSL's reason alone, or for a TLS alert its name
   * (`handshake failure`); secrets cut out, one line.
   */
  message: string
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
  const reason = OPENSSL_REASON.exec(raw)?.[1] ?? ''
  const alert = ALERT_REASON.exec(reason)?.[1]
  let kind: NetErrorKind = 'other'
  if (alert !== undefined) kind = 'tls-alert'
  else if (NOT_TLS_REASONS.has(reason)) kind = 'not-tls'
  else if (CERTIFICATE_CODES.test(code)) kind = 'certificate'
  else if (code === 'ENOTFOUND') kind = 'unresolved'
  else if (code.startsWith('HPE_')) kind = 'not-http'
  return {
    kind,
    code,
    raw,
    message: quote(alert ?? (reason || raw), secrets)
  }
}

/** The one a failure happened with, as the messages about it name it. */
export interface Peer {
  /** `auth.torq.io`, `the proxy 127.0.0.1:3128 (from HTTPS_PROXY)`, quoted. */
  name: string
  /** The whole message for an answer that is not TLS. */
  notTls: string
  /** The whole message for a host name that does not resolve. */
  unresolved: string
  /** What to check when its answer is not HTTP. */
  checkHttp: string
  /** Whose private certificate authority an untrusted certificate may mean. */
  privateCa: string
  /** How the message for any other failure begins. */
  failed: string
}

/**
 * Describes a failure of the network, TLS or DNS with `peer`: the wording of
 * each kind, for the token endpoint and for a proxy alike.
 */
export function describeNetError(
  error: unknown,
  peer: Peer,
  secrets: readonly string[]
): TokenRequestError {
  const net = readNetError(error, secrets)
  const tls = (message: string) =>
    new TokenRequestError(message, { kind: 'tls' }, error)
  switch (net.kind) {
    case 'not-tls':
      return tls(peer.notTls)
    case 'tls-alert':
      return tls(
        `The TLS handshake with ${peer.name} failed: the other end sent the TLS alert "${net.message}".`
      )
    case 'certificate':
      return tls(
        `TLS certificate problem talking to ${peer.name}: ${net.message} (${net.code}). ${caAdvice(peer.privateCa, secrets)}`
      )
    case 'not-http':
      return new TokenRequestError(
        `The answer from ${peer.name} is not HTTP as Node.js reads it: ${net.message} (${net.code}). ${peer.checkHttp}`,
        { kind: 'refusal' },
        error
      )
    case 'unresolved':
      return new TokenRequestError(
        peer.unresolved,
        { kind: 'network', code: net.code },
        error
      )
    default:
      return new TokenRequestError(
        `${peer.failed}: ${net.message}${net.code && !net.raw.includes(net.code) ? ` (${net.code})` : ''}.`,
        { kind: 'network', code: net.code },
        error
      )
  }
}

/**
 * What to do about a certificate that is not trusted: give Node.js the CA's
 * file, or, if NODE_EXTRA_CA_CERTS names one already, what is wrong with it
 * (Node.js reads it at start-up and only warns if it cannot).
 */
function caAdvice(privateCa: string, secrets: readonly string[]): string {
  const file = process.env['NODE_EXTRA_CA_CERTS'] ?? ''
  if (file === '') {
    return `If ${privateCa}, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`
  }
  const setTo = `NODE_EXTRA_CA_CERTS is set to "${quote(file, secrets)}"`
  const problem = caFileProblem(file)
  return problem === undefined
    ? `${setTo}: if ${privateCa}, that file must hold its certificate.`
    : `${setTo}, which ${problem}: point it at the PEM file of the certificate authority.`
}

/** What keeps `file` from giving Node.js a certificate, if anything. */
function caFileProblem(file: string): string | undefined {
  try {
    // Not read unless a regular file: a FIFO would block, a device not end.
    const stats = statSync(file)
    if (stats.isDirectory()) return 'is a directory'
    if (!stats.isFile()) return 'is not a regular file'
    return readFileSync(file).includes('-----BEGIN CERTIFICATE-----')
      ? undefined
      : 'holds no PEM certificate'
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? 'does not exist'
      : `cannot be read (${String(code)})`
  }
}
