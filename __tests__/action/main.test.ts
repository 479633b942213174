// The wiring of run(): masks before anything else, every failure turned into
// one setFailed, input problems stopping the run before any request, the
// route line, the attempts slept on the clock, and what is published (all of
// action.yml's outputs, the variable) or not. Exact wording: transcript.txt.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { Clock } from '../../src/clock.js'
import { run } from '../../src/main.js'
import { basic } from '../../src/outside-text.js'
import { emulateRunner, runAgainst } from '../../test/support/in-process.js'
import { readLog, ROOT } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

type Result = Awaited<ReturnType<typeof runAgainst>>

const BASIC = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

let server: TorqServer
beforeAll(async () => {
  server = await startTorqServer()
})
afterAll(() => server.close())

const runWith = (
  inputs: Record<string, string> = {},
  env: Record<string, string | undefined> = {}
) => runAgainst(server, inputs, [0.5], undefined, env)

/** The masks registered before the first line that is not one. */
function masksFirst(result: { log: string }): string[] {
  const lines = result.log.split('\n')
  const first = lines.findIndex((line) => !line.startsWith('::add-mask::'))
  return readLog(lines.slice(0, first).join('\n')).masks
}

/** The workflow commands the run gave the runner, by name, masks left out. */
const commandNames = (result: Result) =>
  result.commands.map(({ name }) => name).filter((name) => name !== 'add-mask')

describe('masks', () => {
  const PASSWORD = 'Pr0xy@pass:w%rd'
  const PROXY = `http://user:${encodeURIComponent(PASSWORD)}@proxy.invalid:3128`
  const echo = replies.json(400, {
    error: 'invalid_request',
    error_description: `got ${DEMO_CLIENT_SECRET} / ${BASIC}`
  })

  it.each([
    ['a successful run', {}, {}, []],
    ['bad input', { retries: 'x' }, {}, []],
    ['a server echoing the secret', {}, {}, [echo]],
    ['a proxy password', {}, { HTTPS_PROXY: PROXY }, [], [PASSWORD]]
  ])(
    'come before any other line, and no secret is shown: %s',
    async (_name, inputs, env, script, more: string[] = []) => {
      server.script(...script)
      const result = await runWith(inputs, env)
      const secrets = [DEMO_CLIENT_SECRET, BASIC, ...more]
      expect(masksFirst(result)).toEqual(expect.arrayContaining(secrets))
      for (const secret of secrets) {
        expect([secret, result.reveals(secret)]).toEqual([secret, false])
      }
    }
  )

  it('hide each line of a multi-line secret, refused before any request', async () => {
    const secret = 'first-line\n\nsecond-line'
    const result = await runWith({ 'client-secret': secret })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(0)
    expect(masksFirst(result)).toEqual(
      expect.arrayContaining([secret, 'first-line', 'second-line'])
    )
    expect(result.reveals('first-line')).toBe(false)
    expect(result.reveals('second-line')).toBe(false)
    expect(result.errors).toEqual([expect.stringContaining('client-secret')])
  })

  it('hide the token before any runner file is written', async () => {
    const result = await runWith()
    const token = result.outputs['token'] ?? ''
    expect(token).toBe(server.tokens.at(-1))
    expect(result.writtenBefore(`::add-mask::${token}`)).toBe(0)
    expect(result.masks.at(-1)).toBe(token)
    expect(result.reveals(token)).toBe(false)
  })
})

describe('what a successful run publishes', () => {
  it('sets every output action.yml declares, and nothing else', async () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      outputs: Record<string, unknown>
    }
    const result = await runWith()
    expect(Object.keys(result.outputs).sort()).toEqual(
      Object.keys(action.outputs).sort()
    )
  })

  it('gives the token as outputs and in TORQ_ACCESS_TOKEN', async () => {
    const result = await runWith()
    const token = server.tokens.at(-1)
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs).toEqual({
      token,
      'token-type': 'Bearer',
      'expires-in': '3600',
      'expires-at': '2026-11-28T17:00:00.000Z',
      reused: 'false',
      'api-url': ''
    })
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: token })
    expect(result.warnings).toEqual([])
  })

  it('leaves the lifetime outputs empty, with a warning, when the answer has none', async () => {
    const token = 'tok-no-expiry-0123456789'
    server.script(replies.json(200, { access_token: token }))
    const result = await runWith()
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs).toMatchObject({
      token,
      'expires-in': '',
      'expires-at': ''
    })
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: token })
    expect(result.warnings).toEqual([expect.stringContaining('expires_in')])
  })

  it('exports under the name env-var gives', async () => {
    const result = await runWith({ 'env-var': 'MY_TORQ_TOKEN' })
    expect(result.exported).toEqual({ MY_TORQ_TOKEN: server.tokens.at(-1) })
  })

  it('exports nothing with export-env: false, and needs no GITHUB_ENV then', async () => {
    const result = await runWith(
      { 'export-env': 'false' },
      { GITHUB_ENV: undefined }
    )
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
    expect(result.exported).toEqual({})
  })

  it('writes nothing, and keeps nothing for later steps, when GITHUB_ENV is a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torq-main-'))
    const temp = mkdtempSync(join(tmpdir(), 'torq-main-temp-'))
    try {
      const result = await runWith({}, { GITHUB_ENV: dir, RUNNER_TEMP: temp })
      const token = server.tokens.at(-1) ?? ''
      expect(result.exitCode).toBe(1)
      expect(result.requests).toHaveLength(1)
      expect(result.outputs).toEqual({})
      expect(readdirSync(dir)).toEqual([])
      expect(readdirSync(temp)).toEqual([])
      expect(result.errors).toEqual([expect.stringContaining('GITHUB_ENV')])
      expect(result.masks).toContain(token)
      expect(result.reveals(token)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(temp, { recursive: true, force: true })
    }
  })
})

