// The run of attempts: each failure decided by retry.ts, the waits slept on
// the clock, one line per retry, the last error told why it was the last.
import { describe, expect, it, jest } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect --
   a property branches on the generated case. */
import fc from 'fast-check'
import { TokenRequestError } from '../../src/errors.js'
import { withRetries } from '../../src/attempts.js'
import { BACKOFF_CAP_MS } from '../../src/waits.js'
import type { RetryEvent } from '../../src/retry-words.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import {
  transient,
  limited,
  permanent,
  DEFAULTS,
  policy,
  quiet,
  leastSpread,
  random
} from '../../test/support/failures.js'
import { runs } from '../../test/support/property-runs.js'

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
    const last = (await failure.catch((error: unknown) => error)) as Error & {
      failure: unknown
      status: unknown
    }
    expect(last.name).toBe('TokenRequestError')
    expect(last.status).toBe(503)
    expect(last.failure).toEqual(transient().failure)
    expect(last.cause).toMatchObject({ message: 'HTTP 503.', status: 503 })
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

describe('withRetries, for any run of failures', () => {
  it('keeps any run of failures within retries and the 429 budget', async () => {
    const failure = fc.oneof(
      fc.constant(undefined),
      fc.record({
        status: fc.constantFrom(429, 503, 500, 408),
        retryAfter: fc.option(fc.integer({ min: 0, max: 130 }), {
          nil: undefined
        })
      })
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(failure, { maxLength: 60 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(random, { minLength: 1, maxLength: 5 }),
        async (failures, retries, budget, randoms) => {
          const { clock, sleeps } = fakeClock(randoms)
          const events: RetryEvent[] = []
          let attempts = 0
          const attempt = async () => {
            const next = failures[attempts++]
            if (next === undefined) return 'token'
            throw new TokenRequestError('x', {
              kind: 'answer',
              status: next.status,
              retryAfterMs:
                next.retryAfter === undefined
                  ? undefined
                  : next.retryAfter * 1000
            })
          }
          const policy = { retries, rateLimitWaitMs: budget * 1000 }
          await withRetries(attempt, policy, clock, {
            retrying: (event) => events.push(event)
          }).catch(() => undefined)
          expect(events.length).toBe(attempts - 1)
          expect(events.map((event) => event.waitMs)).toEqual(sleeps)
          const rateLimited = events.filter((event) => event.rateLimited)
          const others = events.filter((event) => !event.rateLimited)
          expect(others.length).toBeLessThanOrEqual(retries)
          const waited = rateLimited.reduce((t, event) => t + event.waitMs, 0)
          expect(waited).toBeLessThanOrEqual(policy.rateLimitWaitMs)
          if (budget === 0) expect(rateLimited).toEqual([])
        }
      ),
      runs(500)
    )
  })
})
