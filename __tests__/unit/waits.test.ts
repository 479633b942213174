// How long to wait before another attempt: backoff and the spread after a 429.
import fc from 'fast-check'
import { describe, expect, it } from '@jest/globals'
import {
  BACKOFF_CAP_MS,
  backoffMs,
  rateLimitSpreadMs
} from '../../src/waits.js'
import {
  BACKOFF_BASE_MS,
  RATE_LIMIT_SPREAD_BASE_MS,
  RATE_LIMIT_SPREAD_CAP_MS,
  RATE_LIMIT_SPREAD_FLOOR
} from '../../src/waits.js'
import { random } from '../../test/support/failures.js'

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

describe('the waits, for any retry and draw', () => {
  it('waits between 0 and the capped exponential ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), random, (retry, r) => {
        const wait = backoffMs(retry, r)
        const ceiling = Math.min(
          BACKOFF_CAP_MS,
          BACKOFF_BASE_MS * 2 ** (retry - 1)
        )
        expect(Number.isInteger(wait)).toBe(true)
        expect(wait).toBeGreaterThanOrEqual(0)
        expect(wait).toBeLessThan(ceiling)
      })
    )
  })

  it('spreads the wait after the k-th 429 over 30% to 100% of a ceiling growing to 6 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), random, (k, r) => {
        const spread = rateLimitSpreadMs(k, r)
        const ceiling = Math.min(
          RATE_LIMIT_SPREAD_CAP_MS,
          RATE_LIMIT_SPREAD_BASE_MS * 2 ** (k - 1)
        )
        expect(Number.isInteger(spread)).toBe(true)
        expect(spread).toBeGreaterThanOrEqual(
          Math.floor(ceiling * RATE_LIMIT_SPREAD_FLOOR)
        )
        expect(spread).toBeLessThan(ceiling)
        expect(rateLimitSpreadMs(k + 1, r)).toBeGreaterThanOrEqual(spread)
      })
    )
  })
})
