// Jobs whose steps each run the action, in virtual time (herd-time.js). A
// step does what main.ts does before publishing: the action's own reuse code
// (jobToken, earlierToken, keepToken, passed in) reads and writes the state
// file in the job's own RUNNER_TEMP, and when no earlier token will do, the
// action's retry loop asks the one rate-limited endpoint all jobs share.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { endpoint, limiterOf, QUIET } from './herd.js'
import { seededRandom, virtualTime } from './herd-time.js'

/**
 * @typedef {import('../../src/clock.js').Clock} Clock
 * @typedef {import('../../src/token.js').Token} Token
 * @typedef {import('./herd.js').WithRetries} WithRetries
 * @typedef {import('./herd.js').TokenRequestErrorClass} TokenRequestErrorClass
 * @typedef {import('../../src/retry.js').RetryPolicy & import('../../src/inputs.js').Settings} StepSettings
 * @typedef {{
 *   jobToken: typeof import('../../src/reuse.js').jobToken,
 *   earlierToken: typeof import('../../src/reuse.js').earlierToken,
 *   keepToken: typeof import('../../src/reuse.js').keepToken
 * }} ReuseCode
 */

/**
 * @typedef {object} StepsOptions
 * @property {number} jobs how many jobs, arriving uniformly within the first second
 * @property {number} steps how many steps of each job run the action
 * @property {number} everyMs the job's work between one step's token and the next step
 * @property {number} lifetimeS the expires_in of Torq's tokens
 * @property {number} limit requests per second the endpoint serves
 * @property {'window' | 'bucket'} model
 * @property {number | undefined} retryAfterMs the Retry-After of a 429, if any
 * @property {number} seed
 * @property {StepSettings} settings the action's settings (one identity for all)
 * @property {WithRetries} withRetries the action's retry loop
 * @property {TokenRequestErrorClass} TokenRequestError the action's error class
 * @property {ReuseCode} reuse the action's reuse code
 */

/**
 * @typedef {object} StepsResult
 * @property {number} succeeded jobs whose every step got a token
 * @property {string[]} failures the messages of the steps that failed (each ends its job)
 * @property {number[][]} asked per job, the steps (from 0) that asked Torq
 * @property {number[]} requests per job, HTTP requests, 429s included
 * @property {number} foreign steps handed a token other than their job's latest
 * @property {number | undefined} leastLeftS the least expires-in of a reused token
 */

/**
 * The steps (from 0) that should ask Torq when step i runs at i × every and
 * a token comes at once: the first, and each whose token, if any is kept,
 * has less than min-validity-seconds left.
 * @param {{ steps: number, everyMs: number, lifetimeS: number, settings: StepSettings }} options
 * @returns {number[]}
 */
export function expectedAsks({ steps, everyMs, lifetimeS, settings }) {
  const asks = []
  let tokenAt = -Infinity
  for (let step = 0; step < steps; step++) {
    const at = step * everyMs
    const leftMs = tokenAt + lifetimeS * 1000 - at
    if (!settings.reuseToken || leftMs < settings.minValiditySeconds * 1000) {
      asks.push(step)
      tokenAt = at
    }
  }
  return asks
}

/**
 * Runs `fn` (synchronous) with stdout muted: the workflow commands of
 * @actions/core (the reuse code's debug lines) stay out of the herd's output.
 * @template T @param {() => T} fn @returns {T}
 */
function quietly(fn) {
  const { stdout } = process
  const write = stdout.write.bind(stdout)
  stdout.write = () => true
  try {
    return fn()
  } finally {
    stdout.write = write
  }
}

/** @param {StepsOptions} options @returns {Promise<StepsResult>} */
export async function runJobSteps(options) {
  const { settings, reuse, steps } = options
  const time = virtualTime(seededRandom(options.seed))
  // Whole milliseconds, as Date.now() gives them and the state file keeps.
  const whole = () => Math.floor(time.clock.now())
  /** @type {Clock} */
  const clock = { ...time.clock, now: whole, uptime: whole }
  const ask = endpoint(
    limiterOf(options.model, options.limit),
    clock,
    options.retryAfterMs,
    options.TokenRequestError
  )
  const root = mkdtempSync(join(tmpdir(), 'torq-herd-steps-'))
  /** @type {StepsResult} */
  const result = {
    succeeded: 0,
    failures: [],
    asked: [],
    requests: [],
    foreign: 0,
    leastLeftS: undefined
  }

  /** @param {number} job */
  const runJob = async (job) => {
    const runnerTemp = join(root, `job-${job}`)
    mkdirSync(runnerTemp, { mode: 0o700 })
    /** @type {number[]} */
    const asked = []
    result.asked[job] = asked
    result.requests[job] = 0
    const attempt = () => {
      result.requests[job] = (result.requests[job] ?? 0) + 1
      return ask()
    }
    let latest = ''
    for (let step = 0; step < steps; step++) {
      if (step > 0) await clock.sleep(options.everyMs)
      const state = quietly(() => reuse.jobToken(settings, clock, runnerTemp))
      /** @type {Token | undefined} */
      let token = state && quietly(() => reuse.earlierToken(state))
      if (token) {
        const left = /** @type {number} */ (token.expiresIn)
        result.leastLeftS = Math.min(result.leastLeftS ?? left, left)
      } else {
        asked.push(step)
        const sentAt = await options.withRetries(
          attempt,
          settings,
          clock,
          QUIET
        )
        latest = `herd-token-${String(job).padStart(8, '0')}-${String(asked.length).padStart(8, '0')}`
        /** @type {Token} */
        const fresh = {
          accessToken: latest,
          tokenType: 'Bearer',
          expiresIn: options.lifetimeS,
          expiresAt: sentAt + options.lifetimeS * 1000
        }
        if (state) quietly(() => reuse.keepToken(state, fresh))
        token = fresh
      }
      if (token.accessToken !== latest) result.foreign++
    }
    result.succeeded++
  }

  try {
    for (let job = 0; job < options.jobs; job++) {
      time.at(time.clock.random() * 1000, () => {
        runJob(job).catch((/** @type {unknown} */ error) => {
          result.failures.push(
            error instanceof Error ? error.message : String(error)
          )
        })
      })
    }
    await time.run()
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  return result
}
