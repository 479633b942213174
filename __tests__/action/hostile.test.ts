// A hostile or broken token server, and careless inputs, against the whole
// action in this process: what the runner would do with the log (commands in
// both syntaxes, stop-commands, masks), what it would show, and what was
// written to the output and environment files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { runs } from '../../test/support/property-runs.js'
import { basicCredentials } from '../../src/secrets.js'
import { runAgainst } from '../../test/support/in-process.js'
import {
  echo,
  echoing,
  normalForms,
  unicodeSecret
} from '../../test/support/unicode-secrets.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const BASIC = basicCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const tokenAnswer = (fields: Record<string, unknown> = {}) =>
  replies.json(200, {
    access_token: TOKEN,
    token_type: 'Bearer',
    expires_in: 3600,
    ...fields
  })

describe('the action against a hostile token server', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  const runWith = async (inputs: Record<string, string> = {}) => {
    const result = await runAgainst(server, inputs)
    return { ...result, requests: result.requests.length }
  }

  /** The token was published, masked, and nothing from the server acted on the runner. */
  function expectMaskedToken(result: Awaited<ReturnType<typeof runWith>>) {
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs['token']).toBe(TOKEN)
    expect(result.masks).toContain(TOKEN)
    expect(result.commands.map(({ name }) => name)).not.toContain(
      'stop-commands'
    )
    expect(result.reveals(TOKEN)).toBe(false)
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
  }

  it('a retry line cannot carry ##[stop-commands] to unmask the token', async () => {
    server.script(
      replies.json(503, {
        error: 'temporarily_unavailable',
        error_description: 'busy ##[stop-commands]x'
      }),
      tokenAnswer()
    )
    const result = await runWith()
    expectMaskedToken(result)
    expect(result.shown).toContain('"busy # #[stop-commands]x"')
  })

  it('nor can a content type', async () => {
    server.script(
      replies.text(502, 'text/plain ##[stop-commands]x', 'bad gateway'),
      tokenAnswer()
    )
    const result = await runWith()
    expectMaskedToken(result)
    expect(result.shown).toContain(
      'The token request failed (HTTP 502, not JSON: an unexpected content type).'
    )
  })

  it('an error code cannot forge an annotation', async () => {
    server.script(
      replies.json(400, {
        error: '##[error]Deploy approved',
        error_description: '::warning::forged'
      })
    )
    const result = await runWith()
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      'The token request failed (HTTP 400, an unexpected error code, ": :warning::forged").'
    ])
    expect(result.warnings).toEqual([])
    expect(result.commands.map(({ name }) => name)).not.toContain('warning')
  })

  it('a long token_type cannot push part of the secret past the cut', async () => {
    server.script(
      tokenAnswer({ token_type: `${'t'.repeat(190)}${DEMO_CLIENT_SECRET}` })
    )
    const result = await runWith()
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      'The token endpoint returned an unexpected token_type; this action hands out Bearer tokens only.'
    ])
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
    expect(result.outputs).toEqual({})
  })

  // A secret in mixed case: a lower-cased echo of it no longer matches its mask.
  const MIXED = 'Mixed-Case-S3cret-Value'
  const MIXED_BASIC = basicCredentials(DEMO_CLIENT_ID, MIXED)
  it.each([
    ['the secret', `text/${MIXED}`],
    ['the secret, upper-cased', `TEXT/${MIXED.toUpperCase()}`],
    ['the Basic credential', `application/${MIXED_BASIC}`],
    [
      'the Basic credential without padding',
      `x/${MIXED_BASIC.replace(/=+$/, '')}`
    ],
    ['the secret as a parameter', `text/html; x=${MIXED}`]
  ])('a content type carrying %s shows none of it', async (_name, type) => {
    server.script(replies.text(502, type, 'down'))
    const result = await runWith({ 'client-secret': MIXED, retries: '0' })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(/^The token request failed \(HTTP 502, not JSON: /)
    ])
    expect(result.reveals(MIXED)).toBe(false)
    expect(result.reveals(MIXED_BASIC)).toBe(false)
  })

  it.each([
    'abc${IFS}touch${IFS}/tmp/x;false',
    'abc\u0085def',
    'abc\u009bdef',
    '$(id)'
  ])('refuses the token %j and writes nothing', async (token) => {
    server.script(replies.json(200, { access_token: token, expires_in: 3600 }))
    const result = await runWith({ 'env-var': 'TORQ_TOKEN' })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining('is not a bearer token')
    ])
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
    expect(result.log).not.toContain(token)
  })

  it.each([9_000_000_000_000, 31_536_001, 0, -1, 1.5, '1e9'])(
    'treats expires_in %j as missing and still writes every output',
    async (expiresIn) => {
      server.script(tokenAnswer({ expires_in: expiresIn }))
      const result = await runWith()
      expect(result.exitCode).toBeUndefined()
      expect(result.outputs).toEqual({
        token: TOKEN,
        'token-type': 'Bearer',
        'expires-in': '',
        'expires-at': '',
        reused: 'false',
        'api-url': ''
      })
      expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: TOKEN })
      expect(result.warnings).toEqual([
        expect.stringContaining('no usable expires_in')
      ])
    }
  )

  it.each([600, 799, 999])(
    'does not retry status %i, which is not an HTTP status',
    async (status) => {
      server.script(
        replies.raw(
          `HTTP/1.1 ${status} Odd\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`
        )
      )
      const result = await runWith()
      expect(result.exitCode).toBe(1)
      expect(result.requests).toBe(1)
      expect(result.errors).toEqual([
        `The token endpoint answered with status ${status}, which is not an HTTP status (100 to 599). Check auth-url: something other than Torq is answering.`
      ])
    }
  )

  it('refuses env-var names that reconfigure later steps, before any request', async () => {
    const result = await runWith({ 'env-var': 'GIT_SSH_COMMAND' })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toBe(0)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Input 'env-var' is "GIT_SSH_COMMAND", which does not contain TORQ\b.* such as TORQ_ACCESS_TOKEN\b/
      )
    ])
  })

  it.each(['\u0085', '\u009b', '\u202e'])(
    'refuses a client-secret with %j, masked, before any request',
    async (char) => {
      const secret = `s3cr3t${char}value`
      const result = await runWith({ 'client-secret': secret })
      expect(result.exitCode).toBe(1)
      expect(result.requests).toBe(0)
      expect(result.masks[0]).toBe(secret)
      expect(result.errors).toEqual([
        expect.stringContaining("Input 'client-secret' contains")
      ])
    }
  )

  it('shows no piece of a secret beyond ASCII sent back in any normalization form or case', async () => {
    await fc.assert(
      fc.asyncProperty(
        unicodeSecret,
        echoing,
        fc.constantFrom(400, 401, 503),
        fc.string({ maxLength: 20 }),
        async (secret, how, status, noise) => {
          const sent = echo(secret, how)
          server.script(
            replies.json(status, {
              error: sent,
              error_description: `${noise}${sent}${noise}`
            })
          )
          const result = await runWith({
            'client-secret': secret,
            retries: '0'
          })
          expect(result.exitCode).toBe(1)
          expect(result.requests).toBe(1)
          for (const value of [...normalForms(secret), sent]) {
            expect([value, result.reveals(value)]).toEqual([value, false])
          }
        }
      ),
      runs(200)
    )
  })

  it('lets no server text act on the runner or show the secret, on any message path', async () => {
    const forms = [
      DEMO_CLIENT_SECRET,
      DEMO_CLIENT_SECRET.toUpperCase(),
      BASIC,
      BASIC.toLowerCase(),
      Buffer.from(DEMO_CLIENT_SECRET).toString('base64'),
      JSON.stringify(DEMO_CLIENT_SECRET).slice(1, -1)
    ]
    const pieces = (extra: string[]) =>
      fc
        .array(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc.constantFrom(
              ...forms,
              ...extra,
              '##[stop-commands]x',
              '##[add-mask]',
              '::stop-commands::y',
              '\n::stop-commands::z\n',
              '\r',
              '\u0085',
              '\u202e',
              '#',
              '['
            )
          ),
          { maxLength: 12 }
        )
        .map((parts) => parts.join(''))
    // A server that announces a token before it issues it is out of reach
    // (nothing can mask a value not yet known); the answer that carries the
    // token may echo it anywhere.
    const text = pieces([])
    const withToken = pieces([TOKEN, TOKEN.toUpperCase()])
    type Case =
      | { kind: 'error'; status: number; error: string; description: string }
      | { kind: 'type'; status: number; type: string }
      | { kind: 'token_type' | 'access_token'; value: string }
    const cases: fc.Arbitrary<Case> = fc.oneof(
      fc.record({
        kind: fc.constant('error' as const),
        status: fc.constantFrom(400, 429, 500, 503),
        error: text,
        description: text
      }),
      fc.record({
        kind: fc.constant('type' as const),
        status: fc.constantFrom(200, 502),
        type: text
      }),
      fc.record({
        kind: fc.constantFrom('token_type' as const, 'access_token' as const),
        value: withToken
      })
    )
    const reply = (c: Case) => {
      switch (c.kind) {
        case 'error':
          return replies.json(c.status, {
            error: c.error,
            error_description: c.description
          })
        case 'type':
          // Raw, since Node's server would refuse to write such a header;
          // what no HTTP server can send (CR, LF, NUL) becomes a space.
          return replies.raw(
            `HTTP/1.1 ${c.status} X\r\nContent-Type: ${c.type.replace(/[\r\n\0]/g, ' ')}\r\nContent-Length: 8\r\nConnection: close\r\n\r\nnot json`
          )
        case 'token_type':
          return tokenAnswer({ token_type: c.value })
        case 'access_token':
          return replies.json(200, { access_token: c.value })
      }
    }
    await fc.assert(
      fc.asyncProperty(cases, async (first) => {
        server.script(reply(first), tokenAnswer())
        const result = await runWith({ retries: '1' })
        expect(result.commands.map(({ name }) => name)).not.toContain(
          'stop-commands'
        )
        expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
        expect(result.reveals(BASIC)).toBe(false)
        expect(result.reveals(TOKEN)).toBe(false)
        // Whatever was published was masked first.
        expect(result.masks).toEqual(
          expect.arrayContaining(Object.values(result.outputs).slice(0, 1))
        )
      }),
      runs(150)
    )
  })
})
