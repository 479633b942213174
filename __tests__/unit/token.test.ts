// The client-credentials grant as a server receives it, and what an answer
// means: a token and its checks, or a TokenRequestError saying what happened.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TokenRequestError } from '../../src/errors.js'
import { decideRoute, send, type Answer } from '../../src/http.js'
import { TOKEN_URLS } from '../../src/inputs.js'
import { basic } from '../../src/outside-text.js'
import {
  grant,
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  readAnswer,
  retryAfterMs
} from '../../src/token.js'
import { contextFor } from '../../test/support/context.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

/** A token as Torq's look. */
const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const NOW = Date.parse('2026-11-28T16:00:00Z')
const SENT_AT = NOW - 250
const BASIC = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

describe('the grant, as the server receives it', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer({ clients: { 'ïd.-_~': 'p@ss:w%rd+/=' } })
  })
  afterAll(() => server.close())

  it('sends id and secret raw in Basic, and gets a token lasting from when it was sent', async () => {
    const ctx = contextFor(server.url, { clock: fakeClock([0.5], NOW).clock })
    const route = decideRoute(ctx.settings.tokenUrl)
    const answer = await send(grant('ïd.-_~', 'p@ss:w%rd+/='), route, ctx)
    const { authorization = '', ...headers } = server.requests[0]?.headers ?? {}
    expect(authorization.slice(0, 6)).toBe('Basic ')
    expect(Buffer.from(authorization.slice(6), 'base64').toString()).toBe(
      'ïd.-_~:p@ss:w%rd+/='
    )
    expect(headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'accept-language': 'en_US',
      'user-agent': expect.stringMatching(/^torq-token-action\/\d+\.\d+\.\d+$/)
    })
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      body: 'grant_type=client_credentials'
    })
    expect(readAnswer(answer, SENT_AT, ctx)).toEqual({
      accessToken: server.tokens[0],
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: SENT_AT + 3_600_000
    })
  })
})

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
const US = contextFor(TOKEN_URLS.us, { clock: fakeClock([0.5], NOW).clock })
const AUTH_URL = contextFor('https://torq.example/token', { clock: US.clock })
const read = (a: Answer, ctx = US) => readAnswer(a, SENT_AT, ctx)

/** The TokenRequestError `a` is read as. */
function rejected(a: Answer, ctx = US): TokenRequestError {
  try {
    read(a, ctx)
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRequestError)
    return error as TokenRequestError
  }
  throw new Error('expected a TokenRequestError')
}

/** The message of a refusal (not retried) of `a`. */
function refusal(a: Answer, ctx = US): string {
  const error = rejected(a, ctx)
  expect(error.failure).toEqual({ kind: 'refusal' })
  return error.message
}

