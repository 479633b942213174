import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { MAX_EXPIRES_IN, MAX_TOKEN_LENGTH } from '../../src/token-fields.js'
import {
  decide,
  identityOf,
  nextState,
  sealEntry,
  STATE_FORMAT,
  STATE_VERSION,
  type Entry,
  type Identity,
  type Kept
} from '../../src/reuse.js'

const URL_US = 'https://auth.torq.io/v1/auth/token'
const NOW = Date.parse('2026-11-28T16:00:00.000Z')
const A = identityOf('client-a', 'secret-a', URL_US)
const B = identityOf('client-b', 'secret-b', URL_US)
const TOKEN = '0b4e5c1e-2f7a-4c3d-9e8f-1a2b3c4d5e6f'
const KEPT: Kept = {
  token: TOKEN,
  expiresAt: NOW + 2950_500,
  tokenType: 'Bearer'
}

/** A state file's text holding `entries`, in this action's format. */
function stateOf(entries: Record<string, unknown>, extra = {}): string {
  return JSON.stringify({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    entries,
    ...extra
  })
}

/** The decision for identity A on a state holding only `entry` for it. */
function decideOn(entry: unknown, min = 600, identity: Identity = A) {
  return decide(stateOf({ [A.fingerprint]: entry }), identity, NOW, min)
}

function sealed(changes: Partial<Kept>): Entry {
  return sealEntry(A, { ...KEPT, ...changes })
}

