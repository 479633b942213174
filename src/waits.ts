// How long to wait before another attempt: the figures and their draws.

/** Exponential backoff with full jitter: base 1 s, doubling, capped at 10 s. */
export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 10_000
/** A Retry-After longer than this fails the step instead of stalling it. */
export const MAX_RETRY_AFTER_MS = 60_000
/** Spread added on top of a Retry-After, so clients do not return in step. */
export const RETRY_AFTER_JITTER_MS = 500
/**
 * After the k-th HTTP 429 the wait is Retry-After plus a spread drawn
 * uniformly from [30%, 100%] of min(6 s, 2 s × 2^(k−1)): 2, 4, then 6 s. The
 * figures are chosen by `npm run herd`: a herd of jobs told "1 s" returns
 * spread over the following seconds, not in step, and a floor of 30% keeps
 * jobs from coming back at once to a limit that has not reset.
 */
export const RATE_LIMIT_SPREAD_BASE_MS = 2000
export const RATE_LIMIT_SPREAD_CAP_MS = 6000
export const RATE_LIMIT_SPREAD_FLOOR = 0.3

/** Wait before retry number `retry` (1 for the first retry) without a hint. */
export function backoffMs(retry: number, random: number): number {
  const ceiling = Math.min(
    BACKOFF_CAP_MS,
    BACKOFF_BASE_MS * 2 ** Math.max(0, retry - 1)
  )
  return Math.floor(random * ceiling)
}

/** The spread added to the wait after the `count`-th 429 (1 for the first). */
export function rateLimitSpreadMs(count: number, random: number): number {
  const ceiling = Math.min(
    RATE_LIMIT_SPREAD_CAP_MS,
    RATE_LIMIT_SPREAD_BASE_MS * 2 ** (count - 1)
  )
  const least = ceiling * RATE_LIMIT_SPREAD_FLOOR
  return Math.floor(least + (ceiling - least) * random)
}
