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
  await import('../../src/index.js')
  expect(run).toHaveBeenCalledTimes(1)
  jest.advanceTimersByTime(999)
  expect(exit).not.toHaveBeenCalled()
  jest.advanceTimersByTime(1)
  expect(exit).toHaveBeenCalledWith()
})
