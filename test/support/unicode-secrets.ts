// Secrets beyond ASCII, and the ways a server may send one back: in another
// Unicode normalization form, in another letter case, or both in either
// order. For the property tests of quote() and of the whole action.
import fc from 'fast-check'

export const NORMALIZATIONS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const

/**
 * Characters whose forms differ: accented letters (composed, or a letter and
 * combining marks, some that compose and some that do not), ligatures,
 * fullwidth and other compatibility characters, Greek (three sigmas, a
 * letter that upper-cases to three), German ß and ẞ, dotted and dotless i,
 * Hangul (a syllable decomposes to letters), letters that change length
 * when cased.
 */
const BEYOND_ASCII = Array.from(
  'éèüöäÅçñőØ' +
    '\u0301\u0308\u0327\u0323\u0316\u0345' +
    'ﬁﬂﬃĲ' +
    'ＡｚＱ０！²①½™ｶ' +
    'αΣσςΐᾳΩ\u2126' +
    'ßẞİı\u212a\u212b가ǅǰŉ'
)
const ASCII = Array.from('abcdefXYZ0189-_.~+/=')

/** A secret of 12 to 30 characters, some of them beyond ASCII. */
export const unicodeSecret = fc
  .array(
    fc.oneof(fc.constantFrom(...ASCII), fc.constantFrom(...BEYOND_ASCII)),
    { minLength: 12, maxLength: 30 }
  )
  .map((chars) => chars.join(''))
  .filter((secret) => /\P{ASCII}/u.test(secret))

/** How a server sends a secret back. */
export const echoing = fc.record({
  form: fc.constantFrom(...NORMALIZATIONS),
  casing: fc.constantFrom('as is', 'upper', 'lower', 'mixed'),
  caseFirst: fc.boolean(),
  upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })
})

/** `secret` as a server sends it back, `how` says how. */
export function echo(
  secret: string,
  how: {
    form: (typeof NORMALIZATIONS)[number]
    casing: string
    caseFirst: boolean
    upper: boolean[]
  }
): string {
  const cased = (text: string): string => {
    switch (how.casing) {
      case 'upper':
        return text.toUpperCase()
      case 'lower':
        return text.toLowerCase()
      case 'mixed':
        // One character at a time, some up and some down.
        return Array.from(text, (char, at) =>
          how.upper[at % how.upper.length]
            ? char.toUpperCase()
            : char.toLowerCase()
        ).join('')
      default:
        return text
    }
  }
  return how.caseFirst
    ? cased(secret).normalize(how.form)
    : cased(secret.normalize(how.form))
}

/** The secret as given and in every normalization form. */
export function normalForms(secret: string): string[] {
  return [secret, ...NORMALIZATIONS.map((form) => secret.normalize(form))]
}
