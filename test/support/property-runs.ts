// Under mutation testing every mutant reruns the property tests; a tenth of
// the cases keeps that affordable and still finds what a mutant breaks.
const scale = process.env['STRYKER_MUTATOR_WORKER'] === undefined ? 1 : 0.1

/** fast-check parameters for `n` runs, scaled down under mutation testing. */
export const runs = (n: number) => ({ numRuns: Math.ceil(n * scale) })
