// The one way outside text reaches a log line: every form of every secret
// cut out, nothing the runner would obey (its rules as test/support/runner.js
// applies them), one bounded line, and only the start of a long text read.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  basic,
  isEcho,
  MAX_QUOTE_LENGTH,
  READ_LENGTH,
  quote,
  quoteIfShaped
} from '../../src/outside-text.js'
import { runs } from '../../test/support/property-runs.js'
import {
  parseCommand,
  readLog,
  RUNNER_COMMANDS
} from '../../test/support/runner.js'

const ID = 'client-7'
// Its echoes all differ: `+` and `/` in its base64, a space, `"` and `\`.
const SECRET = 'Zq8/Rm+Tx3 Lw"9\\Vp??>k'
const PROXY_USER = 'us@er'
const PROXY_PASSWORD = 'p:ss w0rd'
/** What main.ts cuts: the secret, its Basic credential, a proxy password as written and decoded, its credential. */
const SECRETS = [
  SECRET,
  basic(ID, SECRET),
  encodeURIComponent(PROXY_PASSWORD),
  PROXY_PASSWORD,
  basic(PROXY_USER, PROXY_PASSWORD)
]

/** How a server could send a value back, each way once. */
function echoes(value: string): [string, string][] {
  const base64 = Buffer.from(value).toString('base64')
  const ways = Object.entries({
    'as sent': value,
    'without its padding': value.replace(/=+$/, ''),
    'URL-encoded': encodeURIComponent(value),
    'form-encoded': new URLSearchParams({ s: value }).toString().slice(2),
    base64,
    'base64 unpadded': base64.replace(/=+$/, ''),
    base64url: Buffer.from(value).toString('base64url'),
    'JSON-escaped': JSON.stringify(value).slice(1, -1)
  })
  return ways.filter(
    ([, echo], at) => ways.findIndex(([, e]) => e === echo) === at
  )
}
/** Each test builds its own list, as each run of the action does. */
const secrets = () => [...SECRETS]
const ECHOES = [
  ...new Set(SECRETS.flatMap((s) => echoes(s).map(([, echo]) => echo)))
]
/** How much of a text quote() reads, less the longest echo of a secret. */
const LONGEST = Math.max(...ECHOES.map((echo) => echo.length))
const registered = new Set(RUNNER_COMMANDS)
const hidden = (n: number) => '\u200b'.repeat(n)

describe('basic', () => {
  it('joins user and password with a colon, unencoded, as curl -u does', () => {
    expect(basic(PROXY_USER, PROXY_PASSWORD)).toBe('dXNAZXI6cDpzcyB3MHJk')
  })
})

describe('isEcho', () => {
  it.each([
    ['s3cr3t-value', true],
    ['S3CR3T-VALUE==', true],
    ['xx-s3cr3t-value-yy', true],
    [Buffer.from('s3cr3t-value').toString('base64url'), true],
    [encodeURIComponent('s3cr3t/value'), false],
    ['short', true],
    ['SHORT==', true],
    ['s=hort', false],
    ['x-eight-ch-y', true],
    // A short value counts only whole: a token may hold any few letters.
    ['a-short-one', false],
    ['s3cr3t-valu', false]
  ])('finds %j: %s', (text, found) => {
    expect(isEcho(text, ['s3cr3t-value', 'short', 'eight-ch'])).toBe(found)
  })
})

