import type { Clock } from './clock.js'
import { TokenRequestError } from './errors.js'
import { decide, type RetryPolicy, type RetryState } from './retry.js'
import { attemptsMade, type RetryEvent } from './retry-words.js'

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's limits
 * are reached. The error thrown is the last attempt's, its message extended
 * with why it was not retried and how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  log: { retrying: (event: RetryEvent) => void }
): Promise<T> {
  const state: RetryState = { retried: 0, rateLimited: 0, rateLimitWaitedMs: 0 }
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      const decision = decide(error, state, policy, clock.random())
      if (!decision.retry) {
        throw finalError(error, n, decision.reason)
      }
      const failed = {
        attempt: n,
        reason: (error as Error).message,
        waitMs: decision.waitMs
      }
      if (decision.rateLimited) {
        state.rateLimited++
        state.rateLimitWaitedMs += decision.waitMs
        log.retrying({
          ...failed,
          rateLimited: true,
          count: state.rateLimited,
          waitedMs: state.rateLimitWaitedMs,
          budgetMs: policy.rateLimitWaitMs
        })
      } else {
        state.retried++
        log.retrying({
          ...failed,
          rateLimited: false,
          retry: state.retried,
          retries: policy.retries
        })
      }
      await clock.sleep(decision.waitMs)
    }
  }
}

/** The last attempt's error, told why it was the last; status and cause kept. */
function finalError(
  error: unknown,
  attempts: number,
  reason?: string
): unknown {
  if (!(error instanceof TokenRequestError)) {
    return error
  }
  const parts = [error.message]
  if (reason) parts.push(reason)
  if (attempts > 1) parts.push(attemptsMade(attempts))
  return new TokenRequestError(parts.join(' '), error.failure, error)
}
