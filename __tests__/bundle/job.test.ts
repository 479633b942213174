// The committed bundle as successive steps of ONE job, under Node 24: one
// RUNNER_TEMP, each step's exported variables passed on, the runner's masks
// kept for the job. A token is asked for once per identity and published
// again while it stays valid; whatever is planted in RUNNER_TEMP, only a
// token Torq issued in this job for this identity is ever published.
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
  chmodSync,
  existsSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { STATE_FILE } from '../../src/job-state.js'
import { identityOf, sealEntry } from '../../src/reuse.js'
import { secretForms } from '../../src/secrets.js'
import { startJob } from '../../test/support/job.js'
import { readLog } from '../../test/support/runner.js'
import {
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const US_ID = 'us-client-id'
const US_SECRET = 'Us-s3cret/+=%&"\\<>ÄÖ'
const EU_ID = 'eu-client-id'
const EU_SECRET = 'eu-s3cret-9f8e7d6c5b'

let us: TorqServer
let eu: TorqServer
let job: ReturnType<typeof startJob>
beforeAll(async () => {
  us = await startTorqServer({
    clients: { [US_ID]: US_SECRET, [EU_ID]: EU_SECRET }
  })
  eu = await startTorqServer({
    clients: { [EU_ID]: EU_SECRET, [US_ID]: US_SECRET }
  })
})
afterAll(async () => {
  await us.close()
  await eu.close()
})
beforeEach(() => {
  job = startJob()
})
afterEach(() => job.end())

const usInputs = () => ({
  'client-id': US_ID,
  'client-secret': US_SECRET,
  'auth-url': us.url
})
const euInputs = () => ({
  'client-id': EU_ID,
  'client-secret': EU_SECRET,
  'auth-url': eu.url
})
const requests = () => us.requests.length + eu.requests.length

type Step = Awaited<ReturnType<typeof job.step>>

/** True when the step published `token` as a token Torq just issued. */
function isFresh(step: Step, token: string | undefined) {
  return (
    step.exitCode === 0 &&
    step.outputs['token'] === token &&
    step.outputs['reused'] === 'false'
  )
}

describe('steps of one job', () => {
  it('passes exported variables on, and keeps masks for the whole job', async () => {
    await job.step({ inputs: usInputs() })
    const token = job.exported['TORQ_ACCESS_TOKEN'] ?? ''
    // A later step that prints the variable, as a careless `run:` would.
    const entry = join(job.runnerTemp, 'print.mjs')
    writeFileSync(
      entry,
      'console.log(`token: ${process.env.TORQ_ACCESS_TOKEN}`)\n'
    )
    const printing = await job.step({ entry })
    expect(printing.log).toBe(`token: ${token}\n`)
    expect(printing.shown).toBe('token: ***\n')
    expect(readLog(printing.log).reveals(token)).toBe(true)
  })

  it('asks Torq once for the same inputs, and publishes the token again, masked', async () => {
    const before = requests()
    const first = await job.step({ inputs: usInputs() })
    const token = us.tokens.at(-1) ?? ''
    const second = await job.step({
      inputs: { ...usInputs(), 'env-var': 'TORQ_AGAIN' }
    })
    expect(requests() - before).toBe(1)
    expect(isFresh(first, token)).toBe(true)
    expect(second.exitCode).toBe(0)
    expect(second.outputs).toMatchObject({
      token,
      reused: 'true',
      'expires-at': first.outputs['expires-at'],
      'token-type': 'Bearer'
    })
    const left = Number(second.outputs['expires-in'])
    expect(left).toBeGreaterThan(3500)
    expect(left).toBeLessThan(3600)
    expect(job.exported).toEqual({
      TORQ_ACCESS_TOKEN: token,
      TORQ_AGAIN: token
    })
    // Masked in step 2 before the one line that says what happened.
    const reusing = second.log.indexOf(
      "Reusing this job's Torq API token from an earlier step"
    )
    expect(second.log.indexOf(`::add-mask::${token}`)).toBeGreaterThanOrEqual(0)
    expect(second.log.indexOf(`::add-mask::${token}`)).toBeLessThan(reusing)
    expect(second.shown).toContain(
      `Reusing this job's Torq API token from an earlier step (valid for ${left} s more, until ${first.outputs['expires-at']}); no request sent.`
    )
    expect(second.shown).not.toContain('Requesting')
    expect(second.reveals(token)).toBe(false)
    expect(second.reveals(US_SECRET)).toBe(false)
  })

  it('asks Torq each time with reuse-token false', async () => {
    const before = requests()
    const inputs = { ...usInputs(), 'reuse-token': 'false' }
    const steps = [await job.step({ inputs }), await job.step({ inputs })]
    expect(requests() - before).toBe(2)
    expect(steps.map((step) => step.outputs['reused'])).toEqual([
      'false',
      'false'
    ])
    expect(steps[0]?.outputs['token']).not.toBe(steps[1]?.outputs['token'])
    expect(existsSync(join(job.runnerTemp, STATE_FILE))).toBe(false)
  })

  it('asks Torq again for a token valid for less than min-validity-seconds', async () => {
    const short = await startTorqServer({
      clients: { [US_ID]: US_SECRET },
      expiresIn: 650
    })
    try {
      const inputs = { ...usInputs(), 'auth-url': short.url }
      const first = await job.step({ inputs })
      // At most 649 s are left now.
      const second = await job.step({
        inputs: { ...inputs, 'min-validity-seconds': '650' }
      })
      const third = await job.step({ inputs })
      expect(short.requests).toHaveLength(2)
      expect(first.warnings).toEqual([])
      expect(isFresh(second, short.tokens[1])).toBe(true)
      expect(third.outputs).toMatchObject({
        token: short.tokens[1],
        reused: 'true'
      })
    } finally {
      await short.close()
    }
  })

  it('warns when Torq’s lifetime is shorter than min-validity-seconds', async () => {
    const short = await startTorqServer({
      clients: { [US_ID]: US_SECRET },
      expiresIn: 300
    })
    try {
      const inputs = { ...usInputs(), 'auth-url': short.url }
      const steps = [await job.step({ inputs }), await job.step({ inputs })]
      expect(short.requests).toHaveLength(2)
      for (const step of steps) {
        expect(step.warnings).toEqual([
          expect.stringContaining('less than min-validity-seconds (600)')
        ])
      }
    } finally {
      await short.close()
    }
  })

  it('asks again for another client id, secret or URL; each identity keeps its own', async () => {
    const otherSecret = 'another-secret-of-us-client'
    const scripted = '5c1f0e9a-8b7d-4c6e-a5f4-3b2a1c0d9e8f'
    const identities = {
      first: usInputs(),
      otherId: {
        ...usInputs(),
        'client-id': EU_ID,
        'client-secret': EU_SECRET
      },
      otherSecret: { ...usInputs(), 'client-secret': otherSecret },
      otherUrl: { ...usInputs(), 'auth-url': eu.url }
    }
    const before = requests()
    const tokens: Record<string, string | undefined> = {}
    for (const [name, inputs] of Object.entries(identities)) {
      // Torq would know the key by its new secret; the server here only by the old.
      if (name === 'otherSecret') {
        us.script(
          replies.json(200, {
            access_token: scripted,
            expires_in: 3600,
            token_type: 'Bearer'
          })
        )
      }
      const step = await job.step({ inputs })
      expect([name, step.outputs['reused']]).toEqual([name, 'false'])
      tokens[name] = step.outputs['token']
    }
    expect(requests() - before).toBe(4)
    expect(tokens['otherSecret']).toBe(scripted)
    expect(new Set(Object.values(tokens)).size).toBe(4)
    for (const [name, inputs] of Object.entries(identities)) {
      const step = await job.step({ inputs })
      expect([name, step.outputs['token'], step.outputs['reused']]).toEqual([
        name,
        tokens[name],
        'true'
      ])
    }
    expect(requests() - before).toBe(4)
  })

  it('keeps two accounts apart: a us and an eu identity, two variables', async () => {
    const before = [us.requests.length, eu.requests.length]
    const usStep = { inputs: { ...usInputs(), 'env-var': 'TORQ_US_TOKEN' } }
    const euStep = { inputs: { ...euInputs(), 'env-var': 'TORQ_EU_TOKEN' } }
    const steps = [
      await job.step(usStep),
      await job.step(euStep),
      await job.step(usStep),
      await job.step(euStep)
    ]
    expect([
      us.requests.length - (before[0] ?? 0),
      eu.requests.length - (before[1] ?? 0)
    ]).toEqual([1, 1])
    const [usToken, euToken] = [us.tokens.at(-1), eu.tokens.at(-1)]
    expect(usToken).not.toBe(euToken)
    expect(steps.map((step) => step.outputs['token'])).toEqual([
      usToken,
      euToken,
      usToken,
      euToken
    ])
    expect(steps.map((step) => step.outputs['reused'])).toEqual([
      'false',
      'false',
      'true',
      'true'
    ])
    expect(job.exported).toEqual({
      TORQ_US_TOKEN: usToken,
      TORQ_EU_TOKEN: euToken
    })
    expect(steps[3]?.exported).toEqual({ TORQ_EU_TOKEN: euToken })
  })

  it('asks Torq once for a composite action used twice, its inputs passed through', async () => {
    // A composite's `with: reuse-token: ${{ inputs.reuse-token }}` passes an
    // empty string for each of its inputs the workflow leaves out.
    const passedThrough = {
      ...Object.fromEntries(
        [
          'region',
          'export-env',
          'env-var',
          'retries',
          'rate-limit-wait-seconds',
          'timeout-seconds',
          'reuse-token',
          'min-validity-seconds'
        ].map((name) => [name, ''])
      ),
      ...usInputs()
    }
    const before = requests()
    const steps = [
      await job.step({ inputs: passedThrough }),
      await job.step({ inputs: passedThrough })
    ]
    expect(requests() - before).toBe(1)
    expect(steps.map((step) => step.outputs['reused'])).toEqual([
      'false',
      'true'
    ])
    expect(steps[1]?.outputs['token']).toBe(steps[0]?.outputs['token'])
    expect(steps[1]?.exported).toEqual({
      TORQ_ACCESS_TOKEN: steps[0]?.outputs['token']
    })
  })

  it('leaves no form of the secret in any file under RUNNER_TEMP', async () => {
    await job.step({ inputs: usInputs() })
    await job.step({ inputs: euInputs() })
    await job.step({ inputs: usInputs() })
    const files = job.files()
    expect(files.map((file) => file.path)).toContain(STATE_FILE)
    const forms = [
      ...secretForms(US_ID, US_SECRET),
      ...secretForms(EU_ID, EU_SECRET)
    ]
    for (const { path, bytes } of files) {
      for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
        const folded = text.toLowerCase()
        for (const form of forms) {
          expect([path, folded.includes(form.toLowerCase())]).toEqual([
            path,
            false
          ])
        }
      }
    }
  })
})