describe('a token answer', () => {
  it('gives the token, its type in any case (Bearer if absent) and its expiry', () => {
    const fields = { access_token: TOKEN, token_type: 'bearer', expires_in: 60 }
    expect(read(answer(200, fields))).toEqual({
      accessToken: TOKEN,
      tokenType: 'bearer',
      expiresIn: 60,
      expiresAt: SENT_AT + 60_000
    })
    expect(read(answer(200, { access_token: TOKEN }))).toEqual({
      accessToken: TOKEN,
      tokenType: 'Bearer',
      expiresIn: undefined,
      expiresAt: undefined
    })
  })

  it.each([
    ['3600', 3600],
    ['000000060', 60],
    [1, 1],
    [MAX_EXPIRES_IN, MAX_EXPIRES_IN],
    [MAX_EXPIRES_IN + 1, undefined],
    ['0000000060', undefined],
    [0, undefined],
    [1.5, undefined],
    ['1e3', undefined],
    [null, undefined],
    [true, undefined],
    [[60], undefined]
  ])('reads expires_in %j as %j seconds', (given, seconds) => {
    const token = read(answer(200, { access_token: TOKEN, expires_in: given }))
    expect(token.expiresIn).toBe(seconds)
    expect(token.expiresAt).toBe(
      seconds === undefined ? undefined : SENT_AT + seconds * 1000
    )
  })

  it('skips one byte order mark before the JSON, only at the start', () => {
    const body = JSON.stringify({ access_token: TOKEN })
    expect(read(answer(200, `\uFEFF${body}`)).accessToken).toBe(TOKEN)
    expect(refusal(answer(200, `\uFEFF\uFEFF${body}`))).toContain(
      'not valid JSON'
    )
    expect(refusal(answer(200, ` \uFEFF${body}`))).toContain('not valid JSON')
  })

  it.each([
    'a'.repeat(16),
    'A-Z.a_z~0+9/xyzw',
    'abcdefghijklmn==',
    'a'.repeat(MAX_TOKEN_LENGTH)
  ])('accepts the bearer token %s', (token) => {
    expect(read(answer(200, { access_token: token })).accessToken).toBe(token)
  })

  it.each([
    { expires_in: 3600 },
    { access_token: '' },
    { access_token: 42 },
    [TOKEN],
    'null'
  ])('refuses an answer without access_token: %j', (body) => {
    expect(refusal(answer(200, body))).toContain('no access_token')
  })

  it.each([
    ['a space', 'Zq9x Zq9xZq9xZq9xZq9x'],
    ['a line break and a command', 'Zq9xZq9xZq9xZq9x\n::set-output name=x::y'],
    ['a letter outside ASCII', 'Zq9xZq9xZq9xZq9xé'],
    ['= before the end', 'Zq9xZq9x=Zq9xZq9x'],
    ['only =', '='.repeat(20)],
    ['too many characters', 'Zq9x'.repeat(MAX_TOKEN_LENGTH / 4) + 'Z']
  ])('refuses a token with %s, without quoting it', (_case, token) => {
    const message = refusal(
      answer(200, { access_token: token, token_type: token })
    )
    expect(message).toMatch(/not a bearer token .*nothing was written/)
    expect(message).not.toContain('Zq9x')
  })

  it.each([
    ['Zq9xZq9xZq9xZq9', /has 15 characters, fewer than the 16/],
    ['Z', /has 1 character, /]
  ])(
    'refuses a token too short to be real, before its type: %j',
    (token, count) => {
      const message = refusal(
        answer(200, { access_token: token, token_type: token })
      )
      expect(message).toMatch(count)
      expect(message).toContain('Check region us')
      expect(message).not.toContain('Zq9')
    }
  )

  it.each([
    ['mac', 'token_type "mac"'],
    ['Mac-2.x_y', 'token_type "Mac-2.x_y"'],
    ['#mac', 'an unexpected token_type'],
    ['m'.repeat(33), 'an unexpected token_type'],
    [7, 'an unexpected token_type'],
    ['Abcdefghij0123456789', 'an unexpected token_type'],
    [DEMO_CLIENT_SECRET, 'an unexpected token_type'],
    // As received: invisible characters shown, not trimmed away.
    ['Bearer ', String.raw`token_type "Bearer\u0020"`],
    ['Bearer\t', String.raw`token_type "Bearer\t"`],
    ['\u00a0Bearer\u200b', String.raw`token_type "\u00a0Bearer\u200b"`],
    // Shown in at most 200 characters.
    [
      `Bearer${'\u00a0'.repeat(32)}`,
      `token_type "Bearer${String.raw`\u00a0`.repeat(32)}"`
    ],
    [`Bearer${'\u00a0'.repeat(33)}`, 'an unexpected token_type']
  ])('refuses token_type %j, naming it as %s', (type, named) => {
    const message = refusal(
      answer(200, { access_token: 'Abcdefghij0123456789', token_type: type })
    )
    expect(message).toContain(`returned ${named};`)
    expect(message).toContain('Bearer tokens only')
  })

  it.each([
    ['the client secret', DEMO_CLIENT_SECRET],
    ['the client id', DEMO_CLIENT_ID],
    ['the Basic credential', BASIC],
    [
      'the secret upper-cased and padded',
      `${DEMO_CLIENT_SECRET.toUpperCase()}==`
    ],
    ['the secret within', `${DEMO_CLIENT_SECRET}.x`],
    ['the client id upper-cased', DEMO_CLIENT_ID.toUpperCase()],
    ['the Basic credential unpadded', BASIC.replace(/=+$/, '')],
    [
      'the secret in base64',
      Buffer.from(DEMO_CLIENT_SECRET).toString('base64')
    ],
    ['id and secret together', `${DEMO_CLIENT_ID}${DEMO_CLIENT_SECRET}`]
  ])('refuses %s as the token, without quoting it', (_case, token) => {
    const message = refusal(answer(200, { access_token: token }))
    expect(message).toMatch(/a credential the action sent.*nothing was written/)
    expect(message).not.toContain(token)
  })

  it('quotes the error of a 200 without a token, as of any error answer', () => {
    const body = {
      error: 'invalid_client',
      error_description: 'Bad client credentials'
    }
    const error = rejected(answer(200, body))
    expect(error.message).toMatch(
      /^Torq rejected the client credentials \(HTTP 200, invalid_client, "Bad client credentials"\)/
    )
    expect(error.failure).toMatchObject({ kind: 'answer', status: 200 })
    expect(rejected(answer(200, { error: 'server_error' })).message).toBe(
      'The token request failed (HTTP 200, server_error).'
    )
    expect(
      read(answer(200, { ...body, access_token: TOKEN })).accessToken
    ).toBe(TOKEN)
  })

  it('describes a 200 that is not JSON by its content type, never its body', () => {
    const html = refusal(
      answer(200, '<html>Sign in SECRET-PAGE</html>', {
        contentType: ' Text/HTML ; charset=utf-8'
      })
    )
    expect(html).toMatch(
      /HTTP 200, but the body is not valid JSON \(content type text\/html\)\. Check region us/
    )
    expect(html).not.toContain('SECRET-PAGE')
  })
})

