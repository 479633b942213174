/**
 * A regular expression built the first time it is asked for. V8 checks
 * every pattern literal while it parses the bundle, used or not, and a
 * Unicode property class (`\p{M}`, `\p{Cf}`...) costs it a table lookup
 * then: the four of src/ cost about 1% of a run. They serve text that is
 * not ASCII, which a normal run never meets, so they are written as strings
 * and built here, once, on first use.
 */
export function lazyPattern(source: string, flags: string): () => RegExp {
  let pattern: RegExp | undefined
  return () => (pattern ??= new RegExp(source, flags))
}
