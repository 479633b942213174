/* eslint-disable jest/no-conditional-expect --
   a property branches on the generated case. */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  fullYear,
  httpDate,
  MAX_RETRY_AFTER_HEADER_MS,
  parseRetryAfter
} from '../../src/retry-after.js'
import { runs } from '../../test/support/property-runs.js'

const now = Date.parse('Sat, 28 Nov 2026 16:00:00 GMT')
const YEAR_MS = 365 * 24 * 3600 * 1000

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const LONG_DAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday'
]
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')
const two = (n: number) => String(n).padStart(2, '0')
const time = (d: Date) =>
  `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
const year4 = (d: Date) => String(d.getUTCFullYear()).padStart(4, '0')

/** The three forms of RFC 9110 §5.6.7, written independently of the parser. */
const FORMS = {
  imf: (d: Date) =>
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${year4(d)} ${time(d)} GMT`,
  rfc850: (d: Date) =>
    `${LONG_DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${time(d)} GMT`,
  asctime: (d: Date) =>
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)} ${year4(d)}`
}

describe('parseRetryAfter', () => {
  it('reads delay-seconds up to one year', () => {
    expect(parseRetryAfter('5', now)).toBe(5000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('0000000000000000000000000000007', now)).toBe(7000)
    expect(parseRetryAfter('31536000', now)).toBe(MAX_RETRY_AFTER_HEADER_MS)
    expect(MAX_RETRY_AFTER_HEADER_MS).toBe(YEAR_MS)
  })

  it.each([
    ['more than a year', '31536001'],
    ['20 digits', '9'.repeat(20)],
    ['400 digits, Infinity as a number', '9'.repeat(400)]
  ])('counts a delay of %s as absent', (_case, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })

  it('reads the three forms of HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 16:00:07 GMT', now)).toBe(7000)
    expect(parseRetryAfter('Saturday, 28-Nov-26 16:00:09 GMT', now)).toBe(9000)
    // asctime names no zone and means GMT; a day below 10 is space-padded.
    expect(parseRetryAfter('Sat Nov 28 16:00:05 2026', now)).toBe(5000)
    expect(parseRetryAfter('Tue Dec  1 16:00:00 2026', now)).toBe(
      3 * 24 * 3600 * 1000
    )
    expect(parseRetryAfter('Sat, 28 Nov 2026 15:59:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(0)
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(0)
    // The leap second: one second after 23:59:59.
    expect(parseRetryAfter('Thu, 31 Dec 2026 23:59:60 GMT', now)).toBe(
      Date.parse('2027-01-01T00:00:00Z') - now
    )
  })

  it('counts a date more than a year ahead as absent', () => {
    expect(parseRetryAfter('Sun, 28 Nov 2027 16:00:00 GMT', now)).toBe(YEAR_MS)
    expect(
      parseRetryAfter('Sun, 28 Nov 2027 16:00:01 GMT', now)
    ).toBeUndefined()
    expect(
      parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)
    ).toBeUndefined()
  })

  it.each([
    undefined,
    '',
    '-1',
    '+5',
    '1.5',
    '1e3',
    '0x10',
    '５',
    'soon',
    '5 seconds',
    'Wed 99999',
    'Wed, 99999',
    'Sat, 99 Foo 2026',
    '2026-11-28',
    '2026-11-28T16:00:07Z',
    'x Sat, 28 Nov 2026 16:00:07 GMT',
    'Sat, 28 Nov 2026 16:00:07 GMT x',
    'Sat, 28 Nov 2026 16:00:07',
    'Sat, 28 Nov 2026 16:00:07 UTC',
    'Sat, 28 Nov 2026 16:00:07 +0000',
    'sat, 28 nov 2026 16:00:07 gmt',
    'Sat, 28 Nov 26 16:00:07 GMT',
    'Sat, 28 Nov 12026 16:00:07 GMT',
    'Sat, 8 Nov 2026 16:00:07 GMT',
    'Sat,  28 Nov 2026 16:00:07 GMT',
    'Sat, 28 Nov 2026 16:0:07 GMT',
    'Saturday, 28 Nov 2026 16:00:07 GMT',
    'Sat, 28-Nov-26 16:00:07 GMT',
    'Saturday, 28-Nov-2026 16:00:07 GMT',
    'Sat Nov 28 16:00:07 26',
    'Sat Nov 28 16:00:07 2026 GMT',
    'Sat Nov 8 16:00:07 2026'
  ])('counts %j as absent', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })

  it.each([
    ['a day the month does not have', 'Tue, 31 Nov 2026 16:00:07 GMT'],
    ['day 0', 'Sun, 00 Nov 2026 16:00:07 GMT'],
    [
      '29 February of a year that is not a leap year',
      'Sun, 29 Feb 2027 16:00:07 GMT'
    ],
    ['the wrong weekday', 'Fri, 28 Nov 2026 16:00:07 GMT'],
    ['the wrong weekday, RFC 850', 'Friday, 28-Nov-26 16:00:07 GMT'],
    ['the wrong weekday, asctime', 'Fri Nov 28 16:00:07 2026'],
    ['hour 24', 'Sat, 28 Nov 2026 24:00:00 GMT'],
    ['minute 60', 'Sat, 28 Nov 2026 16:60:00 GMT'],
    ['second 61', 'Sat, 28 Nov 2026 16:00:61 GMT']
  ])('counts a date with %s as absent', (_case, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })

  it('gives undefined or a whole number of ms from 0 to a year, for any string', () => {
    const header = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^\s*\d{1,25}\s*$/),
      fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
      fc
        .date({ noInvalidDate: true })
        .chain((d) =>
          fc.constantFrom(FORMS.imf(d), FORMS.rfc850(d), FORMS.asctime(d))
        )
    )
    fc.assert(
      fc.property(
        header,
        fc.integer({ min: 0, max: 8_000_000_000_000 }),
        (value, at) => {
          const ms = parseRetryAfter(value, at)
          if (ms === undefined) return
          expect(Number.isSafeInteger(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
          expect(ms).toBeLessThanOrEqual(YEAR_MS)
        }
      ),
      runs(3000)
    )
  })

  it('reads each form of a date up to a year ahead as the time until it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: YEAR_MS / 1000 }),
        fc.constantFrom(...Object.values(FORMS)),
        (seconds, form) => {
          const header = form(new Date(now + seconds * 1000))
          expect(parseRetryAfter(header, now)).toBe(seconds * 1000)
        }
      ),
      runs(1000)
    )
  })
})

describe('httpDate', () => {
  it('reads IMF-fixdate and asctime of any four-digit year as written', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true
        }),
        (d) => {
          const whole = Math.floor(d.getTime() / 1000) * 1000
          const date = new Date(whole)
          expect(httpDate(FORMS.imf(date), now)).toBe(whole)
          expect(httpDate(FORMS.asctime(date), now)).toBe(whole)
        }
      ),
      runs(1000)
    )
  })

  it('reads an RFC 850 date within 50 years of now as written', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1977-01-01T00:00:00Z'),
          max: new Date('2076-12-31T23:59:59Z'),
          noInvalidDate: true
        }),
        (d) => {
          const whole = Math.floor(d.getTime() / 1000) * 1000
          expect(httpDate(FORMS.rfc850(new Date(whole)), now)).toBe(whole)
        }
      ),
      runs(1000)
    )
  })
})

describe('fullYear', () => {
  it('reads a two-digit year as the one within 50 years of now', () => {
    // In 2026: up to 2076 ahead, from 1977 behind.
    expect([0, 26, 76, 77, 99].map((yy) => fullYear(yy, now))).toEqual([
      2000, 2026, 2076, 1977, 1999
    ])
    const in2090 = Date.parse('2090-06-01T00:00:00Z')
    expect([0, 40, 41, 90, 99].map((yy) => fullYear(yy, in2090))).toEqual([
      2100, 2140, 2041, 2090, 2099
    ])
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
