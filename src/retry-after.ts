/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in one of
 * the three forms of §5.6.7, each read by a strict parser of its own so that
 * no free text is taken for a date. Anything else counts as absent.
 */

/** The longest wait taken as meant, one year; a longer one counts as absent. */
export const MAX_RETRY_AFTER_HEADER_MS = 365 * 24 * 60 * 60 * 1000

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
const DAY = `(${DAYS.join('|')})`
const MONTH = `(${MONTHS.join('|')})`
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(
  `^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`
)
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC850_DATE = new RegExp(
  `^(${LONG_DAYS.join('|')}), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`
)
/** `Sun Nov  6 08:49:37 1994` (obsolete; GMT, though it names no zone) */
const ASCTIME_DATE = new RegExp(
  `^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`
)

/** A date as written: weekday, day, month, year, hour, minute, second. */
type Parts = readonly (string | undefined)[]

/**
 * Milliseconds from `now` that a Retry-After header asks to wait: a whole
 * number, never negative, at most a year; undefined when the header is
 * missing, longer, or not one of the forms RFC 9110 defines.
 */
export function parseRetryAfter(
  header: string | undefined,
  now: number
): number | undefined {
  // Whitespace around a field value is not part of it (RFC 9110 §5.5).
  const value = header?.trim() ?? ''
  let ms: number | undefined
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000
  } else {
    const date = httpDate(value, now)
    ms = date === undefined ? undefined : Math.max(0, date - now)
  }
  return ms !== undefined && ms <= MAX_RETRY_AFTER_HEADER_MS ? ms : undefined
}

/** An HTTP-date in ms since the epoch, or undefined. */
export function httpDate(value: string, now: number): number | undefined {
  const imf = IMF_FIXDATE.exec(value)
  if (imf) return toTime(imf.slice(1), DAYS)
  const asc = ASCTIME_DATE.exec(value)
  if (asc) {
    const [, weekday, month, day, hour, minute, second, year] = asc
    return toTime([weekday, day, month, year, hour, minute, second], DAYS)
  }
  const rfc850 = RFC850_DATE.exec(value)
  if (rfc850) {
    const [, weekday, day, month, yy, ...time] = rfc850
    return toTime(
      [weekday, day, month, String(fullYear(Number(yy), now)), ...time],
      LONG_DAYS
    )
  }
  return undefined
}

/**
 * RFC 9110 §5.6.7: a two-digit year that would be more than 50 years after
 * `now` is the century before; one 50 years or more before `now` is taken
 * as the century after, the nearer of the two readings.
 */
export function fullYear(yy: number, now: number): number {
  const current = new Date(now).getUTCFullYear()
  const year = current - (current % 100) + yy
  if (year > current + 50) return year - 100
  return year <= current - 50 ? year + 100 : year
}

/**
 * The date's time, if it is a date: its day within its month, its weekday
 * the one named, a time of day (second 60 is a leap second).
 */
function toTime(
  [weekday, day, month, year, hour, minute, second]: Parts,
  weekdays: readonly string[]
): number | undefined {
  const date = new Date(0)
  // Unlike Date.UTC, setUTCFullYear takes the years 0 to 99 as they are.
  date.setUTCFullYear(Number(year), MONTHS.indexOf(String(month)), Number(day))
  const valid =
    date.getUTCDate() === Number(day) &&
    date.getUTCDay() === weekdays.indexOf(String(weekday)) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 60
  const seconds = (Number(hour) * 60 + Number(minute)) * 60 + Number(second)
  return valid ? date.getTime() + seconds * 1000 : undefined
}
