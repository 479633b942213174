// The job's token at rest: kept in RUNNER_TEMP for later steps of the job,
// encrypted per identity, read back only from a file this action wrote.
/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "refused", "reused"] }] */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs } from '../../src/inputs.js'
import { basic } from '../../src/outside-text.js'
import {
  earlierToken,
  jobToken,
  keepToken,
  MAX_STATE_BYTES,
  STATE_FILE,
  type JobToken
} from '../../src/reuse.js'
import {
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  type Token
} from '../../src/token.js'

const START = Date.UTC(2026, 10, 28, 16)
const SECRET = 'Sëcret/+A=b%c&d"e\\f<g>'
const IDENTITY = { 'client-id': 'client-a', 'client-secret': SECRET }
const T1 = '11111111-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
const T2 = '22222222-2f7a-4c3d-9e8f-1a2b3c4d5e6f'

const RUNNER_TEMP = process.env['RUNNER_TEMP']
let dir: string
let now: number
/** The machine's uptime clock, moving with `now` unless a test sets the time. */
let uptime: number
let lines: string[]
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'torq-reuse-'))
  process.env['RUNNER_TEMP'] = dir
  now = START
  uptime = 1_000_000
  lines = []
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(...String(chunk).split('\n').filter(Boolean))
    return true
  })
})
afterEach(() => {
  process.env['RUNNER_TEMP'] = RUNNER_TEMP
  if (RUNNER_TEMP === undefined) delete process.env['RUNNER_TEMP']
  jest.restoreAllMocks()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The settings of a run with these inputs (client-a and SECRET by default). */
function settings(inputs: Record<string, string> = {}) {
  const given: Record<string, string> = { ...IDENTITY, ...inputs }
  const files = { GITHUB_OUTPUT: '/runner/out', GITHUB_ENV: '/runner/env' }
  return readInputs((name) => given[name] ?? '', files)
}

const clock = { now: () => now, uptime: () => uptime }
/** Time passes: `ms` on both clocks, or only on the uptime clock as the time is set by `set`. */
const pass = (ms: number, set = 0) => {
  now += ms + set
  uptime += ms
}

/** The job state of a run with these inputs, on the fake time. */
function job(inputs: Record<string, string> = {}): JobToken {
  const state = jobToken(settings(inputs), clock)
  if (state === undefined) throw new Error('reuse is off')
  return state
}

/** A token Torq issued now, lasting `expiresIn` seconds. */
const fresh = (accessToken: string, expiresIn?: number): Token => ({
  accessToken,
  tokenType: 'Bearer',
  expiresIn,
  expiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000
})
const statePath = () => join(dir, STATE_FILE)
const readState = () =>
  JSON.parse(fs.readFileSync(statePath(), 'utf8')) as {
    entries: Record<string, string>
    exported: Record<string, string>
  }
const debugLines = () => lines.filter((line) => line.startsWith('::debug::'))

describe('jobToken', () => {
  it.each([
    [
      'reuse-token is false',
      { 'reuse-token': 'false', 'export-env': 'false' },
      () => dir
    ],
    ['RUNNER_TEMP is not set', {}, () => ''],
    ['RUNNER_TEMP is not an absolute path', {}, () => 'runner/temp'],
    ['RUNNER_TEMP is not a writable directory', {}, () => join(dir, 'none')],
    ['RUNNER_TEMP is not a writable directory', {}, () => statePath()]
  ])('turns reuse off, with a debug line, when %s', (reason, inputs, temp) => {
    fs.writeFileSync(statePath(), '')
    process.env['RUNNER_TEMP'] = temp()
    expect(jobToken(settings(inputs), clock)).toBeUndefined()
    expect(lines).toEqual([expect.stringContaining(`reuse is off: ${reason}`)])
  })

  it('with reuse-token false, only notes the variable set', () => {
    const off = { 'reuse-token': 'false' }
    expect(job(off)).toMatchObject({
      reuse: false,
      envVar: 'TORQ_ACCESS_TOKEN'
    })
    expect(lines).toEqual([expect.stringContaining('reuse-token is false')])
    keepToken(job(off), fresh(T1, 3600))
    expect(readState()).toMatchObject({
      entries: {},
      exported: { TORQ_ACCESS_TOKEN: job().fingerprint }
    })
  })

  it('takes RUNNER_TEMP and the user from the process', () => {
    expect(job()).toMatchObject({ dir, uid: process.getuid?.() })
  })
})

describe('earlierToken and keepToken', () => {
  it('give a later step the kept token, with the whole seconds left, from one file of mode 0600', () => {
    expect(earlierToken(job())).toBeUndefined()
    keepToken(job(), fresh(T1, 3600))
    keepToken(job({ 'client-id': 'client-b' }), fresh(T2, 3600))
    pass(650_500)
    expect(earlierToken(job())).toEqual({
      accessToken: T1,
      tokenType: 'Bearer',
      expiresIn: 2949,
      expiresAt: START + 3_600_000
    })
    // Renamed into place: no temporary file is left.
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE])
    expect(fs.statSync(statePath()).mode & 0o777).toBe(0o600)
    const text = fs.readFileSync(statePath(), 'utf8').toLowerCase()
    const b64 = Buffer.from(SECRET).toString('base64')
    for (const form of [SECRET, basic('client-a', SECRET), b64, 'sëcret']) {
      expect(text).not.toContain(form.toLowerCase())
    }
  })

  it('keep identities apart: client id, secret and token URL', () => {
    const variants: Record<string, string>[] = [
      { 'client-id': 'client-A' },
      { 'client-secret': SECRET.toUpperCase() },
      // No separator can be shifted from one field to the next.
      { 'client-id': 'client-aS', 'client-secret': SECRET.slice(1) },
      { region: 'eu' },
      { 'auth-url': 'https://auth.torq.io/v1/auth/token/' }
    ]
    keepToken(job(), fresh(T1, 3600))
    for (const inputs of variants)
      expect(earlierToken(job(inputs))).toBeUndefined()
    expect(earlierToken(job())?.accessToken).toBe(T1)
  })

  it('ask Torq again for a kept token expired, about to, or from a clock set back', () => {
    const kept = (lifetime: number, later: number, min = '0', set = 0) => {
      fs.rmSync(statePath(), { force: true })
      keepToken(job(), fresh(T1, lifetime))
      pass(later, set)
      const token = earlierToken(job({ 'min-validity-seconds': min }))
      pass(-later, -set)
      return token?.expiresIn ?? debugLines().pop()
    }
    expect(kept(2, 1001)).toContain('the kept token has expired')
    expect(kept(2, 1000)).toBe(1)
    expect(kept(700, 100_001, '600')).toMatch(
      /valid for 599 s more, less than min-validity-seconds \(600\)/
    )
    expect(kept(700, 100_001, '599')).toBe(599)
    expect(kept(MAX_EXPIRES_IN, 0)).toBe(MAX_EXPIRES_IN)
    // Never more than its lifetime: a clock that reads earlier is not trusted.
    const earlier =
      "the runner's clock reads earlier than when the kept token was requested"
    expect(kept(3600, 0, '0', -1)).toContain(earlier)
    expect(kept(3600, 1000, '0', -3_600_000)).toContain(earlier)
    // The longer time since the request counts: a clock set forward since,
    // or one that was fast at the request and set right since (on the uptime
    // clock, which no setting moves). Uptime that reads earlier: another boot.
    expect(kept(3600, 1000, '0', 86_400_000)).toContain('has expired')
    expect(kept(3600, 3_900_000, '0', -1_800_000)).toContain('has expired')
    expect(kept(3600, 1_200_000, '0', -600_000)).toBe(2401)
    // A token requested 5 s before it was kept: 5 s more on both clocks.
    keepToken(job(), { ...fresh(T1, 3600), expiresAt: now - 5000 + 3_600_000 })
    pass(1_200_000, -600_000)
    expect(earlierToken(job())?.expiresIn).toBe(2396)
    pass(-1_200_000, 600_000)
    // Within a second, the clocks are taken to agree: the wall clock counts.
    expect(kept(3600, 1_200_000, '0', -500)).toBe(2400)
    expect(kept(3600, 1_200_000, '0', -1500)).toBe(2401)
    expect(kept(3600, -1, '0', 1001)).toContain(earlier)
  })

  it('keep no token without a lifetime, and warn of one no longer than min-validity-seconds', () => {
    const quiet = { 'export-env': 'false' }
    keepToken(job(quiet), fresh(T1))
    keepToken(job(quiet), { ...fresh(T1, 3600), expiresIn: undefined })
    keepToken(job(quiet), { ...fresh(T1, 3600), expiresAt: undefined })
    expect(fs.readdirSync(dir)).toEqual([])
    const lifetime = expect.stringContaining('lifetime is unknown')
    expect(debugLines()).toEqual([lifetime, lifetime, lifetime])
    for (const [seconds, min] of [
      [601, '600'],
      [600, '600'],
      [2, '0'],
      [2, '1'],
      [2, '2'],
      [1, '0']
    ] as const)
      keepToken(job({ 'min-validity-seconds': min }), fresh(T1, seconds))
    const warnings = lines.filter((line) => line.startsWith('::warning::'))
    expect(warnings).toEqual([
      expect.stringMatching(/lasts 600 s, not more than .*\(600\).* below 600/),
      expect.stringMatching(/lasts 2 s, not more than .*\(2\).* below 2/),
      expect.stringMatching(/lasts 1 s, too short for any later step/)
    ])
  })

  it("keep other identities' entries and variables, as far as they are well-formed", () => {
    const b = job({ 'client-id': 'client-b' })
    keepToken(b, fresh(T2, 3600))
    const sealed = readState().entries[b.fingerprint]
    const key = (n: number) => n.toString(16).padStart(64, '0')
    const entries = {
      [key(1)]: 'any text',
      [key(2)]: 5,
      [key(3)]: null,
      // Filed under what is no fingerprint: 65 characters, upper case.
      [`${key(4)}0`]: sealed,
      [key(0xabc).toUpperCase()]: sealed,
      [b.fingerprint]: sealed
    }
    const exported = { TORQ_X: key(1), 'TORQ Y': key(1), TORQ_Z: 7 }
    fs.writeFileSync(
      statePath(),
      JSON.stringify({ ...readState(), entries, exported })
    )
    keepToken(job(), fresh(T1, 3600))
    expect(Object.keys(readState().entries).sort()).toEqual(
      [key(1), b.fingerprint, job().fingerprint].sort()
    )
    expect(readState().exported).toEqual({
      TORQ_X: key(1),
      TORQ_ACCESS_TOKEN: job().fingerprint
    })
    expect(earlierToken(b)?.accessToken).toBe(T2)
  })

  it('note which identity set env-var, and warn when another replaces it', () => {
    const b = job({ 'client-id': 'client-b' })
    const warnings = () =>
      lines.filter((line) => line.startsWith('::warning::')).length
    keepToken(job(), fresh(T1, 3600))
    keepToken(job(), fresh(T1, 3600), false)
    keepToken(job({ 'env-var': 'TORQ_B' }), fresh(T1, 3600))
    expect(warnings()).toBe(0)
    keepToken(b, fresh(T2, 3600))
    expect(lines.at(-1)).toMatch(/^::warning::env-var TORQ_ACCESS_TOKEN: /)
    // A reused token sets the variable too; that notes its identity.
    keepToken(job(), fresh(T1, 3600), false)
    expect(warnings()).toBe(2)
    // Nothing new: the file is not written again (a new one has a new inode).
    const before = fs.statSync(statePath()).ino
    keepToken(job(), fresh(T1, 3600), false)
    expect(fs.statSync(statePath()).ino).toBe(before)
    expect(warnings()).toBe(2)
  })

  it('replace what is in the way, never writing through a link; a failure is only a debug line', () => {
    fs.writeFileSync(join(dir, 'target'), 'untouched')
    fs.symlinkSync(join(dir, 'target'), statePath())
    keepToken(job(), fresh(T1, 3600))
    expect(fs.readFileSync(join(dir, 'target'), 'utf8')).toBe('untouched')
    expect(earlierToken(job())?.accessToken).toBe(T1)
    fs.rmSync(statePath())
    fs.mkdirSync(statePath())
    lines.length = 0
    expect(() => keepToken(job(), fresh(T1, 3600))).not.toThrow()
    expect(lines).toEqual([expect.stringMatching(/^::debug::.*\(EISDIR\)/)])
    expect(fs.readdirSync(dir).sort()).toEqual(['target', STATE_FILE])
    // RUNNER_TEMP removed since: nothing to clean up, and nothing thrown.
    keepToken({ ...job(), dir: join(dir, 'gone') }, fresh(T1, 3600))
    expect(lines.pop()).toMatch(/^::debug::.*\(ENOENT\)/)
  })

  it('close every file they open', () => {
    // Linux lists a process's open files there.
    const open = () => fs.readdirSync('/proc/self/fd').length
    const before = open()
    keepToken(job(), fresh(T1, 3600))
    expect(earlierToken(job())?.accessToken).toBe(T1)
    expect(open()).toBe(before)
  })
})

