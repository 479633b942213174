import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect, no-control-regex --
   a property branches on the generated case; control characters are what
   it is about. */
import fc from 'fast-check'
import { gzipSync } from 'node:zlib'
import { interpretAnswer, type Reading } from '../../src/answer.js'
import {
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH
} from '../../src/token-fields.js'
import { TokenRequestError } from '../../src/errors.js'
import { systemClock } from '../../src/clock.js'
import { requestToken } from '../../src/token.js'
import { basicCredentials, secretForms } from '../../src/secrets.js'
import type { Answer } from '../../src/transport.js'
import { runs } from '../../test/support/property-runs.js'
import { failure, READING, requestTo } from '../../test/support/requests.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET as DEMO_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

/** A token as Torq's look. */
const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'

describe('interpretAnswer', () => {
  const request: Reading = READING
  const answer = (
    status: number,
    body: unknown,
    extra: Partial<Answer> = {}
  ): Answer => ({
    status,
    contentType: 'application/json',
    retryAfter: undefined,
    contentEncoding: undefined,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...extra
  })
  const rejects = (a: Answer, req: Reading = request): TokenRequestError => {
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
          access_token: TOKEN,
          expires_in: 3600,
          token_type: 'Bearer'
        }),
        request
      )
    ).toEqual({ accessToken: TOKEN, tokenType: 'Bearer', expiresIn: 3600 })
  })

  it('accepts token_type in any case, and a missing one as Bearer', () => {
    expect(
      interpretAnswer(
        answer(200, {
          access_token: TOKEN,
          token_type: 'bearer',
          expires_in: 1
        }),
        request
      ).tokenType
    ).toBe('bearer')
    expect(
      interpretAnswer(
        answer(200, { access_token: TOKEN, expires_in: 1 }),
        request
      ).tokenType
    ).toBe('Bearer')
  })

  it.each([
    [undefined, undefined],
    [[3600], undefined],
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
        answer(200, { access_token: TOKEN, expires_in: raw }),
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
    expect(error.failure).toEqual({ kind: 'refusal' })
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
    expect(error.failure).toEqual({ kind: 'refusal' })
    expect(error.message).toBe(
      `The access_token in the answer is not a bearer token (RFC 6750: letters, digits and -._~+/ then any =, at most ${MAX_TOKEN_LENGTH} characters); it was refused and nothing was written.`
    )
  })

  it.each([
    'a'.repeat(MIN_TOKEN_LENGTH),
    'A-Z.a_z~0+9/xyzw',
    'abcdefghijklmn==',
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
      answer(200, { access_token: TOKEN, token_type: 'mac' })
    )
    expect(error.failure).toEqual({ kind: 'refusal' })
    expect(error.message).toBe(
      'The token endpoint returned token_type "mac"; this action hands out Bearer tokens only.'
    )
    expect(
      rejects(answer(200, { access_token: TOKEN, token_type: 7 })).message
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
    expect(html.failure).toEqual({ kind: 'refusal' })
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

  // Whether each is retried is retry.ts's table (retry.test.ts).
  it.each([408, 429, 500, 502, 503, 504, 400, 403, 404, 409, 204, 599])(
    'describes HTTP %i by its status',
    (status) => {
      const error = rejects(
        answer(status, status === 204 ? '' : { error: 'x' })
      )
      expect(error.failure).toEqual({
        kind: 'answer',
        status,
        code: status === 204 ? undefined : 'x',
        retryAfterMs: undefined
      })
      expect(error.message).toMatch(
        new RegExp(`^The token request failed \\(HTTP ${status}[,)]`)
      )
    }
  )

  it.each([99, 0, 600, 999, 1000])(
    'refuses status %i, which is not an HTTP status, without retrying',
    (status) => {
      const error = rejects(answer(status, { error: 'x' }))
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toBe(
        `The token endpoint answered with status ${status}, which is not an HTTP status (100 to 599). Check region us: something other than Torq is answering.`
      )
    }
  )

  it.each([
    [
      'an error code that is not one',
      { error: 'bad code!' },
      'an unexpected error code'
    ],
    [
      'an error code with markup after it',
      { error: 'invalid_request##[x]' },
      'an unexpected error code'
    ],
    ['an empty error code', { error: '' }, undefined]
  ])('describes %s without quoting it', (_name, body, expected) => {
    expect(rejects(answer(400, body)).message).toBe(
      `The token request failed (HTTP 400${expected === undefined ? '' : `, ${expected}`}).`
    )
  })

  it.each([
    ['#mac', 'an unexpected token_type'],
    ['mac!', 'an unexpected token_type'],
    ['Mac-2', 'token_type "Mac-2"']
  ])('quotes token_type %j only if it is a word', (type, expected) => {
    expect(
      rejects(answer(200, { access_token: TOKEN, token_type: type })).message
    ).toBe(
      `The token endpoint returned ${expected}; this action hands out Bearer tokens only.`
    )
  })

  it('cuts the refused token out of a token_type that carries it', () => {
    expect(
      rejects(
        answer(200, {
          access_token: 'tok0123456789abcd',
          token_type: 'tok0123456789abcdx'
        })
      ).message
    ).toBe(
      'The token endpoint returned an unexpected token_type; this action hands out Bearer tokens only.'
    )
  })

  it.each([
    ['  ; charset=utf-8', 'no content type'],
    ['@text/html', 'an unexpected content type'],
    ['text/html@', 'an unexpected content type'],
    [' Text/HTML ; x=1', 'content type text/html']
  ])('describes the content type %j as %s', (contentType, expected) => {
    expect(rejects(answer(502, 'oops', { contentType })).message).toBe(
      `The token request failed (HTTP 502, not JSON: ${expected}).`
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
    const basic = basicCredentials(DEMO_CLIENT_ID, DEMO_SECRET)
    const error = rejects(
      answer(400, {
        error: 'invalid_request',
        error_description: `bad secret ${DEMO_SECRET} in Basic ${basic}`
      })
    )
    expect(error.message).not.toContain(DEMO_SECRET)
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

  it.each([301, 302, 303, 307, 308])(
    'calls HTTP %i a redirect and names the setting to check',
    (status) => {
      const error = rejects(answer(status, ''), {
        ...request,
        endpointSource: 'auth-url'
      })
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toContain(`redirect (HTTP ${status})`)
      expect(error.message).toContain('Check auth-url')
    }
  )

  it.each([300, 304, 305, 306, 309, 399])(
    'calls HTTP %i an unexpected status, not a redirect, and does not retry it',
    (status) => {
      const error = rejects(answer(status, ''))
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toMatch(
        new RegExp(
          `^The token endpoint answered with an unexpected status \\(HTTP ${status}\\): not a redirect, a token or an error[ .]`
        )
      )
      expect(error.message).toContain(
        'Check region us: something other than Torq may be answering.'
      )
      expect(error.message).not.toContain('redirect (')
    }
  )

  it('says why a 304 cannot be meant', () => {
    expect(rejects(answer(304, '')).message).toBe(
      'The token endpoint answered with an unexpected status (HTTP 304): not a redirect, a token or an error (304 Not Modified answers a conditional request, and this action sends none). Check region us: something other than Torq may be answering.'
    )
  })

  it.each([100, 101, 102, 103, 150, 199])(
    'takes HTTP %i given as the answer as final: not retried, named',
    (status) => {
      const error = rejects(answer(status, { access_token: TOKEN }))
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.status).toBeUndefined()
      expect(error.message).toMatch(
        new RegExp(
          `^The token endpoint answered HTTP ${status} as its final answer, where an OAuth token endpoint answers with a token or an error[;.]`
        )
      )
      expect(error.message).toContain(
        'Check region us: something other than Torq is answering.'
      )
    }
  )

  it('says what a 101 likely is', () => {
    expect(rejects(answer(101, '')).message).toBe(
      'The token endpoint answered HTTP 101 as its final answer, where an OAuth token endpoint answers with a token or an error; 101 Switching Protocols is what a WebSocket endpoint, or a server or proxy that switches protocols (h2c), answers. Check region us: something other than Torq is answering.'
    )
  })

  it('skips a byte order mark before the JSON, and only one, only at the start', () => {
    const body = JSON.stringify({ access_token: TOKEN, expires_in: 60 })
    expect(interpretAnswer(answer(200, `\uFEFF${body}`), request)).toEqual({
      accessToken: TOKEN,
      tokenType: 'Bearer',
      expiresIn: 60
    })
    expect(
      rejects(
        answer(400, `\uFEFF${JSON.stringify({ error: 'invalid_grant' })}`)
      ).message
    ).toBe('The token request failed (HTTP 400, invalid_grant).')
    for (const odd of [
      `\uFEFF\uFEFF${body}`,
      `${body}\uFEFF`,
      ` \uFEFF${body}`
    ]) {
      expect(rejects(answer(200, odd)).message).toContain(
        'but the body is not valid JSON'
      )
    }
  })

  describe('an encoded body', () => {
    const json = JSON.stringify({ access_token: TOKEN, expires_in: 60 })
    const encoded = (contentEncoding: string, status = 200) =>
      answer(status, gzipSync(json).toString('latin1'), { contentEncoding })

    it.each([
      ['gzip', 'gzip'],
      ['GZip', 'gzip'],
      [' br ', 'br'],
      ['deflate', 'deflate'],
      ['x-compress', 'x-compress'],
      ['identity, gzip', 'gzip'],
      ['gzip,identity', 'gzip'],
      ['gzip, br', 'gzip, br'],
      ['aes128gcm', 'aes128gcm']
    ])('Content-Encoding %j: named as %j, not retried', (header, shown) => {
      const error = rejects(encoded(header))
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toBe(
        `The token endpoint answered HTTP 200 with an encoded body (Content-Encoding ${shown}) that this action did not ask for: it asks for no encoding and reads only plain bodies. A proxy or a misconfigured server is likely answering; check region us and the runner's proxy settings.`
      )
    })

    it.each([429, 503, 400, 401])(
      'HTTP %i with an encoded body: named as such, not retried',
      (status) => {
        const error = rejects(encoded('gzip', status))
        expect(error.failure).toEqual({ kind: 'refusal' })
        expect(error.message).toMatch(
          new RegExp(
            `^The token endpoint answered HTTP ${status} with an encoded body \\(Content-Encoding gzip\\)`
          )
        )
      }
    )

    it.each([
      ['a coding with markup', 'gzip##[error]x'],
      ['a coding that is not a name', 'g zip'],
      ['too many codings', 'a, b, c, d, e, f'],
      ['a coding that carries the secret', `x-${DEMO_SECRET}`]
    ])('describes %s without quoting it', (_case, header) => {
      const error = rejects(encoded(header))
      expect(error.message).toContain(
        'answered HTTP 200 with an encoded body (an unexpected Content-Encoding) that'
      )
    })

    it.each(['', 'identity', ' Identity ', 'identity, identity', ',', ' , '])(
      'reads a body with Content-Encoding %j as it is',
      (contentEncoding) => {
        expect(
          interpretAnswer(answer(200, json, { contentEncoding }), request)
            .accessToken
        ).toBe(TOKEN)
      }
    )

    it('names no encoding of an empty body: there is nothing to decode', () => {
      expect(
        rejects(answer(302, '', { contentEncoding: 'gzip' })).message
      ).toContain('redirect (HTTP 302)')
      expect(
        rejects(answer(500, '', { contentEncoding: 'gzip' })).message
      ).toBe('The token request failed (HTTP 500, not JSON: empty body).')
    })
  })

  describe('a token too short to be a real one', () => {
    it.each(['e', '1', 'Bearer', 'abc', 'a'.repeat(MIN_TOKEN_LENGTH - 1)])(
      'refuses %j without quoting it',
      (token) => {
        const error = rejects(
          answer(200, { access_token: token, token_type: 'Bearer' })
        )
        expect(error.failure).toEqual({ kind: 'refusal' })
        expect(error.message).toBe(
          `The access_token in the answer has ${token.length} ${token.length === 1 ? 'character' : 'characters'}, fewer than the 16 of any real token (Torq's have 36); it was refused and nothing was written. Check region us: something other than Torq may be answering.`
        )
      }
    )

    it('is refused before its token_type is read, so that nothing quotes it', () => {
      const error = rejects(
        answer(200, { access_token: 'mac', token_type: 'mac' })
      )
      expect(error.message).toMatch(
        /^The access_token in the answer has 3 characters/
      )
    })

    it('is refused as not a bearer token first if its characters are wrong', () => {
      expect(rejects(answer(200, { access_token: '$(id)' })).message).toMatch(
        /^The access_token in the answer is not a bearer token/
      )
    })
  })
})

describe('an answer as the transport hands it over', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  it.each(['gzip', 'deflate', 'br'] as const)(
    'a %s body from a real server is named by its Content-Encoding',
    async (coding) => {
      server.script(
        replies.encoded(coding, 200, { access_token: TOKEN, expires_in: 60 })
      )
      const error = await failure(
        requestToken(requestTo(server.url), systemClock)
      )
      expect(error.failure).toEqual({ kind: 'refusal' })
      expect(error.message).toContain(
        `with an encoded body (Content-Encoding ${coding}) that this action did not ask for`
      )
    }
  )

  it('a body with a byte order mark from a real server gives its token', async () => {
    const body = JSON.stringify({ access_token: TOKEN, expires_in: 60 })
    server.script(replies.text(200, 'application/json', `\uFEFF${body}`))
    await expect(
      requestToken(requestTo(server.url), systemClock)
    ).resolves.toEqual({
      accessToken: TOKEN,
      tokenType: 'Bearer',
      expiresIn: 60
    })
  })
})

describe('interpretAnswer, for any answer', () => {
  it('returns a usable token or a TokenRequestError with a one-line message', () => {
    const request = {
      secrets: secretForms('id', 'secret'),
      endpointSource: 'region us',
      now: () => 0
    }
    const body = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc
        .record(
          {
            access_token: fc.oneof(
              fc.string({ unit: 'binary' }),
              fc.jsonValue()
            ),
            token_type: fc.oneof(
              fc.constant('Bearer'),
              fc.string(),
              fc.jsonValue()
            ),
            expires_in: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()),
            error: fc.string({ unit: 'binary' }),
            error_description: fc.string({ unit: 'binary' })
          },
          { requiredKeys: [] }
        )
        .map((value) => JSON.stringify(value))
    )
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(200), fc.integer({ min: 100, max: 599 })),
        body,
        fc.string(),
        (status, text, contentType) => {
          try {
            const token = interpretAnswer(
              {
                status,
                body: text,
                contentType,
                retryAfter: undefined,
                contentEncoding: undefined
              },
              request
            )
            expect(status).toBe(200)
            expect(token.accessToken).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/)
            expect(token.tokenType.toLowerCase()).toBe('bearer')
            if (token.expiresIn !== undefined) {
              expect(Number.isInteger(token.expiresIn)).toBe(true)
              expect(token.expiresIn).toBeGreaterThanOrEqual(1)
              expect(token.expiresIn).toBeLessThanOrEqual(31_536_000)
            }
          } catch (error) {
            expect(error).toBeInstanceOf(TokenRequestError)
            const { message } = error as TokenRequestError
            expect(message).not.toMatch(/[\u0000-\u001f\u007f]/)
            expect(message.length).toBeLessThan(1200)
          }
        }
      ),
      runs(3000)
    )
  })
})
