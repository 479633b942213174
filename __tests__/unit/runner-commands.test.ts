// What the action writes to the runner and reads from it is what
// @actions/core writes and reads, byte for byte, whatever the text.
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import fc from 'fast-check'
import * as commands from '../../src/runner-commands.js'
import { runs } from '../../test/support/property-runs.js'

/** What `write` printed on stdout, and the exit code it set. */
function printed(write: () => void): { out: string; exitCode: unknown } {
  let out = ''
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => {
      out += String(chunk)
      return true
    })
  const before = process.exitCode
  try {
    write()
    return { out, exitCode: process.exitCode }
  } finally {
    spy.mockRestore()
    process.exitCode = before
  }
}

/** Text with what the runner's commands escape, and lines. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('%', '%25', '\r', '\n', '\r\n', ':', ',', '::', ' '),
    fc.string({ unit: 'grapheme', maxLength: 3 })
  ),
  maxLength: 20
})

afterEach(() => {
  process.exitCode = undefined
})

describe('runner commands', () => {
  it.each([
    ['info', commands.info, core.info],
    ['debug', commands.debug, core.debug],
    ['warning', commands.warning, core.warning],
    ['error', commands.error, core.error],
    ['setFailed', commands.setFailed, core.setFailed]
  ] as const)('%s writes what @actions/core writes', (_, ours, theirs) => {
    fc.assert(
      fc.property(text, (message) => {
        expect(printed(() => ours(message))).toEqual(
          printed(() => theirs(message))
        )
      }),
      runs(300)
    )
  })

  it('setFailed fails the step', () => {
    expect(printed(() => commands.setFailed('no')).exitCode).toBe(1)
  })

  it('masks many values in one write, as core.setSecret masks each', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 5 }), (values) => {
        const writes: string[] = []
        const spy = jest
          .spyOn(process.stdout, 'write')
          .mockImplementation((chunk) => {
            writes.push(String(chunk))
            return true
          })
        commands.addMasks(values)
        spy.mockRestore()
        expect(writes).toHaveLength(values.length > 0 ? 1 : 0)
        expect(writes.join('')).toBe(
          printed(() => values.forEach((value) => core.setSecret(value))).out
        )
      }),
      runs(300)
    )
  })

  it('reads an input as core.getInput does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('client-id', 'Client Secret', 'a b-c'),
        fc.option(text, { nil: undefined }),
        (name, value) => {
          const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
          const saved = process.env[variable]
          if (value === undefined) Reflect.deleteProperty(process.env, variable)
          else process.env[variable] = value
          try {
            expect(commands.getInput(name)).toBe(core.getInput(name))
          } finally {
            if (saved === undefined)
              Reflect.deleteProperty(process.env, variable)
            else process.env[variable] = saved
          }
        }
      ),
      runs(300)
    )
  })
})
