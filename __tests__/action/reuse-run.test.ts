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
    // One bit of the sealed entry flipped: it no longer decrypts.
    const state = readFileSync(path, 'utf8')
    const at = state.indexOf('"entries":{"') + 80
    const flipped = state[at] === 'A' ? 'B' : 'A'
    writeFileSync(path, state.slice(0, at) + flipped + state.slice(at + 1))
    const second = await step({}, 1000)
    expect(second.requests).toHaveLength(1)
    expect(second.outputs['reused']).toBe('false')
    expect(second.outputs['token']).not.toBe(first.outputs['token'])
    expect(readFileSync(path, 'utf8')).not.toBe(state)
    expect((await step({}, 2000)).outputs['token']).toBe(
      second.outputs['token']
    )
  })
})

describe('the kept token', () => {
  it('is encrypted: no file under RUNNER_TEMP holds it as is, in base64 or in hex', async () => {
    const first = await step({ 'export-env': 'false' })
    const token = first.outputs['token'] ?? ''
    const bytes = Buffer.from(token)
    const forms = [token, bytes.toString('base64'), bytes.toString('hex')]
    const text = readdirSync(temp)
      .map((name) => readFileSync(join(temp, name), 'latin1'))
      .join('\n')
      .toLowerCase()
    expect(forms.filter((form) => text.includes(form.toLowerCase()))).toEqual(
      []
    )
    const written = statSync(join(temp, STATE_FILE)).ino
    const second = await step({ 'export-env': 'false' }, 1000)
    expect([second.requests.length, second.outputs['token']]).toEqual([
      0,
      token
    ])
    expect(second.exported).toEqual({})
    // Reused, and nothing to note: the state is not written again.
    expect(statSync(join(temp, STATE_FILE)).ino).toBe(written)
  })

  it('is not reused when the clock reads earlier than its request', async () => {
    const first = await step({}, 3_600_000)
    const earlier = await step({}, 0)
    expect(earlier.requests).toHaveLength(1)
    expect(earlier.outputs['expires-in']).toBe('3600')
    expect(earlier.outputs['token']).not.toBe(first.outputs['token'])
  })
})

describe('one env-var for two accounts', () => {
  it("warns, naming env-var, when a step replaces the other account's token", async () => {
    const off = { 'reuse-token': 'false' }
    const steps = [
      await step(),
      await step(),
      await step(OTHER),
      await step(),
      await step({ 'export-env': 'false' }),
      await step(OTHER, 0),
      await step({ ...OTHER, ...off }),
      await step(off),
      await step()
    ]
    expect(steps.map((s) => s.requests.length)).toEqual([
      1, 0, 1, 0, 0, 0, 1, 1, 0
    ])
    const warned = steps.map((s) =>
      s.warnings.some((w) => w.includes('env-var TORQ_ACCESS_TOKEN'))
    )
    expect(warned).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      false
    ])
    expect(steps.every((s) => s.exitCode === undefined)).toBe(true)
  })
})

describe('without RUNNER_TEMP', () => {
  it('publishes the token and keeps nothing', async () => {
    const result = await runAgainst(server, {}, [0.5], START, {
      RUNNER_TEMP: undefined
    })
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs['reused']).toBe('false')
    expect(result.exported['TORQ_ACCESS_TOKEN']).toBe(result.outputs['token'])
  })
})

describe('reuse-token: false', () => {
  it('neither keeps the token nor reads one kept', async () => {
    const off = { 'reuse-token': 'false' }
    const first = await step(off)
    expect(first.requests).toHaveLength(1)
    // Only which credentials set the variable is noted; no token is kept.
    const state = readFileSync(join(temp, STATE_FILE), 'utf8')
    expect(JSON.parse(state)).toMatchObject({ entries: {} })
    expect(readdirSync(temp)).toEqual([STATE_FILE])
    await step({ ...off, 'export-env': 'false' })
    expect(readFileSync(join(temp, STATE_FILE), 'utf8')).toBe(state)
    await step()
    const again = await step(off, 1000)
    expect(again.requests).toHaveLength(1)
    expect(again.outputs['reused']).toBe('false')
  })
})
