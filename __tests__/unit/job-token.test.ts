import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
/* eslint-disable jest/no-conditional-expect --
   the property branches on what the generated state led to. */
import fc from 'fast-check'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STATE_FILE } from '../../src/job-state.js'
import {
  earlierToken,
  jobToken,
  keepToken,
  type JobToken,
  type ReuseSettings
} from '../../src/job-token.js'
import type { ObtainedToken } from '../../src/obtain.js'
import {
  identityOf,
  sealEntry,
  STATE_FORMAT,
  STATE_VERSION
} from '../../src/reuse.js'
import { secretForms } from '../../src/secrets.js'
import { runs } from '../../test/support/property-runs.js'

const NOW = Date.parse('2026-11-28T16:00:00.000Z')
const US = new URL('https://auth.torq.io/v1/auth/token')
const SETTINGS: ReuseSettings = {
  clientId: 'client-a',
  clientSecret: 'Sëcret/+A=b%c&d"e\\f<g>',
  tokenUrl: US,
  reuseToken: true,
  minValiditySeconds: 600
}

let dir: string
let now: number
let lines: string[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'torq-job-token-'))
  now = NOW
  lines = []
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(...String(chunk).split('\n').filter(Boolean))
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

function job(changes: Partial<ReuseSettings> = {}): JobToken {
  const state = jobToken(
    { ...SETTINGS, ...changes },
    () => now,
    dir,
    process.getuid?.()
  )
  if (state === undefined) throw new Error('reuse is off')
  return state
}

/** A token as Torq issued it now; `null`: with no lifetime. */
function fresh(
  accessToken: string,
  expiresIn: number | null = 3600
): ObtainedToken {
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: expiresIn ?? undefined,
    sentAt: now
  }
}

const T1 = '11111111-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
const T2 = '22222222-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
const T3 = '33333333-2f7a-4c3d-9e8f-1a2b3c4d5e6f'

describe('jobToken', () => {
  it('is off, with a debug line, when reuse-token is false or RUNNER_TEMP unusable', () => {
    expect(
      jobToken({ ...SETTINGS, reuseToken: false }, () => now, dir)
    ).toBeUndefined()
    expect(jobToken(SETTINGS, () => now, undefined)).toBeUndefined()
    expect(jobToken(SETTINGS, () => now, join(dir, 'missing'))).toBeUndefined()
    expect(lines).toEqual([
      '::debug::Token reuse is off: reuse-token is false.',
      '::debug::Token reuse is off: RUNNER_TEMP is not set.',
      '::debug::Token reuse is off: RUNNER_TEMP is not a writable directory.'
    ])
  })

  it('files the token under its identity, in RUNNER_TEMP, with this user and clock', () => {
    const state = job()
    expect(state).toEqual({
      dir,
      identity: identityOf(SETTINGS.clientId, SETTINGS.clientSecret, US.href),
      uid: process.getuid?.(),
      now: expect.any(Function),
      minValiditySeconds: 600
    })
    now = 42
    expect(state.now()).toBe(42)
    expect(jobToken(SETTINGS, () => now, dir)?.uid).toBe(process.getuid?.())
  })

  it('has no uid where the system has none (Windows)', () => {
    const getuid = Object.getOwnPropertyDescriptor(process, 'getuid')
    Object.defineProperty(process, 'getuid', {
      value: undefined,
      configurable: true
    })
    try {
      expect(jobToken(SETTINGS, () => now, dir)).toMatchObject({
        uid: undefined
      })
    } finally {
      if (getuid) Object.defineProperty(process, 'getuid', getuid)
    }
  })
})