describe('input problems', () => {
  it.each([
    ['a bad region', { region: 'ap', 'auth-url': '' }, {}, ['region']],
    [
      'GITHUB_OUTPUT unset',
      {},
      { GITHUB_OUTPUT: undefined },
      ['GITHUB_OUTPUT']
    ],
    ['GITHUB_ENV empty', {}, { GITHUB_ENV: '' }, ['GITHUB_ENV']],
    [
      'several at once',
      { 'client-id': '', retries: 'x' },
      { GITHUB_OUTPUT: '' },
      ['client-id', 'retries', 'GITHUB_OUTPUT', '3 problems']
    ]
  ])(
    'stop the run before any request, each named in an error: %s',
    async (_name, inputs, env, named) => {
      const result = await runWith(inputs, env)
      expect(result.exitCode).toBe(1)
      expect(result.requests).toHaveLength(0)
      expect(result.errors).toEqual(
        named.map((name) => expect.stringContaining(name))
      )
      expect(commandNames(result)).toEqual(named.map(() => 'error'))
      expect(result.outputs).toEqual({})
    }
  )

  it('stop a run on the system clock before it is used: the secret did not arrive', async () => {
    const finish = emulateRunner({
      'client-id': DEMO_CLIENT_ID,
      'client-secret': ''
    })
    await run()
    const result = finish()
    expect(result.exitCode).toBe(1)
    expect(result.masks).toEqual([])
    expect(result.errors).toEqual([expect.stringContaining('client-secret')])
  })
})

describe('the route', () => {
  it('is one line, a warning when a proxy variable is no URL the action can use', async () => {
    const result = await runWith(
      { 'auth-url': 'https://auth.torq.invalid/v1/auth/token', retries: '0' },
      { https_proxy: 'proxy.corp:3128' }
    )
    expect(result.exitCode).toBe(1)
    expect(result.warnings).toEqual([
      expect.stringMatching(/auth\.torq\.invalid.*https_proxy/)
    ])
    expect(result.shown.match(/Route to/g)).toHaveLength(1)
    expect(result.errors).toEqual([
      expect.stringContaining('auth.torq.invalid')
    ])
  })

  it('is an information line otherwise', async () => {
    const result = await runWith({}, { HTTPS_PROXY: 'http://proxy.invalid:1' })
    expect(result.exitCode).toBeUndefined()
    expect(result.warnings).toEqual([])
    expect(result.shown).toMatch(/^Route to .*loopback/m)
  })
})

describe('attempts', () => {
  it('sleeps each wait on the clock and numbers each attempt', async () => {
    server.script(
      replies.json(429, {}, { 'Retry-After': '2' }),
      replies.json(503, {}),
      replies.json(429, {}),
      replies.json(429, {}, { 'Retry-After': '1' }),
      replies.json(502, {}),
      replies.json(500, {})
    )
    const result = await runWith()
    expect(result.exitCode).toBeUndefined()
    expect(result.requests).toHaveLength(7)
    // 429s are waited out under rate-limit-wait-seconds, the rest use the
    // three retries: 1 s, 2 s, 4 s of backoff at half (random 0.5).
    expect(result.sleeps).toEqual([3300, 500, 2600, 4900, 1000, 2000])
    expect(result.shown.match(/^Attempt \d+ failed/gm)).toHaveLength(6)
    const attempts = result.commands.flatMap(({ name, data }) =>
      name === 'debug' ? (/attempt (\d+)/.exec(data)?.slice(1) ?? []) : []
    )
    expect(attempts).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    expect(result.outputs['expires-at']).toBe('2026-11-28T17:00:14.300Z')
  })

  it('stop at the first failure that is not transient', async () => {
    const result = await runWith({ 'client-secret': 'not-the-secret' })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(1)
    expect(result.sleeps).toEqual([])
    expect(result.errors).toHaveLength(1)
    expect(result.reveals('not-the-secret')).toBe(false)
  })
})

describe('a failure nobody foresaw', () => {
  /** run() with a clock whose `now` throws `thrown`, as any step could. */
  async function failingWith(thrown: unknown) {
    const finish = emulateRunner({
      'client-id': DEMO_CLIENT_ID,
      'client-secret': DEMO_CLIENT_SECRET,
      'auth-url': server.url
    })
    const clock: Clock = {
      now: () => {
        throw thrown
      },
      uptime: () => 0,
      random: () => 0,
      sleep: () => Promise.resolve(),
      deadline: () => new AbortController().signal
    }
    await run(clock)
    return finish()
  }

  it('is one failure, even when not an Error', async () => {
    const result = await failingWith('clock broke')
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([expect.stringContaining('clock broke')])
  })

  it('is quoted, the secret cut in any case (the runner masks one case)', async () => {
    const result = await failingWith(
      new Error(`broke: ${DEMO_CLIENT_SECRET.toUpperCase()}`)
    )
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([expect.stringContaining('broke')])
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
  })
})
