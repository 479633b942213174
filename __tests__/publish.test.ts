import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionError } from '../src/errors.js'
import { readInputs } from '../src/inputs.js'
import { publishToken } from '../src/publish.js'
import { emulateRunner } from '../test/support/in-process.js'

const token = {
  accessToken: 'tok-0123456789',
  tokenType: 'Bearer',
  expiresIn: 3600,
  sentAt: Date.parse('2026-11-28T16:00:00Z')
}
const settings = readInputs(
  (name) => ({ 'client-id': 'id', 'client-secret': 's' })[name] ?? ''
)

describe('publishToken', () => {
  it.each([
    ['GITHUB_ENV', true],
    ['GITHUB_OUTPUT', false]
  ])(
    'writes nothing when %s cannot be written (export-env %s)',
    (variable, exportEnv) => {
      const finish = emulateRunner({})
      const dir = mkdtempSync(join(tmpdir(), 'torq-publish-'))
      process.env[variable] = dir
      let thrown: unknown
      try {
        publishToken(token, { ...settings, exportEnv })
      } catch (error) {
        thrown = error
      }
      const result = finish()
      rmSync(dir, { recursive: true, force: true })
      expect(thrown).toBeInstanceOf(ActionError)
      expect((thrown as Error).message).toBe(
        `The runner's ${variable} file cannot be written, so no output and no variable was written. The runner sets it for each step; check that no earlier step changed or removed it.`
      )
      expect(result.outputs).toEqual({})
      expect(result.exported).toEqual({})
      expect(result.log).toBe('')
    }
  )

  it('falls back to workflow commands where the runner gives no files', () => {
    const finish = emulateRunner({})
    delete process.env['GITHUB_OUTPUT']
    process.env['GITHUB_ENV'] = ''
    publishToken(token, settings)
    const result = finish()
    expect(result.outputs).toEqual({})
    expect(result.commands.map(({ name }) => name)).toEqual([
      'add-mask',
      'set-output',
      'set-output',
      'set-output',
      'set-output',
      'set-output',
      'set-output',
      'set-env'
    ])
    expect(result.reveals(token.accessToken)).toBe(false)
  })

  it('does not need GITHUB_ENV when nothing is exported', () => {
    const finish = emulateRunner({})
    process.env['GITHUB_ENV'] = join(tmpdir(), 'no-such-dir', 'env')
    publishToken(token, { ...settings, exportEnv: false })
    const result = finish()
    expect(result.outputs['token']).toBe(token.accessToken)
    expect(result.masks).toEqual([token.accessToken])
  })
})
