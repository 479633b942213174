import { MAX_RATE_LIMIT_WAIT_SECONDS } from './defaults.js'

/**
 * Milliseconds as seconds for a message, in tenths without a trailing `.0`
 * (`120 s`, `2.5 s`, `0.6 s`, `under 0.1 s`): rounded down for what was waited, used or left, up for
 * what was asked or needed, so that no line claims more or less than is.
 */
export function seconds(ms: number, round: 'down' | 'up' = 'down'): string {
  const tenths = round === 'up' ? Math.ceil(ms / 100) : Math.floor(ms / 100)
  // A wait of a few milliseconds is a wait: `0 s` would read as none.
  return tenths === 0 && ms > 0 ? 'under 0.1 s' : `${tenths / 10} s`
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

/** One line per retry: the attempt, why it failed, the wait, what is used up. */
export function retryLine(event: RetryEvent): string {
  const used = event.rateLimited
    ? `HTTP 429 number ${event.count}; ${seconds(event.waitedMs)} of the ${seconds(event.budgetMs)} of rate-limit-wait-seconds used`
    : `retry ${event.retry} of ${event.retries}`
  return `Attempt ${event.attempt} failed: ${event.reason} Retrying in ${seconds(event.waitMs)} (${used}).`
}

/** Why a Retry-After is not waited out. */
export function retryAfterTooLong(askedMs: number, maxMs: number): string {
  return `The server asked to retry after ${seconds(askedMs, 'up')}, longer than the ${seconds(maxMs)} this action waits; not retrying. Run the workflow again later.`
}

/** The end of the last attempt's message, after more than one. */
export function attemptsMade(attempts: number): string {
  return `(${attempts} attempts made)`
}

/** What a stop after HTTP 429 answers weighed, for rateLimitStop. */
export interface RateLimitStop {
  /** The how-many-th 429 this is (1 for the first). */
  count: number
  askedMs: number
  /** The least spread the next wait would need. */
  floorMs: number
  leftMs: number
  /** The time waited after 429s so far, and rate-limit-wait-seconds. */
  waitedMs: number
  budgetMs: number
}

/** Why the 429 budget cannot hold another wait, and what to do. */
export function rateLimitStop(stop: RateLimitStop): string {
  const { count, askedMs, floorMs, leftMs } = stop
  const budget = `rate-limit-wait-seconds (${seconds(stop.budgetMs)})`
  const left = `the ${seconds(leftMs)} left of ${budget}`
  const why =
    leftMs <= 0
      ? `that is all of ${budget}`
      : askedMs > leftMs
        ? `the server asked to retry after ${seconds(askedMs, 'up')}, more than ${left}`
        : `the next wait would need at least ${seconds(askedMs + floorMs, 'up')} (${askedMs > 0 ? `Retry-After ${seconds(askedMs, 'up')} plus ` : ''}a spread of at least ${seconds(floorMs, 'up')}, so that jobs do not come back in step), more than ${left}`
  // No budget holds a Retry-After past the input's maximum.
  const advice =
    askedMs > MAX_RATE_LIMIT_WAIT_SECONDS * 1000
      ? 'Run the workflow again later.'
      : 'Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
  return `Rate limited: ${count} ${count === 1 ? 'answer' : 'answers'} HTTP 429 and ${seconds(stop.waitedMs)} waited; ${why}. Not retrying. ${advice}`
}
