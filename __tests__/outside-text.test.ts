// The one way outside text reaches the log: what survives of a secret, and
// whether the runner (as test/support/runner.js models it) could be told
// anything by what is left.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { runs } from '../test/support/property-runs.js'
import {
  cutSecrets,
  MAX_QUOTE_LENGTH,
  quote,
  quoteIfShaped,
  SECRET_RUN
} from '../src/outside-text.js'
import { basicCredentials, secretForms } from '../src/secrets.js'
import {
  parseCommand,
  readLog,
  reveals,
  RUNNER_COMMANDS
} from '../test/support/runner.js'

const ID = 'client-7'
const SECRET = 'Zq8/Rm+Tx3Lw9Vp2Kd7'
const FORMS = secretForms(ID, SECRET)
const registered = new Set(RUNNER_COMMANDS)

describe('secretForms', () => {
  it('lists the secret as sent, base64, Basic with and without padding, escaped', () => {
    const basic = basicCredentials(ID, SECRET)
    const base64 = Buffer.from(SECRET).toString('base64')
    expect(basic.endsWith('==')).toBe(true)
    expect(base64.endsWith('==')).toBe(true)
    expect(FORMS).toEqual([
      SECRET,
      basic,
      basic.slice(0, -2),
      base64,
      base64.slice(0, -2),
      'Zq8\\/Rm+Tx3Lw9Vp2Kd7',
      'Zq8%2FRm%2BTx3Lw9Vp2Kd7'
    ])
    expect(secretForms('id', 'a"b\\c d')).toEqual(
      expect.arrayContaining(['a\\"b\\\\c d', 'a%22b%5Cc%20d', 'a%22b%5Cc+d'])
    )
    expect(secretForms('id', '')).toEqual([])
  })

  it('lists the JSON escapes of Go and Python (\\u for <, >, &, quotes and non-ASCII)', () => {
    expect(secretForms('id', "a<b>&é'😀")).toContain(
      'a\\u003cb\\u003e\\u0026\\u00e9\\u0027\\ud83d\\ude00'
    )
  })

  it('never throws, even for a lone surrogate', () => {
    expect(secretForms('id', 'abc\ud800def')).toContain('abc%EF%BF%BDdef')
  })
})

describe('cutSecrets', () => {
  it('cuts every form of the secret, in any letter case', () => {
    for (const form of FORMS) {
      for (const seen of [form, form.toLowerCase(), form.toUpperCase()]) {
        expect(cutSecrets(`<${seen}>`, FORMS)).toBe('<***>')
      }
    }
  })

  it(`cuts ${SECRET_RUN} or more characters of a secret in a row, and no fewer`, () => {
    expect(cutSecrets(`a ${SECRET.slice(3, 3 + SECRET_RUN)} b`, [SECRET])).toBe(
      'a *** b'
    )
    const short = SECRET.slice(3, 3 + SECRET_RUN - 1)
    expect(cutSecrets(`a ${short} b`, [SECRET])).toBe(`a ${short} b`)
    expect(cutSecrets(`${SECRET}${SECRET}x${SECRET}`, [SECRET])).toBe('***x***')
  })

  it('does not cut the end of a text that matches only the end of a secret', () => {
    expect(cutSecrets(`ends ${SECRET.slice(-3)}`, [SECRET])).toBe(
      `ends ${SECRET.slice(-3)}`
    )
  })

  it('cuts a secret shorter than the run only as a whole', () => {
    expect(cutSecrets('pw, PW, p w', ['pw'])).toBe('***, ***, p w')
  })

  it('keeps positions when a character lower-cases to more than one', () => {
    expect(cutSecrets('İ ABCDEFGHIJ İ', ['abcdefghij'])).toBe('İ *** İ')
  })

  it('matches letters whose case depends on their place or changes length', () => {
    expect(cutSecrets('got ABCDEFGHIΣ.', ['abcdefghiς'])).toBe('got ***.')
    expect(cutSecrets('got abcdefghiσ.', ['ABCDEFGHIΣ'])).toBe('got ***.')
    const dotted = 'İİİİİİİİİİİİ'
    expect(cutSecrets(`got ${dotted.toLowerCase()}.`, [dotted])).toBe(
      'got ***.'
    )
  })

  it('cuts a secret a server escaped as JSON with \\u escapes', () => {
    const secret = 'Ab1&xY2<zQ3>wE4&rT5<uI6>oP7&'
    const echoed = JSON.stringify(secret).replace(
      /[<>&]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
    )
    expect(cutSecrets(`{"s":${echoed}}`, secretForms('id', secret))).toBe(
      '{"s":"***"}'
    )
  })
})

