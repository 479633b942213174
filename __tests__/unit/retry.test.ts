// Whether to try again, and how long to wait: the one table of what is
// transient, Retry-After, and the 429 budget.
import { describe, expect, it } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect --
   a property branches on the generated case. */
import fc from 'fast-check'
import { TokenRequestError, type Failure } from '../../src/errors.js'
import { decide, isTransient } from '../../src/retry.js'
import {
  transient,
  limited,
  permanent,
  DEFAULTS,
  policy,
  FRESH,
  after,
  leastSpread,
  random
} from '../../test/support/failures.js'
import { runs } from '../../test/support/property-runs.js'
import {
  MAX_RETRY_AFTER_MS,
  RETRY_AFTER_JITTER_MS,
  rateLimitSpreadMs
} from '../../src/waits.js'

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

describe('isTransient', () => {
  it.each<[Failure, boolean]>([
    [{ kind: 'answer', status: 408 }, true],
    [{ kind: 'answer', status: 429 }, true],
    [{ kind: 'answer', status: 500 }, true],
    [{ kind: 'answer', status: 501 }, true],
    [{ kind: 'answer', status: 503 }, true],
    [{ kind: 'answer', status: 599 }, true],
    [{ kind: 'answer', status: 400 }, false],
    [{ kind: 'answer', status: 401 }, false],
    [{ kind: 'answer', status: 404 }, false],
    [{ kind: 'answer', status: 499 }, false],
    [{ kind: 'answer', status: 500, code: 'invalid_client' }, false],
    [{ kind: 'answer', status: 503, code: 'temporarily_unavailable' }, true],
    [{ kind: 'proxy', status: 502 }, true],
    [{ kind: 'proxy', status: 500 }, true],
    [{ kind: 'proxy', status: 403 }, false],
    [{ kind: 'proxy', status: 407 }, false],
    [{ kind: 'network', code: 'ECONNREFUSED' }, true],
    [{ kind: 'network', code: 'ECONNRESET' }, true],
    [{ kind: 'network', code: 'ECONNABORTED' }, true],
    [{ kind: 'network', code: 'EPIPE' }, true],
    [{ kind: 'network', code: 'ETIMEDOUT' }, true],
    [{ kind: 'network', code: 'EHOSTUNREACH' }, true],
    [{ kind: 'network', code: 'ENETUNREACH' }, true],
    [{ kind: 'network', code: 'ENETDOWN' }, true],
    [{ kind: 'network', code: 'EAI_AGAIN' }, true],
    [{ kind: 'network', code: 'ENOTFOUND' }, false],
    [{ kind: 'network', code: 'EPROTO' }, false],
    [{ kind: 'network', code: '' }, false],
    [{ kind: 'hang-up' }, true],
    [{ kind: 'timeout' }, true],
    [{ kind: 'tls' }, false],
    [{ kind: 'refusal' }, false]
  ])('%j: transient %s', (failure, transient) => {
    expect(isTransient(failure)).toBe(transient)
    expect(
      decide(new TokenRequestError('x', failure), FRESH, DEFAULTS, 0.5).retry
    ).toBe(transient)
  })

  it('honours Retry-After on 429 and 503 only', () => {
    const waitOf = (status: number) =>
      decide(
        new TokenRequestError('x', {
          kind: 'answer',
          status,
          retryAfterMs: 7000
        }),
        FRESH,
        { retries: 3, rateLimitWaitMs: 0 },
        0
      )
    expect(waitOf(503)).toEqual({
      retry: true,
      waitMs: 7000,
      rateLimited: false
    })
    expect(waitOf(429)).toEqual({
      retry: true,
      waitMs: 7000,
      rateLimited: false
    })
    expect(waitOf(500)).toEqual({ retry: true, waitMs: 0, rateLimited: false })
  })
})

describe('decide, for any failure, state and draw', () => {
  it('honours Retry-After up to 60 s with a little jitter, and never waits longer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom(503, 429),
        fc.integer({ min: 0, max: 3600 }),
        random,
        (retryAfterMs, retried, retries, status, budget, r) => {
          const error = new TokenRequestError('x', {
            kind: 'answer',
            status,
            retryAfterMs
          })
          // A 429 with a budget is waited out apart; see the next property.
          const rateLimitWaitMs = status === 429 ? 0 : budget * 1000
          const decision = decide(
            error,
            { retried, rateLimited: 0, rateLimitWaitedMs: 0 },
            { retries, rateLimitWaitMs },
            r
          )
          if (retried >= retries || retryAfterMs > MAX_RETRY_AFTER_MS) {
            expect(decision.retry).toBe(false)
            return
          }
          expect(decision.retry).toBe(true)
          if (!decision.retry) return
          expect(decision.rateLimited).toBe(false)
          expect(decision.waitMs).toBeGreaterThanOrEqual(retryAfterMs)
          expect(decision.waitMs).toBeLessThan(
            retryAfterMs + RETRY_AFTER_JITTER_MS
          )
        }
      )
    )
  })

  it('waits out a 429 within the budget only, Retry-After first', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 4_000_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 10 }),
        random,
        (retryAfterMs, rateLimited, waited, budget, retried, r) => {
          const rateLimitWaitMs = budget * 1000
          const rateLimitWaitedMs = Math.min(waited, rateLimitWaitMs)
          const decision = decide(
            new TokenRequestError('x', {
              kind: 'answer',
              status: 429,
              retryAfterMs
            }),
            { retried, rateLimited, rateLimitWaitedMs },
            { retries: 3, rateLimitWaitMs },
            r
          )
          const leftMs = rateLimitWaitMs - rateLimitWaitedMs
          const askedMs = retryAfterMs ?? 0
          const floorMs = rateLimitSpreadMs(rateLimited + 1, 0)
          if (askedMs + floorMs > leftMs) {
            expect(decision.retry).toBe(false)
            if (decision.retry) return
            expect(decision.reason).toContain(
              `Rate limited: ${rateLimited + 1} answer`
            )
            expect(decision.reason).toContain(
              askedMs > 3_600_000
                ? 'Run the workflow again later.'
                : 'Raise rate-limit-wait-seconds'
            )
            return
          }
          expect(decision).toMatchObject({ retry: true, rateLimited: true })
          if (!decision.retry) return
          expect(decision.waitMs).toBeLessThanOrEqual(leftMs)
          expect(decision.waitMs).toBe(
            Math.min(leftMs, askedMs + rateLimitSpreadMs(rateLimited + 1, r))
          )
        }
      )
    )
  })
})
