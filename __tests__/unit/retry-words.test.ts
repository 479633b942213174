import { describe, expect, it } from '@jest/globals'
import {
  attemptsMade,
  rateLimitStop,
  retryAfterTooLong,
  retryLine,
  seconds,
  type RateLimitStop
} from '../../src/retry-words.js'

describe('seconds', () => {
  it('writes tenths without a trailing .0, down for what was used, up for what is asked', () => {
    expect(
      [0, 1, 99, 100, 1000, 1049, 1999, 120_000].map((ms) => seconds(ms))
    ).toEqual([
      '0 s',
      'under 0.1 s',
      'under 0.1 s',
      '0.1 s',
      '1 s',
      '1 s',
      '1.9 s',
      '120 s'
    ])
    expect([0, 1, 100, 1001, 1999].map((ms) => seconds(ms, 'up'))).toEqual([
      '0 s',
      '0.1 s',
      '0.1 s',
      '1.1 s',
      '2 s'
    ])
  })
})

describe('retryLine', () => {
  it('names the attempt, the reason, the wait and the retry', () => {
    expect(
      retryLine({
        attempt: 2,
        reason: 'HTTP 503.',
        waitMs: 1999,
        rateLimited: false,
        retry: 2,
        retries: 3
      })
    ).toBe('Attempt 2 failed: HTTP 503. Retrying in 1.9 s (retry 2 of 3).')
  })

  it('names the 429 and the budget used, for a 429 waited out', () => {
    expect(
      retryLine({
        attempt: 1,
        reason: 'HTTP 429.',
        waitMs: 2300,
        rateLimited: true,
        count: 1,
        waitedMs: 2300,
        budgetMs: 120_000
      })
    ).toBe(
      'Attempt 1 failed: HTTP 429. Retrying in 2.3 s (HTTP 429 number 1; 2.3 s of the 120 s of rate-limit-wait-seconds used).'
    )
  })
})

describe('give-up sentences', () => {
  it('says why a Retry-After is not waited out, rounding what was asked up', () => {
    expect(retryAfterTooLong(60_001, 60_000)).toBe(
      'The server asked to retry after 60.1 s, longer than the 60 s this action waits; not retrying. Run the workflow again later.'
    )
    expect(attemptsMade(4)).toBe('(4 attempts made)')
  })

  const stop = {
    count: 2,
    askedMs: 0,
    floorMs: 1200,
    leftMs: 1000,
    waitedMs: 119_000,
    budgetMs: 120_000
  }
  it.each<[Partial<RateLimitStop>, string]>([
    [
      { leftMs: 0, waitedMs: 120_000 },
      'that is all of rate-limit-wait-seconds (120 s)'
    ],
    [
      { askedMs: 5000 },
      'the server asked to retry after 5 s, more than the 1 s left of rate-limit-wait-seconds (120 s)'
    ],
    [
      {},
      'the next wait would need at least 1.2 s (a spread of at least 1.2 s, so that jobs do not come back in step), more than the 1 s left of rate-limit-wait-seconds (120 s)'
    ],
    [
      { askedMs: 500, count: 1 },
      'the next wait would need at least 1.7 s (Retry-After 0.5 s plus a spread of at least 1.2 s, so that jobs do not come back in step)'
    ]
  ])('says why the 429 budget holds no other wait: %j', (change, why) => {
    const text = rateLimitStop({ ...stop, ...change })
    expect(text).toContain(`; ${why}`)
    expect(text).toMatch(
      /^Rate limited: \d (answer|answers) HTTP 429 and [\d.]+ s waited; .*\. Not retrying\. Raise rate-limit-wait-seconds, or start fewer jobs at once \(max-parallel\)\.$/
    )
    expect(
      text.startsWith(
        `Rate limited: ${change.count ?? 2} answer${(change.count ?? 2) === 1 ? ' ' : 's '}`
      )
    ).toBe(true)
  })
})

describe('the advice after 429s', () => {
  it('is to raise the budget while the input can hold the wait, else to run again later', () => {
    const stop = {
      count: 1,
      floorMs: 600,
      leftMs: 120_000,
      waitedMs: 0,
      budgetMs: 120_000
    }
    expect(rateLimitStop({ ...stop, askedMs: 3_600_000 })).toMatch(
      /Raise rate-limit-wait-seconds, or start fewer jobs at once \(max-parallel\)\.$/
    )
    expect(rateLimitStop({ ...stop, askedMs: 3_600_001 })).toMatch(
      /Not retrying\. Run the workflow again later\.$/
    )
  })
})
