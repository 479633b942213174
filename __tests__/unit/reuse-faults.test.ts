// The job state file under faults the file system makes at will: judged by
// the descriptor it is read from, so that a file swapped in after it was found
// is checked as what it is; and a read that fails is only a reason not to reuse.
import { expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs } from '../../src/inputs.js'

let swap: (() => void) | undefined
let readFault: string | undefined
jest.unstable_mockModule('node:fs', () => ({
  ...fs,
  openSync: (...args: Parameters<typeof fs.openSync>) => {
    swap?.()
    swap = undefined
    return fs.openSync(...args)
  },
  readSync: (...args: Parameters<typeof fs.readSync>) => {
    if (readFault !== undefined)
      throw Object.assign(new Error('fault'), { code: readFault })
    return fs.readSync(...args)
  }
}))
const { earlierToken, jobToken, keepToken, MAX_STATE_BYTES, STATE_FILE } =
  await import('../../src/reuse.js')

it('refuses a file swapped for a larger one as it is opened, or one that fails to read', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'torq-swap-'))
  const given: Record<string, string> = {
    'client-id': 'client-a',
    'client-secret': 's3cr3t-0000'
  }
  const settings = readInputs((name) => given[name] ?? '', {
    GITHUB_OUTPUT: '/runner/out',
    GITHUB_ENV: '/runner/env'
  })
  const now = Date.UTC(2026, 10, 28, 16)
  const job = jobToken(settings, { now: () => now, uptime: () => 0 }, dir)
  if (job === undefined) throw new Error('reuse is off')
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation(() => true)
  const debug = () => String(write.mock.calls.at(-1)?.[0])
  const token = '11111111-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
  keepToken(job, {
    accessToken: token,
    tokenType: 'Bearer',
    expiresIn: 3600,
    expiresAt: now + 3_600_000
  })
  const path = join(dir, STATE_FILE)
  const genuine = fs.readFileSync(path, 'utf8')
  expect(earlierToken(job)?.accessToken).toBe(token)
  // Still valid JSON, with the same entry: only its size is wrong.
  swap = () => {
    fs.rmSync(path)
    fs.writeFileSync(path, genuine.padEnd(MAX_STATE_BYTES + 1), { mode: 0o600 })
  }
  expect(earlierToken(job)).toBeUndefined()
  expect(swap).toBeUndefined()
  expect(debug()).toContain(`larger than ${MAX_STATE_BYTES} bytes`)
  fs.writeFileSync(path, genuine)
  expect(earlierToken(job)?.accessToken).toBe(token)
  readFault = 'EIO'
  expect(earlierToken(job)).toBeUndefined()
  expect(debug()).toContain('cannot be read (EIO)')
  readFault = undefined
  fs.rmSync(dir, { recursive: true, force: true })
})
