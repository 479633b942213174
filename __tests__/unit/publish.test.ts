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
type Write = 'setOutput' | 'exportVariable'
let beforeWrite: ((write: Write) => void) | undefined
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

let finish: (() => ReturnType<ReturnType<typeof emulateRunner>>) | undefined
afterEach(() => {
  finish?.()
  finish = undefined
  beforeWrite = undefined
})

/**
 * A step on the emulated runner, its files holding an earlier step's lines:
 * its settings, the files' text, and `done()` for what the runner read.
 */
function step(inputs: Record<string, string> = {}) {
  const finishing = emulateRunner({})
  finish = finishing
  const given: Record<string, string> = {
    'client-id': 'id',
    'client-secret': 'secret',
    ...inputs
  }
  const settings = readInputs((name) => given[name] ?? '', process.env)
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

/** The ActionError that publishToken throws. */
function failure(
  settings: Settings,
  token: Token = TOKEN
): { message: string } {
  try {
    publishToken(token, settings)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return error as ActionError
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
    expect(masks).toEqual([
      'a',
      'l1\nl2',
      'l1',
      'l2',
      'x\r\ny\rz',
      'x',
      'y',
      'z',
      'p\n\nq',
      'p',
      'q'
    ])
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
      new RegExp(
        `^Got .*Bearer.*3600 s.*${EXPIRES_AT}.*output token.*\\$TORQ_ACCESS_TOKEN[^\n]*\n$`
      )
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
      new RegExp(
        `^Reusing .*earlier step.*1234 s.*${EXPIRES_AT}.*no request[^\n]*\n$`
      )
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
  it.each<[string, (file: string) => Partial<Settings>, RegExp]>([
    ['GITHUB_OUTPUT', (file) => ({ outputFile: `${file}.gone` }), /\(ENOENT\)/],
    [
      'GITHUB_ENV',
      (file) => ({ envFile: dirname(file) }),
      /directory.*\(EISDIR\)/
    ],
    [
      'GITHUB_ENV',
      () => ({ envFile: '/dev/null' }),
      /not a regular file \(ENOTFILE\)/
    ],
    // Not writable, even by root: a path under a file.
    [
      'GITHUB_OUTPUT',
      (file) => ({ outputFile: join(file, 'x') }),
      /unexpected error \(ENOTDIR\)/
    ]
  ])('writes nothing when %s is %s', (variable, broken, why) => {
    const { settings, files, done } = step()
    const { message } = failure({ ...settings, ...broken(settings.outputFile) })
    expect(message).toMatch(
      new RegExp(`^Could not write the runner's ${variable} file: `)
    )
    expect(message).toMatch(why)
    expect(message).toContain('Nothing was written to the runner files.')
    expect(files()).toEqual(EARLIER)
    expect(process.env['TORQ_ACCESS_TOKEN']).toBeUndefined()
    expect(done().shown).not.toContain('Got ')
  })

  /** A full disk: part of the write lands, then ENOSPC (or `code`). */
  const diskFull = (path: string, code: unknown = 'ENOSPC') => {
    appendFileSync(path, 'TORQ_ACCESS_TOKEN<<ghadelimiter_')
    throw Object.assign(new Error(`${String(code)}: ${path}`), { code })
  }

  it.each<[Write, string, unknown, RegExp]>([
    [
      'exportVariable',
      'true',
      'ENOSPC',
      /GITHUB_ENV file: no space .*\(ENOSPC\)\. GITHUB_OUTPUT and GITHUB_ENV were put back/
    ],
    [
      'setOutput',
      'false',
      'EDQUOT',
      /GITHUB_OUTPUT file: .*quota.*\(EDQUOT\)\. GITHUB_OUTPUT was put back/
    ],
    [
      'exportVariable',
      'true',
      'EBADF',
      /GITHUB_ENV file: an unexpected error \(EBADF\)\. GITHUB_OUTPUT and/
    ],
    [
      'exportVariable',
      'true',
      'not a code',
      /GITHUB_ENV file: an unexpected error\. GITHUB_OUTPUT and/
    ]
  ])(
    'cuts both files back to their bytes when %s fails midway (export-env %s, %s)',
    (on, exportEnv, code, words) => {
      const { settings, files, done } = step({ 'export-env': exportEnv })
      let writes = 0
      beforeWrite = (write) => {
        // The third output, or the variable once the outputs are written.
        if (write === on && ++writes === (on === 'setOutput' ? 3 : 1)) {
          diskFull(
            write === 'setOutput' ? settings.outputFile : settings.envFile,
            code
          )
        }
      }
      const { message } = failure(settings)
      expect(message).toMatch(words)
      expect(message).toContain('No output and no variable was written.')
      expect(message).not.toContain(settings.outputFile)
      expect(files()).toEqual(EARLIER)
      expect(done().shown).not.toContain('Got ')
    }
  )

  it('says when a file could not be put back, and which', () => {
    const { settings, files, done } = step()
    // GITHUB_ENV vanishes: @actions/core fails to write it, and it cannot be cut back.
    beforeWrite = (write) => {
      if (write === 'exportVariable') rmSync(settings.envFile)
    }
    const one = failure(settings).message
    expect(one).toMatch(
      /GITHUB_ENV file: an unexpected error\. GITHUB_OUTPUT was put back/
    )
    expect(one).toMatch(
      /Putting back GITHUB_ENV \(.*\(ENOENT\)\) failed too, so that file may hold a partial write/
    )
    expect(files()[0]).toBe(EARLIER[0])
    beforeWrite = (write) => {
      if (write !== 'exportVariable') return
      rmSync(settings.outputFile)
      diskFull(settings.envFile)
    }
    const both = failure(settings).message
    expect(both).toMatch(
      /\(ENOSPC\)\. Putting back GITHUB_OUTPUT \(.*\) and GITHUB_ENV \(.*\) failed too, so those files/
    )
    expect(both).not.toContain('put back as before')
    done()
  })
})
