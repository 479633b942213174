import { TokenRequestError } from './errors.js'

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

/** Time and randomness, injected so that tests neither sleep nor guess. */
export interface Clock {
  now: () => number
  random: () => number
  sleep: (ms: number) => Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
}

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

/** The limits a run of attempts keeps to. */
export interface RetryPolicy {
  /** Extra attempts after the first, for transient failures. */
  retries: number
  /**
   * How long HTTP 429 answers may be waited out in all, without using up
   * `retries`; 0 makes a 429 an ordinary transient failure.
   */
  rateLimitWaitMs: number
}

/** What the failed attempts so far have used up. */
export interface RetryState {
  /** Retries made for transient failures, under `retries`. */
  retried: number
  /** 429 answers waited out under `rateLimitWaitMs`. */
  rateLimited: number
  /** The time waited after them. */
  rateLimitWaitedMs: number
}

/** What to do after a failed attempt: wait `waitMs` and retry, or stop. */
export type Decision =
  | { retry: true; waitMs: number; rateLimited: boolean }
  | { retry: false; reason?: string }

export function decide(
  error: unknown,
  state: RetryState,
  policy: RetryPolicy,
  random: number
): Decision {
  if (!(error instanceof TokenRequestError) || !error.retryable) {
    return { retry: false }
  }
  if (error.status === 429 && policy.rateLimitWaitMs > 0) {
    return decideRateLimited(error, state, policy, random)
  }
  const retry = state.retried + 1
  if (retry > policy.retries) {
    return { retry: false }
  }
  if (error.retryAfterMs === undefined) {
    return { retry: true, waitMs: backoffMs(retry, random), rateLimited: false }
  }
  if (error.retryAfterMs > MAX_RETRY_AFTER_MS) {
    return {
      retry: false,
      reason: `The server asked to retry after ${Math.ceil(error.retryAfterMs / 1000)} s, longer than the ${MAX_RETRY_AFTER_MS / 1000} s this action waits; not retrying. Run the workflow again later.`
    }
  }
  return {
    retry: true,
    waitMs: error.retryAfterMs + Math.floor(random * RETRY_AFTER_JITTER_MS),
    rateLimited: false
  }
}

/**
 * A 429 is waited out, Retry-After plus a spread growing with each one, for
 * as long as the time waited after 429s stays within the policy's budget.
 * A wait is never cut below Retry-After plus the spread's floor: with less
 * than that left, the jobs of a herd would come back in step, so it stops.
 */
function decideRateLimited(
  error: TokenRequestError,
  state: RetryState,
  policy: RetryPolicy,
  random: number
): Decision {
  const count = state.rateLimited + 1
  const leftMs = policy.rateLimitWaitMs - state.rateLimitWaitedMs
  const askedMs = error.retryAfterMs ?? 0
  const floorMs = rateLimitSpreadMs(count, 0)
  if (askedMs + floorMs <= leftMs) {
    return {
      retry: true,
      waitMs: Math.min(leftMs, askedMs + rateLimitSpreadMs(count, random)),
      rateLimited: true
    }
  }
  const budget = `rate-limit-wait-seconds (${secondsDown(policy.rateLimitWaitMs)} s)`
  const left = `the ${secondsDown(leftMs)} s left of ${budget}`
  const why =
    leftMs <= 0
      ? `that is all of ${budget}`
      : askedMs > leftMs
        ? `the server asked to retry after ${secondsUp(askedMs)} s, more than ${left}`
        : `the next wait would need at least ${secondsUp(askedMs + floorMs)} s (${askedMs > 0 ? `Retry-After ${secondsUp(askedMs)} s plus ` : ''}a spread of at least ${secondsUp(floorMs)} s, so that jobs do not come back in step), more than ${left}`
  return {
    retry: false,
    reason: `Rate limited: ${count} ${count === 1 ? 'answer' : 'answers'} HTTP 429 and ${secondsDown(state.rateLimitWaitedMs)} s waited; ${why}. Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).`
  }
}

/**
 * Milliseconds as seconds for a message (120, 2.5, 0), rounded so that it
 * never claims more was used or left than was, nor less asked than was.
 */
function secondsDown(ms: number): string {
  return String(Math.floor(ms / 100) / 10)
}
function secondsUp(ms: number): string {
  return String(Math.ceil(ms / 100) / 10)
}

/**
 * One retry about to happen, for the log: the attempt that failed (1 for the
 * first), its error message and the wait. For a 429 waited out apart from
 * `retries`: the how-many-th 429 it is, the time waited after 429s with this
 * wait, and the budget; for any other retry: which one, of how many.
 */
export type RetryEvent = {
  attempt: number
  reason: string
  waitMs: number
} & (
  | { rateLimited: true; count: number; waitedMs: number; budgetMs: number }
  | { rateLimited: false; retry: number; retries: number }
)

export interface RetryLog {
  retrying: (event: RetryEvent) => void
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's limits
 * are reached. The error thrown is the last attempt's, its message extended
 * with why it was not retried and how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  log: RetryLog
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
  if (attempts > 1) parts.push(`(${attempts} attempts made)`)
  // The status and the last attempt's error stay with the final one.
  return new TokenRequestError(parts.join(' '), {
    retryable: false,
    status: error.status,
    cause: error
  })
}
