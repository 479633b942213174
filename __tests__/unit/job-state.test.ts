import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  MAX_STATE_BYTES,
  readState,
  STATE_FILE,
  stateDirectory,
  writeState
} from '../../src/job-state.js'

const UID = process.getuid?.()

let dir: string
let path: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'torq-state-'))
  path = join(dir, STATE_FILE)
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A state file as this action writes it: this user's, mode 0600. */
function plant(text: string | Buffer, mode = 0o600): void {
  writeFileSync(path, text)
  chmodSync(path, mode)
}

describe('stateDirectory', () => {
  it.each([
    [undefined, 'RUNNER_TEMP is not set'],
    ['', 'RUNNER_TEMP is not set'],
    ['runner/temp', 'RUNNER_TEMP is not an absolute path'],
    ['/nonexistent/torq-temp', 'RUNNER_TEMP is not a writable directory']
  ])('turns reuse off for RUNNER_TEMP %j', (value, reason) => {
    expect(stateDirectory(value)).toEqual({ reason })
  })

  it('takes a writable directory, and nothing else', () => {
    expect(stateDirectory(dir)).toEqual({ dir })
    plant('{}')
    expect(stateDirectory(path)).toEqual({
      reason: 'RUNNER_TEMP is not a writable directory'
    })
  })
})

describe('readState', () => {
  it('reads the text of a file of this user with mode 0600', () => {
    plant('{"any":"text"}')
    expect(readState(dir, UID)).toEqual({ text: '{"any":"text"}' })
  })

  it('says so when no step has saved a state yet', () => {
    expect(readState(dir, UID)).toEqual({
      reason: 'no earlier step of this job saved a token'
    })
  })

  it('does not follow a symbolic link, even to a file it would read', () => {
    const target = join(dir, 'elsewhere.json')
    writeFileSync(target, '{}', { mode: 0o600 })
    symlinkSync(target, path)
    expect(readState(dir, UID)).toEqual({
      reason: 'the job state file is a symbolic link'
    })
    rmSync(path)
    symlinkSync(join(dir, 'missing'), path)
    expect(readState(dir, UID)).toEqual({
      reason: 'the job state file is a symbolic link'
    })
  })

  it('refuses what is not a regular file', () => {
    mkdirSync(path)
    expect(readState(dir, UID)).toEqual({
      reason: 'the job state file is not a regular file'
    })
  })

  it("refuses another user's file", () => {
    plant('{}')
    const other = (UID ?? 0) + 4242
    expect(readState(dir, other)).toEqual({
      reason: `the job state file belongs to uid ${UID ?? 0}, not ${other}`
    })
  })

  it.each([0o644, 0o640, 0o604, 0o602, 0o620, 0o610, 0o601, 0o700 | 0o007])(
    'refuses a file others may read or write (mode %o)',
    (mode) => {
      plant('{}', mode)
      expect(readState(dir, UID)).toEqual({
        reason: `the job state file has mode 0${mode.toString(8)}, not 0600`
      })
    }
  )

  it('accepts a file only its owner may read (mode 0400)', () => {
    plant('{}', 0o400)
    expect(readState(dir, UID)).toEqual({ text: '{}' })
  })

  it('checks neither owner nor mode where the system has no uid', () => {
    plant('{}', 0o644)
    expect(readState(dir, undefined)).toEqual({ text: '{}' })
  })

  it(`refuses a file larger than ${MAX_STATE_BYTES} bytes`, () => {
    plant(Buffer.alloc(MAX_STATE_BYTES, 0x20))
    expect(readState(dir, UID)).toEqual({ text: ' '.repeat(MAX_STATE_BYTES) })
    plant(Buffer.alloc(MAX_STATE_BYTES + 1, 0x20))
    expect(readState(dir, UID)).toEqual({
      reason: `the job state file is larger than ${MAX_STATE_BYTES} bytes`
    })
  })

  it('turns a failure of the file system into a reason', () => {
    plant('{}')
    expect(readState(path, UID)).toEqual({
      reason: 'the job state file cannot be read (ENOTDIR)'
    })
  })
})

describe('writeState', () => {
  it('writes the text whole, mode 0600, leaving no temporary file', () => {
    expect(writeState(dir, 'first')).toBeUndefined()
    expect(writeState(dir, 'second')).toBeUndefined()
    expect(readFileSync(path, 'utf8')).toBe('second')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual([STATE_FILE])
  })

  it('replaces a planted file or link, never writing through it', () => {
    plant('planted', 0o644)
    expect(writeState(dir, 'ours')).toBeUndefined()
    expect(statSync(path).mode & 0o777).toBe(0o600)
    rmSync(path)
    const target = join(dir, 'target')
    writeFileSync(target, 'untouched')
    symlinkSync(target, path)
    expect(writeState(dir, 'ours')).toBeUndefined()
    expect(readFileSync(target, 'utf8')).toBe('untouched')
    expect(readFileSync(path, 'utf8')).toBe('ours')
    expect(readdirSync(dir).sort()).toEqual(['target', STATE_FILE])
  })

  it('says why it failed, and leaves no temporary file behind', () => {
    mkdirSync(path)
    expect(writeState(dir, 'text')).toBe('EISDIR')
    expect(readdirSync(dir)).toEqual([STATE_FILE])
    expect(writeState(join(dir, 'missing'), 'text')).toBe('ENOENT')
    expect(readdirSync(dir)).toEqual([STATE_FILE])
  })
})

describe('open files', () => {
  it('are all closed again, whether reading or writing succeeds or not', () => {
    // Only Linux lists a process's open files here.
    if (!existsSync('/proc/self/fd')) return
    const open = () => readdirSync('/proc/self/fd').length
    const before = open()
    for (let i = 0; i < 20; i++) {
      expect(writeState(dir, '{}')).toBeUndefined()
      expect(readState(dir, UID)).toEqual({ text: '{}' })
    }
    rmSync(path)
    mkdirSync(path)
    for (let i = 0; i < 20; i++) expect(writeState(dir, '{}')).toBe('EISDIR')
    expect(open()).toBe(before)
  })
})
