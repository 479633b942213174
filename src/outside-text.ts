/**
 * The one way text from outside (a server's answer, an input, an error from
 * the network) reaches a log line or an annotation. The runner obeys
 * `##[name]` anywhere in a line and `::name::` at its start, and masks only
 * whole values with their exact case, so outside text is cut free of every
 * form of every secret first, then made one short, inert line.
 */

/** Characters of a secret in a row that count as showing it. */
export const SECRET_RUN = 10
/** The longest quote, in characters, before it is shortened with `…`. */
export const MAX_QUOTE_LENGTH = 200
/**
 * How much of a text quote() reads beyond the longest form of a secret, in
 * UTF-16 units: MAX_QUOTE_LENGTH characters of two units each, four times
 * over for what it drops (control and format characters, runs of spaces) or
 * shortens (a secret to `***`). The rest cannot be shown, so it is not read.
 */
export const READ_LENGTH = 8 * MAX_QUOTE_LENGTH

/** The forms in which a text can be the same text, shown identically. */
const NORMALIZATIONS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const

/** What finds the secrets in a text, built once per array of secrets. */
interface Matcher {
  /** Folded pieces by their length: SECRET_RUN, or a whole shorter form. */
  readonly pieces: ReadonlyMap<number, ReadonlySet<string>>
  /** The longest folded form, in UTF-16 units. */
  readonly longest: number
}

// Keyed on the array: the action builds its list of secrets once, and every
// quote of the run reuses what was built from it.
const matchers = new WeakMap<readonly string[], Matcher>()

function matcherFor(secrets: readonly string[]): Matcher {
  let matcher = matchers.get(secrets)
  if (matcher === undefined) {
    matcher = buildMatcher(secrets)
    matchers.set(secrets, matcher)
  }
  return matcher
}

function buildMatcher(secrets: readonly string[]): Matcher {
  // Folding decomposes each character on its own; the normalizations of the
  // whole secret add the forms whose combining marks are in another order.
  const forms = new Set(
    secrets.flatMap((secret) =>
      [secret, ...NORMALIZATIONS.map((form) => secret.normalize(form))].map(
        fold
      )
    )
  )
  forms.delete('')
  const pieces = new Map<number, Set<string>>()
  let longest = 0
  for (const form of forms) {
    const run = Math.min(SECRET_RUN, form.length)
    const ofRun = pieces.get(run) ?? new Set<string>()
    pieces.set(run, ofRun)
    for (let at = 0; at + run <= form.length; at++) {
      ofRun.add(form.slice(at, at + run))
    }
    longest = Math.max(longest, form.length)
  }
  return { pieces, longest }
}

/**
 * Which UTF-16 units of `text` belong to a piece of a secret. With `goesOn`,
 * the text is the start of a longer one: an end that could start a piece is
 * taken as one.
 */
function hidden(text: string, matcher: Matcher, goesOn: boolean): Uint8Array {
  const { folded, start, end } = foldWithPlaces(text)
  const marks = new Uint8Array(text.length)
  for (const [run, pieces] of matcher.pieces) {
    for (let at = 0; at + run <= folded.length; at++) {
      if (pieces.has(folded.slice(at, at + run))) {
        marks.fill(1, start[at], end[at + run - 1])
      }
    }
  }
  if (goesOn) {
    for (
      let at = Math.max(0, folded.length - SECRET_RUN + 1);
      at < folded.length;
      at++
    ) {
      if (startsPiece(folded.slice(at), matcher)) {
        marks.fill(1, start[at])
        break
      }
    }
  }
  return marks
}

/** Whether some piece starts with `text`. */
function startsPiece(text: string, matcher: Matcher): boolean {
  for (const pieces of matcher.pieces.values()) {
    for (const piece of pieces) if (piece.startsWith(text)) return true
  }
  return false
}

/** The first `end` units of `text`, each hidden stretch as one `***`. */
function cutTo(text: string, marks: Uint8Array, end: number): string {
  const parts: string[] = []
  let from = 0
  for (
    let at = marks.indexOf(1);
    at >= 0 && at < end;
    at = marks.indexOf(1, from)
  ) {
    parts.push(text.slice(from, at), '***')
    from = marks.indexOf(0, at)
    if (from < 0) from = text.length
  }
  parts.push(text.slice(from, end))
  return parts.join('')
}

/**
 * Replaces each stretch of `text` that holds any form of a secret, or
 * SECRET_RUN of its characters in a row, in any letter case and any Unicode
 * normalization, with `***`.
 */
export function cutSecrets(text: string, secrets: readonly string[]): string {
  return cutTo(text, hidden(text, matcherFor(secrets), false), text.length)
}