describe('an answer that is not a token', () => {
  it.each([
    [100, /with status 100, where an OAuth token endpoint/],
    [199, /with status 199,/],
    [600, /with status 600,/],
    [301, /with a redirect \(HTTP 301\), which this action does not follow/],
    [302, /redirect \(HTTP 302\)/],
    [303, /redirect \(HTTP 303\)/],
    [307, /redirect \(HTTP 307\)/],
    [308, /redirect \(HTTP 308\)/],
    [300, /unexpected status \(HTTP 300\)/],
    [304, /unexpected status \(HTTP 304\)/],
    [399, /unexpected status \(HTTP 399\)/]
  ])('refuses status %d: %s', (status, named) => {
    const message = refusal(answer(status, { access_token: TOKEN }), AUTH_URL)
    expect(message).toMatch(named)
    expect(message).toContain('Check auth-url')
  })

  it.each([
    ['gzip', 200, 'gzip'],
    [' GZip ', 429, 'gzip'],
    ['identity, br', 503, 'identity, br'],
    ['gzip##[error]x', 200, 'unexpected'],
    [`x-${DEMO_CLIENT_SECRET}`, 200, 'unexpected']
  ])(
    'refuses a body with Content-Encoding %j (HTTP %d), not retried',
    (contentEncoding, status, named) => {
      const message = refusal(answer(status, 'x', { contentEncoding }))
      expect(message).toMatch(
        new RegExp(
          `HTTP ${status} with an encoded body \\(Content-Encoding ${named}\\)`
        )
      )
      expect(message).toContain('check region us and')
    }
  )

  it.each(['', 'identity', ' Identity '])(
    'reads a body with Content-Encoding %j as it is',
    (contentEncoding) => {
      expect(
        read(answer(200, { access_token: TOKEN }, { contentEncoding }))
          .accessToken
      ).toBe(TOKEN)
    }
  )

  it('reads an empty body as nothing to decode', () => {
    expect(
      rejected(answer(500, '', { contentEncoding: 'gzip' })).failure.kind
    ).toBe('answer')
  })

  it('gives an error answer its status, RFC 6749 code and Retry-After', () => {
    const error = rejected(
      answer(
        503,
        { error: 'temporarily_unavailable' },
        { retryAfter: 'Sat, 28 Nov 2026 16:00:30 GMT' }
      )
    )
    expect(error.failure).toEqual({
      kind: 'answer',
      status: 503,
      code: 'temporarily_unavailable',
      retryAfterMs: 30_000
    })
    expect(error.message).toMatch(
      /^The token request failed \(HTTP 503, temporarily_unavailable\)/
    )
    expect(
      rejected(answer(400, { error: 5, error_description: ['x'] })).failure
    ).toEqual({
      kind: 'answer',
      status: 400,
      code: undefined,
      retryAfterMs: undefined
    })
  })

  it.each([
    [401, {}, US, 'region us'],
    [401, 'Unauthorized', AUTH_URL, 'auth-url ('],
    [400, { error: 'invalid_client' }, US, 'region us'],
    [403, { error: 'invalid_client' }, AUTH_URL, 'auth-url (']
  ])(
    'HTTP %d %j: the credentials, or the region or URL they belong to',
    (status, body, ctx, check) => {
      const message = rejected(answer(status, body), ctx).message
      expect(message).toMatch(
        new RegExp(`^Torq rejected the client credentials \\(HTTP ${status}`)
      )
      expect(message).toContain('client-id and client-secret')
      expect(message).toContain('expire or be deleted')
      expect(message).toContain(check)
      // The advice fits how the URL was chosen: no region for auth-url.
      expect(message.includes('region')).toBe(check === 'region us')
    }
  )

  it.each([403, 599])(
    'names no credentials for another error: %d',
    (status) => {
      const error = rejected(answer(status, { error: 'access_denied' }))
      expect(error.failure).toMatchObject({ kind: 'answer', status })
      expect(error.message).not.toContain('client-id')
    }
  )

  it('quotes error_description: secrets cut, inert, one line', () => {
    const message = rejected(
      answer(400, {
        error: 'invalid_request',
        error_description: `bad ${DEMO_CLIENT_SECRET} in\nBasic ${BASIC} ##[error]x`
      })
    ).message
    expect(message).toContain(
      'invalid_request, "bad *** in Basic *** # #[error]x")'
    )
    expect(message).not.toContain(DEMO_CLIENT_SECRET)
    expect(message).not.toContain(BASIC)
  })

  it.each([
    [{ error: 'bad code!' }, 'HTTP 400, an unexpected error code)'],
    [
      { error: `x${DEMO_CLIENT_SECRET}` },
      'HTTP 400, an unexpected error code)'
    ],
    [{ error: '', error_description: '' }, 'HTTP 400)'],
    [[1, 2], 'HTTP 400)']
  ])('describes %j without quoting it', (body, detail) => {
    expect(rejected(answer(400, body)).message).toContain(detail)
  })

  it.each([
    [
      '<html>gateway page-17</html>',
      'text/html; charset=x',
      'not JSON: content type text/html'
    ],
    ['Bad gateway', '', 'not JSON: no content type'],
    ['Bad gateway', '  ; charset=utf-8', 'not JSON: no content type'],
    ['Bad gateway', '@text/html', 'not JSON: an unexpected content type'],
    ['', 'text/html', 'not JSON: empty body']
  ])(
    'describes a body that is not JSON (%j, %j) by its content type',
    (body, contentType, detail) => {
      const message = rejected(answer(502, body, { contentType })).message
      expect(message).toContain(`(HTTP 502, ${detail})`)
    }
  )
})

