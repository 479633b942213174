import { describe, expect, it } from '@jest/globals'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { ActionError } from '../../src/errors.js'
import { readInputs, type Settings } from '../../src/inputs.js'
import { publishToken } from '../../src/publish.js'
import { nodeFileOps } from '../../src/runner-files.js'
import { emulateRunner } from '../../test/support/in-process.js'

const token = {
  accessToken: 'tok-0123456789',
  tokenType: 'Bearer',
  expiresIn: 3600,
  sentAt: Date.parse('2026-11-28T16:00:00Z')
}

/** The runner emulated, and settings read from its environment. */
function runner(inputs: Record<string, string> = {}) {
  const finish = emulateRunner({})
  const values: Record<string, string> = {
    'client-id': 'id',
    'client-secret': 's',
    ...inputs
  }
  const settings = readInputs((name) => values[name] ?? '', process.env)
  return { finish, settings }
}

describe('publishToken', () => {
  it('masks the token, then writes every output and the variable to the runner files', () => {
    const { finish, settings } = runner()
    publishToken(token, settings)
    const inProcess = process.env['TORQ_ACCESS_TOKEN']
    const result = finish()
    expect(result.outputs).toEqual({
      token: token.accessToken,
      'token-type': 'Bearer',
      'expires-in': '3600',
      'expires-at': '2026-11-28T17:00:00.000Z',
      reused: 'false',
      'api-url': 'https://api.torq.io'
    })
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: token.accessToken })
    expect(inProcess).toBe(token.accessToken)
    expect(result.writtenBefore(`::add-mask::${token.accessToken}`)).toBe(0)
    expect(result.commands.map(({ name }) => name)).toEqual(['add-mask'])
    // One line, naming the lifetime, the output and the variable (exact
    // wording: __tests__/action/transcript.txt).
    expect(result.shown).toMatch(
      /^Got a Torq API token \(Bearer, .*3600.*2026-11-28T17:00:00\.000Z\)\..*step output token.*\$TORQ_ACCESS_TOKEN[^\n]*\n$/
    )
  })

  it('puts the outputs back and exports nothing when GITHUB_ENV cannot be written', () => {
    const { finish, settings } = runner({ 'env-var': 'TORQ_PUBLISH_TEST' })
    writeFileSync(settings.outputFile, 'EARLIER=1\n')
    let thrown: unknown
    try {
      publishToken(token, settings, false, {
        ...nodeFileOps,
        append(path, text) {
          if (path === settings.envFile) {
            throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })
          }
          nodeFileOps.append(path, text)
        }
      })
    } catch (error) {
      thrown = error
    }
    const inProcess = process.env['TORQ_PUBLISH_TEST']
    const sizes = [
      statSync(settings.outputFile).size,
      statSync(settings.envFile).size
    ]
    const result = finish()
    expect(thrown).toBeInstanceOf(ActionError)
    expect((thrown as Error).message).toMatch(
      /^Could not write the runner's GITHUB_ENV file: no space left on the runner's disk \(ENOSPC\)\. GITHUB_OUTPUT and GITHUB_ENV were put back/
    )
    expect(sizes).toEqual([10, 0])
    expect(result.outputs).toEqual({ EARLIER: '1' })
    expect(inProcess).toBeUndefined()
    expect(result.reveals(token.accessToken)).toBe(false)
    expect(result.shown).not.toContain('Got a Torq API token')
  })

  it('writes the outputs only, and needs no GITHUB_ENV, with export-env: false', () => {
    const { finish, settings } = runner({
      'export-env': 'false',
      'env-var': 'TORQ_PUBLISH_UNEXPORTED'
    })
    const unexported: Settings = { ...settings, envFile: '/no/such/dir/env' }
    publishToken(token, unexported)
    const inProcess = process.env['TORQ_PUBLISH_UNEXPORTED']
    const env = readFileSync(settings.envFile, 'utf8')
    const result = finish()
    expect(result.outputs['token']).toBe(token.accessToken)
    expect(env).toBe('')
    expect(inProcess).toBeUndefined()
    expect(result.masks).toEqual([token.accessToken])
    expect(result.shown).toContain('It is in the step output token.\n')
  })

  it('warns when the answer had no usable lifetime, and leaves expires-in and expires-at empty', () => {
    const { finish, settings } = runner()
    publishToken({ ...token, expiresIn: undefined }, settings)
    const result = finish()
    expect(result.outputs['expires-in']).toBe('')
    expect(result.outputs['expires-at']).toBe('')
    expect(result.warnings).toEqual([
      expect.stringContaining('no usable expires_in')
    ])
    expect(result.shown).toContain('Got a Torq API token (Bearer). It is in')
  })
})
