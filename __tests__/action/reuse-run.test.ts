// Steps of one job in this process: run() again with the same RUNNER_TEMP
// publishes the token an earlier step kept, per identity, while it stays
// valid for min-validity-seconds, and asks Torq otherwise. The state file's
// own rules are unit/reuse.test.ts's.
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STATE_FILE } from '../../src/reuse.js'
import { runAgainst } from '../../test/support/in-process.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const START = Date.parse('2026-11-28T16:00:00.000Z')
const OTHER = {
  'client-id': 'other-client-id',
  'client-secret': 'other-s3cr3t-0000'
}

let server: TorqServer
let temp: string
beforeAll(async () => {
  server = await startTorqServer({
    clients: {
      [DEMO_CLIENT_ID]: DEMO_CLIENT_SECRET,
      [OTHER['client-id']]: OTHER['client-secret']
    }
  })
})
afterAll(() => server.close())
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'torq-reuse-run-'))
})
afterEach(() => rmSync(temp, { recursive: true, force: true }))

/** A step of the job, `after` ms into it. */
const step = (inputs: Record<string, string> = {}, after = 0) =>
  runAgainst(server, inputs, [0.5], START + after, { RUNNER_TEMP: temp })

describe('a later step of the job', () => {
  it('publishes the kept token again, masked first, with no request', async () => {
    const first = await step()
    const token = first.outputs['token'] ?? ''
    expect(first.requests).toHaveLength(1)
    expect(readdirSync(temp)).toEqual([STATE_FILE])
    expect(statSync(join(temp, STATE_FILE)).mode & 0o777).toBe(0o600)
    const second = await step({ 'env-var': 'TORQ_SECOND' }, 650_250)
    expect(second.exitCode).toBeUndefined()
    expect(second.requests).toHaveLength(0)
    expect(second.outputs).toEqual({
      token,
      'token-type': 'Bearer',
      'expires-in': '2949',
      'expires-at': '2026-11-28T17:00:00.000Z',
      reused: 'true',
      'api-url': ''
    })
    expect(second.exported).toEqual({ TORQ_SECOND: token })
    expect(second.writtenBefore(`::add-mask::${token}`)).toBe(0)
    expect(second.masks.at(-1)).toBe(token)
    expect(second.reveals(token)).toBe(false)
    expect(second.reveals(DEMO_CLIENT_SECRET)).toBe(false)
  })

  it('keeps a token per identity: another client id asks Torq once too', async () => {
    const steps = [
      await step(),
      await step(OTHER),
      await step(),
      await step(OTHER)
    ]
    expect(steps.map((s) => s.requests.length)).toEqual([1, 1, 0, 0])
    const tokens = steps.map((s) => s.outputs['token'])
    expect(tokens[2]).toBe(tokens[0])
    expect(tokens[3]).toBe(tokens[1])
    expect(tokens[1]).not.toBe(tokens[0])
  })

  it('asks Torq when the kept token is valid for less than min-validity-seconds', async () => {
    const first = await step()
    // 599 s left: enough for 500, not for the default 600.
    const lenient = await step({ 'min-validity-seconds': '500' }, 3_001_000)
    const strict = await step({}, 3_001_000)
    expect([lenient.requests.length, strict.requests.length]).toEqual([0, 1])
    expect(lenient.outputs['expires-in']).toBe('599')
    expect(strict.outputs['reused']).toBe('false')
    expect(strict.outputs['token']).not.toBe(first.outputs['token'])
  })

  it('asks Torq when the state file was tampered with, and replaces it', async () => {
    const first = await step()
    const path = join(temp, STATE_FILE)
    const token = first.outputs['token'] ?? ''
    const forged = 'f'.repeat(token.length)
    writeFileSync(path, readFileSync(path, 'utf8').replace(token, forged))
    const second = await step({}, 1000)
    expect(second.requests).toHaveLength(1)
    expect(second.outputs['reused']).toBe('false')
    expect(second.outputs['token']).not.toBe(forged)
    expect(readFileSync(path, 'utf8')).toContain(second.outputs['token'])
  })
})

describe('reuse-token: false', () => {
  it('neither keeps the token nor reads one kept', async () => {
    const off = { 'reuse-token': 'false' }
    expect((await step(off)).requests).toHaveLength(1)
    expect(readdirSync(temp)).toEqual([])
    await step()
    const again = await step(off, 1000)
    expect(again.requests).toHaveLength(1)
    expect(again.outputs['reused']).toBe('false')
  })
})
