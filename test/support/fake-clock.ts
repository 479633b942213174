import type { Clock } from '../../src/retry.js'

/**
 * A clock for tests: `sleep` records the wait and moves time forward at once;
 * `random` returns the given values in turn (then the last one again).
 */
export function fakeClock(
  randoms: number[] = [0.5],
  start = Date.UTC(2026, 10, 28, 16)
) {
  let now = start
  let draw = 0
  const sleeps: number[] = []
  const clock: Clock = {
    now: () => now,
    random: () => randoms[Math.min(draw++, randoms.length - 1)] ?? 0,
    sleep: (ms) => {
      sleeps.push(ms)
      now += ms
      return Promise.resolve()
    }
  }
  return { clock, sleeps, elapsed: () => now - start }
}
