import { TokenRequestError, type Failure } from './errors.js'
import { retryAfterTooLong, rateLimitStop } from './retry-words.js'
import {
  backoffMs,
  MAX_RETRY_AFTER_MS,
  rateLimitSpreadMs,
  RETRY_AFTER_JITTER_MS
} from './waits.js'

/** Statuses of the token endpoint that may pass; so may any 5xx. */
const TRANSIENT_STATUS = new Set([408, 429])
/** Statuses whose Retry-After is honoured (RFC 9110 §10.2.3, RFC 6585). */
const RETRY_AFTER_STATUS = new Set([429, 503])
/** Socket and DNS errors that may pass: refused, reset, unreachable, DNS busy. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN'
])

/**
 * The one table of what is worth another attempt. An error answer naming
 * `invalid_client` is the credentials, whatever its status; a proxy's 5xx may
 * pass, its refusal will not; TLS failures and refusals would be the same.
 */
export function isTransient(failure: Failure): boolean {
  switch (failure.kind) {
    case 'answer':
      return (
        failure.code !== 'invalid_client' &&
        (TRANSIENT_STATUS.has(failure.status) || failure.status >= 500)
      )
    case 'proxy':
      return failure.status >= 500
    case 'network':
      return TRANSIENT_CODES.has(failure.code)
    case 'hang-up':
    case 'timeout':
      return true
    case 'tls':
    case 'refusal':
      return false
  }
}

/** The server's Retry-After, where its status gives it meaning. */
function retryAfterOf(failure: Failure): number | undefined {
  return failure.kind === 'answer' && RETRY_AFTER_STATUS.has(failure.status)
    ? failure.retryAfterMs
    : undefined
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
  if (!(error instanceof TokenRequestError) || !isTransient(error.failure)) {
    return { retry: false }
  }
  const askedMs = retryAfterOf(error.failure)
  if (error.status === 429 && policy.rateLimitWaitMs > 0) {
    return decideRateLimited(askedMs ?? 0, state, policy, random)
  }
  const retry = state.retried + 1
  if (retry > policy.retries) {
    return { retry: false }
  }
  if (askedMs === undefined) {
    return { retry: true, waitMs: backoffMs(retry, random), rateLimited: false }
  }
  if (askedMs > MAX_RETRY_AFTER_MS) {
    return {
      retry: false,
      reason: retryAfterTooLong(askedMs, MAX_RETRY_AFTER_MS)
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
function decideRateLimited(
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
  return {
    retry: false,
    reason: rateLimitStop({
      count,
      askedMs,
      floorMs,
      leftMs,
      waitedMs: state.rateLimitWaitedMs,
      budgetMs: policy.rateLimitWaitMs
    })
  }
}
