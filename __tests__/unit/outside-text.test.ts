// The one way outside text reaches the log: what survives of a secret, and
// whether the runner (as test/support/runner.js models it) could be told
// anything by what is left.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { runs } from '../../test/support/property-runs.js'
import { cutSecrets, SECRET_RUN } from '../../src/cut-secrets.js'
import {
  MAX_QUOTE_LENGTH,
  quote,
  quoteIfShaped,
  READ_LENGTH
} from '../../src/outside-text.js'
import { secretForms } from '../../src/secrets.js'
import {
  parseCommand,
  readLog,
  reveals,
  RUNNER_COMMANDS
} from '../../test/support/runner.js'
import {
  echo,
  echoing,
  normalForms,
  unicodeSecret
} from '../../test/support/unicode-secrets.js'

const ID = 'client-7'
const SECRET = 'Zq8/Rm+Tx3Lw9Vp2Kd7'
const FORMS = secretForms(ID, SECRET)
const registered = new Set(RUNNER_COMMANDS)

describe('quote, for a secret beyond ASCII sent back in any form', () => {
  it('shows no piece of it in any normalization form or case', () => {
    fc.assert(
      fc.property(
        unicodeSecret,
        echoing,
        fc.string(),
        fc.string(),
        (secret, how, before, after) => {
          const sent = echo(secret, how)
          const quoted = quote(
            `${before} ${sent} ${after}`,
            secretForms('id', secret)
          )
          for (const value of [...normalForms(secret), sent]) {
            expect([value, reveals(quoted, value)]).toEqual([value, false])
          }
        }
      ),
      runs(2000)
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
    // Counted in characters, not in the units of each.
    expect(quote('😀'.repeat(MAX_QUOTE_LENGTH), [])).toBe(
      '😀'.repeat(MAX_QUOTE_LENGTH)
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

/** quote() as it was before it read only a bound: the whole text, each step. */
function unbounded(text: string, secrets: readonly string[]): string {
  const line = cutSecrets(text, secrets)
    .toWellFormed()
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/#(?=#\[)/g, '# ')
    .replace(/^:(?=:)/, ': ')
    .replace(/["\\]/g, '\\$&')
  const chars = Array.from(cutSecrets(line, secrets))
  return chars.length > MAX_QUOTE_LENGTH
    ? `${chars.slice(0, MAX_QUOTE_LENGTH).join('')}…`
    : chars.join('')
}

describe('quote, of printable ASCII', () => {
  it('makes it inert and cuts secrets as it does any text', () => {
    const printable = fc.string({
      unit: fc.oneof(
        fc.constantFrom(...Array.from(' #[]:"\\azAZ09')),
        fc.constantFrom(...FORMS.filter((form) => /^[ -~]+$/.test(form)))
      ),
      maxLength: 120
    })
    fc.assert(
      fc.property(printable, (text) => {
        expect(quote(text, FORMS)).toBe(unbounded(text, FORMS))
      }),
      runs(1000)
    )
  })
})

describe('quote, of a text longer than it reads', () => {
  // A secret whose folded forms are 16 units long: quote() reads
  // READ_LENGTH + 16 units, and the SECRET_RUN after them to decide.
  const PLAIN = 'abcdefghijklmnop'
  const END = READ_LENGTH + PLAIN.length
  const hiddenChars = (n: number) => '\u200b'.repeat(n)

  it('reads no further than it could show', () => {
    expect(quote('x'.repeat(1_000_000), FORMS)).toBe(
      `${'x'.repeat(MAX_QUOTE_LENGTH)}…`
    )
    // What lies past the bound is not looked at: not even a secret.
    const far = `${hiddenChars(END + 2 * SECRET_RUN)}${PLAIN}`
    expect(quote(far, [PLAIN])).toBe('…')
    expect(
      quote(`${hiddenChars(END - 3)}hello${hiddenChars(10)}`, [PLAIN])
    ).toBe('hel…')
  })

  it('reads a text of just the bound whole, and one a character longer not', () => {
    expect(quote(`${hiddenChars(END - 5)}hello`, [PLAIN])).toBe('hello')
    expect(quote(`${hiddenChars(END - 4)}hello`, [PLAIN])).toBe('hell…')
    // Nor does it end a quote of a whole text in a secret's start.
    expect(quote(`ends ${PLAIN.slice(0, 3)}`, [PLAIN])).toBe('ends abc')
  })

  it('splits no character of two units at the bound', () => {
    for (const char of ['\u{10000}', '😀', '\u{10ffff}']) {
      expect(quote(`${hiddenChars(END - 1)}${char}xyz`, [PLAIN])).toBe(
        `${char}…`
      )
      expect(quote(`${hiddenChars(END - 2)}${char}xyz`, [PLAIN])).toBe(
        `${char}…`
      )
    }
  })

  it('cuts a secret across the bound whole, wherever it starts', () => {
    for (let at = END - PLAIN.length - 2; at <= END + 2 * SECRET_RUN; at++) {
      const text = `${hiddenChars(at)}${PLAIN.toUpperCase()}${hiddenChars(1_000_000)}`
      expect([at, quote(text, [PLAIN])]).toEqual([at, at < END ? '***…' : '…'])
    }
  })

  it('cuts the start of a secret that dropped characters join across the bound', () => {
    const spread = PLAIN.split('').join('\u200b')
    for (let at = END - spread.length; at < END; at++) {
      const text = `${hiddenChars(at - 6)}hello ${spread}${hiddenChars(SECRET_RUN * 3)}`
      expect([at, quote(text, [PLAIN])]).toEqual([at, 'hello ***…'])
    }
  })

  it('quotes what it reads as it would the whole text, a secret near the cut included', () => {
    const filler = fc.string({
      unit: fc.constantFrom(...Array.from('abc xyz-#[:"\\é😀\u200b\n')),
      minLength: 2 * READ_LENGTH,
      maxLength: 3 * READ_LENGTH
    })
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_QUOTE_LENGTH - 60, max: MAX_QUOTE_LENGTH + 20 }),
        fc.constantFrom(...FORMS, ...FORMS.map((form) => form.toUpperCase())),
        filler,
        (at, form, text) => {
          const withSecret = `${text.slice(0, at)}${form}${text.slice(at)}`
          expect(quote(withSecret, FORMS)).toBe(unbounded(withSecret, FORMS))
        }
      ),
      runs(300)
    )
  })

  it('shows no piece of a secret anywhere near the bound, whatever was dropped before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: END - 40, max: END + 40 }),
        fc.constantFrom('\u200b', '\u202e', ' ', '\r\n'),
        fc.constantFrom(
          PLAIN,
          PLAIN.toUpperCase(),
          PLAIN.split('').join('\u200b')
        ),
        // After it, no letter of the secret.
        fc.string({
          unit: fc.constantFrom(...Array.from('qrstuvwxyz #[:é😀\u200b\n')),
          maxLength: 40
        }),
        (at, dropped, sent, after) => {
          const text = `${dropped.repeat(at).slice(0, at)}${sent}${after}${'x'.repeat(1000)}`
          const quoted = quote(text, [PLAIN])
          expect(reveals(quoted, PLAIN)).toBe(false)
          expect(quoted).not.toMatch(/[a-p]{3}/i)
        }
      ),
      runs(500)
    )
  })

  it('reads the secrets once for each list of them', () => {
    const secrets = [PLAIN]
    expect(quote(PLAIN, secrets)).toBe('***')
    // The list is read once: a list that changes afterwards is not read again.
    secrets[0] = 'qrstuvwxyz'
    expect(quote(PLAIN, secrets)).toBe('***')
    expect(quote(PLAIN, [...secrets])).toBe(PLAIN)
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

  it('takes a value longer than quote() reads for one of no shape', () => {
    expect(quoteIfShaped(` ${'a'.repeat(READ_LENGTH)} `, /^a+$/, FORMS)).toBe(
      `${'a'.repeat(MAX_QUOTE_LENGTH)}…`
    )
    expect(
      quoteIfShaped('a'.repeat(READ_LENGTH + 1), /^a+$/, FORMS)
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
