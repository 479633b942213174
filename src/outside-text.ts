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
 * Replaces each stretch of `text` that holds any form of a secret, or
 * SECRET_RUN of its characters in a row, in any letter case, with `***`.
 */
export function cutSecrets(text: string, secrets: readonly string[]): string {
  const folded = fold(text)
  const hidden = new Uint8Array(text.length)
  for (const secret of secrets) {
    // Whole-string case mappings too: they differ from one character at a
    // time for some letters (a final sigma, a dotted capital I).
    for (const form of [secret, secret.toLowerCase(), secret.toUpperCase()]) {
      const run = Math.min(SECRET_RUN, form.length)
      const pieces = new Set<string>()
      const foldedForm = fold(form)
      for (let at = 0; at + run <= foldedForm.length; at++) {
        pieces.add(foldedForm.slice(at, at + run))
      }
      for (let at = 0; at + run <= folded.length; at++) {
        if (pieces.has(folded.slice(at, at + run))) hidden.fill(1, at, at + run)
      }
    }
  }
  let cut = ''
  for (let at = 0; at < text.length; at++) {
    if (!hidden[at]) cut += text.charAt(at)
    else if (at === 0 || !hidden[at - 1]) cut += '***'
  }
  return cut
}

/**
 * One case for all: each character upper-cased then lower-cased (so that
 * σ, ς and Σ meet), kept as it is where that would change its length, so
 * that positions stay those of `text`.
 */
function fold(text: string): string {
  let folded = ''
  for (const char of text) {
    const one = char.toUpperCase().toLowerCase()
    folded += one.length === char.length ? one : char
  }
  return folded
}

/**
 * Outside text made safe to print inside a message: secrets cut out, no
 * control, format or line-separator characters, no workflow command syntax
 * the runner would parse, `"` and `\\` escaped so that a quote cannot seem to
 * end early, one line of at most MAX_QUOTE_LENGTH characters.
 */
export function quote(text: string, secrets: readonly string[]): string {
  const line = cutSecrets(text, secrets)
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
  // Dropping and spacing characters may have joined pieces of a secret.
  const chars = Array.from(cutSecrets(line, secrets))
  return chars.length > MAX_QUOTE_LENGTH
    ? `${chars.slice(0, MAX_QUOTE_LENGTH).join('')}…`
    : chars.join('')
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
  const cut = cutSecrets(text.trim(), secrets)
  return shape.test(cut) ? quote(cut, secrets) : undefined
}
