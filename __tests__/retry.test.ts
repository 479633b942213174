import { describe, expect, it, jest } from '@jest/globals'
import { TokenRequestError } from '../src/errors.js'
import {
  BACKOFF_CAP_MS,
  backoffMs,
  decide,
  parseRetryAfter,
  systemClock,
  withRetries
} from '../src/retry.js'
import { fakeClock } from '../test/support/fake-clock.js'

const transient = (retryAfterMs?: number) =>
  new TokenRequestError('HTTP 503.', { retryable: true, retryAfterMs })
const permanent = () => new TokenRequestError('HTTP 400.', { retryable: false })

describe('backoffMs', () => {
  it('doubles from 1 s and caps at 10 s, scaled by full jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 0.999999))).toEqual([
      999, 1999, 3999, 7999, 9999, 9999
    ])
    expect(backoffMs(1, 0.5)).toBe(500)
    expect(backoffMs(3, 0)).toBe(0)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('Sat, 28 Nov 2026 16:00:00 GMT')

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('120', now)).toBe(120_000)
  })

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 16:00:07 GMT', now)).toBe(7000)
    // The obsolete RFC 850 and asctime forms, which recipients must accept;
    // asctime names no zone and means GMT.
    expect(parseRetryAfter('Saturday, 28-Nov-26 16:00:09 GMT', now)).toBe(9000)
    expect(parseRetryAfter('Sat Nov 28 16:00:05 2026', now)).toBe(5000)
    expect(parseRetryAfter('Sat, 28 Nov 2026 15:59:00 GMT', now)).toBe(0)
  })

  it.each([
    undefined,
    '',
    '-1',
    '1.5',
    'soon',
    '5 seconds',
    'Sat, 99 Foo 2026',
    '2026-11-28',
    'x Sat, 28 Nov 2026 16:00:07 GMT'
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })
})

describe('decide', () => {
  it('never retries a permanent failure or a non-token error', () => {
    expect(decide(permanent(), 1, 3, 0.5)).toEqual({ retry: false })
    expect(decide(new Error('bug'), 1, 3, 0.5)).toEqual({ retry: false })
    expect(decide('thrown string', 1, 3, 0.5)).toEqual({ retry: false })
  })

  it('retries a transient failure until the retries are used up', () => {
    expect(decide(transient(), 1, 3, 0.5)).toEqual({ retry: true, waitMs: 500 })
    expect(decide(transient(), 3, 3, 0.5)).toEqual({
      retry: true,
      waitMs: 2000
    })
    expect(decide(transient(), 4, 3, 0.5)).toEqual({ retry: false })
    expect(decide(transient(), 1, 0, 0.5)).toEqual({ retry: false })
  })

  it('waits at least Retry-After, plus a little jitter', () => {
    expect(decide(transient(7000), 1, 3, 0)).toEqual({
      retry: true,
      waitMs: 7000
    })
    expect(decide(transient(7000), 1, 3, 0.999)).toEqual({
      retry: true,
      waitMs: 7499
    })
    expect(decide(transient(60_000), 1, 3, 0)).toEqual({
      retry: true,
      waitMs: 60_000
    })
  })

  it('gives up at once when Retry-After is over 60 s, and says so', () => {
    const decision = decide(transient(61_000), 1, 3, 0.5)
    expect(decision.retry).toBe(false)
    expect(decision).toHaveProperty(
      'reason',
      expect.stringContaining('retry after 61 s')
    )
  })
})

describe('withRetries', () => {
  it('returns the first success without waiting', async () => {
    const { clock, sleeps } = fakeClock()
    const log = { retrying: jest.fn() }
    await expect(withRetries(async () => 'ok', 3, clock, log)).resolves.toBe(
      'ok'
    )
    expect(sleeps).toEqual([])
    expect(log.retrying).not.toHaveBeenCalled()
  })

  it('retries transient failures, logging attempt, reason and wait', async () => {
    const { clock, sleeps } = fakeClock([0.5, 0.25])
    const log = { retrying: jest.fn() }
    const attempt = jest
      .fn<(n: number) => Promise<string>>()
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(transient())
      .mockResolvedValueOnce('token')
    await expect(withRetries(attempt, 3, clock, log)).resolves.toBe('token')
    expect(attempt.mock.calls).toEqual([[1], [2], [3]])
    expect(sleeps).toEqual([500, 500])
    expect(log.retrying.mock.calls).toEqual([
      [1, 4, 'HTTP 503.', 500],
      [2, 4, 'HTTP 503.', 500]
    ])
  })

  it('stops after the last retry with the attempt count in the message', async () => {
    const { clock, sleeps } = fakeClock([1 - 1e-9])
    const attempt = jest.fn(async () => {
      throw transient()
    })
    const failure = withRetries(attempt, 3, clock, { retrying: () => {} })
    await expect(failure).rejects.toThrow('HTTP 503. (4 attempts made)')
    await expect(failure).rejects.toMatchObject({ retryable: false })
    expect(attempt).toHaveBeenCalledTimes(4)
    expect(sleeps).toEqual([999, 1999, 3999])
  })

  it('keeps a persistently failing endpoint within 30 s at the defaults', async () => {
    const { clock, elapsed } = fakeClock([1 - 1e-9])
    await expect(
      withRetries(async () => Promise.reject(transient()), 3, clock, {
        retrying: () => {}
      })
    ).rejects.toThrow()
    expect(elapsed()).toBeLessThan(30_000)
    expect(elapsed()).toBeLessThanOrEqual(BACKOFF_CAP_MS)
  })

  it('does not retry a permanent failure and keeps its message', async () => {
    const { clock, sleeps } = fakeClock()
    const attempt = jest.fn(async () => {
      throw permanent()
    })
    await expect(
      withRetries(attempt, 3, clock, { retrying: () => {} })
    ).rejects.toThrow(/^HTTP 400\.$/)
    expect(attempt).toHaveBeenCalledTimes(1)
    expect(sleeps).toEqual([])
  })

  it('explains a Retry-After it will not honour', async () => {
    const { clock } = fakeClock()
    const attempt = jest
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(transient(1000))
      .mockRejectedValueOnce(transient(90_000))
    await expect(
      withRetries(attempt, 3, clock, { retrying: () => {} })
    ).rejects.toThrow(
      'HTTP 503. The server asked to retry after 90 s, longer than the 60 s this action waits; not retrying. Run the workflow again later. (2 attempts made)'
    )
  })

  it('passes other thrown values through untouched', async () => {
    const { clock } = fakeClock()
    const odd = { not: 'an error' }
    await expect(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- on purpose
      withRetries(async () => Promise.reject(odd), 3, clock, {
        retrying: () => {}
      })
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
