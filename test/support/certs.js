// A private certificate authority and a server certificate it signs, made at
// test time with the openssl command line, for HTTPS tests that trust the CA
// through NODE_EXTRA_CA_CERTS.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * @param {string[]} names DNS names and IP addresses the server certificate covers
 * @returns {{ caCert: string, caFile: string, key: string, cert: string, dispose: () => void }}
 */
export function makeCertificates(names = ['localhost', '127.0.0.1']) {
  const dir = mkdtempSync(join(tmpdir(), 'torq-certs-'))
  const at = (/** @type {string} */ file) => join(dir, file)
  const openssl = (/** @type {string[]} */ args) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })

  // Extensions come from config files rather than -addext, which LibreSSL
  // (macOS) and older OpenSSL builds lack. P-256 keys: made at once, where
  // RSA keys take a second or more each (and mutation testing makes these
  // for every mutant the TLS tests cover).
  writeFileSync(
    at('openssl.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[ca]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      '[server]',
      `subjectAltName = ${names
        .map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`))
        .join(', ')}`,
      'extendedKeyUsage = serverAuth',
      ''
    ].join('\n')
  )
  const config = ['-config', at('openssl.cnf')]
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    ...config,
    '-extensions',
    'ca',
    '-subj',
    '/CN=Torq token action test CA',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem')
  ])
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    ...config,
    '-subj',
    `/CN=${names[0]}`,
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr')
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('openssl.cnf'),
    '-extensions',
    'server',
    '-out',
    at('server.pem')
  ])

  return {
    caCert: readFileSync(at('ca.pem'), 'utf8'),
    caFile: at('ca.pem'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.pem'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true })
  }
}
