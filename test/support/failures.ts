import fc from 'fast-check'
import { TokenRequestError } from '../../src/errors.js'
import type { RetryPolicy, RetryState } from '../../src/retry.js'

/** Failures as answers give them: a 503, a 429 (each with a Retry-After, if given), a 400. */
export const transient = (retryAfterMs?: number) =>
  new TokenRequestError('HTTP 503.', {
    kind: 'answer',
    status: 503,
    retryAfterMs
  })
export const limited = (retryAfterMs?: number) =>
  new TokenRequestError('HTTP 429.', {
    kind: 'answer',
    status: 429,
    retryAfterMs
  })
export const permanent = () =>
  new TokenRequestError('HTTP 400.', { kind: 'answer', status: 400 })

/** The policy of the default inputs: retries 3, rate-limit-wait-seconds 120. */
export const DEFAULTS: RetryPolicy = { retries: 3, rateLimitWaitMs: 120_000 }
export const policy = (
  retries: number,
  rateLimitWaitMs = 120_000
): RetryPolicy => ({ retries, rateLimitWaitMs })
export const FRESH: RetryState = {
  retried: 0,
  rateLimited: 0,
  rateLimitWaitedMs: 0
}
export const after = (used: Partial<RetryState>): RetryState => ({
  ...FRESH,
  ...used
})
export const quiet = { retrying: () => {} }
/** The least spread after the k-th 429, as documented: 30% of min(6 s, 2 s × 2^(k−1)). */
export const leastSpread = (k: number) =>
  Math.floor(Math.min(6000, 2000 * 2 ** (k - 1)) * 0.3)
/** A draw of the clock's random(). */
export const random = fc.double({
  min: 0,
  max: 1,
  maxExcluded: true,
  noNaN: true
})
