// A hostile or broken token server against the whole action in this
// process: whatever it sends (the secret echoed in any form, runner commands
// in both syntaxes, line breaks, huge bodies), nothing acts on the runner,
// no secret is shown, and a token the action refuses is written nowhere.
// The runner's view comes from test/support/runner.js (readLog).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { basic } from '../../src/outside-text.js'
import { runAgainst } from '../../test/support/in-process.js'
import { runs } from '../../test/support/property-runs.js'
import {
  DEMO_CLIENT_ID,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

/** A secret whose encodings differ from it: mixed case, quotes, `/`, `+`, `&`, `%`, beyond ASCII. */
const SECRET = 'Mixed-Case "S3cret"/v+a&l%ü'
const BASIC = basic(DEMO_CLIENT_ID, SECRET)
/** Every form in which a server could send the secret back. */
const FORMS = [
  SECRET,
  SECRET.toUpperCase(),
  SECRET.toLowerCase(),
  BASIC,
  BASIC.toLowerCase(),
  BASIC.replace(/=+$/, ''),
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(SECRET).toString('base64url'),
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  new URLSearchParams({ s: SECRET }).toString().slice(2)
]
/**
 * What must never show: the forms of the secret alone. The Basic
 * credential begins with base64 of `demo-client-id:` (15 bytes, 20
 * characters), no secret; its rest is base64 of the secret, listed here.
 */
const NEVER_SHOWN = FORMS.filter(
  (form) => !form.toLowerCase().startsWith(BASIC.slice(0, 20).toLowerCase())
).concat(BASIC.slice(20))

const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const tokenAnswer = (fields: Record<string, unknown> = {}) =>
  replies.json(200, {
    access_token: TOKEN,
    token_type: 'Bearer',
    expires_in: 3600,
    ...fields
  })

let server: TorqServer
beforeAll(async () => {
  server = await startTorqServer({ clients: { [DEMO_CLIENT_ID]: SECRET } })
})
afterAll(() => server.close())

type Result = Awaited<ReturnType<typeof runAgainst>>
const runWith = (inputs: Record<string, string> = {}) =>
  runAgainst(server, { 'client-secret': SECRET, ...inputs })

/**
 * Nothing the server sent acted on the runner or showed a secret or the
 * token: no command but the action's own, no mask but the action's.
 */
function expectHarmless(result: Result) {
  const names = new Set(result.commands.map(({ name }) => name))
  const own = ['add-mask', 'debug', 'error', 'warning']
  expect([...names].filter((name) => !own.includes(name))).toEqual([])
  expect(result.errors.length).toBeLessThanOrEqual(1)
  const token = result.outputs['token']
  const masks = [SECRET, BASIC, ...(token === undefined ? [] : [token])]
  expect(result.masks).toEqual(masks)
  for (const form of [...NEVER_SHOWN, token ?? '']) {
    expect([form, result.reveals(form)]).toEqual([form, false])
  }
}

describe('server text on a retry line, then a token', () => {
  it.each([
    [
      'an error description',
      replies.json(503, {
        error: 'temporarily_unavailable',
        error_description: 'busy ##[stop-commands]x\n::add-mask::x'
      })
    ],
    [
      'an error code',
      replies.json(503, {
        error: '##[error]Deploy approved',
        error_description: '::warning::forged\r::stop-commands::y'
      })
    ],
    [
      'a content type',
      replies.text(502, 'text/plain ##[stop-commands]x', 'bad gateway')
    ],
    [
      'the secret in every form',
      replies.json(503, {
        error: FORMS.join(' '),
        error_description: FORMS.join(' | ')
      })
    ]
  ])('cannot act on the runner nor unmask the token: %s', async (_n, reply) => {
    server.script(reply, tokenAnswer())
    const result = await runWith()
    expect(result.exitCode).toBeUndefined()
    expect(result.requests).toHaveLength(2)
    expect(result.outputs['token']).toBe(TOKEN)
    expect(result.errors).toEqual([])
    expect(result.warnings).toEqual([])
    expectHarmless(result)
  })
})

describe('what the action refuses', () => {
  it.each([
    [
      'a token_type carrying the secret',
      tokenAnswer({ token_type: `${'t'.repeat(190)}${SECRET.toUpperCase()}` })
    ],
    [
      'a token that would run commands',
      tokenAnswer({ access_token: 'abc${IFS}touch${IFS}/tmp/x;false' })
    ],
    [
      'a token with a line break',
      tokenAnswer({ access_token: `${TOKEN}\nTORQ_X=1` })
    ],
    [
      'a token with NEL',
      tokenAnswer({ access_token: `${TOKEN}\u0085TORQ_X=1` })
    ],
    ['a body larger than any token answer', replies.huge(2 * 1024 * 1024)]
  ])('writes nothing: %s', async (_n, reply) => {
    server.script(reply)
    const result = await runWith()
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(1)
    expect(result.errors).toHaveLength(1)
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
    expect(result.log).not.toContain('TORQ_X')
    expect(result.log).not.toContain('${IFS}')
    expectHarmless(result)
  })

  it('shows a bounded line of a huge error description full of secrets and commands', async () => {
    const line = `${SECRET.toUpperCase()} ##[add-mask]x\n::stop-commands::y\n${BASIC} `
    server.script(
      replies.json(400, { error: 'x', error_description: line.repeat(5000) })
    )
    const result = await runWith()
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([expect.stringContaining('HTTP 400')])
    expect(result.errors[0]?.length).toBeLessThan(1000)
    expectHarmless(result)
  })
})

describe('any text a server sends', () => {
  const pieces = (extra: string[]) =>
    fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.constantFrom(
            ...FORMS,
            ...extra,
            '##[stop-commands]x',
            '##[add-mask]',
            '::stop-commands::y',
            '\n::stop-commands::z\n',
            '\r',
            '\u0085',
            '\u2028',
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
      status: fc.constantFrom(400, 401, 429, 500, 503),
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

  it('acts on nothing and shows no secret, on any message path', async () => {
    const property = fc.asyncProperty(cases, async (first) => {
      // A retry, if any, gets a real token from the server.
      server.script(reply(first))
      expectHarmless(await runWith({ retries: '1' }))
    })
    await expect(fc.assert(property, runs(150))).resolves.toBeUndefined()
  })
})
