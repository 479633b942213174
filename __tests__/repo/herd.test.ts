// The parts `npm run herd` is made of: the endpoint models, virtual time, and
// a herd run through the action's retry loop (herd-steps.test.ts: jobs whose
// steps each run the action).
import { describe, expect, it } from '@jest/globals'
import { TokenRequestError } from '../../src/errors.js'
import { withRetries } from '../../src/retry.js'
import { fixedWindow, runHerd, tokenBucket } from '../../test/support/herd.js'
import { virtualTime } from '../../test/support/herd-time.js'

describe('the endpoint models', () => {
  it('fixed windows serve the first R requests of each second', () => {
    const limiter = fixedWindow(3)
    const at = [0, 10, 20, 30, 999, 1000, 1001, 1002, 1003, 2500]
    expect(at.map((t) => (limiter.admit(t) ? 1 : 0))).toEqual([
      1, 1, 1, 0, 0, 1, 1, 1, 0, 1
    ])
  })

  it('a token bucket serves a burst of R, then one every 1/R s', () => {
    const limiter = tokenBucket(4)
    const admitted = (at: number[]) => at.map((t) => (limiter.admit(t) ? 1 : 0))
    expect(admitted([0, 0, 0, 0, 0])).toEqual([1, 1, 1, 1, 0])
    expect(admitted([100, 250, 400, 500])).toEqual([0, 1, 0, 1])
    expect(admitted([5000, 5000, 5000, 5000, 5000])).toEqual([1, 1, 1, 1, 0])
  })
})

describe('virtual time', () => {
  it('wakes sleepers in time order, jumping from one to the next', async () => {
    const time = virtualTime(() => 0)
    const woke: string[] = []
    const sleeper = async (name: string, waits: number[]) => {
      for (const ms of waits) {
        await time.clock.sleep(ms)
        woke.push(`${name}@${time.clock.now()}`)
      }
    }
    time.at(0, () => void sleeper('a', [300, 300]))
    time.at(100, () => void sleeper('b', [50, 1000]))
    await time.run()
    expect(woke).toEqual(['b@150', 'a@300', 'a@600', 'b@1150'])
  })
})

describe('a herd through the retry loop', () => {
  const herd = (rateLimitWaitMs: number, seed = 1) =>
    runHerd({
      jobs: 150,
      limit: 50,
      model: 'window',
      retryAfterMs: 1000,
      seed,
      policy: { retries: 3, rateLimitWaitMs },
      withRetries,
      TokenRequestError
    })

  it('gets every job its token through the limit, the same way for the same seed', async () => {
    const result = await herd(120_000)
    expect(result.succeeded).toBe(150)
    expect(result.failures).toEqual([])
    // 150 jobs at 50/s need three windows: the last token comes at 2 s or later.
    expect(result.lastMs).toBeGreaterThanOrEqual(2000)
    expect(result.requests).toHaveLength(150)
    expect(result.requests.filter((n) => n === 1)).toHaveLength(50)
    expect(Math.max(...result.requests)).toBeLessThanOrEqual(4)
    expect(await herd(120_000)).toEqual(result)
    expect(await herd(120_000, 2)).not.toEqual(result)
  })

  it('fails the jobs a short budget cannot serve, naming the budget', async () => {
    const result = await herd(2000)
    expect(result.failures.length).toBeGreaterThan(0)
    expect(result.succeeded + result.failures.length).toBe(150)
    for (const message of result.failures) {
      expect(message).toContain('HTTP 429')
      expect(message).toContain('rate-limit-wait-seconds (2 s)')
    }
  })
})
