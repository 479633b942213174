// What a network, TLS or DNS failure means, and how it is worded for the one
// it happened with. The errors are made as Node.js makes them (code, message
// with OpenSSL's line); real servers and proxies prove the same in
// tunnel.test.ts, token.test.ts and the bundle tests.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  describeNetError,
  readNetError,
  type Peer
} from '../../src/net-errors.js'
import { secretForms } from '../../src/secrets.js'

const errno = (code: string, message: string) =>
  Object.assign(new Error(message), { code })
/** An error as Node.js gives one for OpenSSL's `reason`. */
const openssl = (reason: string, code = 'ERR_SSL_X') =>
  errno(
    code,
    `405D0ADAC17F0000:error:0A00010B:SSL routines:some_function:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:\n`
  )

const peer: Peer = {
  name: 'NAME',
  notTls: 'NOT TLS.',
  unresolved: 'UNRESOLVED.',
  privateCa: 'PRIVATE CA',
  failed: 'FAILED',
  checkHttp: 'CHECK HTTP.'
}

describe('readNetError', () => {
  it.each([
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
  ])('OpenSSL\'s "%s": not TLS, its reason alone as the message', (reason) => {
    expect(readNetError(openssl(reason), [])).toMatchObject({
      kind: 'not-tls',
      message: reason
    })
  })

  it('the same for a direct socket, where Node.js says EPROTO', () => {
    const error = errno(
      'EPROTO',
      'write EPROTO 40AD2CAA757F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:\n'
    )
    expect(readNetError(error, [])).toMatchObject({
      kind: 'not-tls',
      code: 'EPROTO',
      message: 'wrong version number'
    })
  })

  it.each([
    ['ssl/tls alert handshake failure', 'handshake failure'],
    ['sslv3 alert bad certificate', 'bad certificate'],
    ['tlsv1 alert unknown ca', 'unknown ca']
  ])('a TLS alert received, %j: named %j', (reason, alert) => {
    // Its code has a slash, so it is no code the action shows.
    const error = openssl(reason, 'ERR_SSL_SSL/TLS_ALERT_X')
    expect(readNetError(error, [])).toMatchObject({
      kind: 'tls-alert',
      code: '',
      message: alert
    })
  })

  it('an alert named inside another reason is no alert received', () => {
    expect(readNetError(openssl('not a tlsv1 alert x'), []).kind).toBe('other')
  })

  it('another OpenSSL failure: its reason, not retried', () => {
    expect(
      readNetError(
        openssl('unsupported protocol', 'ERR_SSL_UNSUPPORTED_PROTOCOL'),
        []
      )
    ).toMatchObject({
      kind: 'other',
      code: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
      message: 'unsupported protocol'
    })
  })

  it('quotes the reason and the alert: secrets cut, inert', () => {
    const secret = 'MySecretValue1234'
    const secrets = secretForms('id', secret)
    expect(
      readNetError(openssl(`sslv3 alert ${secret} ##[error]x`), secrets).message
    ).toBe('*** # #[error]x')
    expect(
      readNetError(openssl(`odd ${secret} ##[error]x`), secrets).message
    ).toBe('odd *** # #[error]x')
  })

  it.each([
    ['CERT_HAS_EXPIRED', 'certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate'],
    ['HOSTNAME_MISMATCH', 'certificate'],
    ['ENOTFOUND', 'unresolved'],
    ['ECONNRESET', 'other'],
    ['', 'other']
  ])('code %j: %s', (code, kind) => {
    expect(readNetError(errno(code, 'm'), []).kind).toBe(kind)
  })

  it('a value that is no error: its text, no code', () => {
    expect(readNetError('odd', [])).toMatchObject({
      kind: 'other',
      code: '',
      message: 'odd'
    })
  })
})

