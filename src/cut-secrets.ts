import { fold, foldWithPlaces, isAscii, NORMALIZATIONS } from './fold.js'

/**
 * Finding secrets in outside text and cutting them out. The runner masks only
 * whole values with their exact case, so a text is searched folded (see
 * fold.ts) for any piece of a secret long enough to stand for it.
 */

/** Characters of a secret in a row that count as showing it. */
export const SECRET_RUN = 10

/** What finds the secrets in a text, built once per array of secrets. */
export interface Matcher {
  /** Folded pieces by their length: SECRET_RUN, or a whole shorter form. */
  readonly pieces: ReadonlyMap<number, ReadonlySet<string>>
  /** The longest folded form, in UTF-16 units. */
  readonly longest: number
}

// Keyed on the array: the action builds its list of secrets once, and every
// quote of the run reuses what was built from it.
const matchers = new WeakMap<readonly string[], Matcher>()

export function matcherFor(secrets: readonly string[]): Matcher {
  let matcher = matchers.get(secrets)
  if (matcher === undefined) {
    matcher = buildMatcher(secrets)
    matchers.set(secrets, matcher)
  }
  return matcher
}

/**
 * Folding decomposes each character on its own; the normalizations of the
 * whole secret add the forms whose combining marks are in another order.
 */
function foldedForms(secret: string): string[] {
  return isAscii(secret)
    ? [fold(secret)]
    : [secret, ...NORMALIZATIONS.map((form) => secret.normalize(form))].map(
        fold
      )
}

function buildMatcher(secrets: readonly string[]): Matcher {
  const forms = new Set(secrets.flatMap(foldedForms))
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
export function hidden(
  text: string,
  matcher: Matcher,
  goesOn: boolean
): Uint8Array {
  const { text: folded, start, end } = foldWithPlaces(text)
  const marks = new Uint8Array(text.length)
  for (const [run, pieces] of matcher.pieces) {
    for (let at = 0; at + run <= folded.length; at++) {
      if (pieces.has(folded.slice(at, at + run))) {
        marks.fill(1, start(at), end(at + run - 1))
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
        marks.fill(1, start(at))
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
export function cutTo(text: string, marks: Uint8Array, end: number): string {
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