describe('quote, of text holding a secret', () => {
  it.each(
    Object.entries({
      'the client secret': SECRET,
      'its Basic credential': basic(ID, SECRET),
      'the proxy password': PROXY_PASSWORD,
      'the proxy password as written': encodeURIComponent(PROXY_PASSWORD),
      'the proxy credential': basic(PROXY_USER, PROXY_PASSWORD)
    }).flatMap(([what, value]) =>
      echoes(value).map(([how, echo]) => [what, how, echo])
    )
  )('cuts %s sent back %s, in any letter case', (_what, _how, echo) => {
    for (const seen of [echo, echo.toUpperCase(), echo.toLowerCase()]) {
      expect(quote(`(${seen})`, secrets())).toBe('(***)')
    }
  })

  it('cuts each time it stands, before shortening', () => {
    const thrice = `${SECRET}${SECRET}x${SECRET.toLowerCase()}`
    expect(quote(thrice, secrets())).toBe('******x***')
    const late = `${'t'.repeat(190)}${SECRET}`
    expect(quote(late, secrets())).toBe(`${'t'.repeat(190)}***`)
  })

  it('cuts a secret that only forms once invisible or control characters are dropped', () => {
    const spread = Array.from(SECRET).join('\u200b')
    expect(quote(`x ${spread} y`, secrets())).toBe('x *** y')
    expect(quote('p:ss\u0000w0rd, p:ss\tw0rd', secrets())).toBe('***, ***')
  })

  // Each secret, then what it would match as a pattern.
  const SPECIAL =
    'x=y:xy x.y:xzy x*y:xxy x+y:xxy x?y:y x|y:x x\\y:xy x^y: x$y: x(y: x)y: x[y:'
  it.each(SPECIAL.split(' ').map((pair) => pair.split(':')))(
    'cuts the secret %j as written, and not %j',
    (secret = '', lookAlike = '') => {
      const text = `${secret} ${lookAlike}`
      expect(quote(text, [secret])).toBe(`*** ${lookAlike}`.trim())
    }
  )

  it('cuts nothing for an empty secret, and takes a lone surrogate in one', () => {
    expect(quote('undefined text', [''])).toBe('undefined text')
    expect(quote('a\ud800b c', ['a\ud800b'])).toBe('*** c')
  })

  it('reads a list of secrets once', () => {
    const secrets = ['abcdefgh']
    expect(quote('abcdefgh', secrets)).toBe('***')
    secrets[0] = 'zyxwvuts'
    expect(quote('abcdefgh', secrets)).toBe('***')
    expect(quote('abcdefgh', [...secrets])).toBe('abcdefgh')
  })
})

describe('quote, of text the runner could obey', () => {
  it.each([
    ['busy ##[stop-commands]x', 'busy # #[stop-commands]x'],
    ['###[error]x', '## #[error]x'],
    ['##[##[add-mask]', '# #[# #[add-mask]'],
    ['::error::forged', ': :error::forged'],
    ['  ::add-mask::x', ': :add-mask::x'],
    ['a ::error::x', 'a ::error::x'],
    ['#\u200b#[stop-commands]x', '# #[stop-commands]x'],
    ['a\r\n##[error]b', 'a # #[error]b'],
    ['a\u0085b\u009bc\u2028d\u2029e\u0000f', 'a b c d e f'],
    ['left\u202eright\u2066x\u200fy\ufeffz', 'leftrightxyz'],
    ['  tabs\tand\nlines   and  spaces ', 'tabs and lines and spaces'],
    ['x"). Paste it ("ok', 'x\\"). Paste it (\\"ok'],
    ['back\\slash', 'back\\\\slash'],
    ['\ud800 lone surrogate', '\ufffd lone surrogate']
  ])('makes %j inert: %j', (text, inert) => {
    expect(quote(text, [])).toBe(inert)
  })
})

describe('quote, of a long text', () => {
  it(`keeps ${MAX_QUOTE_LENGTH} characters, then marks the cut`, () => {
    for (const char of ['x', '😀']) {
      const most = char.repeat(MAX_QUOTE_LENGTH)
      expect(quote(most, [])).toBe(most)
      expect(quote(`${most}${char}`, [])).toBe(`${most}…`)
    }
  })

  it('reads only its start, however long it is', () => {
    expect(quote('x'.repeat(10_000_000), secrets())).toBe(
      `${'x'.repeat(MAX_QUOTE_LENGTH)}…`
    )
    // What lies past what it reads is not looked at.
    expect(quote(`${hidden(10_000_000)}hello`, secrets())).toBe('…')
  })

  it('reads a text of four times what it shows whole, plus the longest echo of a secret', () => {
    expect(quote(`${hidden(READ_LENGTH - 5)}hello`, [])).toBe('hello')
    expect(quote(`${hidden(READ_LENGTH - 4)}hello`, [])).toBe('hell…')
    const end = READ_LENGTH + LONGEST
    expect(quote(`${hidden(end - 5)}hello`, secrets())).toBe('hello')
    // Read in part, its end could be the start of a secret: it goes.
    expect(quote(`${hidden(end - 4)}hello`, secrets())).toBe('…')
  })

  it('splits no character of two units where it drops the end of what it read', () => {
    const text = `x${'😀'.repeat(60)}y${hidden(READ_LENGTH + LONGEST)}`
    const quoted = quote(text, secrets())
    expect([quoted.isWellFormed(), quoted.endsWith('…')]).toEqual([true, true])
  })

  it('shows no piece of a secret that runs past the end of what it reads', () => {
    const [end, list] = [READ_LENGTH + LONGEST, secrets()]
    const shown: string[] = []
    for (const echo of ECHOES) {
      const spread = Array.from(echo).join('\u200b')
      for (const sent of [echo.toUpperCase(), spread]) {
        for (const lead of ['', '.'.repeat(40)]) {
          for (let at = end - sent.length - 1; at <= end + 1; at++) {
            const text = `${lead}${hidden(at - lead.length)}${sent}${hidden(end)}`
            const quoted = quote(text, list)
            if (!/^\.*…$/.test(quoted)) shown.push(`${at}: ${quoted}`)
          }
        }
      }
    }
    expect(shown).toEqual([])
  })
})

