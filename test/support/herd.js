// A herd of jobs asking one rate-limited token endpoint for a token at once,
// in virtual time. Each job runs the action's own retry loop (withRetries,
// passed in) with a clock whose sleep() only schedules a wake-up: a
// discrete-event scheduler moves time to the next wake-up, so a simulated
// minute takes milliseconds and nothing sleeps. The endpoint is a model that
// admits `limit` requests per second and answers the rest as Torq's 429 does.

/**
 * @typedef {import('../../src/retry.js').Clock} Clock
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
 * A seeded pseudo-random generator (mulberry32): the same seed, the same run.
 * @param {number} seed @returns {() => number} values in [0, 1)
 */
export function seededRandom(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Virtual time: `clock.sleep(ms)` schedules a wake-up, `at(t, fn)` schedules
 * work, and `run()` performs both in time order until nothing is left,
 * letting each woken job run until it sleeps again or ends.
 * @param {() => number} random
 */
export function virtualTime(random) {
  let now = 0
  let order = 0
  /** @typedef {{ t: number, order: number, fn: () => void }} Wake */
  /** A binary heap of what is scheduled, earliest first. @type {Wake[]} */
  const heap = []
  const get = (/** @type {number} */ i) => /** @type {Wake} */ (heap[i])
  const before = (/** @type {number} */ i, /** @type {number} */ j) =>
    get(i).t < get(j).t ||
    (get(i).t === get(j).t && get(i).order < get(j).order)
  const swap = (/** @type {number} */ i, /** @type {number} */ j) => {
    const held = get(i)
    heap[i] = get(j)
    heap[j] = held
  }

  /** @param {number} t @param {() => void} fn */
  const at = (t, fn) => {
    heap.push({ t, order: order++, fn })
    for (let i = heap.length - 1; i > 0 && before(i, (i - 1) >> 1);) {
      swap(i, (i - 1) >> 1)
      i = (i - 1) >> 1
    }
  }
  const next = () => {
    if (heap.length <= 1) return heap.pop()
    const top = get(0)
    heap[0] = get(heap.length - 1)
    heap.pop()
    for (let i = 0; ;) {
      const left = 2 * i + 1
      let least = i
      if (left < heap.length && before(left, least)) least = left
      if (left + 1 < heap.length && before(left + 1, least)) least = left + 1
      if (least === i) break
      swap(i, least)
      i = least
    }
    return top
  }

  /** @type {Clock} */
  const clock = {
    now: () => now,
    random,
    sleep: (ms) => new Promise((resolve) => at(now + ms, () => resolve()))
  }
  // A woken job runs on promise callbacks until it sleeps again or ends. Node
  // runs nextTick callbacks only once no promise callback is left, so this
  // resolves after that run, and time moves on only then.
  const settle = () => new Promise((resolve) => process.nextTick(resolve))

  return {
    clock,
    at,
    run: async () => {
      for (let event = next(); event; event = next()) {
        now = event.t
        event.fn()
        await settle()
      }
    }
  }
}

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

/** @param {HerdOptions} options @returns {Promise<HerdResult>} */
export async function runHerd(options) {
  const time = virtualTime(seededRandom(options.seed))
  const limiter = MODELS[options.model]?.(options.limit)
  if (!limiter) throw new Error(`unknown model ${options.model}`)
  const { TokenRequestError } = options
  /** @type {number[]} */
  const requests = []
  /** @type {string[]} */
  const failures = []
  let succeeded = 0
  let lastMs = 0
  const quiet = { retrying: () => {} }

  for (let job = 0; job < options.jobs; job++) {
    requests.push(0)
    time.at(time.clock.random() * 1000, () => {
      // What a 429 answer makes of the request: the error token.ts throws.
      const attempt = () => {
        requests[job] = (requests[job] ?? 0) + 1
        const now = time.clock.now()
        if (limiter.admit(now)) return Promise.resolve(now)
        return Promise.reject(
          new TokenRequestError('The token request failed (HTTP 429).', {
            retryable: true,
            status: 429,
            retryAfterMs: options.retryAfterMs
          })
        )
      }
      options.withRetries(attempt, options.policy, time.clock, quiet).then(
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