/**
 * A run of ASCII characters that no combining mark follows, or a character
 * and the combining marks after it, or marks alone.
 */
const SEQUENCES = /[\0-\x7f]+(?!\p{M})|\P{M}\p{M}*|\p{M}+/gu

/**
 * One case and one normalization for all: each character with its
 * combining marks decomposed (so that é and e + ◌́, ﬁ and fi, Ａ and A
 * meet, whatever order the marks came in) and lower-, upper- and lower-cased
 * before and after (so that σ, ς and Σ meet, and ẞ, ß and SS, and a letter
 * cased with the whole text or on its own).
 */
function fold(text: string): string {
  return text.replace(SEQUENCES, foldSequence)
}

/**
 * `text` folded, and for each unit of it, where the character it comes
 * from (with its marks) starts and ends in `text`.
 */
function foldWithPlaces(text: string): {
  folded: string
  start: number[]
  end: number[]
} {
  const start: number[] = []
  const end: number[] = []
  const folded = text.replace(SEQUENCES, (sequence: string, at: number) => {
    const one = foldSequence(sequence)
    const ascii = isAscii(sequence)
    for (let unit = 0; unit < one.length; unit++) {
      start.push(ascii ? at + unit : at)
      end.push(ascii ? at + unit + 1 : at + sequence.length)
    }
    return one
  })
  return { folded, start, end }
}

/** Whether a sequence is a run of ASCII (all of it is, if its end is). */
function isAscii(sequence: string): boolean {
  return sequence.charCodeAt(sequence.length - 1) < 0x80
}

/** Lower-, upper- and lower-cased: ẞ, ß and SS meet as ss. */
function oneCase(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase()
}

// The same characters recur: each sequence is folded once.
const folds = new Map<string, string>()

function foldSequence(sequence: string): string {
  if (isAscii(sequence)) return sequence.toLowerCase()
  let folded = folds.get(sequence)
  if (folded === undefined) {
    folded = oneCase(oneCase(sequence).normalize('NFKD'))
    folds.set(sequence, folded)
  }
  return folded
}

/** `at`, or one more where it would split a surrogate pair. */
function codePointEnd(text: string, at: number): number {
  const code = text.charCodeAt(at - 1)
  return code >= 0xd800 && code <= 0xdbff ? at + 1 : at
}

/**
 * Outside text made safe to print inside a message: secrets cut out, no
 * control, format or line-separator characters, no workflow command syntax
 * the runner would parse, `"` and `\\` escaped so that a quote cannot seem to
 * end early, one line of at most MAX_QUOTE_LENGTH characters. Reads no more
 * of `text` than it could show, whatever its length.
 */
export function quote(text: string, secrets: readonly string[]): string {
  const matcher = matcherFor(secrets)
  const whole = text.length <= READ_LENGTH + matcher.longest
  const end = whole
    ? text.length
    : codePointEnd(text, READ_LENGTH + matcher.longest)
  // Whether the last units read belong to a secret is decided by the
  // SECRET_RUN - 1 characters after them (of up to two units each): a
  // secret across the end is cut whole.
  const read = text.slice(0, codePointEnd(text, end + 2 * SECRET_RUN))
  const line = cutTo(read, hidden(read, matcher, false), end)
    .toWellFormed()
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    // Format characters (bidirectional overrides, zero widths) can hide
    // what a line says; dropping them may join `#` and `#[`, handled below.
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/#(?=#\[)/g, '# ')
    .replace(/^:(?=:)/, ': ')
    .replace(/["\\]/g, '\\$&')
  // Dropping and spacing characters may have joined pieces of a secret; a
  // line cut short may end in the start of one.
  const chars = Array.from(
    cutTo(line, hidden(line, matcher, !whole), line.length)
  )
  return whole && chars.length <= MAX_QUOTE_LENGTH
    ? chars.join('')
    : `${chars.slice(0, MAX_QUOTE_LENGTH).join('')}…`
}

/**
 * Quotes `text` only if, with secrets cut out, it has the expected `shape`
 * (a pattern for the whole value); otherwise undefined, for the caller to
 * describe the value without quoting it. A value longer than quote() reads
 * is of no shape: shapes are of short values.
 */
export function quoteIfShaped(
  text: string,
  shape: RegExp,
  secrets: readonly string[]
): string | undefined {
  const trimmed = text.trim()
  if (trimmed.length > READ_LENGTH) return undefined
  const cut = cutSecrets(trimmed, secrets)
  return shape.test(cut) ? quote(cut, secrets) : undefined
}