describe('quoteIfShaped', () => {
  const shaped = (text: string, shape: RegExp) =>
    quoteIfShaped(text, shape, secrets())

  it('quotes a value of the expected shape, trimmed', () => {
    expect(shaped(' mac ', /^[a-z]+$/)).toBe('mac')
    expect(shaped('mac##[x]', /^[a-z]+$/)).toBeUndefined()
  })

  it('judges the shape with secrets cut out', () => {
    const credential = `Basic ${basic(ID, SECRET)}`
    expect(shaped(credential, /^Basic [\w+/=]+$/)).toBeUndefined()
    expect(shaped(credential, /^Basic \S+$/)).toBe('Basic ***')
  })

  it('takes no value longer than quote() reads', () => {
    const most = 'a'.repeat(READ_LENGTH)
    const shown = `${'a'.repeat(MAX_QUOTE_LENGTH)}…`
    expect([shaped(` ${most} `, /^a+$/), shaped(`${most}a`, /^a+$/)]).toEqual([
      shown,
      undefined
    ])
  })
})

/** Text a hostile server could send: noise, command syntax, echoes of the secrets in any case. */
const PIECES = ['##[', '##[stop-commands]x', '##[add-mask]', '::', '::error::']
const noise = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constantFrom(...PIECES, '#', '[', ']', ':', '"', '\\', '%', ' '),
    fc.constantFrom(...Array.from('\r\n\x85\x9b\u200b\u202e\u2028\ud800'))
  ),
  maxLength: 40
})
const hostile = fc
  .tuple(
    fc.constantFrom('x', '\u200b', ' ', '#', '\n'),
    fc.nat({ max: READ_LENGTH + LONGEST + 40 }),
    noise,
    fc.mixedCase(fc.constantFrom(...ECHOES)),
    noise
  )
  .map(([pad, n, ...parts]) => `${pad.repeat(n)}${parts.join('')}`)

describe('quote, for any text', () => {
  it('leaves one short inert line with no echo of a secret', () => {
    const list = secrets()
    fc.assert(
      fc.property(hostile, (text) => {
        const quoted = quote(text, list)
        const lower = quoted.toLowerCase()
        const echoed = ECHOES.filter((e) => lower.includes(e.toLowerCase()))
        expect(echoed).toEqual([])
        const shown = Array.from(quoted.replace(/…$/, ''))
        expect(shown.length).toBeLessThanOrEqual(MAX_QUOTE_LENGTH)
        expect(quoted.isWellFormed()).toBe(true)
        expect(quoted).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|##\[|^\s*::/u)
        expect(parseCommand(`text ${quoted}`, registered)).toBeUndefined()
        expect(parseCommand(quoted, registered)).toBeUndefined()
        // Every " and \ escaped (the cut may split a \\): a quote cannot seem to end early.
        const unescaped = quoted.replace(/\\[\\"]/g, '').replace(/\\…$/, '')
        expect(unescaped).not.toMatch(/["\\]/)
      }),
      runs(1000)
    )
  })

  it('cannot stop the runner from masking the token printed after it', () => {
    const token = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
    // Command data escaped as @actions/core escapes it.
    const data = (text: string) => text.replace(/%/g, '%25')
    const list = secrets()
    fc.assert(
      fc.property(hostile, hostile, (first, second) => {
        const log = [
          `Attempt 1 of 4 failed: HTTP 503, "${quote(first, list)}". Retrying in 1.0 s.`,
          `::error::${data(quote(second, list))}`,
          `::add-mask::${token}`,
          `token ${token}`
        ].join('\n')
        const replayed = readLog(log)
        const names = replayed.commands.map(({ name }) => name)
        expect(names).toEqual(['error', 'add-mask'])
        expect(replayed.masks).toEqual([token])
        expect(replayed.reveals(token)).toBe(false)
        expect(replayed.reveals(SECRET)).toBe(false)
      }),
      runs(500)
    )
  })
})
