// `npm run herd`'s jobs whose steps each run the action: the action's own
// reuse code, with each job's state in its own RUNNER_TEMP, decides which
// steps ask the rate-limited endpoint, in virtual time. (Where a job should
// ask, expectedAsks, is checked by every `npm run herd` against that code.)
import { describe, expect, it } from '@jest/globals'
import { TokenRequestError } from '../../src/errors.js'
import { readInputs } from '../../src/inputs.js'
import { withRetries } from '../../src/retry.js'
import { earlierToken, jobToken, keepToken } from '../../src/reuse.js'
import { runJobSteps } from '../../test/support/herd-steps.js'

const runner = { GITHUB_OUTPUT: 'unused', GITHUB_ENV: 'unused' }
const settings = readInputs(
  (name) => (name.startsWith('client') ? 'herd' : ''),
  runner
)
const reuse = { jobToken, earlierToken, keepToken }
// 20 jobs at 5 requests per second: the first step meets 429s.
const steps = (options: Partial<Parameters<typeof runJobSteps>[0]> = {}) =>
  runJobSteps({
    jobs: 20,
    steps: 12,
    everyMs: 700_000,
    lifetimeS: 3600,
    limit: 5,
    model: 'window',
    retryAfterMs: 1000,
    seed: 1,
    settings,
    withRetries,
    TokenRequestError,
    reuse,
    ...options
  })
const total = (n: number[]) => n.reduce((a, b) => a + b, 0)
/** Each job asked at these steps. */
const everyJob = (asked: number[]) => Array.from({ length: 20 }, () => asked)

describe('jobs whose steps each run the action', () => {
  it('with reuse, a job asks at its first step and again only when its token runs under the margin', async () => {
    const result = await steps()
    expect(result.failures).toEqual([])
    expect(result.succeeded).toBe(20)
    expect(result.asked).toEqual(everyJob([0, 5, 10]))
    expect(result.foreign).toBe(0)
    // Step 4 runs 4 × 700 s after its token: 3600 − 2800 s left.
    expect(result.leastLeftS).toBe(800)
    expect(Math.min(...result.requests)).toBeGreaterThanOrEqual(3)
    expect(total(result.requests)).toBeGreaterThan(60)
    expect(await steps()).toEqual(result)
  })

  it('without reuse, every step asks, and more requests meet the limit', async () => {
    const withReuse = await steps()
    const result = await steps({ settings: { ...settings, reuseToken: false } })
    expect(result.succeeded).toBe(20)
    expect(result.asked).toEqual(everyJob([...Array(12).keys()]))
    expect(result.leastLeftS).toBeUndefined()
    expect(total(result.requests)).toBeGreaterThanOrEqual(
      total(withReuse.requests) + 9 * 20
    )
  })

  it('measures the reuse code it is given: one that keeps nothing, or hands on a planted token', async () => {
    const forgetful = await steps({
      steps: 4,
      reuse: { ...reuse, keepToken: () => undefined }
    })
    expect(forgetful.asked).toEqual(everyJob([0, 1, 2, 3]))
    const planted = await steps({
      steps: 4,
      reuse: {
        ...reuse,
        earlierToken: () => ({
          accessToken: 'planted-token-0000000000',
          tokenType: 'Bearer',
          expiresIn: 3000,
          expiresAt: 3_000_000
        })
      }
    })
    expect(planted.asked).toEqual(everyJob([]))
    expect(planted.foreign).toBe(80)
  })

  it('ends a job at a step that fails, naming the budget', async () => {
    const result = await steps({
      steps: 3,
      settings: { ...settings, rateLimitWaitMs: 2000, reuseToken: false }
    })
    expect(result.failures.length).toBeGreaterThan(0)
    for (const message of result.failures) {
      expect(message).toContain('rate-limit-wait-seconds (2 s)')
    }
    // A job that failed asked once; the others at all three steps.
    const counts = result.asked.map((asked) => asked.length).sort()
    expect(counts).toEqual([
      ...Array<number>(result.failures.length).fill(1),
      ...Array<number>(20 - result.failures.length).fill(3)
    ])
    expect(result.succeeded).toBe(20 - result.failures.length)
  })
})