describe('a state file tampered with between steps', () => {
  const marker = () => join(job.runnerTemp, 'touched')
  const statePath = () => join(job.runnerTemp, STATE_FILE)
  /** The genuine state's entry for the us identity, as step 1 wrote it. */
  const genuine = () => {
    const state = JSON.parse(readFileSync(statePath(), 'utf8')) as {
      entries: Record<string, Record<string, unknown>>
    }
    const id = identityOf(US_ID, US_SECRET, new URL(us.url).href)
    return { state, id, entry: state.entries[id.fingerprint] ?? {} }
  }
  const rewrite = (text: string | Buffer) => {
    rmSync(statePath())
    writeFileSync(statePath(), text, { mode: 0o600 })
  }

  const tamperings: [string, string, () => string[]][] = [
    [
      'a shell-syntax token, sealed as this action would',
      'the kept token fails the checks of a fresh one or was not written by this action',
      () => {
        const { state, id, entry } = genuine()
        const planted = `abc$(touch ${marker()})`
        state.entries[id.fingerprint] = {
          ...sealEntry(id, {
            token: planted,
            expiresAt: Number(entry['expiresAt']),
            tokenType: 'Bearer'
          })
        }
        rewrite(JSON.stringify(state))
        return [planted]
      }
    ],
    [
      'a well-formed token not sealed with the secret',
      'the kept token fails the checks of a fresh one or was not written by this action',
      () => {
        const { state, id, entry } = genuine()
        const planted = 'planted-0123456789abcdef'
        state.entries[id.fingerprint] = { ...entry, token: planted }
        rewrite(JSON.stringify(state))
        return [planted]
      }
    ],
    [
      'garbage bytes',
      'the job state file is not JSON',
      () => {
        rewrite(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x0a, 0x1b, 0x5b]))
        return []
      }
    ],
    [
      'a symbolic link to a copy of the genuine state',
      'the job state file is a symbolic link',
      () => {
        const copy = join(job.runnerTemp, 'copy.json')
        writeFileSync(copy, readFileSync(statePath()), { mode: 0o600 })
        rmSync(statePath())
        symlinkSync(copy, statePath())
        return []
      }
    ],
    [
      'another format',
      "the job state file is not in this action's format",
      () => {
        const { state } = genuine()
        rewrite(JSON.stringify({ ...state, version: 2 }))
        return []
      }
    ],
    [
      'mode 0644',
      'the job state file has mode 0644, not 0600',
      () => {
        chmodSync(statePath(), 0o644)
        return []
      }
    ]
  ]

  it.each(tamperings)('ignores %s and asks Torq', async (_, reason, tamper) => {
    const first = await job.step({ inputs: usInputs() })
    const planted = tamper()
    const before = us.requests.length
    const second = await job.step({ inputs: usInputs() })
    expect(us.requests.length - before).toBe(1)
    expect(isFresh(second, us.tokens.at(-1))).toBe(true)
    expect(second.outputs['token']).not.toBe(first.outputs['token'])
    expect(second.log).toContain(
      `::debug::No token of an earlier step reused: ${reason}.`
    )
    for (const value of planted) {
      expect(second.log).not.toContain(value)
      expect(Object.values(second.outputs)).not.toContain(value)
      expect(Object.values(job.exported)).not.toContain(value)
    }
    expect(existsSync(marker())).toBe(false)
    // The fresh token replaced what was planted: the next step reuses it.
    const third = await job.step({ inputs: usInputs() })
    expect(third.outputs).toMatchObject({
      token: second.outputs['token'],
      reused: 'true'
    })
  })
})
