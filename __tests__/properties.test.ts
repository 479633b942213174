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
import { InputError } from '../src/errors.js'
import { readInputs, type Settings } from '../src/inputs.js'
import { isLoopbackHost } from '../src/loopback.js'
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
