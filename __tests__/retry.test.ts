import { describe, expect, it, jest } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect --
   a property branches on the generated case. */
import fc from 'fast-check'
import { TokenRequestError } from '../src/errors.js'
import {
  BACKOFF_CAP_MS,
  backoffMs,
  decide,
  rateLimitSpreadMs,
  systemClock,
  withRetries,
  type RetryEvent,
  type RetryPolicy,
  type RetryState
} from '../src/retry.js'
import { fakeClock } from '../test/support/fake-clock.js'
import { runs } from '../test/support/property-runs.js'

const transient = (retryAfterMs?: number) =>
  new TokenRequestError('HTTP 503.', {
    retryable: true,
    retryAfterMs,
    status: 503
  })
const limited = (retryAfterMs?: number) =>
  new TokenRequestError('HTTP 429.', {
    retryable: true,
    retryAfterMs,
    status: 429
  })
const permanent = () => new TokenRequestError('HTTP 400.', { retryable: false })

/** The policy of the default inputs: retries 3, rate-limit-wait-seconds 120. */
const DEFAULTS: RetryPolicy = { retries: 3, rateLimitWaitMs: 120_000 }
const policy = (retries: number, rateLimitWaitMs = 120_000): RetryPolicy => ({
  retries,
  rateLimitWaitMs
})
const FRESH: RetryState = { retried: 0, rateLimited: 0, rateLimitWaitedMs: 0 }
const after = (used: Partial<RetryState>): RetryState => ({
  ...FRESH,
  ...used
})
const quiet = { retrying: () => {} }
/** The least spread after the k-th 429, as documented: 30% of min(6 s, 2 s × 2^(k−1)). */
const leastSpread = (k: number) =>
  Math.floor(Math.min(6000, 2000 * 2 ** (k - 1)) * 0.3)
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

describe('backoffMs', () => {
  it('doubles from 1 s and caps at 10 s, scaled by full jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 0.999999))).toEqual([
      999, 1999, 3999, 7999, 9999, 9999
    ])
    expect(backoffMs(1, 0.5)).toBe(500)
    expect(backoffMs(3, 0)).toBe(0)
  })
})

describe('rateLimitSpreadMs', () => {
  it('draws from 30% to 100% of 2 s, 4 s, then 6 s for every further 429', () => {
    expect([1, 2, 3, 4, 9, 2000].map((k) => rateLimitSpreadMs(k, 0))).toEqual([
      600, 1200, 1800, 1800, 1800, 1800
    ])
    expect(
      [1, 2, 3, 4, 9, 2000].map((k) => rateLimitSpreadMs(k, 1 - 1e-9))
    ).toEqual([1999, 3999, 5999, 5999, 5999, 5999])
    expect(rateLimitSpreadMs(1, 0.5)).toBe(1300)
    expect(rateLimitSpreadMs(2, 0.25)).toBe(1900)
  })
})

