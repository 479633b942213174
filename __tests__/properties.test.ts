// Property tests: whatever the strings, the parsers answer within their
// contracts, and the retry policy's waits stay within their bounds.
import { describe, expect, it } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect, no-control-regex --
   a property branches on the generated case, and control characters are what
   several properties are about. */
import fc from 'fast-check'
import { runs } from '../test/support/property-runs.js'
import {
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS
} from '../src/defaults.js'
import { InputError, TokenRequestError } from '../src/errors.js'
import { readInputs, type Settings } from '../src/inputs.js'
import { isLoopbackHost } from '../src/loopback.js'
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  backoffMs,
  decide,
  MAX_RETRY_AFTER_MS,
  RATE_LIMIT_SPREAD_BASE_MS,
  RATE_LIMIT_SPREAD_CAP_MS,
  RATE_LIMIT_SPREAD_FLOOR,
  rateLimitSpreadMs,
  RETRY_AFTER_JITTER_MS,
  withRetries,
  type RetryEvent
} from '../src/retry.js'
import { interpretAnswer } from '../src/answer.js'
import { parseRetryAfter } from '../src/retry-after.js'
import { secretForms } from '../src/secrets.js'
import { fakeClock } from '../test/support/fake-clock.js'
import { actionInputs } from '../test/support/runner.js'

// Every input action.yml declares.
const NAMES = Object.keys(actionInputs())

/** Strings that look like the values people type, and anything at all. */
const inputValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'us',
    'eu',
    'EU',
    'true',
    'False',
    'TORQ_TOKEN',
    'GITHUB_X',
    '3',
    '10',
    '11',
    '120',
    '3600',
    '3601',
    '0.5',
    '0',
    '-1',
    '1e3'
  ),
  fc.webUrl(),
  fc.nat().map(String),
  fc.double().map(String)
)
const inputs = fc.record(
  Object.fromEntries(NAMES.map((name) => [name, inputValue]))
)

const RUNNER_FILES = { GITHUB_OUTPUT: '/output', GITHUB_ENV: '/env' }

function parse(values: Record<string, string>): Settings | InputError {
  try {
    return readInputs((name) => values[name]?.trim() ?? '', RUNNER_FILES)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
}

describe('readInputs, for any strings', () => {
  it('returns valid settings or an InputError naming each bad input', () => {
    fc.assert(
      fc.property(inputs, (values) => {
        const result = parse(values)
        if (result instanceof InputError) {
          expect(result.problems.length).toBeGreaterThan(0)
          for (const problem of result.problems) {
            expect(problem).toMatch(/^Input '[a-z-]+' /)
          }
          return
        }
        expect(Number.isInteger(result.retries)).toBe(true)
        expect(result.retries).toBeGreaterThanOrEqual(0)
        expect(result.retries).toBeLessThanOrEqual(MAX_RETRIES)
        expect(result.rateLimitWaitMs % 1000).toBe(0)
        expect(result.rateLimitWaitMs).toBeGreaterThanOrEqual(0)
        expect(result.rateLimitWaitMs).toBeLessThanOrEqual(
          MAX_RATE_LIMIT_WAIT_SECONDS * 1000
        )
        expect(result.timeoutMs).toBeGreaterThanOrEqual(1)
        expect(result.timeoutMs).toBeLessThanOrEqual(MAX_TIMEOUT_SECONDS * 1000)
        expect(result.envVar).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        expect(result.envVar).not.toMatch(/^(GITHUB_|RUNNER_)/i)
        expect(result.clientId).not.toMatch(/[:\u0000-\u001f\u007f]/)
        expect(result.clientSecret).not.toMatch(/[\u0000-\u001f\u007f]/)
        expect(result.clientId).not.toBe('')
        expect(result.clientSecret).not.toBe('')
        const { protocol, hostname, username, password } = result.tokenUrl
        expect(username + password).toBe('')
        expect(
          protocol === 'https:' ||
            (protocol === 'http:' && isLoopbackHost(hostname))
        ).toBe(true)
      }),
      runs(2000)
    )
  })

  it('accepts exactly the whole numbers 0 to 10 as retries', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer({ min: -50, max: 50 }).map(String)),
        (raw) => {
          const result = parse({
            'client-id': 'id',
            'client-secret': 's',
            retries: raw
          })
          const value = raw.trim()
          const valid =
            value === '' ||
            (/^\d+$/.test(value) && Number(value) <= MAX_RETRIES)
          expect(result instanceof InputError).toBe(!valid)
        }
      ),
      runs(2000)
    )
  })

  it('accepts exactly the whole numbers 0 to 3600 as rate-limit-wait-seconds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.integer({ min: -100, max: 5000 }).map(String),
          fc.stringMatching(/^\s*\d{1,6}\s*$/)
        ),
        (raw) => {
          const result = parse({
            'client-id': 'id',
            'client-secret': 's',
            'rate-limit-wait-seconds': raw
          })
          const value = raw.trim()
          const valid =
            value === '' ||
            (/^\d+$/.test(value) &&
              Number(value) <= MAX_RATE_LIMIT_WAIT_SECONDS)
          expect(result instanceof InputError).toBe(!valid)
          if (result instanceof InputError) {
            expect(result.problems).toEqual([
              expect.stringMatching(/^Input 'rate-limit-wait-seconds' /)
            ])
          } else {
            expect(result.rateLimitWaitMs).toBe(
              value === '' ? 120_000 : Number(value) * 1000
            )
          }
        }
      ),
      runs(2000)
    )
  })
})

