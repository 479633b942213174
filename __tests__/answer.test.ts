import { describe, expect, it } from '@jest/globals'
import {
  interpretAnswer,
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH
} from '../src/answer.js'
import { TokenRequestError } from '../src/errors.js'
import { basicCredentials, secretForms } from '../src/secrets.js'
import type { TokenRequest } from '../src/token.js'
import type { Answer } from '../src/transport.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET
} from '../test/support/torq-server.js'

const NOW = Date.parse('2026-11-28T16:00:00Z')

function requestTo(
  url: string,
  overrides: Partial<TokenRequest> = {}
): TokenRequest {
  return {
    url: new URL(url),
    route: {
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: 'no proxy',
      ignoredProxy: false
    },
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    secrets: secretForms(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    endpointSource: 'region us',
    timeoutMs: 5000,
    userAgent: 'torq-token-action/test',
    now: () => NOW,
    ...overrides
  }
}
describe('interpretAnswer', () => {
  const request = requestTo('https://auth.torq.io/v1/auth/token')
  const answer = (
    status: number,
    body: unknown,
    extra: Partial<Answer> = {}
  ): Answer => ({
    status,
    contentType: 'application/json',
    retryAfter: undefined,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...extra
  })
  const rejects = (
    a: Answer,
    req: TokenRequest = request
  ): TokenRequestError => {
    try {
      interpretAnswer(a, req)
    } catch (error) {
      expect(error).toBeInstanceOf(TokenRequestError)
      return error as TokenRequestError
    }
    throw new Error('expected a TokenRequestError')
  }

  it('reads a Torq token answer', () => {
    expect(
      interpretAnswer(
        answer(200, {
          access_token: 'abc-123',
          expires_in: 3600,
          token_type: 'Bearer'
        }),
        request
      )
    ).toEqual({ accessToken: 'abc-123', tokenType: 'Bearer', expiresIn: 3600 })
  })

  it('accepts token_type in any case, and a missing one as Bearer', () => {
    expect(
      interpretAnswer(
        answer(200, { access_token: 'a', token_type: 'bearer', expires_in: 1 }),
        request
      ).tokenType
    ).toBe('bearer')
    expect(
      interpretAnswer(
        answer(200, { access_token: 'a', expires_in: 1 }),
        request
      ).tokenType
    ).toBe('Bearer')
  })

  it.each([
    [undefined, undefined],
    ['3600', 3600],
    [1, 1],
    [MAX_EXPIRES_IN, MAX_EXPIRES_IN],
    [String(MAX_EXPIRES_IN), MAX_EXPIRES_IN],
    [MAX_EXPIRES_IN + 1, undefined],
    [9_000_000_000_000, undefined],
    ['9000000000000', undefined],
    [1e300, undefined],
    [0, undefined],
    ['0', undefined],
    [-5, undefined],
    [1.5, undefined],
    ['soon', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['', undefined],
    [null, undefined],
    [true, undefined]
  ])('reads expires_in %j as %j', (raw, expected) => {
    expect(
      interpretAnswer(
        answer(200, { access_token: 'a', expires_in: raw }),
        request
      ).expiresIn
    ).toBe(expected)
  })

  it.each([
    [{ expires_in: 3600 }],
    [{ access_token: '' }],
    [{ access_token: 42 }],
    [['access_token']],
    ['"just a string"'],
    [null]
  ])('says when access_token is missing from %j', (body) => {
    const error = rejects(answer(200, body))
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.'
    )
  })

  it.each([
    'abc def',
    'abc\n::set-output name=x::y',
    'abc\t',
    'abc\u0000',
    'abc\r',
    'abc\u0085',
    'abc\u009b',
    'abc\u202e',
    'abc${IFS}touch${IFS}/tmp/x;false',
    'abc;id',
    'abc`id`',
    "abc'",
    'abc"',
    'abc=def',
    '=abc',
    'abc%0A',
    'abcé',
    'a'.repeat(MAX_TOKEN_LENGTH + 1)
  ])('refuses a token that is not an RFC 6750 bearer token (%j)', (token) => {
    const error = rejects(
      answer(200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: 3600
      })
    )
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      `The access_token in the answer is not a bearer token (RFC 6750: letters, digits and -._~+/ then any =, at most ${MAX_TOKEN_LENGTH} characters); it was refused and nothing was written.`
    )
  })

  it.each([
    'abc',
    'A-Z.a_z~0+9/x',
    'abc==',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_',
    '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77',
    'a'.repeat(MAX_TOKEN_LENGTH)
  ])('accepts the bearer token %j', (token) => {
    expect(
      interpretAnswer(answer(200, { access_token: token }), request).accessToken
    ).toBe(token)
  })

  it('refuses a token type other than bearer', () => {
    const error = rejects(
      answer(200, { access_token: 'tok-0123456789', token_type: 'mac' })
    )
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      'The token endpoint returned token_type "mac"; this action hands out Bearer tokens only.'
    )
    expect(
      rejects(answer(200, { access_token: 'a', token_type: 7 })).message
    ).toBe(
      'The token endpoint returned an unexpected token_type; this action hands out Bearer tokens only.'
    )
  })

  it('describes a 200 that is not JSON by its content type, never its body', () => {
    const html = rejects(
      answer(200, '<html>Sign in to the proxy SECRET-PAGE</html>', {
        contentType: 'text/html; charset=utf-8'
      })
    )
    expect(html.retryable).toBe(false)
    expect(html.message).toContain(
      'HTTP 200, but the body is not valid JSON (content type text/html)'
    )
    expect(html.message).not.toContain('SECRET-PAGE')
    expect(rejects(answer(200, '{"access_token":"ab')).message).toContain(
      '(content type application/json)'
    )
    expect(rejects(answer(200, '', { contentType: '' })).message).toContain(
      '(empty body)'
    )
    expect(rejects(answer(200, 'x', { contentType: '' })).message).toContain(
      '(no content type)'
    )
  })

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [403, false],
    [404, false],
    [409, false],
    [204, false],
    [100, false]
  ])('treats HTTP %i as retryable: %s', (status, retryable) => {
    const error = rejects(answer(status, status === 204 ? '' : { error: 'x' }))
    expect(error.retryable).toBe(retryable)
    expect(error.message).toMatch(
      new RegExp(`^The token request failed \\(HTTP ${status}[,)]`)
    )
  })

  it('quotes only the RFC 6749 error fields of an error answer', () => {
    const error = rejects(
      answer(400, {
        error: 'invalid_request',
        error_description: 'grant_type is\nmissing',
        extra: 'BODY-ONLY'
      })
    )
    expect(error.message).toBe(
      'The token request failed (HTTP 400, invalid_request, "grant_type is missing").'
    )
  })

  it('shortens a long error_description and ignores fields of the wrong type', () => {
    const long = rejects(
      answer(400, {
        error: 'invalid_request',
        error_description: 'x'.repeat(500)
      })
    )
    expect(long.message).toContain(`"${'x'.repeat(200)}…"`)
    const exact = rejects(
      answer(400, {
        error: 'invalid_request',
        error_description: 'y'.repeat(200)
      })
    )
    expect(exact.message).toContain(`"${'y'.repeat(200)}")`)
    const spaced = rejects(
      answer(400, {
        error: ' invalid_request\t',
        error_description: ' grant\r\n\tmissing '
      })
    )
    expect(spaced.message).toBe(
      'The token request failed (HTTP 400, invalid_request, "grant missing").'
    )
    expect(
      rejects(answer(400, { error: 5, error_description: ['x'] })).message
    ).toBe('The token request failed (HTTP 400).')
    expect(rejects(answer(400, [1, 2])).message).toBe(
      'The token request failed (HTTP 400).'
    )
  })

  it('cuts the secret out of an error that echoes it', () => {
    const basic = basicCredentials(request.clientId, request.clientSecret)
    const error = rejects(
      answer(400, {
        error: 'invalid_request',
        error_description: `bad secret ${request.clientSecret} in Basic ${basic}`
      })
    )
    expect(error.message).not.toContain(request.clientSecret)
    expect(error.message).not.toContain(basic)
    expect(error.message).toContain('bad secret *** in Basic ***')
  })

  it('describes an error answer that is not JSON by status and content type', () => {
    const error = rejects(
      answer(502, '<html>Bad gateway at proxy-17</html>', {
        contentType: 'text/html'
      })
    )
    expect(error.message).toBe(
      'The token request failed (HTTP 502, not JSON: content type text/html).'
    )
    expect(rejects(answer(500, '')).message).toBe(
      'The token request failed (HTTP 500, not JSON: empty body).'
    )
  })

  it('says which setting to check on 401, for auth-url too', () => {
    const viaRegion = rejects(answer(401, ''))
    expect(viaRegion.message).toContain('HTTP 401, not JSON: empty body')
    expect(viaRegion.message).toContain('that region matches the account')
    const viaUrl = rejects(answer(400, { error: 'invalid_client' }), {
      ...request,
      endpointSource: 'auth-url'
    })
    expect(viaUrl.message).toContain(
      'Torq rejected the client credentials (HTTP 400, invalid_client)'
    )
    expect(viaUrl.message).toContain('that auth-url points at the account')
  })

  it.each([300, 301, 302, 303, 307, 308, 399])(
    'calls HTTP %i a redirect and names the setting to check',
    (status) => {
      const error = rejects(answer(status, ''), {
        ...request,
        endpointSource: 'auth-url'
      })
      expect(error.retryable).toBe(false)
      expect(error.message).toContain(`redirect (HTTP ${status})`)
      expect(error.message).toContain('Check auth-url')
    }
  )
})
