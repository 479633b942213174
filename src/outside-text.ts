/**
 * The values the runner must hide, and the one way text from outside (a
 * server's answer, an input, an error from the network) reaches a log line:
 * secrets cut out, inert, bounded. The runner masks each value it is given
 * in its base64 (also shifted), JSON-, URI- and XML-escaped forms too, but
 * only with its exact case and only whole: quoted text is cut here first.
 */

/** The value of a Basic Authorization header: user and password sent raw, as curl -u. */
export function basic(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64')
}

/** The longest quote, in characters, before it is shortened with `…`. */
export const MAX_QUOTE_LENGTH = 200
/** How much of a text quote() reads: what it drops or shortens, four times over. */
export const READ_LENGTH = 4 * MAX_QUOTE_LENGTH

/**
 * Each secret as a server could echo it: as given (also without trailing
 * `=`), URL- and form-encoded,
 * in base64 (padded or not, URL-safe) and JSON-escaped.
 */
function encodings(value: string): string[] {
  const base64 = Buffer.from(value).toString('base64')
  return [
    value,
    // A base64 value (the Basic credential) echoed without its padding.
    value.replace(/=+$/, ''),
    encodeURIComponent(value.toWellFormed()),
    new URLSearchParams({ s: value }).toString().slice(2),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1)
  ]
}

/**
 * Whether `text` is one of `values` as a server could echo it, in any letter
 * case and padding: whole, or for a form of 8 characters or more, within it.
 */
export function isEcho(text: string, values: readonly string[]): boolean {
  const bare = (form: string) => form.toLowerCase().replace(/=+$/, '')
  const echo = bare(text)
  return values
    .flatMap(encodings)
    .map(bare)
    .some((form) => (form.length >= 8 ? echo.includes(form) : echo === form))
}

interface Cutter {
  pattern: RegExp | undefined
  longest: number
}

// Built once per array of secrets: a run builds its array once, in main.ts.
const cutters = new WeakMap<readonly string[], Cutter>()

function cutterFor(secrets: readonly string[]): Cutter {
  let cutter = cutters.get(secrets)
  if (cutter === undefined) {
    const forms = [...new Set(secrets.flatMap(encodings))]
      .filter((form) => form !== '')
      .sort((a, b) => b.length - a.length)
    cutter = {
      // Any letter case: a server may upper-case what it echoes.
      pattern:
        forms.length === 0
          ? undefined
          : new RegExp(
              forms
                .map((f) => f.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
                .join('|'),
              'gi'
            ),
      longest: forms[0]?.length ?? 0
    }
    cutters.set(secrets, cutter)
  }
  return cutter
}

function cut(text: string, { pattern }: Cutter): string {
  return pattern === undefined ? text : text.replace(pattern, '***')
}

/**
 * `text` on one line with nothing the runner would parse: no control,
 * format or line-separator characters, no `##[` (obeyed anywhere in a line)
 * or leading `::`, and `"` and `\` escaped so that a quote cannot seem to end
 * early.
 */
function inert(text: string): string {
  // Printable ASCII has none of what the Unicode classes find: their
  // patterns are built only for other text.
  const visible = /^[\x20-\x7e]*$/.test(text)
    ? text
    : text
        .toWellFormed()
        .replace(new RegExp(String.raw`[\p{Cc}\p{Zl}\p{Zp}]`, 'gu'), ' ')
        .replace(new RegExp(String.raw`\p{Cf}`, 'gu'), '')
  return visible
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/#(?=#\[)/g, '# ')
    .replace(/^:(?=:)/, ': ')
    .replace(/["\\]/g, '\\$&')
}

/**
 * Outside text made safe to print inside a message: every form of every
 * secret cut out, inert, one line of at most MAX_QUOTE_LENGTH characters.
 * Reads no more of `text` than it could show, whatever its length.
 */
export function quote(text: string, secrets: readonly string[]): string {
  const cutter = cutterFor(secrets)
  const read = READ_LENGTH + cutter.longest
  const whole = text.length <= read
  // Cut before and after: making the text inert may join a secret's pieces.
  const line = cut(
    inert(cut(whole ? text : text.slice(0, read), cutter)),
    cutter
  )
  const chars = Array.from(line)
  // A text read in part may end in the start of a secret: that end goes,
  // whole characters of it.
  if (!whole) chars.length = Math.max(0, chars.length - cutter.longest)
  return whole && chars.length <= MAX_QUOTE_LENGTH
    ? line
    : `${chars.slice(0, MAX_QUOTE_LENGTH).join('')}…`
}

/**
 * Quotes `text` only if, with secrets cut out, it has the expected `shape`
 * (a pattern for the whole value); otherwise undefined, for the caller to
 * describe the value without quoting it.
 */
export function quoteIfShaped(
  text: string,
  shape: RegExp,
  secrets: readonly string[]
): string | undefined {
  const trimmed = text.trim()
  if (trimmed.length > READ_LENGTH) return undefined
  const shown = cut(trimmed, cutterFor(secrets))
  return shape.test(shown) ? quote(shown, secrets) : undefined
}
