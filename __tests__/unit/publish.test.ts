// Masking, and handing the token to later steps through @actions/core: the
// outputs and the variable, all of them or none. Real runner files.
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ActionError } from '../../src/errors.js'
import { readInputs, type Settings } from '../../src/inputs.js'
import type { Token } from '../../src/token.js'

// @actions/core as it is, but a test may act just before one of its writes:
// remove a runner file, or fail the write the way a full disk does. A real
// file cannot be made to fail on cue once publishToken has checked it (and
// these tests may run as root, whom no mode stops).
let beforeWrite: ((write: 'setOutput' | 'exportVariable') => void) | undefined
jest.unstable_mockModule('@actions/core', () => ({
  ...core,
  setOutput: (name: string, value: unknown) => {
    beforeWrite?.('setOutput')
    core.setOutput(name, value)
  },
  exportVariable: (name: string, value: unknown) => {
    beforeWrite?.('exportVariable')
    core.exportVariable(name, value)
  }
}))
const { mask, publishToken } = await import('../../src/publish.js')
const { emulateRunner } = await import('../../test/support/in-process.js')

const TOKEN: Token = {
  accessToken: '0b4e5c1e-2f7a-4c3d-9e8f-1a2b3c4d5e6f',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Date.UTC(2026, 10, 28, 17)
}
const EXPIRES_AT = '2026-11-28T17:00:00.000Z'
const EARLIER = ['EARLIER=1\n', 'EARLIER=2\n']

let finish: (() => unknown) | undefined
afterEach(() => {
  finish?.()
  finish = undefined
  beforeWrite = undefined
})

/** A step on the emulated runner, its files holding an earlier step's lines. */
function step(inputs: Record<string, string> = {}) {
  const finishing = emulateRunner({
    'client-id': 'id',
    'client-secret': 's',
    ...inputs
  })
  finish = finishing
  const settings = readInputs((name) => core.getInput(name), process.env)
  const paths = [settings.outputFile, settings.envFile]
  paths.forEach((path, i) => appendFileSync(path, EARLIER[i] ?? ''))
  const files = () => paths.map((path) => readFileSync(path, 'utf8'))
  const done = () => {
    finish = undefined
    // A test may have removed them; the runner would read nothing there.
    paths.forEach((path) => existsSync(path) || appendFileSync(path, ''))
    return finishing()
  }
  return { settings, files, done }
}

/** The message of the ActionError that publishToken throws. */
function failure(settings: Settings): string {
  try {
    publishToken(TOKEN, settings)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as ActionError).message
  }
  throw new Error('publishToken did not fail')
}

describe('mask', () => {
  it('masks each value, and each line of a multi-line one, once; empties are skipped', () => {
    const { done } = step()
    mask(['a', '', 'l1\nl2', 'a', 'x\r\ny\rz', 'p\n\nq'])
    const masks = done()
      .commands.filter(({ name }) => name === 'add-mask')
      .map(({ data }) => data)
    expect(masks.join('|')).toBe('a|l1\nl2|l1|l2|x\r\ny\rz|x|y|z|p\n\nq|p|q')
  })
})

describe('publishToken', () => {
  it('masks the token before writing anything, then writes every output and the variable', () => {
    const { settings, done } = step()
    publishToken(TOKEN, settings)
    const inProcess = process.env['TORQ_ACCESS_TOKEN']
    const result = done()
    expect(result.writtenBefore(`::add-mask::${TOKEN.accessToken}`)).toBe(20)
    expect(result.masks).toEqual([TOKEN.accessToken])
    expect(result.outputs).toEqual({
      EARLIER: '1',
      token: TOKEN.accessToken,
      'token-type': 'Bearer',
      'expires-in': '3600',
      'expires-at': EXPIRES_AT,
      reused: 'false',
      'api-url': 'https://api.torq.io'
    })
    expect(result.exported).toEqual({
      EARLIER: '2',
      TORQ_ACCESS_TOKEN: TOKEN.accessToken
    })
    expect(inProcess).toBe(TOKEN.accessToken)
    expect(result.warnings).toEqual([])
    // One line: the lifetime, where the token is (exact words: the transcript).
    expect(result.shown).toMatch(
      /^Got .*Bearer.*3600 s.*2026-11-28T17:00:00\.000Z.*output token.*\$TORQ_ACCESS_TOKEN[^\n]*\n$/
    )
  })

  it("says that an earlier step's token is reused, and sets the output reused", () => {
    const { settings, done } = step({ 'env-var': 'MY_TORQ_TOKEN' })
    publishToken({ ...TOKEN, expiresIn: 1234 }, settings, true)
    const result = done()
    expect(result.outputs['reused']).toBe('true')
    expect(result.outputs['expires-in']).toBe('1234')
    expect(result.exported['MY_TORQ_TOKEN']).toBe(TOKEN.accessToken)
    expect(result.shown).toMatch(
      /^Reusing .*earlier step.*1234 s.*2026-11-28T17:00:00\.000Z.*no request[^\n]*\n$/
    )
  })

  it('with export-env false, writes the outputs only and needs no GITHUB_ENV', () => {
    const { settings, files, done } = step({
      'export-env': 'false',
      'auth-url': 'https://torq.example/token'
    })
    publishToken(TOKEN, { ...settings, envFile: '/no/such/file' })
    expect(files()[1]).toBe(EARLIER[1])
    expect(process.env['TORQ_ACCESS_TOKEN']).toBeUndefined()
    const result = done()
    expect(result.outputs['token']).toBe(TOKEN.accessToken)
    // Not Torq's own token URL: no API host to name.
    expect(result.outputs['api-url']).toBe('')
    expect(result.shown).toMatch(/output token\.\n$/)
  })

  it('warns when the answer had no usable lifetime, and leaves expires-in and expires-at empty', () => {
    const { settings, done } = step()
    const token = { ...TOKEN, expiresIn: undefined, expiresAt: undefined }
    publishToken(token, settings)
    const result = done()
    expect(result.outputs['expires-in']).toBe('')
    expect(result.outputs['expires-at']).toBe('')
    expect(result.warnings).toEqual([expect.stringContaining('expires_in')])
    expect(result.shown).toContain('(Bearer).')
  })
})

