// What is tried again, how long the action waits, and the run of attempts:
// the one table of transient failures, backoff, Retry-After, the 429 budget.
// The exact words of retry lines are in __tests__/action/transcript.txt.
import { describe, expect, it, jest } from '@jest/globals'
import fc from 'fast-check'
import { TokenRequestError, type Failure } from '../../src/errors.js'
import {
  backoffMs,
  decide,
  isTransient,
  rateLimitSpreadMs,
  seconds,
  withRetries,
  type RetryPolicy,
  type RetryState
} from '../../src/retry.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import { runs } from '../../test/support/property-runs.js'

/** The token endpoint's answer as a failure: `HTTP 503.` and so on. */
const answer = (status: number, retryAfterMs?: number) =>
  new TokenRequestError(`HTTP ${status}.`, {
    kind: 'answer',
    status,
    retryAfterMs
  })
const limited = (retryAfterMs?: number) => answer(429, retryAfterMs)
/** The default inputs: retries 3, rate-limit-wait-seconds 120. */
const DEFAULTS: RetryPolicy = { retries: 3, rateLimitWaitMs: 120_000 }
const policy = (ms: number, retries = 3) => ({ retries, rateLimitWaitMs: ms })
const FRESH: RetryState = { retried: 0, rateLimited: 0, rateLimitWaitedMs: 0 }
const after = (used: Partial<RetryState> = {}) => ({ ...FRESH, ...used })
const ALMOST_1 = 1 - 1e-9
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

// The documented figures: after the k-th 429 a spread from 30% to 100% of
// 2 s, 4 s, then 6 s.
const spreadCeiling = (k: number) => [2000, 4000][k - 1] ?? 6000
const leastSpread = (k: number) => [600, 1200][k - 1] ?? 1800

/** The decision in short: a backoff in ms, `429:ms`, or why it stops. */
function next(
  error: unknown,
  used: Partial<RetryState> = {},
  r = 0.5,
  limits = DEFAULTS
): number | string {
  const decision = decide(error, after(used), limits, r)
  if (!decision.retry) return decision.reason ?? ''
  return decision.rateLimited ? `429:${decision.waitMs}` : decision.waitMs
}

describe('isTransient: the one table of what is tried again', () => {
  const answers = (...statuses: number[]) =>
    statuses.map((status): Failure => ({ kind: 'answer', status }))
  const network = (codes: string) =>
    codes.split(' ').map((code): Failure => ({ kind: 'network', code }))

  it.each<Failure>([
    ...answers(408, 429, 500, 503, 599),
    { kind: 'answer', status: 503, code: 'temporarily_unavailable' },
    { kind: 'proxy', status: 500 },
    { kind: 'proxy', status: 502 },
    ...network(
      'ECONNREFUSED ECONNRESET ECONNABORTED EPIPE ETIMEDOUT EHOSTUNREACH ENETUNREACH ENETDOWN EAI_AGAIN UND_ERR_SOCKET'
    ),
    { kind: 'timeout' }
  ])('retries %j', (failure) => expect(isTransient(failure)).toBe(true))

  it.each<Failure>([
    ...answers(400, 401, 403, 404, 499),
    // invalid_client is the credentials, whatever the status.
    { kind: 'answer', status: 500, code: 'invalid_client' },
    { kind: 'answer', status: 429, code: 'invalid_client' },
    { kind: 'proxy', status: 403 },
    { kind: 'proxy', status: 407 },
    { kind: 'proxy', status: 499 },
    ...network('ENOTFOUND EPROTO '),
    { kind: 'tls' },
    { kind: 'refusal' }
  ])('never retries %j', (failure) => expect(isTransient(failure)).toBe(false))
})

describe('the waits', () => {
  it('back off from 1 s, doubling to a cap of 10 s, with full jitter', () => {
    const waits = (r: number) => [1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, r))
    expect(waits(ALMOST_1)).toEqual([999, 1999, 3999, 7999, 9999, 9999])
    expect(waits(0)).toEqual([0, 0, 0, 0, 0, 0])
  })

  it('spread the k-th 429 over 30% to 100% of 2 s, 4 s, then 6 s', () => {
    const spreads = (r: number) =>
      [1, 2, 3, 4, 50].map((k) => rateLimitSpreadMs(k, r))
    expect(spreads(0)).toEqual([600, 1200, 1800, 1800, 1800])
    expect(spreads(ALMOST_1)).toEqual([1999, 3999, 5999, 5999, 5999])
  })
})

