// How the messages about a failure with the token endpoint name it, direct
// or through a proxy: each kind of failure (net-errors.ts) worded for it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { describeNetError } from '../../src/net-errors.js'
import { targetPeer } from '../../src/peers.js'
import { secretForms } from '../../src/secrets.js'
import type { TokenRequest } from '../../src/token.js'
import { requestTo } from '../../test/support/requests.js'

// The advice for an untrusted certificate depends on it; the machine may set it.
const extraCaCerts = process.env['NODE_EXTRA_CA_CERTS']
beforeAll(() => {
  delete process.env['NODE_EXTRA_CA_CERTS']
})
afterAll(() => {
  if (extraCaCerts !== undefined)
    process.env['NODE_EXTRA_CA_CERTS'] = extraCaCerts
})

const connectionError = (error: unknown, to: TokenRequest) =>
  describeNetError(error, targetPeer(to), to.secrets)

describe('targetPeer, through describeNetError', () => {
  const target = requestTo('https://auth.torq.io/v1/auth/token', {
    route: {
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: '',
      ignoredProxy: false
    },
    endpointSource: 'auth-url'
  })
  const errno = (code: string, message: string) =>
    Object.assign(new Error(message), { code })

  it.each([
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain'
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate'
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames"
    ]
  ])('calls %s a certificate problem, a TLS failure', (code, message) => {
    const error = connectionError(errno(code, message), target)
    expect(error.failure).toEqual({ kind: 'tls' })
    // The advice's own wording is net-errors.ts's (net-errors.test.ts).
    expect(error.message).toMatch(
      /^TLS certificate problem talking to auth\.torq\.io: .* \([A-Z_]+\)\. If your network inspects TLS with a private certificate authority, .*NODE_EXTRA_CA_CERTS/
    )
    expect(error.message).toContain(`: ${message} (${code}). `)
  })

  it('names the proxy the request went through, and what bytes that are not TLS may mean there', () => {
    const proxied = {
      ...target,
      route: {
        ...target.route,
        proxy: {
          variable: 'https_proxy',
          tls: false,
          hostname: 'proxy.corp',
          port: 3128,
          address: 'proxy.corp:3128',
          credentials: undefined
        }
      }
    }
    const notTls = errno(
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'x:error:0A00010B:SSL routines:f:wrong version number:y:1:'
    )
    expect(connectionError(notTls, proxied)).toMatchObject({
      failure: { kind: 'tls' },
      message:
        'The proxy proxy.corp:3128 (from https_proxy) answered the tunnel to auth.torq.io:443 with data that is not TLS (it may be inspecting or blocking the connection), or auth.torq.io does not speak TLS (plain HTTP on an https URL?).'
    })
    expect(connectionError(notTls, target).message).toBe(
      'auth.torq.io does not speak TLS (plain HTTP on an https URL?). Check auth-url.'
    )
    expect(
      connectionError(errno('ECONNRESET', 'socket hang up'), proxied)
    ).toMatchObject({
      failure: { kind: 'network', code: 'ECONNRESET' },
      message:
        'Could not get an answer from auth.torq.io through the proxy proxy.corp:3128 (from https_proxy): socket hang up (ECONNRESET).'
    })
    expect(
      connectionError(errno('CERT_HAS_EXPIRED', 'expired'), proxied).message
    ).toMatch(
      /^TLS certificate problem talking to auth\.torq\.io through the proxy proxy\.corp:3128 \(from https_proxy\): expired/
    )
  })

  it('quotes what it names of the URL and the error, secret cut', () => {
    const secret = 'MySecretHost1234'
    const error = connectionError(
      errno('ECONNRESET', `reset by ${secret.toLowerCase()} ##[error]x`),
      {
        ...target,
        url: new URL('https://MYSECRETHOST1234.example/token'),
        secrets: secretForms('id', secret)
      }
    )
    expect(error.message).toBe(
      'Could not get an answer from ***.example: reset by *** # #[error]x (ECONNRESET).'
    )
    const unresolved = connectionError(errno('ENOTFOUND', 'x'), {
      ...target,
      url: new URL('https://MYSECRETHOST1234.example/token'),
      secrets: secretForms('id', secret)
    })
    expect(unresolved.message).toMatch(/^Could not resolve \*\*\*\.example\./)
  })

  it('describes a name that does not resolve by its code', () => {
    const error = connectionError(
      errno('ENOTFOUND', 'getaddrinfo ENOTFOUND auth.torq.io'),
      target
    )
    expect(error).toMatchObject({
      failure: { kind: 'network', code: 'ENOTFOUND' },
      message:
        "Could not resolve auth.torq.io. Check auth-url, or the runner's DNS and proxy settings."
    })
  })

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH'])(
    'describes %s by its code',
    (code) => {
      const error = connectionError(
        errno(code, `connect ${code} 1.2.3.4:443`),
        target
      )
      expect(error.failure).toEqual({ kind: 'network', code })
      expect(error.message).toBe(
        `Could not get an answer from auth.torq.io: connect ${code} 1.2.3.4:443.`
      )
    }
  )

  it('names the code when the message does not; an unknown is a network error without a code', () => {
    expect(
      connectionError(errno('EPROTO', 'wrong version number'), target)
    ).toMatchObject({
      failure: { kind: 'network', code: 'EPROTO' },
      message:
        'Could not get an answer from auth.torq.io: wrong version number (EPROTO).'
    })
    expect(connectionError('odd', target)).toMatchObject({
      failure: { kind: 'network', code: '' },
      message: 'Could not get an answer from auth.torq.io: odd.'
    })
    expect(connectionError(undefined, target).message).toBe(
      'Could not get an answer from auth.torq.io: undefined.'
    )
    expect(connectionError(null, target).message).toBe(
      'Could not get an answer from auth.torq.io: null.'
    )
  })

  it.each(['x ECONNRESET', 'ECONNRESET x', 'NOT_A_CERT_ERROR'])(
    'takes only a whole code as a code: %j',
    (code) => {
      expect(connectionError(errno(code, 'failed'), target)).toMatchObject({
        failure: {
          kind: 'network',
          code: code === 'NOT_A_CERT_ERROR' ? code : ''
        },
        message: `Could not get an answer from auth.torq.io: failed${code === 'NOT_A_CERT_ERROR' ? ` (${code})` : ''}.`
      })
    }
  )
})
