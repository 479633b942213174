// The entry point: run() once, then an exit one second later for a process
// that something still keeps alive, on a timer that keeps nothing alive itself;
// and SIGINT and SIGTERM, the runner's cancel, handled as a failure.
import { afterEach, expect, it, jest } from '@jest/globals'

const run = jest.fn(async () => {})
// The handlers index.ts adds, as other modules of this process may have some.
const SIGNALS = ['SIGINT', 'SIGTERM'] as const
const before = SIGNALS.map((signal) => process.listeners(signal).length)
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
  const added = SIGNALS.map(
    (name, i) => process.listeners(name).length - (before[i] ?? 0)
  )
  expect(added).toEqual([1, 1])
  const [guard] = timers.mock.results.map(
    ({ value }) => value as NodeJS.Timeout
  )
  expect([timers.mock.calls.length, guard?.hasRef()]).toEqual([1, false])
  jest.advanceTimersByTime(999)
  expect(exit).not.toHaveBeenCalled()
  jest.advanceTimersByTime(1)
  expect(exit).toHaveBeenCalledWith()
})

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143]
] as const)('fails the step and exits on %s with %d', (signal, code) => {
  const exit = jest
    .spyOn(process, 'exit')
    .mockImplementation(() => undefined as never)
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation(() => true)
  const added = SIGNALS.map(
    (name, i) => process.listeners(name).length - (before[i] ?? 0)
  )
  expect(added).toEqual([1, 1])
  process.listeners(signal).at(-1)?.(signal)
  process.exitCode = undefined
  expect(exit).toHaveBeenCalledWith(code)
  expect(write.mock.calls.map(([line]) => String(line))).toEqual([
    expect.stringMatching(new RegExp(`^::error::Stopped by ${signal}: `))
  ])
})
