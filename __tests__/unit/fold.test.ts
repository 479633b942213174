// One case and one normalization for all texts, and the places each folded
// unit came from. An ASCII text takes a shorter way: it must fold as it
// would inside any text.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { fold, foldWithPlaces, isAscii } from '../../src/fold.js'
import { runs } from '../../test/support/property-runs.js'

/** Text of ASCII, characters beyond it and combining marks. */
const text = fc.string({
  unit: fc.constantFrom(
    ...Array.from('aZ09 -#:\u0000\u007féẞßİΣς\u0301\u0327😀ﬁ')
  ),
  maxLength: 30
})
const ascii = fc.string({ unit: 'binary-ascii', maxLength: 30 })

describe('fold', () => {
  it.each([
    ['é', 'e\u0301'],
    ['e\u0327\u0301', 'e\u0301\u0327'],
    ['ﬁ', 'FI'],
    ['Ａ', 'a'],
    ['σ', 'ς'],
    ['Σ', 'ς'],
    ['ẞ', 'SS'],
    ['ß', 'ss']
  ])('makes %j and %j meet', (a, b) => {
    expect(fold(a)).toBe(fold(b))
  })

  it('folds ASCII by lower-casing, as it would inside any text', () => {
    fc.assert(
      fc.property(ascii, text, (plain, other) => {
        expect(fold(plain)).toBe(plain.toLowerCase())
        // A letter (not a mark) after the ASCII: the ASCII folds on its own.
        expect(fold(`${plain}é${other}`)).toBe(
          `${fold(plain)}${fold(`é${other}`)}`
        )
      }),
      runs(500)
    )
  })

  it('keeps an ASCII letter and the mark after it together', () => {
    expect(fold('e\u0301')).toBe(fold('é'))
    expect(fold('abce\u0301')).toBe(`abc${fold('é')}`)
  })
})

describe('isAscii', () => {
  it('tells ASCII from the rest', () => {
    expect(isAscii('')).toBe(true)
    expect(isAscii('\u0000 aZ~\u007f')).toBe(true)
    expect(isAscii('a\u0080')).toBe(false)
    expect(isAscii('é')).toBe(false)
  })
})

describe('foldWithPlaces', () => {
  it('folds as fold does, each unit placed within the character it came from', () => {
    fc.assert(
      fc.property(fc.oneof(text, ascii), (given) => {
        const folded = foldWithPlaces(given)
        expect(folded.text).toBe(fold(given))
        let last = 0
        for (let at = 0; at < folded.text.length; at++) {
          const start = folded.start(at) ?? -1
          const end = folded.end(at) ?? -1
          expect(start).toBeGreaterThanOrEqual(last)
          expect(end).toBeGreaterThan(start)
          expect(end).toBeLessThanOrEqual(given.length)
          last = start
        }
      }),
      runs(500)
    )
  })

  it('places ASCII unit for unit, as it would inside any text', () => {
    fc.assert(
      fc.property(ascii, (plain) => {
        const alone = foldWithPlaces(plain)
        const inside = foldWithPlaces(`${plain}é`)
        for (let at = 0; at < plain.length; at++) {
          expect([alone.start(at), alone.end(at)]).toEqual([at, at + 1])
          expect([inside.start(at), inside.end(at)]).toEqual([at, at + 1])
        }
      }),
      runs(300)
    )
  })

  it('places the units of a character that folds to several at the whole of it', () => {
    const folded = foldWithPlaces('xﬃy')
    expect(folded.text).toBe('xffiy')
    expect([1, 2, 3].map((at) => [folded.start(at), folded.end(at)])).toEqual([
      [1, 2],
      [1, 2],
      [1, 2]
    ])
    expect([folded.start(4), folded.end(4)]).toEqual([2, 3])
  })
})
