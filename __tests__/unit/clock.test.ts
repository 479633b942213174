import { describe, expect, it, jest } from '@jest/globals'
import { systemClock } from '../../src/clock.js'
import { bounded } from '../../test/support/bounded.js'

describe('systemClock', () => {
  it('tells the time, draws from Math.random and sleeps on a timer', async () => {
    jest.useFakeTimers({ now: 1_000_000 })
    jest.spyOn(Math, 'random').mockReturnValue(0.25)
    try {
      expect(systemClock.now()).toBe(1_000_000)
      expect(systemClock.random()).toBe(0.25)
      let done = false
      const sleeping = systemClock.sleep(250).then(() => (done = true))
      await jest.advanceTimersByTimeAsync(249)
      expect(done).toBe(false)
      await jest.advanceTimersByTimeAsync(1)
      await sleeping
      expect(done).toBe(true)
    } finally {
      jest.useRealTimers()
      jest.restoreAllMocks()
    }
  })

  it('gives a deadline that aborts once its time is up, not before', async () => {
    const soon = systemClock.deadline(1)
    const late = systemClock.deadline(3_600_000)
    const aborted = new Promise((end) => soon.addEventListener('abort', end))
    await bounded(aborted, 'a deadline of 1 ms')
    expect((soon.reason as Error).name).toBe('TimeoutError')
    expect(late.aborted).toBe(false)
  })

  it("reads the machine's monotonic clock, in whole milliseconds", () => {
    const before = Number(process.hrtime.bigint() / 1_000_000n)
    const uptime = systemClock.uptime()
    expect(Number.isInteger(uptime)).toBe(true)
    expect(uptime - before).toBeGreaterThanOrEqual(0)
    expect(uptime - before).toBeLessThan(1000)
  })
})