describe('describeNetError', () => {
  let saved: string | undefined
  beforeEach(() => {
    saved = process.env['NODE_EXTRA_CA_CERTS']
    delete process.env['NODE_EXTRA_CA_CERTS']
  })
  afterEach(() => {
    if (saved === undefined) delete process.env['NODE_EXTRA_CA_CERTS']
    else process.env['NODE_EXTRA_CA_CERTS'] = saved
  })
  const describeIt = (error: unknown) => describeNetError(error, peer, [])

  it('each kind in its words, described as data for retry.ts', () => {
    expect(
      describeIt(
        errno('HPE_INVALID_STATUS', 'Parse Error: Invalid status code')
      )
    ).toMatchObject({
      message:
        'The answer from NAME is not HTTP as Node.js reads it: Parse Error: Invalid status code (HPE_INVALID_STATUS). CHECK HTTP.',
      failure: { kind: 'refusal' }
    })
    expect(describeIt(openssl('wrong version number'))).toMatchObject({
      message: 'NOT TLS.',
      failure: { kind: 'tls' }
    })
    expect(
      describeIt(openssl('ssl/tls alert handshake failure'))
    ).toMatchObject({
      message:
        'The TLS handshake with NAME failed: the other end sent the TLS alert "handshake failure".',
      failure: { kind: 'tls' }
    })
    expect(describeIt(errno('ENOTFOUND', 'x'))).toMatchObject({
      message: 'UNRESOLVED.',
      failure: { kind: 'network', code: 'ENOTFOUND' }
    })
    expect(
      describeIt(errno('CERT_HAS_EXPIRED', 'certificate has expired'))
    ).toMatchObject({
      message:
        "TLS certificate problem talking to NAME: certificate has expired (CERT_HAS_EXPIRED). If PRIVATE CA, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.",
      failure: { kind: 'tls' }
    })
    expect(describeIt(errno('ECONNRESET', 'socket hang up'))).toMatchObject({
      message: 'FAILED: socket hang up (ECONNRESET).',
      failure: { kind: 'network', code: 'ECONNRESET' }
    })
    expect(
      describeIt(errno('ECONNREFUSED', 'connect ECONNREFUSED 1.2.3.4:1'))
    ).toMatchObject({
      message: 'FAILED: connect ECONNREFUSED 1.2.3.4:1.',
      failure: { kind: 'network', code: 'ECONNREFUSED' }
    })
    expect(describeIt(errno('', 'odd'))).toMatchObject({
      message: 'FAILED: odd.',
      failure: { kind: 'network', code: '' }
    })
  })

  describe('with NODE_EXTRA_CA_CERTS set, what is wrong with its file', () => {
    let dir: string
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'torq-ca-'))
    })
    afterEach(() => rmSync(dir, { recursive: true, force: true }))
    const advice = (file: string, secrets: readonly string[] = []) => {
      process.env['NODE_EXTRA_CA_CERTS'] = file
      const { message } = describeNetError(
        errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify'),
        peer,
        secrets
      )
      return message.replace(
        'TLS certificate problem talking to NAME: unable to verify (UNABLE_TO_VERIFY_LEAF_SIGNATURE). ',
        ''
      )
    }
    const broken = (file: string, problem: string) =>
      `NODE_EXTRA_CA_CERTS is set to "${file}", which ${problem}: point it at the PEM file of the certificate authority.`

    it('set but empty: as if not set', () => {
      expect(advice('')).toBe(
        "If PRIVATE CA, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env."
      )
    })

    it('a file that does not exist, or a path through a file', () => {
      const missing = join(dir, 'missing.pem')
      expect(advice(missing)).toBe(broken(missing, 'does not exist'))
      const file = join(dir, 'file')
      writeFileSync(file, '')
      expect(advice(join(file, 'ca.pem'))).toBe(
        broken(join(file, 'ca.pem'), 'does not exist')
      )
    })

    it('a directory, a device', () => {
      expect(advice(dir)).toBe(broken(dir, 'is a directory'))
      expect(advice('/dev/null')).toBe(
        broken('/dev/null', 'is not a regular file')
      )
    })

    const onLinuxX64 =
      process.platform === 'linux' && process.arch === 'x64' ? it : it.skip
    onLinuxX64('a file that cannot be read, with the reason', () => {
      // Root reads any file; reading this one fails for anyone.
      expect(advice('/proc/self/mem')).toBe(
        broken('/proc/self/mem', 'cannot be read (EIO)')
      )
    })

    it('a file without a PEM certificate in it', () => {
      const der = join(dir, 'ca.der')
      writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a]))
      expect(advice(der)).toBe(broken(der, 'holds no PEM certificate'))
    })

    it('a PEM certificate: the file must hold the right one', () => {
      const pem = join(dir, 'ca.pem')
      writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n')
      expect(advice(pem)).toBe(
        `NODE_EXTRA_CA_CERTS is set to "${pem}": if PRIVATE CA, that file must hold its certificate.`
      )
    })

    it('quotes the value: inert, secrets cut', () => {
      const secret = 'MySecretValue1234'
      expect(
        advice(
          join(dir, `${secret}##[error]x\nmore`),
          secretForms('id', secret)
        )
      ).toBe(broken(`${dir}/***# #[error]x more`, 'does not exist'))
    })
  })
})