describe('earlierToken and keepToken', () => {
  it('publishes the kept token again later in the job', () => {
    expect(earlierToken(job())).toBeUndefined()
    keepToken(job(), fresh(T1))
    now += 650_000
    expect(earlierToken(job())).toEqual({
      accessToken: T1,
      tokenType: 'Bearer',
      expiresIn: 2950,
      sentAt: NOW + 650_000
    })
    expect(lines).toEqual([
      '::debug::No token of an earlier step reused: no earlier step of this job saved a token.'
    ])
  })

  it('keeps the file mode 0600, whole, with no form of the secret', () => {
    keepToken(job(), fresh(T1))
    keepToken(job({ clientId: 'client-b' }), fresh(T2))
    expect(readdirSync(dir)).toEqual([STATE_FILE])
    const path = join(dir, STATE_FILE)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    // Pinned: steps of one job may run different versions of the action.
    expect(JSON.parse(text)).toMatchObject({
      format: 'torq-token-action/job-state',
      version: 1
    })
    const folded = text.toLowerCase()
    const forms = secretForms(SETTINGS.clientId, SETTINGS.clientSecret)
    expect(forms.length).toBeGreaterThan(5)
    for (const form of forms) {
      for (const variant of [form, form.toLowerCase(), form.toUpperCase()]) {
        expect(text).not.toContain(variant)
        expect(folded).not.toContain(variant.toLowerCase())
      }
    }
    expect(text).toContain(T1)
  })

  it('keeps identities apart; a fresh token replaces only its own', () => {
    const a = job()
    const b = job({ clientSecret: 'another-secret' })
    const c = job({
      tokenUrl: new URL('https://auth.eu.torq.io/v1/auth/token')
    })
    keepToken(a, fresh(T1))
    keepToken(b, fresh(T2))
    expect(earlierToken(c)).toBeUndefined()
    keepToken(c, fresh(T3))
    expect(earlierToken(a)?.accessToken).toBe(T1)
    const replaced = '44444444-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
    keepToken(a, fresh(replaced))
    expect([a, b, c].map((state) => earlierToken(state)?.accessToken)).toEqual([
      replaced,
      T2,
      T3
    ])
  })

  it('asks Torq when the kept token is too close to expiry', () => {
    keepToken(job(), fresh(T1, 700))
    now += 100_001
    expect(earlierToken(job())).toBeUndefined()
    expect(earlierToken(job({ minValiditySeconds: 599 }))?.expiresIn).toBe(599)
    expect(lines).toEqual([
      '::debug::No token of an earlier step reused: the kept token is valid for 599 s more, less than min-validity-seconds (600).'
    ])
  })

  it('warns once when Torq’s lifetime is shorter than min-validity-seconds', () => {
    keepToken(job(), fresh(T1, 599))
    keepToken(job(), fresh(T2, 600))
    expect(lines).toEqual([
      "::warning::Torq's token lasts 599 s, less than min-validity-seconds (600), so no later step can reuse it and each asks Torq again. Set min-validity-seconds below 599 to reuse tokens."
    ])
  })

  it('keeps no token without a lifetime', () => {
    keepToken(job(), fresh(T1, null))
    expect(readdirSync(dir)).toEqual([])
    expect(lines).toEqual([
      '::debug::The token is not kept for later steps: its lifetime is unknown.'
    ])
  })

  it('replaces a state it cannot read, and says so when it cannot write', () => {
    const path = join(dir, STATE_FILE)
    writeFileSync(path, 'planted')
    chmodSync(path, 0o644)
    keepToken(job(), fresh(T1))
    expect(earlierToken(job())?.accessToken).toBe(T1)
    rmSync(path)
    mkdirSync(path)
    keepToken(job(), fresh(T2))
    expect(lines).toEqual([
      '::debug::The token could not be kept for later steps of this job (EISDIR); they will ask Torq again.'
    ])
    expect(readdirSync(dir)).toEqual([STATE_FILE])
  })
})

describe('whatever the state file holds', () => {
  const b = identityOf('client-b', 'secret-b', US.href)
  const EXPIRY = NOW + 3_600_000
  const field = {
    token: fc.oneof(fc.constant(T1), fc.constant(T2), fc.string()),
    expiresAt: fc.oneof(
      fc.constant(EXPIRY),
      fc.integer({ min: NOW - 1e7, max: NOW + 1e7 }),
      fc.double()
    ),
    tokenType: fc.oneof(fc.constant('Bearer'), fc.string()),
    mac: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string())
  }
  const entry = (genuine: Record<string, unknown>) =>
    fc.oneof(
      fc.record(field, { requiredKeys: [] }),
      // The genuine entry with one field changed.
      fc
        .oneof(
          ...Object.entries(field).map(([key, value]) =>
            value.map((v) => ({ [key]: v }))
          )
        )
        .map((change) => ({ ...genuine, ...change })),
      fc.constant(
        sealEntry(b, { token: T2, expiresAt: EXPIRY, tokenType: 'Bearer' })
      ),
      fc.anything()
    )
  /** Bytes for the file, given the genuine state this test wrote. */
  const tampered = (
    fingerprint: string,
    genuine: { entries: Record<string, Record<string, unknown>> }
  ) => {
    const key = fc.oneof(
      fc.constant(fingerprint),
      fc.constant(b.fingerprint),
      fc.string()
    )
    const entries = fc.dictionary(
      key,
      entry(genuine.entries[fingerprint] ?? {})
    )
    const format = (more: fc.Arbitrary<Record<string, unknown>>) =>
      more.map((extra) =>
        JSON.stringify({
          format: STATE_FORMAT,
          version: STATE_VERSION,
          entries: extra
        })
      )
    return fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc.json(),
      fc.constant(JSON.stringify(genuine)),
      format(entries),
      format(entries.map((extra) => ({ ...genuine.entries, ...extra })))
    )
  }

  it('reuses only the token Torq issued in this job for this identity, or asks Torq', () => {
    const state = job()
    keepToken(state, fresh(T1))
    const path = join(dir, STATE_FILE)
    const genuine = JSON.parse(readFileSync(path, 'utf8')) as {
      entries: Record<string, Record<string, unknown>>
    }
    let reused = 0
    fc.assert(
      fc.property(tampered(state.identity.fingerprint, genuine), (bytes) => {
        rmSync(path, { force: true })
        writeFileSync(path, bytes, { mode: 0o600 })
        const token = earlierToken(state)
        if (token !== undefined) {
          reused++
          expect(token.accessToken).toBe(T1)
          expect(token.tokenType).toBe('Bearer')
          expect(token.sentAt + (token.expiresIn ?? 0) * 1000).toBe(EXPIRY)
        }
      }),
      runs(300)
    )
    expect(reused).toBeGreaterThan(0)
  })
})