describe('a state file planted or tampered with', () => {
  const EXPIRY = START + 3_600_000
  /** Writes the state file anew: this user's, mode 0600 unless given. */
  const plant = (text: string, mode = 0o600) => {
    fs.rmSync(statePath(), { recursive: true, force: true })
    fs.writeFileSync(statePath(), text, { mode })
    fs.chmodSync(statePath(), mode)
  }
  /** The genuine state, kept by this run, with `change` made to it. */
  let genuine: string
  const changed = (change: object, entry?: string) => {
    const state = JSON.parse(genuine) as { entries: Record<string, string> }
    if (entry !== undefined) state.entries[job().fingerprint] = entry
    return JSON.stringify({ ...state, ...change })
  }
  beforeEach(() => {
    keepToken(job(), fresh(T1, 3600))
    genuine = fs.readFileSync(statePath(), 'utf8')
  })
  /** Asserts that `state` reuses nothing, for a reason with these words. */
  const refused = (reason: string, state = job()) => {
    lines.length = 0
    expect(earlierToken(state)).toBeUndefined()
    expect(debugLines()).toEqual([expect.stringContaining(reason)])
  }
  const reused = (state = job()) =>
    expect(earlierToken(state)?.accessToken).toBe(T1)

  it('is read only if a regular file of this user, mode 0600 or 0400, of at most 1 MiB', () => {
    reused()
    fs.rmSync(statePath())
    refused('no earlier step of this job saved a token')
    fs.writeFileSync(join(dir, 'elsewhere'), genuine, { mode: 0o600 })
    fs.symlinkSync(join(dir, 'elsewhere'), statePath())
    refused('is a symbolic link')
    fs.rmSync(statePath())
    fs.mkdirSync(statePath())
    refused('is not a regular file')
    plant(genuine)
    refused(`belongs to uid`, { ...job(), uid: process.getuid!() + 1 })
    // It cannot be read: RUNNER_TEMP is no longer a directory.
    refused('cannot be read (ENOTDIR)', { ...job(), dir: statePath() })
    for (const mode of [0o644, 0o620, 0o601]) {
      plant(genuine, mode)
      refused(`has mode 0${mode.toString(8)}, not 0600`)
    }
    // Windows has no uid and no such modes.
    reused({ ...job(), uid: undefined })
    plant(genuine, 0o400)
    reused()
    plant(genuine.padEnd(MAX_STATE_BYTES))
    reused()
    plant(genuine.padEnd(MAX_STATE_BYTES + 1))
    refused(`larger than ${MAX_STATE_BYTES} bytes`)
  })

  it("is read only in this action's format, with an entry for this identity", () => {
    plant('{"format":')
    refused('is not JSON')
    const other = [changed({ version: 1 }), changed({ format: 'other' })]
    for (const text of ['{}', '[]', 'null', FIXTURE, ...other]) {
      plant(text)
      refused("not in this action's format")
    }
    for (const entries of [[], {}, 'x']) {
      plant(changed({ entries }))
      refused('no token was kept for this client id')
    }
    plant(genuine.replace(/"[0-9a-f]{64}"/, '"__proto__"'))
    refused('no token was kept for this client id')
  })

  /** `kept` encrypted as the state's format says: base64 of IV, tag and AES-256-GCM ciphertext, the fingerprint as additional data. */
  const encrypt = (kept: unknown, state = job(), aad = state.fingerprint) => {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', state.key, iv)
    cipher.setAAD(Buffer.from(aad))
    const data = Buffer.concat([
      cipher.update(JSON.stringify(kept)),
      cipher.final()
    ])
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')
  }
  const KEPT = {
    token: T1,
    tokenType: 'Bearer',
    requestedAt: START,
    uptimeAt: 1_000_000,
    expiresIn: 3600
  }

  it('decrypts an entry of the documented format', () => {
    // Fingerprint and key: SHA-256 of the JSON of format, purpose, id, secret, URL.
    const digest = (purpose: string) =>
      createHash('sha256')
        .update(
          JSON.stringify([
            'torq-token-action/job-state',
            purpose,
            'client-a',
            SECRET,
            'https://auth.torq.io/v1/auth/token'
          ])
        )
        .digest()
    expect(job().fingerprint).toBe(digest('id').toString('hex'))
    expect(job().key).toEqual(digest('key'))
    plant(changed({}, encrypt(KEPT)))
    expect(earlierToken(job())).toEqual({
      accessToken: T1,
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: EXPIRY
    })
    const lenient = job({ 'min-validity-seconds': '0' })
    for (const token of ['a'.repeat(16), 'a'.repeat(MAX_TOKEN_LENGTH)]) {
      plant(changed({}, encrypt({ ...KEPT, token, expiresIn: 1 })))
      expect(earlierToken(lenient)).toMatchObject({ expiresIn: 1 })
    }
  })

  it.each([
    { token: `${T1}=x` },
    { token: 'a'.repeat(15) },
    { token: `${T1} $(id)` },
    { tokenType: 'Basic' },
    { requestedAt: START + 0.5 },
    { requestedAt: String(START) },
    { uptimeAt: 0.5 },
    { uptimeAt: undefined },
    { expiresIn: 0 },
    { expiresIn: 1.5 },
    { expiresIn: MAX_EXPIRES_IN + 1 },
    { expiresIn: '3600' }
  ])('refuses an entry, however sealed, changed to %j', (change) => {
    plant(changed({}, encrypt({ ...KEPT, ...change })))
    refused(
      'cannot be decrypted with the key of these inputs, or fails the checks'
    )
  })

  it("refuses an entry sealed otherwise, changed, or another identity's", () => {
    const b = job({ 'client-id': 'client-b' })
    const own = readState().entries[job().fingerprint] ?? ''
    const bytes = Buffer.from(own, 'base64')
    const flip = (at: number) => {
      const copy = Buffer.from(bytes)
      copy[at] = (copy[at] ?? 0) ^ 1
      return copy.toString('base64')
    }
    const forged = [
      encrypt(null),
      encrypt([KEPT]),
      encrypt(KEPT, b),
      encrypt(KEPT, job(), b.fingerprint),
      flip(0),
      flip(20),
      flip(bytes.length - 1),
      bytes.subarray(0, 28).toString('base64'),
      bytes.subarray(0, 12 + 8).toString('base64') +
        bytes.subarray(28).toString('base64'),
      '',
      Buffer.from(JSON.stringify(KEPT)).toString('base64')
    ]
    for (const entry of forged) {
      plant(changed({}, entry))
      refused('cannot be decrypted')
    }
    keepToken(b, fresh(T1, 3600))
    plant(changed({}, readState().entries[b.fingerprint]))
    refused('cannot be decrypted')
  })
})

/** A state file as version 1.0.0 wrote it, for client-a and SECRET in region us. */
const FIXTURE = JSON.stringify({
  format: 'torq-token-action/job-state',
  version: 1,
  entries: {
    a4c64022a7bcab0b1ad60886aeee32559c33e74f3c2cb36fbc10d3ebd7410fe8: {
      token: T1,
      expiresAt: 1795885200000,
      tokenType: 'Bearer',
      mac: 'e8a0cd0b36d6deb5a650b9bdc6287f8d89d5459893994d271e4d42b4b58ccec0'
    }
  }
})