describe('decide', () => {
  it('never retries a failure that is not transient, nor an error of ours', () => {
    for (const error of [answer(400), new Error('bug'), 'thrown text']) {
      expect(decide(error, after(), DEFAULTS, 0.5)).toEqual({ retry: false })
    }
  })

  it('backs off after a transient failure until the retries are used up', () => {
    expect(next(answer(503))).toBe(500)
    // Retry-After is read on 429 and 503 only.
    expect(next(answer(500, 7000), {}, 0)).toBe(0)
    expect(next(answer(408, 7000), {}, 0)).toBe(0)
    expect(next(answer(503), { retried: 2 })).toBe(2000)
    const spent = after({ retried: 3 })
    expect(decide(answer(503), spent, DEFAULTS, 0.5)).toEqual({ retry: false })
    expect(next(answer(503), {}, 0.5, policy(120_000, 0))).toBe('')
    // 429s waited out under the budget leave the retries alone.
    const waited = { rateLimited: 7, rateLimitWaitedMs: 30_000 }
    expect(next(answer(503), waited)).toBe(500)
  })

  it('waits what Retry-After asks on a 503, plus under 0.5 s, and stops past 60 s', () => {
    expect(next(answer(503, 7000), {}, 0)).toBe(7000)
    expect(next(answer(503, 7000), {}, ALMOST_1)).toBe(7499)
    expect(next(answer(503, 60_000), { retried: 2 }, 0)).toBe(60_000)
    expect(next(answer(503, 7000), { retried: 3 })).toBe('')
    // What was asked is rounded up, so that it is not flattered.
    expect(next(answer(503, 60_001))).toMatch(/60\.1 s.*60 s.*later/)
  })

  describe('on HTTP 429 with rate-limit-wait-seconds', () => {
    it('waits Retry-After plus a spread growing with each 429, whatever retries are left', () => {
      expect(next(limited(1000), { retried: 3 }, 0)).toBe('429:1600')
      const waits = [0, 1, 2, 3].map((k) =>
        next(limited(1000), { rateLimited: k })
      )
      expect(waits).toEqual(['429:2300', '429:3600', '429:4900', '429:4900'])
      // Over 60 s is waited out when the budget holds it.
      expect(next(limited(90_000), {}, 0)).toBe('429:90600')
    })

    it('cuts a wait to what is left, never below Retry-After plus the least spread', () => {
      const used = { rateLimited: 20, rateLimitWaitedMs: 117_000 }
      expect(next(limited(), used, 0.9)).toBe('429:3000')
      // The fifth 429 with 2.5 s left: 0.7 s + 1.8 s fit, 0.701 s does not.
      const fifth = { rateLimited: 4, rateLimitWaitedMs: 117_500 }
      expect(next(limited(700), fifth)).toBe('429:2500')
      const stop = next(limited(701), fifth)
      expect(stop).toMatch(/^Rate limited: 5 answers HTTP 429 and 117\.5 s/)
      expect(stop).toMatch(/2\.6 s.*Retry-After 0\.8 s.*1\.8 s.*2\.5 s left/)
      expect(stop).toContain('rate-limit-wait-seconds (120 s)')
      // The first 429 needs 0.6 s: a budget of 0.599 s holds none.
      const first = (ms: number) => next(limited(), {}, ALMOST_1, policy(ms))
      expect(first(600)).toBe('429:600')
      expect(first(599)).toMatch(/^Rate limited: 1 answer HTTP 429 and 0 s/)
      expect(first(599)).toMatch(
        /at least 0\.6 s \(a spread of at least 0\.6 s,/
      )
      // Retry-After as long as what is left: no room for the spread.
      expect(next(limited(2500), fifth)).toMatch(/need at least 4\.3 s/)
    })

    it('stops when the budget is used up or Retry-After is longer than what is left', () => {
      const spent = { rateLimited: 26, rateLimitWaitedMs: 120_000 }
      expect(next(limited(), spent)).toMatch(
        /^Rate limited: 27 answers HTTP 429 and 120 s waited; that is all/
      )
      const long = next(limited(300_050))
      expect(long).toMatch(/asked to retry after 300\.1 s, .*120 s left/)
      expect(long).toContain('Raise rate-limit-wait-seconds')
      // No budget holds more than the input's maximum, an hour.
      const advice = (ms: number) => next(limited(ms), {}, 0, policy(3_600_000))
      expect(advice(3_600_000)).toContain('Raise rate-limit-wait-seconds')
      expect(advice(3_600_001)).toMatch(/Run the workflow again later\.$/)
    })

    it('for any budget, state and draw: waits within what is left, or stops only when no wait fits', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3_600_000 }),
          fc.integer({ min: 0, max: 3_600_000 }),
          fc.integer({ min: 0, max: 1000 }),
          fc.option(fc.integer({ min: 0, max: 4_000_000 }), { nil: undefined }),
          random,
          (budget, waited, rateLimited, asked, r) => {
            const askedMs = asked ?? 0
            const rateLimitWaitedMs = Math.min(waited, budget)
            const leftMs = budget - rateLimitWaitedMs
            const k = rateLimited + 1
            const leastMs = askedMs + leastSpread(k)
            const state = after({ rateLimited, rateLimitWaitedMs })
            const decision = decide(limited(asked), state, policy(budget), r)
            expect(decision.retry).toBe(leastMs <= leftMs)
            if (!decision.retry) return
            expect(decision.rateLimited).toBe(true)
            expect(decision.waitMs).toBeGreaterThanOrEqual(leastMs)
            expect(decision.waitMs).toBeLessThanOrEqual(leftMs)
            expect(decision.waitMs).toBeLessThan(askedMs + spreadCeiling(k))
          }
        ),
        runs(2000)
      )
    })
  })

  it('counts a 429 under retries with rate-limit-wait-seconds 0', () => {
    const off = policy(0)
    expect(next(limited(), {}, 0.5, off)).toBe(500)
    expect(next(limited(2000), { retried: 2 }, 0.5, off)).toBe(2250)
    expect(next(limited(), { retried: 3 }, 0.5, off)).toBe('')
    expect(next(limited(61_000), {}, 0, off)).toContain('61 s')
  })
})