describe('quote', () => {
  it.each([
    ['busy ##[stop-commands]x', 'busy # #[stop-commands]x'],
    ['###[error]x', '## #[error]x'],
    ['##[##[add-mask]', '# #[# #[add-mask]'],
    ['::error::forged', ': :error::forged'],
    ['  ::add-mask::x', ': :add-mask::x'],
    ['#\u200b#[stop-commands]x', '# #[stop-commands]x'],
    ['a\r\n##[error]b', 'a # #[error]b'],
    ['a\u0085b\u009bc\u2028d\u2029e', 'a b c d e'],
    ['left\u202eright\u2066x\u200fy', 'leftrightxy'],
    ['  tabs\tand\nlines  ', 'tabs and lines'],
    [
      'x"). Paste your secret at evil ("ok',
      'x\\"). Paste your secret at evil (\\"ok'
    ],
    ['back\\slash', 'back\\\\slash'],
    ['\ud800 lone surrogate', '\ufffd lone surrogate']
  ])('makes %j inert: %j', (text, expected) => {
    expect(quote(text, [])).toBe(expected)
  })

  it(`keeps ${MAX_QUOTE_LENGTH} characters, then marks the cut`, () => {
    expect(quote('x'.repeat(MAX_QUOTE_LENGTH), [])).toBe(
      'x'.repeat(MAX_QUOTE_LENGTH)
    )
    expect(quote('x'.repeat(MAX_QUOTE_LENGTH + 1), [])).toBe(
      `${'x'.repeat(MAX_QUOTE_LENGTH)}…`
    )
    expect(quote('😀'.repeat(MAX_QUOTE_LENGTH + 1), [])).toBe(
      `${'😀'.repeat(MAX_QUOTE_LENGTH)}…`
    )
  })

  it('cuts the secret before shortening, so no part of it is left at the cut', () => {
    const text = `${'t'.repeat(190)}${SECRET}`
    expect(quote(text, FORMS)).toBe(`${'t'.repeat(190)}***`)
  })

  it('cuts a secret that only forms once invisible characters are dropped', () => {
    const hidden = SECRET.split('').join('\u200b')
    expect(quote(`x ${hidden} y`, FORMS)).toBe('x *** y')
    const spaced = 'pass word'
    expect(quote('pass\u0000word', [spaced])).toBe('***')
  })
})

describe('quoteIfShaped', () => {
  it('quotes a value of the expected shape, after cutting secrets', () => {
    expect(quoteIfShaped(' mac ', /^[a-z]+$/, FORMS)).toBe('mac')
    expect(quoteIfShaped('mac##[x]', /^[a-z]+$/, FORMS)).toBeUndefined()
    expect(
      quoteIfShaped(`text/${SECRET.toUpperCase()}`, /^[^/]+\/[\w+/]+$/, FORMS)
    ).toBeUndefined()
  })
})

/** Text a hostile server could send: noise around the secret's forms and command syntax. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        ...FORMS,
        ...FORMS.map((form) => form.toUpperCase()),
        ...FORMS.map((form) => form.toLowerCase()),
        SECRET.slice(0, SECRET_RUN),
        SECRET.slice(-SECRET_RUN - 2),
        '##[',
        '##[stop-commands]x',
        '##[add-mask]',
        '::',
        '::error::',
        ']',
        '#',
        '[',
        '\r',
        '\n',
        '\u0085',
        '\u009b',
        '\u200b',
        '\u202e',
        '\u2028',
        ' '
      )
    ),
    { maxLength: 40 }
  )
  .map((parts) => parts.join(''))

describe('quote, for any text', () => {
  it('leaves one short line with no command, control character or piece of the secret', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const quoted = quote(text, FORMS)
        expect(Array.from(quoted).length).toBeLessThanOrEqual(
          MAX_QUOTE_LENGTH + 1
        )
        expect(quoted).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u)
        expect(quoted).not.toContain('##[')
        expect(quoted).not.toMatch(/^\s*::/)
        expect(parseCommand(quoted, registered)).toBeUndefined()
        for (const form of FORMS) expect(reveals(quoted, form)).toBe(false)
      }),
      runs(2000)
    )
  })

  it('cannot stop the runner from masking the token printed after it', () => {
    const token = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
    fc.assert(
      fc.property(hostile, hostile, (first, second) => {
        const log = [
          `Attempt 1 of 4 failed: The token request failed (HTTP 503, "${quote(first, FORMS)}"). Retrying in 1.0 s.`,
          `::error::${quote(second, FORMS)}`,
          `::add-mask::${token}`,
          `token ${token}`
        ].join('\n')
        const replayed = readLog(log)
        expect(replayed.commands.map(({ name }) => name)).toEqual([
          'error',
          'add-mask'
        ])
        expect(replayed.masks).toEqual([token])
        expect(replayed.reveals(token)).toBe(false)
        expect(replayed.reveals(SECRET)).toBe(false)
      }),
      runs(1000)
    )
  })
})
