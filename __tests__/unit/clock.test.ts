import { describe, expect, it, jest } from '@jest/globals'
import { systemClock } from '../../src/clock.js'

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

describe('systemClock.deadline', () => {
  it('aborts once its time is up, and keeps no process alive', async () => {
    const signal = systemClock.deadline(20)
    expect(signal.aborted).toBe(false)
    await new Promise((resolve) =>
      signal.addEventListener('abort', resolve, { once: true })
    )
    expect(signal.aborted).toBe(true)
    expect((signal.reason as Error).name).toBe('TimeoutError')
  })
})