describe('identityOf', () => {
  it('digests a JSON array of format, purpose, id, secret and URL with SHA-256', () => {
    // Pinned: steps of one job may run different versions of the action.
    const digest = (purpose: string) =>
      createHash('sha256')
        .update(
          JSON.stringify([
            STATE_FORMAT,
            purpose,
            'client-a',
            'secret-a',
            URL_US
          ])
        )
        .digest('hex')
    expect(STATE_FORMAT).toBe('torq-token-action/job-state')
    expect(A.fingerprint).toBe(digest('id'))
    expect(A.key.toString('hex')).toBe(digest('mac'))
  })

  it('gives one fingerprint per client id, secret and token URL', () => {
    expect(A.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(identityOf('client-a', 'secret-a', URL_US)).toEqual(A)
    const others = [
      identityOf('client-A', 'secret-a', URL_US),
      identityOf('client-a', 'secret-A', URL_US),
      identityOf(
        'client-a',
        'secret-a',
        'https://auth.eu.torq.io/v1/auth/token'
      ),
      // No separator can be shifted from one field to the next.
      identityOf('client-a', 'secret-', `a${URL_US}`),
      identityOf('client-as', 'ecret-a', URL_US)
    ]
    const prints = new Set([A, ...others].map((id) => id.fingerprint))
    expect(prints.size).toBe(others.length + 1)
    const keys = new Set([A, ...others].map((id) => id.key.toString('hex')))
    expect(keys.size).toBe(others.length + 1)
    expect(A.key.toString('hex')).not.toBe(A.fingerprint)
  })
})

describe('decide', () => {
  it('reuses the kept token, with the seconds left and the original expiry', () => {
    const decision = decideOn(sealEntry(A, KEPT))
    expect(decision).toEqual({
      token: {
        accessToken: TOKEN,
        tokenType: 'Bearer',
        expiresIn: 2950,
        sentAt: NOW + 500
      }
    })
  })

  it.each([
    ['', 'the job state file is not JSON'],
    ['\u0000\u00ff garbage', 'the job state file is not JSON'],
    ['null', "the job state file is not in this action's format"],
    ['[]', "the job state file is not in this action's format"],
    ['"text"', "the job state file is not in this action's format"],
    ['{}', "the job state file is not in this action's format"],
    [
      JSON.stringify({ format: 'other', version: STATE_VERSION, entries: {} }),
      "the job state file is not in this action's format"
    ],
    [
      stateOf({}, { version: STATE_VERSION + 1 }),
      "the job state file is not in this action's format"
    ],
    [
      stateOf({}, { version: String(STATE_VERSION) }),
      "the job state file is not in this action's format"
    ],
    [
      stateOf({}, { entries: [] }),
      "the job state file is not in this action's format"
    ],
    [
      stateOf({}, { entries: null }),
      "the job state file is not in this action's format"
    ],
    [
      stateOf({ [B.fingerprint]: sealEntry(B, KEPT) }),
      'no token was kept for this client id, client secret and token URL'
    ],
    [
      stateOf({ ['__proto__']: sealEntry(A, KEPT) }),
      'no token was kept for this client id, client secret and token URL'
    ]
  ])('asks Torq when the state is %j', (text, reason) => {
    expect(decide(text, A, NOW, 600)).toEqual({ reason })
  })

  const REFUSED =
    'the kept token fails the checks of a fresh one or was not written by this action'

  it.each([
    ['no object', 'token'],
    ['null', null],
    ['a number', 42],
    ['an array', [TOKEN]],
    ['a token of 15 characters', sealed({ token: 'a'.repeat(15) })],
    ['a token too long', sealed({ token: 'a'.repeat(MAX_TOKEN_LENGTH + 1) })],
    ['shell syntax', sealed({ token: 'abcdefgh$(touch /tmp/x)' })],
    ['a line break', sealed({ token: `${TOKEN}\nX=1` })],
    ['no token', { ...sealed({}), token: undefined }],
    ['a token type of Basic', sealed({ tokenType: 'Basic' })],
    ['no token type', { ...sealed({}), tokenType: 7 }],
    ['an expiry not whole', sealed({ expiresAt: NOW + 2950_000.5 })],
    ['an expiry as text', { ...sealed({}), expiresAt: String(NOW + 3e6) }],
    ['an unsafe expiry', sealed({ expiresAt: 2 ** 53 })],
    ['no seal', { ...sealed({}), mac: undefined }],
    ['a seal as a list', { ...sealed({}), mac: [sealed({}).mac] }],
    ['a changed token', { ...sealed({}), token: `${TOKEN}x` }],
    ['a changed expiry', { ...sealed({}), expiresAt: KEPT.expiresAt + 1 }],
    ['a changed type', { ...sealed({}), tokenType: 'bearer' }],
    ["another identity's seal", sealEntry(B, KEPT)]
  ])('refuses an entry with %s', (_, entry) => {
    expect(decideOn(entry)).toEqual({ reason: REFUSED })
  })

  it('accepts what a fresh token may be', () => {
    for (const token of ['a'.repeat(16), 'a'.repeat(MAX_TOKEN_LENGTH)]) {
      expect(decideOn(sealed({ token }))).toMatchObject({
        token: { accessToken: token }
      })
    }
    expect(decideOn(sealed({ tokenType: 'BEARER' }))).toMatchObject({
      token: { tokenType: 'BEARER' }
    })
  })

  it('asks Torq for a token expired or about to, or unbelievably long-lived', () => {
    const at = (ms: number, min = 0) =>
      decideOn(sealed({ expiresAt: NOW + ms }), min)
    expect(at(-1)).toEqual({ reason: 'the kept token has expired' })
    expect(at(999)).toEqual({ reason: 'the kept token has expired' })
    expect(at(1000)).toMatchObject({ token: { expiresIn: 1 } })
    expect(at(599_999, 600)).toEqual({
      reason:
        'the kept token is valid for 599 s more, less than min-validity-seconds (600)'
    })
    expect(at(600_000, 600)).toMatchObject({ token: { expiresIn: 600 } })
    expect(at(MAX_EXPIRES_IN * 1000 + 999)).toMatchObject({
      token: { expiresIn: MAX_EXPIRES_IN }
    })
    expect(at(MAX_EXPIRES_IN * 1000 + 1000)).toEqual({
      reason: 'the kept token expires later than any token Torq issues'
    })
  })
})

describe('nextState', () => {
  const parse = (text: string) =>
    JSON.parse(text) as { entries: Record<string, Entry> }

  it('starts a state of this format from nothing, or from what is not one', () => {
    for (const old of ['', 'garbage', '{}', stateOf({}, { version: 2 })]) {
      expect(
        JSON.parse(nextState(old, A.fingerprint, sealed({}), NOW))
      ).toEqual({
        format: STATE_FORMAT,
        version: STATE_VERSION,
        entries: { [A.fingerprint]: sealed({}) }
      })
    }
  })

  it("replaces its identity's entry and keeps the others' that are still valid", () => {
    const b = sealEntry(B, KEPT)
    const old = stateOf({
      [A.fingerprint]: sealed({ token: 'o'.repeat(20) }),
      [B.fingerprint]: b
    })
    const fresh = sealed({ token: 'n'.repeat(20) })
    expect(parse(nextState(old, A.fingerprint, fresh, NOW)).entries).toEqual({
      [A.fingerprint]: fresh,
      [B.fingerprint]: b
    })
  })

  it('drops what has expired, is malformed or filed under no fingerprint', () => {
    const other = (n: number) => String(n).repeat(64)
    const old = stateOf({
      [other(1)]: sealEntry(B, { ...KEPT, expiresAt: NOW }),
      [other(2)]: sealEntry(B, { ...KEPT, expiresAt: NOW + 1 }),
      [other(3)]: { ...sealEntry(B, KEPT), mac: 5 },
      [other(4)]: sealEntry(B, { ...KEPT, token: 'short' }),
      [`${other(5)}0`]: sealEntry(B, KEPT),
      [other(6).toUpperCase().replace(/6/g, 'A')]: sealEntry(B, KEPT),
      ['x'.repeat(64)]: sealEntry(B, KEPT)
    })
    expect(
      Object.keys(parse(nextState(old, A.fingerprint, sealed({}), NOW)).entries)
    ).toEqual([other(2), A.fingerprint])
  })
})
