// The entry point: run() once, then an exit one second later for a process
// that something still keeps alive, on a timer that keeps nothing alive itself.
import { afterEach, expect, it, jest } from '@jest/globals'

const run = jest.fn(async () => {})
jest.unstable_mockModule('../../src/main.js', () => ({ run }))

afterEach(() => {
  jest.useRealTimers()
  jest.restoreAllMocks()
})

it('runs the action, then ends a process that something keeps alive', async () => {
  jest.useFakeTimers()
  const exit = jest
    .spyOn(process, 'exit')
    .mockImplementation(() => undefined as never)
  const timers = jest.spyOn(globalThis, 'setTimeout')
  await import('../../src/index.js')
  expect(run).toHaveBeenCalledTimes(1)
  const [guard] = timers.mock.results.map(
    ({ value }) => value as NodeJS.Timeout
  )
  expect([timers.mock.calls.length, guard?.hasRef()]).toEqual([1, false])
  jest.advanceTimersByTime(999)
  expect(exit).not.toHaveBeenCalled()
  jest.advanceTimersByTime(1)
  expect(exit).toHaveBeenCalledWith()
})