describe('parseRetryAfter, for any header', () => {
  it('gives undefined or a whole, non-negative number of milliseconds', () => {
    const now = Date.parse('2026-11-28T16:00:00Z')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())
        ),
        (header) => {
          const ms = parseRetryAfter(header, now)
          if (ms === undefined) return
          expect(Number.isFinite(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
          if (/^\s*\d+\s*$/.test(header)) expect(ms).toBe(Number(header) * 1000)
        }
      ),
      runs(3000)
    )
  })

  it('reads a future HTTP date as the time until it, to the second', () => {
    const now = Date.parse('2026-11-28T16:00:00Z')
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        const header = new Date(now + seconds * 1000).toUTCString()
        expect(parseRetryAfter(header, now)).toBe(seconds * 1000)
      })
    )
  })
})

describe('the retry policy', () => {
  const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

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

  it('honours Retry-After up to 60 s with a little jitter, and never waits longer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom(408, 500, 503, 429, undefined),
        fc.integer({ min: 0, max: 3600 }),
        random,
        (retryAfterMs, retried, retries, status, budget, r) => {
          const error = new TokenRequestError('x', {
            retryable: true,
            retryAfterMs,
            status
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
              retryable: true,
              retryAfterMs,
              status: 429
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
            expect(decision.reason).toContain('Raise rate-limit-wait-seconds')
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
              retryable: true,
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

describe('interpretAnswer, for any answer', () => {
  it('returns a usable token or a TokenRequestError with a one-line message', () => {
    const request = {
      url: new URL('https://auth.torq.io/v1/auth/token'),
      route: {
        target: 'auth.torq.io:443',
        proxy: undefined,
        why: 'no proxy',
        ignoredProxy: false
      },
      clientId: 'id',
      clientSecret: 'secret',
      secrets: secretForms('id', 'secret'),
      endpointSource: 'region us',
      timeoutMs: 1000,
      userAgent: 'test',
      now: () => 0
    }
    const body = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc
        .record(
          {
            access_token: fc.oneof(
              fc.string({ unit: 'binary' }),
              fc.jsonValue()
            ),
            token_type: fc.oneof(
              fc.constant('Bearer'),
              fc.string(),
              fc.jsonValue()
            ),
            expires_in: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()),
            error: fc.string({ unit: 'binary' }),
            error_description: fc.string({ unit: 'binary' })
          },
          { requiredKeys: [] }
        )
        .map((value) => JSON.stringify(value))
    )
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(200), fc.integer({ min: 100, max: 599 })),
        body,
        fc.string(),
        (status, text, contentType) => {
          try {
            const token = interpretAnswer(
              {
                status,
                body: text,
                contentType,
                retryAfter: undefined,
                contentEncoding: undefined
              },
              request
            )
            expect(status).toBe(200)
            expect(token.accessToken).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/)
            expect(token.tokenType.toLowerCase()).toBe('bearer')
            if (token.expiresIn !== undefined) {
              expect(Number.isInteger(token.expiresIn)).toBe(true)
              expect(token.expiresIn).toBeGreaterThanOrEqual(1)
              expect(token.expiresIn).toBeLessThanOrEqual(31_536_000)
            }
          } catch (error) {
            expect(error).toBeInstanceOf(TokenRequestError)
            const { message } = error as TokenRequestError
            expect(message).not.toMatch(/[\u0000-\u001f\u007f]/)
            expect(message.length).toBeLessThan(1200)
          }
        }
      ),
      runs(3000)
    )
  })
})
