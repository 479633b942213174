import {
  cutSecrets,
  cutTo,
  hidden,
  matcherFor,
  SECRET_RUN
} from './cut-secrets.js'
import { lazyPattern } from './lazy-pattern.js'

/**
 * The one way text from outside (a server's answer, an input, an error from
 * the network) reaches a log line or an annotation. The runner obeys
 * `##[name]` anywhere in a line and `::name::` at its start, and masks only
 * whole values with their exact case, so outside text is cut free of every
 * form of every secret first (see cut-secrets.ts), then made one short,
 * inert line.
 */

/** The longest quote, in characters, before it is shortened with `…`. */
export const MAX_QUOTE_LENGTH = 200
/**
 * How much of a text quote() reads beyond the longest form of a secret, in
 * UTF-16 units: MAX_QUOTE_LENGTH characters of two units each, four times
 * over for what it drops (control and format characters, runs of spaces) or
 * shortens (a secret to `***`). The rest cannot be shown, so it is not read.
 */
export const READ_LENGTH = 8 * MAX_QUOTE_LENGTH

/** `at`, or one more where it would split a surrogate pair. */
function codePointEnd(text: string, at: number): number {
  const code = text.charCodeAt(at - 1)
  return code >= 0xd800 && code <= 0xdbff ? at + 1 : at
}

// Control and line-separator characters, and format characters
// (bidirectional overrides, zero widths), which can hide what a line says.
const lineBreaking = lazyPattern(String.raw`[\p{Cc}\p{Zl}\p{Zp}]`, 'gu')
const formatting = lazyPattern(String.raw`\p{Cf}`, 'gu')

/**
 * `text` on one line with nothing the runner would parse: no control,
 * format or line-separator characters, no `##[` or leading `::`, and `"` and
 * `\\` escaped so that a quote cannot seem to end early.
 */
function inert(text: string): string {
  // Printable ASCII holds none of the characters the Unicode classes find,
  // and has no lone surrogate: their patterns need not be run (or built).
  const visible = /^[\x20-\x7e]*$/.test(text)
    ? text
    : text
        .toWellFormed()
        .replace(lineBreaking(), ' ')
        // Dropping format characters may join `#` and `#[`, see below.
        .replace(formatting(), '')
  return visible
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/#(?=#\[)/g, '# ')
    .replace(/^:(?=:)/, ': ')
    .replace(/["\\]/g, '\\$&')
}

/**
 * Outside text made safe to print inside a message: secrets cut out, inert
 * (see above), one line of at most MAX_QUOTE_LENGTH characters. Reads no
 * more of `text` than it could show, whatever its length.
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
  const line = inert(cutTo(read, hidden(read, matcher, false), end))
  // Dropping and spacing characters may have joined pieces of a secret; a
  // line cut short may end in the start of one.
  const cut = cutTo(line, hidden(line, matcher, !whole), line.length)
  // No more units than MAX_QUOTE_LENGTH: no more characters either.
  if (whole && cut.length <= MAX_QUOTE_LENGTH) return cut
  const chars = Array.from(cut)
  return whole && chars.length <= MAX_QUOTE_LENGTH
    ? cut
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
