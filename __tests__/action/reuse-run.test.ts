// The wiring of token reuse: its inputs, the api-url output, and run() in
// process publishing a token again within one job (one RUNNER_TEMP).
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiUrlFor, TOKEN_URLS } from '../../src/defaults.js'
import { InputError } from '../../src/errors.js'
import { readInputs } from '../../src/inputs.js'
import { STATE_FILE } from '../../src/job-state.js'
import { publishToken } from '../../src/publish.js'
import { emulateRunner, runAgainst } from '../../test/support/in-process.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const START = Date.parse('2026-11-28T16:00:00.000Z')
const RUNNER_FILES = {
  GITHUB_OUTPUT: '/runner/output',
  GITHUB_ENV: '/runner/env'
}

function problems(inputs: Record<string, string>): readonly string[] {
  try {
    readInputs(
      (name) =>
        (
          ({ 'client-id': 'id', 'client-secret': 's', ...inputs }) as Record<
            string,
            string
          >
        )[name] ?? '',
      RUNNER_FILES
    )
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  return []
}

describe('reuse-token and min-validity-seconds', () => {
  it('take a YAML boolean and whole seconds from 0 to 3000, empty for the default', () => {
    const read = (inputs: Record<string, string>) =>
      readInputs(
        (name) =>
          (
            ({ 'client-id': 'id', 'client-secret': 's', ...inputs }) as Record<
              string,
              string
            >
          )[name] ?? '',
        RUNNER_FILES
      )
    expect(read({})).toMatchObject({
      reuseToken: true,
      minValiditySeconds: 600
    })
    expect(
      read({ 'reuse-token': 'False', 'min-validity-seconds': '0' })
    ).toMatchObject({
      reuseToken: false,
      minValiditySeconds: 0
    })
    expect(
      read({ 'reuse-token': 'TRUE', 'min-validity-seconds': '3000' })
    ).toMatchObject({
      reuseToken: true,
      minValiditySeconds: 3000
    })
  })

  it.each(['yes', 'on', '1', 'tru'])(
    'refuses reuse-token %j, naming it',
    (value) => {
      expect(problems({ 'reuse-token': value })).toEqual([
        "Input 'reuse-token' must be true or false."
      ])
    }
  )

  it.each(['3001', '9999', '10000', '-1', '1.5', '6e2', '0x10', 'ten'])(
    'refuses min-validity-seconds %j, naming it and its range',
    (value) => {
      expect(problems({ 'min-validity-seconds': value })).toEqual([
        "Input 'min-validity-seconds' must be a whole number from 0 to 3000: how many seconds a token from an earlier step of the job must stay valid to be used again."
      ])
    }
  )

  it('are reported with the other input problems', () => {
    expect(
      problems({
        retries: 'many',
        'reuse-token': 'y',
        'min-validity-seconds': 'x'
      })
    ).toEqual([
      expect.stringContaining("'retries'"),
      expect.stringContaining("'reuse-token'"),
      expect.stringContaining("'min-validity-seconds'")
    ])
  })
})

describe('apiUrlFor', () => {
  it('is published as api-url for the region', () => {
    for (const [region, api] of [
      ['us', 'https://api.torq.io'],
      ['eu', 'https://api.eu.torq.io']
    ]) {
      const finish = emulateRunner({})
      const settings = readInputs(
        (name) =>
          (
            ({ 'client-id': 'id', 'client-secret': 's', region }) as Record<
              string,
              string
            >
          )[name] ?? '',
        process.env
      )
      publishToken(
        {
          accessToken: 'a'.repeat(36),
          tokenType: 'Bearer',
          expiresIn: 3600,
          sentAt: START
        },
        settings
      )
      expect(finish().outputs['api-url']).toBe(api)
    }
  })

  it.each([
    [TOKEN_URLS.us, 'https://api.torq.io'],
    [TOKEN_URLS.eu, 'https://api.eu.torq.io'],
    ['https://AUTH.torq.io:443/v1/auth/token', 'https://api.torq.io'],
    ['https://auth.torq.io/v1/auth/token/', ''],
    ['https://auth.torq.io/v1/auth/token?region=eu', ''],
    ['https://auth.eu.torq.io/v1/auth/tokens', ''],
    ['https://auth.torq.io.example/v1/auth/token', ''],
    ['http://127.0.0.1:8080/v1/auth/token', '']
  ])('names the API host of %s: %j', (url, api) => {
    expect(apiUrlFor(new URL(url))).toBe(api)
  })
})

describe('run() within one job', () => {
  let server: TorqServer
  let temp: string
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())
  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'torq-reuse-run-'))
  })
  afterEach(() => rmSync(temp, { recursive: true, force: true }))

  const step = (inputs: Record<string, string> = {}, at = START, env = {}) =>
    runAgainst(server, inputs, [0.5], at, { RUNNER_TEMP: temp, ...env })

  it('publishes the token again, masked first, and sends no request', async () => {
    const first = await step()
    const token = first.outputs['token'] ?? ''
    expect(first.requests).toHaveLength(1)
    expect(first.outputs['reused']).toBe('false')
    const second = await step({ 'env-var': 'TORQ_SECOND' }, START + 650_250)
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
    expect(
      second.log.split('\n').filter((line) => !line.startsWith('::add-mask::'))
    ).toEqual([
      "Reusing this job's Torq API token from an earlier step (valid for 2949 s more, until 2026-11-28T17:00:00.000Z); no request sent.",
      ''
    ])
    expect(second.reveals(token)).toBe(false)
  })

  it('asks Torq again with reuse-token false, and keeps nothing', async () => {
    const off = { 'reuse-token': 'false' }
    const runs = [await step(off), await step(off)]
    expect(runs.map((run) => run.requests.length)).toEqual([1, 1])
    expect(runs.map((run) => run.outputs['reused'])).toEqual(['false', 'false'])
    expect(runs[1]?.log).toContain(
      '::debug::Token reuse is off: reuse-token is false.'
    )
    expect(readdirSync(temp)).toEqual([])
  })

  it('asks Torq when RUNNER_TEMP is unset, saying why in a debug line', async () => {
    const result = await step({}, START, { RUNNER_TEMP: '' })
    expect(result.requests).toHaveLength(1)
    expect(result.log).toContain(
      '::debug::Token reuse is off: RUNNER_TEMP is not set.\n'
    )
  })

  it('succeeds when the state cannot be kept, with a debug line', async () => {
    mkdirSync(join(temp, STATE_FILE))
    const result = await step()
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
    expect(result.log).toContain(
      '::debug::The token could not be kept for later steps of this job (EISDIR); they will ask Torq again.'
    )
  })
})

describe('a token shorter-lived than min-validity-seconds', () => {
  it('warns once, naming the input', async () => {
    const server = await startTorqServer({ expiresIn: 599 })
    const temp = mkdtempSync(join(tmpdir(), 'torq-reuse-short-'))
    try {
      const result = await runAgainst(server, {}, [0.5], START, {
        RUNNER_TEMP: temp
      })
      expect(result.warnings).toEqual([
        "Torq's token lasts 599 s, less than min-validity-seconds (600), so no later step can reuse it and each asks Torq again. Set min-validity-seconds below 599 to reuse tokens."
      ])
      const again = await runAgainst(server, {}, [0.5], START + 1000, {
        RUNNER_TEMP: temp
      })
      expect(again.requests).toHaveLength(1)
    } finally {
      rmSync(temp, { recursive: true, force: true })
      await server.close()
    }
  })
})
