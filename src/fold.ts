import { lazyPattern } from './lazy-pattern.js'

/**
 * One case and one normalization for all texts, so that a secret is found
 * however a server cased or normalized it, and where each folded unit came
 * from, so that what is found can be cut from the text as it was.
 */

/**
 * The Unicode normalization forms. A server may send a text back in any of
 * them: canonically the same text, shown identically, other code points.
 */
export const NORMALIZATIONS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const

/**
 * Whether `text` is all ASCII: the same in every normalization form, and
 * folded by lower-casing alone, with no Unicode table to build or consult.
 */
export function isAscii(text: string): boolean {
  return /^[\0-\x7f]*$/.test(text)
}

/**
 * A run of ASCII characters that no combining mark follows, or a character
 * and the combining marks after it, or marks alone.
 */
const sequences = lazyPattern(
  String.raw`[\0-\x7f]+(?!\p{M})|\P{M}\p{M}*|\p{M}+`,
  'gu'
)

/**
 * Each character with its combining marks decomposed (so that é and
 * e + ◌́, ﬁ and fi, Ａ and A meet, whatever order the marks came in) and
 * lower-, upper- and lower-cased before and after (so that σ, ς and Σ meet,
 * and ẞ, ß and SS, and a letter cased with the whole text or on its own).
 */
export function fold(text: string): string {
  return isAscii(text)
    ? text.toLowerCase()
    : text.replace(sequences(), foldSequence)
}

/** `text` folded, and where each of its units came from. */
export interface Folded {
  text: string
  /** Where the character (with its marks) that unit `at` comes from starts. */
  start: (at: number) => number | undefined
  /** Where it ends. */
  end: (at: number) => number | undefined
}

/** `text` folded, with the places of what each unit of it comes from. */
export function foldWithPlaces(text: string): Folded {
  if (isAscii(text)) {
    return { text: text.toLowerCase(), start: (at) => at, end: (at) => at + 1 }
  }
  const start: number[] = []
  const end: number[] = []
  const folded = text.replace(sequences(), (sequence: string, at: number) => {
    const one = foldSequence(sequence)
    const ascii = endsInAscii(sequence)
    for (let unit = 0; unit < one.length; unit++) {
      start.push(ascii ? at + unit : at)
      end.push(ascii ? at + unit + 1 : at + sequence.length)
    }
    return one
  })
  return { text: folded, start: (at) => start[at], end: (at) => end[at] }
}

/** Whether a sequence is a run of ASCII (all of it is, if its end is). */
function endsInAscii(sequence: string): boolean {
  return sequence.charCodeAt(sequence.length - 1) < 0x80
}

/** Lower-, upper- and lower-cased: ẞ, ß and SS meet as ss. */
function oneCase(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase()
}

// The same characters recur: each sequence is folded once.
const folds = new Map<string, string>()

function foldSequence(sequence: string): string {
  if (endsInAscii(sequence)) return sequence.toLowerCase()
  let folded = folds.get(sequence)
  if (folded === undefined) {
    folded = oneCase(oneCase(sequence).normalize('NFKD'))
    folds.set(sequence, folded)
  }
  return folded
}
