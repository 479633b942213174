// `npm run herd`'s jobs whose steps each run the action: the action's own
// reuse code, with each job's state in its own RUNNER_TEMP, decides which
// steps ask the rate-limited endpoint, in virtual time.
import { describe, expect, it } from '@jest/globals'
import { TokenRequestError } from '../../src/errors.js'
import { readInputs, type Settings } from '../../src/inputs.js'
import { withRetries } from '../../src/retry.js'
import { earlierToken, jobToken, keepToken } from '../../src/reuse.js'
import { expectedAsks, runJobSteps } from '../../test/support/herd-steps.js'

const inputs: Record<string, string> = {
  'client-id': 'herd',
  'client-secret': 'herd-secret'
}
const settings = readInputs((name) => inputs[name] ?? '', {
  GITHUB_OUTPUT: 'unused',
  GITHUB_ENV: 'unused'
})
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
/** How many of the reuse code's lines hold `words`, and what kind they are. */
const said = (result: { said: Record<string, number> }, words: string) =>
  Object.entries(result.said)
    .filter(([line]) => line.includes(words))
    .map(([line, count]) => [/^::(\w+)::/.exec(line)?.[1], count])

describe('jobs whose steps each run the action', () => {
  it('expects an ask at the first step and where the token has less than min-validity-seconds left', () => {
    const asks = (
      count: number,
      everyS: number,
      lifetimeS: number,
      change: Partial<Settings> = {}
    ) =>
      expectedAsks({
        steps: count,
        everyMs: everyS * 1000,
        lifetimeS,
        settings: { ...settings, ...change }
      })
    expect(asks(5, 60, 3600)).toEqual([0])
    expect(asks(12, 700, 3600)).toEqual([0, 5, 10])
    // At 3000 s the token has exactly 600 s left: still reused.
    expect(asks(6, 750, 3600)).toEqual([0, 5])
    expect(asks(6, 750, 3600, { minValiditySeconds: 601 })).toEqual([0, 4])
    expect(asks(5, 60, 300)).toEqual([0, 1, 2, 3, 4])
    expect(asks(3, 60, 3600, { reuseToken: false })).toEqual([0, 1, 2])
  })

  it('with reuse, a job asks at its first step and again only when its token runs under the margin', async () => {
    const result = await steps()
    expect(result.failures).toEqual([])
    expect(result.succeeded).toBe(20)
    expect(result.asked).toEqual(everyJob([0, 5, 10]))
    expect(result.foreign).toBe(0)
    // Step 4 runs 4 × 700 s after its token: 3600 − 2800 s left.
    expect(result.leastLeftS).toBe(800)
    expect(said(result, 'no earlier step')).toEqual([['debug', 20]])
    expect(said(result, 'min-validity-seconds')).toEqual([['debug', 40]])
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
    expect(said(result, 'reuse-token is false')).toEqual([['debug', 240]])
    expect(total(result.requests)).toBeGreaterThanOrEqual(
      total(withReuse.requests) + 9 * 20
    )
  })

  it('asks at every step when the token lasts less than min-validity-seconds, and warns', async () => {
    const result = await steps({ steps: 5, everyMs: 60_000, lifetimeS: 300 })
    expect(result.succeeded).toBe(20)
    expect(result.asked).toEqual(everyJob([0, 1, 2, 3, 4]))
    // Each fresh token warns; each later step finds it under the margin.
    expect(said(result, 'min-validity-seconds')).toEqual([
      ['warning', 100],
      ['debug', 80]
    ])
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
    expect(result.succeeded).toBeGreaterThan(0)
    expect(result.failures.length).toBeGreaterThan(0)
    expect(result.succeeded + result.failures.length).toBe(20)
    for (const message of result.failures) {
      expect(message).toContain('rate-limit-wait-seconds (2 s)')
    }
    const counts = result.asked.map((asked) => asked.length).sort()
    expect(counts).toEqual([
      ...Array<number>(result.failures.length).fill(1),
      ...Array<number>(result.succeeded).fill(3)
    ])
  })
})