describe('decide', () => {
  it('never retries a permanent failure or a non-token error', () => {
    expect(decide(permanent(), FRESH, DEFAULTS, 0.5)).toEqual({ retry: false })
    expect(decide(new Error('bug'), FRESH, DEFAULTS, 0.5)).toEqual({
      retry: false
    })
    expect(decide('thrown string', FRESH, DEFAULTS, 0.5)).toEqual({
      retry: false
    })
  })

  it('retries a transient failure until the retries are used up', () => {
    expect(decide(transient(), FRESH, DEFAULTS, 0.5)).toEqual({
      retry: true,
      waitMs: 500,
      rateLimited: false
    })
    expect(decide(transient(), after({ retried: 2 }), DEFAULTS, 0.5)).toEqual({
      retry: true,
      waitMs: 2000,
      rateLimited: false
    })
    expect(decide(transient(), after({ retried: 3 }), DEFAULTS, 0.5)).toEqual({
      retry: false
    })
    expect(decide(transient(), FRESH, policy(0), 0.5)).toEqual({
      retry: false
    })
  })

  it('does not let 429s waited out use up the retries', () => {
    const used = after({ rateLimited: 7, rateLimitWaitedMs: 30_000 })
    expect(decide(transient(), used, DEFAULTS, 0.5)).toEqual({
      retry: true,
      waitMs: 500,
      rateLimited: false
    })
  })

  it('waits at least Retry-After, plus a little jitter', () => {
    expect(decide(transient(7000), FRESH, DEFAULTS, 0)).toEqual({
      retry: true,
      waitMs: 7000,
      rateLimited: false
    })
    expect(decide(transient(7000), FRESH, DEFAULTS, 0.999)).toEqual({
      retry: true,
      waitMs: 7499,
      rateLimited: false
    })
    expect(decide(transient(60_000), FRESH, DEFAULTS, 0)).toEqual({
      retry: true,
      waitMs: 60_000,
      rateLimited: false
    })
  })

  it('gives up at once when Retry-After is over 60 s, and says so', () => {
    const decision = decide(transient(61_000), FRESH, DEFAULTS, 0.5)
    expect(decision).toEqual({
      retry: false,
      reason:
        'The server asked to retry after 61 s, longer than the 60 s this action waits; not retrying. Run the workflow again later.'
    })
  })

  describe('for HTTP 429, with rate-limit-wait-seconds', () => {
    it('waits Retry-After plus the spread, whatever retries are left', () => {
      expect(decide(limited(1000), after({ retried: 3 }), DEFAULTS, 0)).toEqual(
        {
          retry: true,
          waitMs: 1600,
          rateLimited: true
        }
      )
      expect(decide(limited(), FRESH, policy(0), 0.5)).toEqual({
        retry: true,
        waitMs: 1300,
        rateLimited: true
      })
    })

    it('spreads wider with each 429', () => {
      const waits = [0, 1, 2, 3, 4].map((rateLimited) => {
        const decision = decide(
          limited(1000),
          after({ rateLimited }),
          DEFAULTS,
          0.5
        )
        return decision.retry && decision.waitMs
      })
      expect(waits).toEqual([2300, 3600, 4900, 4900, 4900])
    })

    it('honours a Retry-After over 60 s when the budget allows it', () => {
      expect(decide(limited(90_000), FRESH, DEFAULTS, 0)).toEqual({
        retry: true,
        waitMs: 90_600,
        rateLimited: true
      })
    })

    it('waits no longer than what is left of the budget', () => {
      const used = after({ rateLimited: 20, rateLimitWaitedMs: 117_000 })
      expect(decide(limited(), used, DEFAULTS, 0.9)).toEqual({
        retry: true,
        waitMs: 3000,
        rateLimited: true
      })
      expect(decide(limited(1000), used, DEFAULTS, 0)).toEqual({
        retry: true,
        waitMs: 2800,
        rateLimited: true
      })
    })

    it('fails at once on a Retry-After longer than the budget, naming the wait and the input', () => {
      expect(decide(limited(300_000), FRESH, DEFAULTS, 0.5)).toEqual({
        retry: false,
        reason:
          'Rate limited: 1 answer HTTP 429 and 0 s waited; the server asked to retry after 300 s, more than the 120 s left of rate-limit-wait-seconds (120 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
      })
      // Rounded so that neither figure is flattered: 2.45 s left, 2.5 s asked.
      const used = after({ rateLimited: 4, rateLimitWaitedMs: 117_550 })
      expect(decide(limited(2500), used, DEFAULTS, 0.5)).toEqual({
        retry: false,
        reason:
          'Rate limited: 5 answers HTTP 429 and 117.5 s waited; the server asked to retry after 2.5 s, more than the 2.4 s left of rate-limit-wait-seconds (120 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
      })
    })

    it('never waits less than Retry-After plus the least spread: stops instead, and says why', () => {
      // After the fifth 429 the spread is at least 1.8 s; 2.5 s are left.
      const used = after({ rateLimited: 4, rateLimitWaitedMs: 117_500 })
      expect(decide(limited(700), used, DEFAULTS, 0.5)).toEqual({
        retry: true,
        waitMs: 2500,
        rateLimited: true
      })
      expect(decide(limited(701), used, DEFAULTS, 0.5)).toEqual({
        retry: false,
        reason:
          'Rate limited: 5 answers HTTP 429 and 117.5 s waited; the next wait would need at least 2.6 s (Retry-After 0.8 s plus a spread of at least 1.8 s, so that jobs do not come back in step), more than the 2.5 s left of rate-limit-wait-seconds (120 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
      })
      const first = after({ rateLimitWaitedMs: 0 })
      expect(decide(limited(), first, policy(3, 599), 0.99)).toEqual({
        retry: false,
        reason:
          'Rate limited: 1 answer HTTP 429 and 0 s waited; the next wait would need at least 0.6 s (a spread of at least 0.6 s, so that jobs do not come back in step), more than the 0.5 s left of rate-limit-wait-seconds (0.5 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
      })
      expect(decide(limited(), first, policy(3, 600), 0.99)).toEqual({
        retry: true,
        waitMs: 600,
        rateLimited: true
      })
    })

    it('stops when the budget is used up, saying how many 429s and how long', () => {
      const used = after({ rateLimited: 26, rateLimitWaitedMs: 120_000 })
      expect(decide(limited(), used, DEFAULTS, 0.5)).toEqual({
        retry: false,
        reason:
          'Rate limited: 27 answers HTTP 429 and 120 s waited; that is all of rate-limit-wait-seconds (120 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel).'
      })
    })
  })

  it('for any budget, state and draw: waits at least Retry-After plus the least spread and at most what is left, or stops', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.option(fc.integer({ min: 0, max: 4_000_000 }), { nil: undefined }),
        random,
        (budget, waited, rateLimited, retryAfterMs, r) => {
          const rateLimitWaitedMs = Math.min(waited, budget)
          const leftMs = budget - rateLimitWaitedMs
          const leastMs = (retryAfterMs ?? 0) + leastSpread(rateLimited + 1)
          const decision = decide(
            limited(retryAfterMs),
            after({ rateLimited, rateLimitWaitedMs }),
            policy(3, budget),
            r
          )
          if (leastMs > leftMs) {
            expect(decision).toEqual({
              retry: false,
              reason: expect.stringMatching(
                /^Rate limited: .* left of rate-limit-wait-seconds|that is all of rate-limit-wait-seconds/
              )
            })
            return
          }
          expect(decision).toMatchObject({ retry: true, rateLimited: true })
          const { waitMs } = decision as { waitMs: number }
          expect(Number.isInteger(waitMs)).toBe(true)
          expect(waitMs).toBeGreaterThanOrEqual(leastMs)
          expect(waitMs).toBeLessThanOrEqual(leftMs)
        }
      ),
      runs(3000)
    )
  })

  describe('for HTTP 429, with rate-limit-wait-seconds: 0', () => {
    const off = policy(3, 0)

    it('counts a 429 under retries, as any transient failure', () => {
      expect(decide(limited(), FRESH, off, 0.5)).toEqual({
        retry: true,
        waitMs: 500,
        rateLimited: false
      })
      expect(decide(limited(2000), after({ retried: 2 }), off, 0.5)).toEqual({
        retry: true,
        waitMs: 2250,
        rateLimited: false
      })
      expect(decide(limited(2000), after({ retried: 3 }), off, 0.5)).toEqual({
        retry: false
      })
    })

    it('gives up at once when Retry-After is over 60 s', () => {
      expect(decide(limited(61_000), FRESH, off, 0.5)).toMatchObject({
        retry: false,
        reason: expect.stringContaining('retry after 61 s')
      })
    })
  })
})

