import * as core from '@actions/core'
import type { Clock } from './clock.js'
import { TokenRequestError, type Failure } from './errors.js'
import { MAX_RATE_LIMIT_WAIT_SECONDS } from './inputs.js'

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

/** Socket and DNS errors that may pass: refused, reset, unreachable, DNS busy, a hang-up. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET'
])

/**
 * The one table of what is worth another attempt: from the token endpoint
 * 408, 429 and 5xx, unless the answer names `invalid_client`, which is the
 * credentials whatever its status; a proxy's 5xx, never its refusal; the
 * network errors above; a timeout. TLS failures and refusals would be the same.
 */
export function isTransient(failure: Failure): boolean {
  switch (failure.kind) {
    case 'answer':
      return (
        failure.code !== 'invalid_client' &&
        (failure.status === 408 ||
          failure.status === 429 ||
          failure.status >= 500)
      )
    case 'proxy':
      return failure.status >= 500
    case 'network':
      return TRANSIENT_CODES.has(failure.code)
    case 'timeout':
      return true
    default:
      return false
  }
}

/** The limits a run of attempts keeps to (a part of Settings). */
export interface RetryPolicy {
  /** Extra attempts after the first, for transient failures. */
  retries: number
  /** How long HTTP 429 answers may be waited out in all, apart from `retries`; 0: they use `retries`. */
  rateLimitWaitMs: number
}

/** What the failed attempts so far have used up. */
export interface RetryState {
  retried: number
  /** 429 answers waited out under `rateLimitWaitMs`, and the time waited after them. */
  rateLimited: number
  rateLimitWaitedMs: number
}

/** What to do after a failed attempt: wait `waitMs` and retry, or stop (and why). */
export type Decision =
  | { retry: true; waitMs: number; rateLimited: boolean }
  | { retry: false; reason?: string }

/** Wait before retry number `retry` (1 for the first) without a hint. */
export function backoffMs(retry: number, random: number): number {
  return Math.floor(
    random * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1))
  )
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

export function decide(
  error: unknown,
  state: RetryState,
  policy: RetryPolicy,
  random: number
): Decision {
  if (!(error instanceof TokenRequestError) || !isTransient(error.failure)) {
    return { retry: false }
  }
  const { failure } = error
  // Retry-After has a meaning for 429 and 503 (RFC 6585, RFC 9110 §10.2.3).
  const askedMs =
    failure.kind === 'answer' &&
    (failure.status === 429 || failure.status === 503)
      ? failure.retryAfterMs
      : undefined
  if (error.status === 429 && policy.rateLimitWaitMs > 0) {
    return rateLimited(askedMs ?? 0, state, policy, random)
  }
  const retry = state.retried + 1
  if (retry > policy.retries) return { retry: false }
  if (askedMs === undefined) {
    return { retry: true, waitMs: backoffMs(retry, random), rateLimited: false }
  }
  if (askedMs > MAX_RETRY_AFTER_MS) {
    return {
      retry: false,
      reason: `The server asked to retry after ${seconds(askedMs, 'up')}, longer than the ${seconds(MAX_RETRY_AFTER_MS)} this action waits; not retrying. Run the workflow again later.`
    }
  }
  return {
    retry: true,
    waitMs: askedMs + Math.floor(random * RETRY_AFTER_JITTER_MS),
    rateLimited: false
  }
}

/**
 * A 429 is waited out, Retry-After plus a spread growing with each one, for
 * as long as the time waited after 429s stays within the policy's budget.
 * A wait is never cut below Retry-After plus the spread's floor: with less
 * than that left, the jobs of a herd would come back in step, so it stops.
 */
function rateLimited(
  askedMs: number,
  state: RetryState,
  policy: RetryPolicy,
  random: number
): Decision {
  const count = state.rateLimited + 1
  const leftMs = policy.rateLimitWaitMs - state.rateLimitWaitedMs
  const floorMs = rateLimitSpreadMs(count, 0)
  if (askedMs + floorMs <= leftMs) {
    return {
      retry: true,
      waitMs: Math.min(leftMs, askedMs + rateLimitSpreadMs(count, random)),
      rateLimited: true
    }
  }
  const budget = `rate-limit-wait-seconds (${seconds(policy.rateLimitWaitMs)})`
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
  return {
    retry: false,
    reason: `Rate limited: ${count} ${count === 1 ? 'answer' : 'answers'} HTTP 429 and ${seconds(state.rateLimitWaitedMs)} waited; ${why}. Not retrying. ${advice}`
  }
}

/**
 * Milliseconds as seconds for a message, in tenths without a trailing `.0`
 * (`120 s`, `2.5 s`, `under 0.1 s`): rounded down for what was waited, used
 * or left, up for what was asked or needed.
 */
export function seconds(ms: number, round: 'down' | 'up' = 'down'): string {
  const tenths = round === 'up' ? Math.ceil(ms / 100) : Math.floor(ms / 100)
  // A wait of a few milliseconds is a wait: `0 s` would read as none.
  return tenths === 0 && ms > 0 ? 'under 0.1 s' : `${tenths / 10} s`
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's limits
 * are reached, with a line for each retry (`say`). The error thrown is the last
 * attempt's, told why it was the last and how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  say: (line: string) => void = core.info
): Promise<T> {
  const state: RetryState = { retried: 0, rateLimited: 0, rateLimitWaitedMs: 0 }
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      const decision = decide(error, state, policy, clock.random())
      if (!decision.retry) {
        if (!(error instanceof TokenRequestError)) throw error
        const parts = [
          error.message,
          decision.reason,
          n > 1 ? `(${n} attempts made)` : ''
        ]
        throw new TokenRequestError(
          parts.filter(Boolean).join(' '),
          error.failure,
          error
        )
      }
      let used: string
      if (decision.rateLimited) {
        state.rateLimited++
        state.rateLimitWaitedMs += decision.waitMs
        used = `HTTP 429 number ${state.rateLimited}; ${seconds(state.rateLimitWaitedMs)} of the ${seconds(policy.rateLimitWaitMs)} of rate-limit-wait-seconds used`
      } else {
        state.retried++
        used = `retry ${state.retried} of ${policy.retries}`
      }
      say(
        `Attempt ${n} failed: ${(error as Error).message} Retrying in ${seconds(decision.waitMs)} (${used}).`
      )
      await clock.sleep(decision.waitMs)
    }
  }
}