describe('retryAfterMs', () => {
  const now = Date.parse('Sat, 28 Nov 2026 16:00:00 GMT')
  it.each([
    ['5', 5000],
    [' 7\t', 7000],
    ['0', 0],
    ['0000000000000000000000000000007', 7000],
    [String(MAX_EXPIRES_IN), MAX_EXPIRES_IN * 1000],
    [String(MAX_EXPIRES_IN + 1), undefined],
    ['9'.repeat(400), undefined],
    ['Sat, 28 Nov 2026 16:00:07 GMT', 7000],
    [' Sun, 29 Nov 2026 16:00:00 GMT ', 86_400_000],
    ['Sat, 28 Nov 2026 15:59:00 GMT', 0],
    ['Sun, 28 Nov 2027 16:00:00 GMT', MAX_EXPIRES_IN * 1000],
    ['Sun, 28 Nov 2027 16:00:01 GMT', undefined],
    ['Sat, garbage', undefined],
    ['28 Nov 2026 16:00:07 GMT', undefined],
    ['Mo, 28 Nov 2026 16:00:07 GMT', undefined],
    ['1.5', undefined],
    ['2026.11.28', undefined],
    ['1e3', undefined],
    ['sat, 28 nov 2026 16:00:07 gmt', undefined],
    ['2026-11-28T16:00:07Z', undefined],
    ['', undefined],
    [undefined, undefined]
  ])('reads %j as %j ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms)
  })
})
