import type { Clock } from '../../src/clock.js'

/** More waits than any run of attempts the tests make. */
const MAX_SLEEPS = 10_000
/** When the fake machine started: its uptime is counted from there. */
const BOOT = Date.UTC(2026, 10, 1)

/**
 * A clock for tests: `sleep` records the wait and moves time forward at once;
 * `advance` moves it on as a test says (a server that stalls, say); each
 * `deadline` aborts once time has reached it. `random` returns the given
 * values in turn (then the last one again).
 */
export function fakeClock(
  randoms: number[] = [0.5],
  start = Date.UTC(2026, 10, 28, 16)
) {
  let now = start
  let draw = 0
  const sleeps: number[] = []
  const deadlines: { at: number; controller: AbortController }[] = []
  const advance = (ms: number) => {
    now += ms
    for (const { at, controller } of deadlines) {
      if (at <= now) controller.abort()
    }
  }
  const clock: Clock = {
    now: () => now,
    // The machine's uptime, moving with `now` (a job's steps share it).
    uptime: () => now - BOOT,
    random: () => randoms[Math.min(draw++, randoms.length - 1)] ?? 0,
    sleep: (ms) => {
      // A run of attempts that never ends would spin here for ever.
      if (sleeps.length >= MAX_SLEEPS) {
        return Promise.reject(new Error(`over ${MAX_SLEEPS} sleeps`))
      }
      sleeps.push(ms)
      advance(ms)
      return Promise.resolve()
    },
    deadline: (ms) => {
      const controller = new AbortController()
      deadlines.push({ at: now + ms, controller })
      if (ms <= 0) controller.abort()
      return controller.signal
    }
  }
  return { clock, sleeps, advance, elapsed: () => now - start }
}
