// Finding a secret in outside text however it was cased, normalized or
// escaped, and cutting it out with the text around it kept as it was.
import { describe, expect, it } from '@jest/globals'
import {
  cutSecrets,
  cutTo,
  hidden,
  matcherFor,
  SECRET_RUN
} from '../../src/cut-secrets.js'
import { secretForms } from '../../src/secrets.js'
import { NORMALIZATIONS } from '../../test/support/unicode-secrets.js'

const SECRET = 'Zq8/Rm+Tx3Lw9Vp2Kd7'
const FORMS = secretForms('client-7', SECRET)

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

describe('cutSecrets, for a secret beyond ASCII', () => {
  const secret = 'Geheimnis-Schlüssel-für-Torq-äöü-2024'
  it.each(NORMALIZATIONS)('cuts it sent back in %s, in any case', (form) => {
    const normal = secret.normalize(form)
    for (const seen of [normal, normal.toUpperCase(), normal.toLowerCase()]) {
      expect(cutSecrets(`<${seen}>`, secretForms('id', secret))).toBe('<***>')
    }
  })

  it('cuts it with compatibility characters made plain, or plain ones made fancy', () => {
    expect(cutSecrets('<ﬁle-Ｓecret-①>', ['file-Secret-1'])).toBe('<***>')
    expect(cutSecrets('<file-Secret-1>', ['ﬁle-Ｓecret-①'])).toBe('<***>')
  })

  it('cuts it with its letters cased one at a time', () => {
    // Lower-cased, İ becomes two characters; upper-cased, ß does.
    const mixed = 'İß'.repeat(6)
    const echoed = 'i\u0307SS'.repeat(6)
    expect(cutSecrets(`<${echoed}>`, [mixed])).toBe('<***>')
    expect(cutSecrets('<STRAẞE-ſtraße-Ǆž>', ['strasse-STRASSE-ǅŽ'])).toBe(
      '<***>'
    )
  })

  it('cuts it where casing moves or splits its combining marks', () => {
    // Upper-cased, ΐ becomes Ι with two marks, and the mark ◌ͅ becomes a
    // letter, Ι: the marks end up on other letters, in another order.
    for (const [secret, sent] of [
      ['aéaéaΐ\u0316aéaéa', (s: string) => s.toUpperCase().normalize('NFC')],
      ['aéaééᾳ\u0327aééaa', (s: string) => s.normalize('NFC').toUpperCase()],
      ['aéaééᾳ\u0327aééaa', (s: string) => s.normalize('NFD').toUpperCase()]
    ] as const) {
      expect(cutSecrets(`<${sent(secret)}>`, [secret])).toBe('<***>')
    }
  })

  it('cuts nothing for an empty secret', () => {
    expect(cutSecrets('<text>', ['', 'abcdefghijkl'])).toBe('<text>')
  })

  it('keeps the text around it as it was, whatever its characters fold to', () => {
    expect(cutSecrets('ﬃ ǅ ß pré 😀 abcdefghij ǰ', ['ABCDEFGHIJ'])).toBe(
      'ﬃ ǅ ß pré 😀 *** ǰ'
    )
  })
})

describe('hidden, of a text that goes on', () => {
  const PLAIN = 'abcdefghijklmnop'
  const marked = (text: string, goesOn: boolean) =>
    Array.from(hidden(text, matcherFor([PLAIN]), goesOn)).join('')

  it('takes an end that could start a piece of a secret for one', () => {
    expect(marked('xy abc', true)).toBe('000111')
    expect(marked('xy abc', false)).toBe('000000')
    expect(marked('xy ABCDEFGHI', true)).toBe('000111111111')
  })

  it('looks no further back than a piece could reach, and marks from the first start', () => {
    expect(marked('abc xyz', true)).toBe('0000000')
    expect(marked('xyababc', true)).toBe('0000111')
    expect(marked('abcdefghij', true)).toBe('1111111111')
    expect(marked(`a${'x'.repeat(SECRET_RUN - 1)}`, true)).toBe(
      '0'.repeat(SECRET_RUN)
    )
  })
})

describe('cutTo', () => {
  it('keeps the first units, each hidden stretch as one ***', () => {
    const marks = Uint8Array.from([0, 0, 1, 1, 0, 0, 1])
    expect(cutTo('abcdefg', marks, 7)).toBe('ab***ef***')
    expect(cutTo('abcdefg', marks, 5)).toBe('ab***e')
    expect(cutTo('abcdefg', marks, 2)).toBe('ab')
  })
})