describe('seconds', () => {
  it('writes tenths, down for what was used, up for what is asked, and never 0 s for a wait', () => {
    const down = [0, 1, 99, 100, 1049, 1999, 120_000].map((ms) => seconds(ms))
    expect(down.join(', ')).toBe(
      '0 s, under 0.1 s, under 0.1 s, 0.1 s, 1 s, 1.9 s, 120 s'
    )
    const up = [0, 1, 100, 1001, 1999].map((ms) => seconds(ms, 'up'))
    expect(up.join(', ')).toBe('0 s, 0.1 s, 0.1 s, 1.1 s, 2 s')
  })
})

describe('withRetries', () => {
  /** Attempts throwing `failures` in turn, then 'token'; lines by core.info. */
  async function attempts(
    failures: unknown[],
    limits = DEFAULTS,
    randoms = [0.5]
  ) {
    const { clock, sleeps } = fakeClock(randoms)
    let said = ''
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => Boolean((said += String(chunk))))
    const attempt = jest.fn(async (n: number) => {
      if (n > failures.length) return 'token'
      throw failures[n - 1]
    })
    const outcome = await withRetries(attempt, limits, clock)
      .catch((error: unknown) => error)
      .finally(() => write.mockRestore())
    const lines = said.split('\n').slice(0, -1)
    const message = outcome instanceof Error ? outcome.message : ''
    const made = attempt.mock.calls.length
    return { outcome, message, made, attempt, sleeps, lines }
  }

  it('says a line per retry: the attempt, what failed, the wait, the retry or the 429 budget', async () => {
    const first = await attempts([])
    expect(first).toMatchObject({ outcome: 'token', made: 1, sleeps: [] })
    expect(first.lines).toEqual([])
    const failures = [answer(503), limited(1000), answer(503, 1000), limited()]
    const run = await attempts(failures)
    expect(run.outcome).toBe('token')
    expect(run.attempt.mock.calls).toEqual([[1], [2], [3], [4], [5]])
    expect(run.sleeps).toEqual([500, 2300, 1250, 2600])
    expect(run.lines).toHaveLength(4)
    const [one, two, three, four] = run.lines
    expect(one).toMatch(/^Attempt 1 failed: HTTP 503\. .*0\.5 s.*1 of 3/)
    expect(two).toMatch(
      /^Attempt 2 failed: HTTP 429\. .*2\.3 s.*429 number 1.*2\.3 s of the 120 s/
    )
    expect(three).toMatch(/^Attempt 3 failed: HTTP 503\. .*1\.2 s.*2 of 3/)
    expect(four).toMatch(/^Attempt 4 .*429 number 2.*4\.9 s of the 120 s/)
  })

  it('throws the last failure told how many attempts were made, keeping its failure and cause', async () => {
    const last = answer(503)
    const run = await attempts([answer(503), answer(500), answer(502), last])
    expect(run.made).toBe(4)
    expect(run.outcome).toBeInstanceOf(TokenRequestError)
    expect(run.message).toMatch(/^HTTP 503\. .*4 attempts/)
    expect((run.outcome as TokenRequestError).failure).toBe(last.failure)
    expect((run.outcome as Error).cause).toBe(last)
  })

  it('stops at once at a failure that is not transient, keeping its message; other values pass untouched', async () => {
    const permanent = answer(400)
    const run = await attempts([permanent])
    expect(run.message).toBe('HTTP 400.')
    expect((run.outcome as Error).cause).toBe(permanent)
    expect(run.sleeps).toEqual([])
    const odd = { not: 'an error' }
    const other = await attempts([answer(503), odd])
    expect([other.outcome, other.made]).toEqual([odd, 2])
  })

  it('adds why it stopped: a Retry-After too long, the 429 budget spent', async () => {
    const long = await attempts([answer(503, 1000), answer(503, 90_000)])
    expect(long.message).toMatch(/^HTTP 503\. .*90 s.*60 s.*2 attempts/)
    const spent = await attempts(Array<unknown>(100).fill(limited(1000)))
    // 2.3 s + 3.6 s + 23 × 4.9 s: the 1.4 s left hold no 1 s + 1.8 s.
    expect(spent.sleeps.reduce((a, b) => a + b, 0)).toBe(118_600)
    expect(spent.message).toMatch(
      /^HTTP 429\. Rate limited: 26 answers.*\(26 attempts/
    )
  })

  it('for any run of failures: keeps to retries and never waits out 429s past rate-limit-wait-seconds', async () => {
    const status = fc.constantFrom(429, 503, 500, 408, 400)
    const failure = fc.tuple(status, fc.option(fc.nat(130), { nil: undefined }))
    await fc.assert(
      fc.asyncProperty(
        fc.array(failure, { maxLength: 60 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(random, { minLength: 1, maxLength: 5 }),
        async (failures, retries, budget, randoms) => {
          const thrown = failures.map(([code, s]) =>
            answer(code, s && s * 1000)
          )
          const limits = policy(budget * 1000, retries)
          const run = await attempts(thrown, limits, randoms)
          expect(run.lines).toHaveLength(run.made - 1)
          expect(run.sleeps).toHaveLength(run.made - 1)
          run.lines.forEach((line, i) => {
            expect(line.startsWith(`Attempt ${i + 1} failed: `)).toBe(true)
          })
          let rateLimited = 0
          let waited = 0
          run.sleeps.forEach((ms, i) => {
            const [code, retryAfter = 0] = failures[i]!
            if (code !== 429 || budget === 0) return
            waited += ms
            const least = retryAfter * 1000 + leastSpread(++rateLimited)
            expect(ms).toBeGreaterThanOrEqual(least)
          })
          expect(run.made - 1 - rateLimited).toBeLessThanOrEqual(retries)
          expect(waited).toBeLessThanOrEqual(budget * 1000)
          const told = run.made < 2 || run.outcome === 'token'
          expect(told || run.message.includes(`${run.made} attempts`)).toBe(
            true
          )
        }
      ),
      runs(500)
    )
  })
})
