// A herd of jobs asking one rate-limited token endpoint for a token at once,
// in virtual time (herd-time.js). Each job runs the action's own retry loop
// (withRetries, passed in) with a clock whose sleep() only schedules a
// wake-up, so a simulated minute takes milliseconds and nothing sleeps. The
// endpoint is a model that admits `limit` requests per second and answers the
// rest as Torq's 429 does.
import { seededRandom, virtualTime } from './herd-time.js'

/**
 * @typedef {import('../../src/clock.js').Clock} Clock
 * @typedef {import('../../src/retry.js').RetryPolicy} RetryPolicy
 * @typedef {typeof import('../../src/retry.js').withRetries} WithRetries
 * @typedef {typeof import('../../src/errors.js').TokenRequestError} TokenRequestErrorClass
 */

/**
 * A rate limit: `admit(t)` says whether a request at time t (ms) is served.
 * @typedef {{ admit: (t: number) => boolean }} Limiter
 */

/**
 * Fixed one-second windows: the first `limit` requests of each are served.
 * @param {number} limit @returns {Limiter}
 */
export function fixedWindow(limit) {
  let window = -1
  let served = 0
  return {
    admit: (t) => {
      const current = Math.floor(t / 1000)
      if (current !== window) {
        window = current
        served = 0
      }
      if (served >= limit) return false
      served++
      return true
    }
  }
}

/**
 * A token bucket: `limit` tokens per second, holding at most `limit`.
 * @param {number} limit @returns {Limiter}
 */
export function tokenBucket(limit) {
  let tokens = limit
  let last = 0
  return {
    admit: (t) => {
      tokens = Math.min(limit, tokens + ((t - last) * limit) / 1000)
      last = t
      if (tokens < 1) return false
      tokens--
      return true
    }
  }
}

/** @type {Record<string, (limit: number) => Limiter>} */
export const MODELS = { window: fixedWindow, bucket: tokenBucket }

/**
 * @typedef {object} HerdOptions
 * @property {number} jobs how many jobs, arriving uniformly within the first second
 * @property {number} limit requests per second the endpoint serves
 * @property {'window' | 'bucket'} model
 * @property {number | undefined} retryAfterMs the Retry-After of a 429, if any
 * @property {number} seed
 * @property {RetryPolicy} policy
 * @property {WithRetries} withRetries the action's retry loop
 * @property {TokenRequestErrorClass} TokenRequestError the action's error class
 */

/**
 * @typedef {object} HerdResult
 * @property {number} succeeded
 * @property {string[]} failures the messages of the jobs that failed
 * @property {number} lastMs when the last token was handed out
 * @property {number[]} requests per job
 */

/**
 * One request to the endpoint at the clock's time: its time when served,
 * otherwise the error token.ts throws for Torq's 429.
 * @param {Limiter} limiter
 * @param {Clock} clock
 * @param {number | undefined} retryAfterMs
 * @param {TokenRequestErrorClass} TokenRequestError
 * @returns {() => Promise<number>}
 */
export function endpoint(limiter, clock, retryAfterMs, TokenRequestError) {
  return () => {
    const now = clock.now()
    if (limiter.admit(now)) return Promise.resolve(now)
    return Promise.reject(
      new TokenRequestError('The token request failed (HTTP 429).', {
        kind: 'answer',
        status: 429,
        retryAfterMs
      })
    )
  }
}

/** @param {string} model @param {number} limit @returns {Limiter} */
export function limiterOf(model, limit) {
  const limiter = MODELS[model]?.(limit)
  if (!limiter) throw new Error(`unknown model ${model}`)
  return limiter
}

/** Retry lines are not read in a herd. */
export const QUIET = () => {}

/** @param {HerdOptions} options @returns {Promise<HerdResult>} */
export async function runHerd(options) {
  const time = virtualTime(seededRandom(options.seed))
  const ask = endpoint(
    limiterOf(options.model, options.limit),
    time.clock,
    options.retryAfterMs,
    options.TokenRequestError
  )
  /** @type {number[]} */
  const requests = []
  /** @type {string[]} */
  const failures = []
  let succeeded = 0
  let lastMs = 0

  for (let job = 0; job < options.jobs; job++) {
    requests.push(0)
    time.at(time.clock.random() * 1000, () => {
      const attempt = () => {
        requests[job] = (requests[job] ?? 0) + 1
        return ask()
      }
      options.withRetries(attempt, options.policy, time.clock, QUIET).then(
        (servedAt) => {
          succeeded++
          lastMs = Math.max(lastMs, servedAt)
        },
        (/** @type {unknown} */ error) => {
          failures.push(error instanceof Error ? error.message : String(error))
        }
      )
    })
  }
  await time.run()
  return { succeeded, failures, lastMs, requests }
}
