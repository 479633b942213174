import { TokenRequestError } from './errors.js'

/** Exponential backoff with full jitter: base 1 s, doubling, capped at 10 s. */
export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 10_000
/** A Retry-After longer than this fails the step instead of stalling it. */
export const MAX_RETRY_AFTER_MS = 60_000
/** Spread added on top of a Retry-After, so clients do not return in step. */
export const RETRY_AFTER_JITTER_MS = 500

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

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date. Returns milliseconds from `now`, never negative, or undefined
 * for a missing or unreadable value.
 */
export function parseRetryAfter(
  header: string | undefined,
  now: number
): number | undefined {
  const value = header?.trim() ?? ''
  if (/^\d+$/.test(value)) {
    return Number(value) * 1000
  }
  // HTTP-dates start with a weekday (IMF-fixdate, RFC 850 and asctime forms);
  // requiring one keeps Date.parse from reading free text as a date. asctime
  // names no zone but means GMT.
  if (!/^[A-Za-z]{3,9},? /.test(value)) {
    return undefined
  }
  const date = Date.parse(/ GMT$/.test(value) ? value : `${value} GMT`)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** What to do after a failed attempt: wait `ms` and retry, or stop. */
export type Decision =
  { retry: true; waitMs: number } | { retry: false; reason?: string }

export function decide(
  error: unknown,
  retry: number,
  retries: number,
  random: number
): Decision {
  if (!(error instanceof TokenRequestError) || !error.retryable) {
    return { retry: false }
  }
  if (retry > retries) {
    return { retry: false }
  }
  if (error.retryAfterMs === undefined) {
    return { retry: true, waitMs: backoffMs(retry, random) }
  }
  if (error.retryAfterMs > MAX_RETRY_AFTER_MS) {
    return {
      retry: false,
      reason: `The server asked to retry after ${Math.ceil(error.retryAfterMs / 1000)} s, longer than the ${MAX_RETRY_AFTER_MS / 1000} s this action waits; not retrying. Run the workflow again later.`
    }
  }
  return {
    retry: true,
    waitMs: error.retryAfterMs + Math.floor(random * RETRY_AFTER_JITTER_MS)
  }
}

export interface RetryLog {
  retrying: (
    attempt: number,
    attempts: number,
    reason: string,
    waitMs: number
  ) => void
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `retries` extra
 * attempts are used up. The error thrown is the last attempt's, its message
 * extended with how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  retries: number,
  clock: Clock,
  log: RetryLog
): Promise<T> {
  const attempts = retries + 1
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      const decision = decide(error, n, retries, clock.random())
      if (!decision.retry) {
        throw finalError(error, n, decision.reason)
      }
      log.retrying(n, attempts, (error as Error).message, decision.waitMs)
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
  return new TokenRequestError(parts.join(' '), { retryable: false })
}
