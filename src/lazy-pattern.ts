/**
 * A regular expression built the first time it is asked for. V8 checks
 * every pattern literal while it parses the bundle, used or not, and a
 * Unicode property class (`\p{M}`, `\p{Cf}`...) costs it a table lookup
 * then: about as much as the rest of a run's own work. The patterns with
 * them serve text that is not ASCII, which a normal run never meets, so
 * they are written as strings and built here, once, on first use.
 */
export function lazyPattern(source: string, flags: string): () => RegExp {
  let pattern: RegExp | undefined
  return () => (pattern ??= new RegExp(source, flags))
}