describe('withRetries', () => {
  const events = () => ({ retrying: jest.fn<(event: RetryEvent) => void>() })

  it('returns the first success without waiting', async () => {
    const { clock, sleeps } = fakeClock()
    const log = events()
    await expect(
      withRetries(async () => 'ok', DEFAULTS, clock, log)
    ).resolves.toBe('ok')
    expect(sleeps).toEqual([])
    expect(log.retrying).not.toHaveBeenCalled()
  })

  it('retries transient failures, logging attempt, reason, wait and retry', async () => {
    const { clock, sleeps } = fakeClock([0.5, 0.25])
    const log = events()
    const attempt = jest
      .fn<(n: number) => Promise<string>>()
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(transient())
      .mockResolvedValueOnce('token')
    await expect(withRetries(attempt, DEFAULTS, clock, log)).resolves.toBe(
      'token'
    )
    expect(attempt.mock.calls).toEqual([[1], [2], [3]])
    expect(sleeps).toEqual([500, 500])
    expect(log.retrying.mock.calls).toEqual([
      [
        {
          attempt: 1,
          reason: 'HTTP 503.',
          waitMs: 500,
          rateLimited: false,
          retry: 1,
          retries: 3
        }
      ],
      [
        {
          attempt: 2,
          reason: 'HTTP 503.',
          waitMs: 500,
          rateLimited: false,
          retry: 2,
          retries: 3
        }
      ]
    ])
  })

  it('waits out 429s apart from the retries, logging the count and the time waited', async () => {
    const { clock, sleeps } = fakeClock([0.5])
    const log = events()
    const attempt = jest
      .fn<(n: number) => Promise<string>>()
      .mockRejectedValueOnce(limited(1000))
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(limited())
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(limited(1000))
      .mockResolvedValueOnce('token')
    await expect(withRetries(attempt, DEFAULTS, clock, log)).resolves.toBe(
      'token'
    )
    expect(attempt).toHaveBeenCalledTimes(7)
    expect(sleeps).toEqual([2300, 500, 2600, 1000, 2000, 4900])
    expect(log.retrying.mock.calls.map(([event]) => event)).toEqual([
      {
        attempt: 1,
        reason: 'HTTP 429.',
        waitMs: 2300,
        rateLimited: true,
        count: 1,
        waitedMs: 2300,
        budgetMs: 120_000
      },
      expect.objectContaining({ attempt: 2, rateLimited: false, retry: 1 }),
      expect.objectContaining({
        attempt: 3,
        rateLimited: true,
        count: 2,
        waitedMs: 4900
      }),
      expect.objectContaining({ attempt: 4, rateLimited: false, retry: 2 }),
      expect.objectContaining({ attempt: 5, rateLimited: false, retry: 3 }),
      expect.objectContaining({
        attempt: 6,
        rateLimited: true,
        count: 3,
        waitedMs: 9800
      })
    ])
  })

  it('stops after the last retry with the attempt count in the message', async () => {
    const { clock, sleeps } = fakeClock([1 - 1e-9])
    const attempt = jest.fn(async () => {
      throw transient()
    })
    const failure = withRetries(attempt, DEFAULTS, clock, quiet)
    await expect(failure).rejects.toThrow('HTTP 503. (4 attempts made)')
    await expect(failure).rejects.toMatchObject({
      name: 'TokenRequestError',
      retryable: false,
      status: 503,
      cause: expect.objectContaining({ message: 'HTTP 503.', status: 503 })
    })
    expect(attempt).toHaveBeenCalledTimes(4)
    expect(sleeps).toEqual([999, 1999, 3999])
  })

  it('keeps a persistently failing endpoint within 30 s at the defaults', async () => {
    const { clock, elapsed } = fakeClock([1 - 1e-9])
    await expect(
      withRetries(
        async () => Promise.reject(transient()),
        DEFAULTS,
        clock,
        quiet
      )
    ).rejects.toThrow()
    expect(elapsed()).toBeLessThan(30_000)
    expect(elapsed()).toBeLessThanOrEqual(BACKOFF_CAP_MS)
  })

  it('waits out 429s while the budget holds a whole wait, then says how many and how long', async () => {
    const { clock, sleeps, elapsed } = fakeClock([0.5])
    const attempt = jest.fn(async () => {
      throw limited(1000)
    })
    const failure = withRetries(attempt, DEFAULTS, clock, quiet)
    // 2.3 + 3.6 + 23 × 4.9 = 118.6 s; the 1.4 s left hold no wait of 2.8 s.
    await expect(failure).rejects.toThrow(
      'HTTP 429. Rate limited: 26 answers HTTP 429 and 118.6 s waited; the next wait would need at least 2.8 s (Retry-After 1 s plus a spread of at least 1.8 s, so that jobs do not come back in step), more than the 1.4 s left of rate-limit-wait-seconds (120 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel). (26 attempts made)'
    )
    expect(attempt).toHaveBeenCalledTimes(26)
    expect(sleeps.slice(0, 3)).toEqual([2300, 3600, 4900])
    expect(new Set(sleeps.slice(2))).toEqual(new Set([4900]))
    expect(elapsed()).toBe(118_600)
  })

  it('for any run of 429s: every wait at least Retry-After plus the least spread, the lines counting the budget as it is used', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
          {
            minLength: 1,
            maxLength: 80
          }
        ),
        fc.integer({ min: 1, max: 200 }),
        fc.array(random, { minLength: 1, maxLength: 5 }),
        async (asked, budget, randoms) => {
          const { clock, sleeps } = fakeClock(randoms)
          const log = events()
          let n = 0
          const attempt = async () => {
            if (n >= asked.length) return 'token'
            const seconds = asked[n++]
            throw limited(seconds === undefined ? undefined : seconds * 1000)
          }
          const budgetMs = budget * 1000
          const outcome = await withRetries(
            attempt,
            policy(0, budgetMs),
            clock,
            log
          ).catch((error: unknown) => error as Error)
          let waited = 0
          log.retrying.mock.calls.forEach(([event], i) => {
            const seconds = asked[i]
            waited += event.waitMs
            expect(event).toMatchObject({
              rateLimited: true,
              count: i + 1,
              waitedMs: waited,
              budgetMs
            })
            expect(event.waitMs).toBeGreaterThanOrEqual(
              (seconds ?? 0) * 1000 + leastSpread(i + 1)
            )
          })
          expect(sleeps.reduce((a, b) => a + b, 0)).toBe(waited)
          expect(waited).toBeLessThanOrEqual(budgetMs)
          if (outcome !== 'token') {
            // It stopped only because the next wait did not fit.
            const k = log.retrying.mock.calls.length
            const least = (asked[k] ?? 0) * 1000 + leastSpread(k + 1)
            expect(least).toBeGreaterThan(budgetMs - waited)
            expect((outcome as Error).message).toContain('Not retrying')
          }
        }
      ),
      runs(500)
    )
  })

  it('fails at once when a 429 asks for longer than the budget', async () => {
    const { clock, sleeps } = fakeClock()
    const attempt = jest.fn(async () => {
      throw limited(600_000)
    })
    await expect(withRetries(attempt, DEFAULTS, clock, quiet)).rejects.toThrow(
      /^HTTP 429\. Rate limited: 1 answer HTTP 429 and 0 s waited; the server asked to retry after 600 s, more than the 120 s left/
    )
    expect(attempt).toHaveBeenCalledTimes(1)
    expect(sleeps).toEqual([])
  })

  it('counts 429s under retries with rate-limit-wait-seconds: 0', async () => {
    const { clock, sleeps } = fakeClock([0.5])
    const attempt = jest.fn(async () => {
      throw limited(1000)
    })
    await expect(
      withRetries(attempt, policy(3, 0), clock, quiet)
    ).rejects.toThrow(/^HTTP 429\. \(4 attempts made\)$/)
    expect(sleeps).toEqual([1250, 1250, 1250])
  })

  it('does not retry a permanent failure and keeps its message', async () => {
    const { clock, sleeps } = fakeClock()
    const attempt = jest.fn(async () => {
      throw permanent()
    })
    await expect(withRetries(attempt, DEFAULTS, clock, quiet)).rejects.toThrow(
      /^HTTP 400\.$/
    )
    expect(attempt).toHaveBeenCalledTimes(1)
    expect(sleeps).toEqual([])
  })

  it('explains a Retry-After it will not honour', async () => {
    const { clock } = fakeClock()
    const attempt = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(transient(1000))
      .mockRejectedValueOnce(transient(90_000))
    await expect(withRetries(attempt, DEFAULTS, clock, quiet)).rejects.toThrow(
      'HTTP 503. The server asked to retry after 90 s, longer than the 60 s this action waits; not retrying. Run the workflow again later. (2 attempts made)'
    )
  })

  it('passes other thrown values through untouched', async () => {
    const { clock } = fakeClock()
    const odd = { not: 'an error' }
    await expect(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- on purpose
      withRetries(async () => Promise.reject(odd), DEFAULTS, clock, quiet)
    ).rejects.toBe(odd)
  })
})

describe('systemClock', () => {
  it('tells the time, draws from [0, 1) and sleeps on a timer', async () => {
    jest.useFakeTimers({ now: 1_000_000 })
    try {
      expect(systemClock.now()).toBe(1_000_000)
      const r = systemClock.random()
      expect(r).toBeGreaterThanOrEqual(0)
      expect(r).toBeLessThan(1)
      let done = false
      const sleeping = systemClock.sleep(250).then(() => (done = true))
      await jest.advanceTimersByTimeAsync(249)
      expect(done).toBe(false)
      await jest.advanceTimersByTimeAsync(1)
      await sleeping
      expect(done).toBe(true)
    } finally {
      jest.useRealTimers()
    }
  })
})