describe('all outputs or none', () => {
  it('writes nothing when a file is missing, a directory, a device or not writable, and names it', () => {
    const { settings, files, done } = step()
    const out = settings.outputFile
    for (const [broken, words] of [
      [{ outputFile: `${out}.gone` }, /GITHUB_OUTPUT file: .*\(ENOENT\)/],
      [{ envFile: dirname(out) }, /GITHUB_ENV file: .*\(EISDIR\)/],
      [{ envFile: '/dev/null' }, /GITHUB_ENV file: .*\(ENOTFILE\)/],
      // Not writable, even by root: a path under a file.
      [
        { outputFile: join(out, 'x') },
        /GITHUB_OUTPUT file: an unexpected error \(ENOTDIR\)/
      ]
    ] as const) {
      const message = failure({ ...settings, ...broken })
      expect(message).toMatch(/^Could not write the runner's GITHUB_/)
      expect(message).toMatch(words)
      expect(message).toContain('Nothing was written to the runner files.')
    }
    expect(files()).toEqual(EARLIER)
    expect(process.env['TORQ_ACCESS_TOKEN']).toBeUndefined()
    expect(done().shown).not.toContain('Got ')
  })

  /** A full disk: part of the write lands, then `code`. */
  const diskFull = (path: string, code: string) => {
    appendFileSync(path, 'TORQ_ACCESS_TOKEN<<ghadelimiter_')
    throw Object.assign(new Error(`${code}: ${path}`), { code })
  }

  it('cuts the files back to their bytes when a write fails midway, and names the file', () => {
    const { settings, files, done } = step()
    // The disk fills up while the variable is written, after the outputs.
    beforeWrite = (write) => {
      if (write === 'exportVariable') diskFull(settings.envFile, 'ENOSPC')
    }
    const env = failure(settings)
    expect(env).toMatch(
      /GITHUB_ENV file: .*\(ENOSPC\)\. GITHUB_OUTPUT and GITHUB_ENV were put back/
    )
    expect(env).toContain('No output and no variable was written.')
    expect(env).not.toContain(settings.envFile)
    expect(files()).toEqual(EARLIER)
    // The quota runs out at the third output, with export-env false.
    let outputs = 0
    beforeWrite = (write) => {
      if (write === 'setOutput' && ++outputs === 3)
        diskFull(settings.outputFile, 'EDQUOT')
    }
    const out = failure({ ...settings, exportEnv: false })
    expect(out).toMatch(
      /GITHUB_OUTPUT file: .*\(EDQUOT\)\. GITHUB_OUTPUT was put back/
    )
    expect(files()).toEqual(EARLIER)
    expect(done().shown).not.toContain('Got ')
  })

  it('says when a file could not be put back, and which', () => {
    const { settings, done } = step()
    // GITHUB_ENV vanishes: @actions/core fails to write it, and it cannot be cut back.
    beforeWrite = (write) => {
      if (write === 'exportVariable') rmSync(settings.envFile)
    }
    const one = failure(settings)
    expect(one).toMatch(
      /GITHUB_ENV file: an unexpected error\. GITHUB_OUTPUT was put back/
    )
    expect(one).toMatch(
      /Putting back GITHUB_ENV \(.*\(ENOENT\)\) failed too, so that file/
    )
    expect(readFileSync(settings.outputFile, 'utf8')).toBe(EARLIER[0])
    appendFileSync(settings.envFile, '')
    beforeWrite = (write) => {
      if (write !== 'exportVariable') return
      rmSync(settings.outputFile)
      rmSync(settings.envFile)
      throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })
    }
    const both = failure(settings)
    expect(both).toMatch(
      /\(ENOSPC\)\. Putting back GITHUB_OUTPUT \(.*\) and GITHUB_ENV \(.*\) failed too, so those files/
    )
    expect(both).not.toContain('put back as before')
    done()
  })
})
