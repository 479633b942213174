import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { run } from '../../src/main.js'
import { proxySecretForms, secretForms } from '../../src/secrets.js'
import { emulateRunner, runAgainst } from '../../test/support/in-process.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const START = Date.parse('2026-11-28T16:00:00.000Z')

describe('run', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  const runWith = (
    inputs: Record<string, string>,
    randoms = [0.5],
    env: Record<string, string | undefined> = {}
  ) => runAgainst(server, inputs, randoms, START, env)

  it('masks the secret, gets a token, masks it, then publishes it', async () => {
    const result = await runWith({})
    const token = server.tokens.at(-1) ?? ''
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
    expect(result.masks).toEqual([
      ...secretForms(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
      token
    ])
    expect(result.masks.slice(0, 2)).toEqual([
      DEMO_CLIENT_SECRET,
      Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')
    ])
    expect(result.log).toContain(
      `Requesting a Torq API token from ${server.url} (auth-url).\n::debug::Token request attempt 1.\n`
    )
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
    expect(result.writtenBefore(`::add-mask::${token}`)).toBe(0)
    expect(result.reveals(token)).toBe(false)
    // Exact wording: transcript.txt.
    expect(result.shown).toMatch(
      /^Got a Torq API token \(Bearer, .*3600.*2026-11-28T17:00:00\.000Z\).*\$TORQ_ACCESS_TOKEN/m
    )
  })

  it('masks the proxy password first, then says the route once', async () => {
    const password = 'Pr0xy@pass:w%rd'
    const env = {
      HTTPS_PROXY: `http://user:${encodeURIComponent(password)}@proxy.invalid:3128`
    }
    server.script(replies.json(503, {}))
    const result = await runWith({}, [0.5], env)
    const token = server.tokens.at(-1) ?? ''
    expect(result.exitCode).toBeUndefined()
    expect(result.requests).toHaveLength(2)
    expect(result.masks).toEqual([
      ...secretForms(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
      ...proxySecretForms(env),
      token
    ])
    expect(result.masks).toEqual(
      expect.arrayContaining([password, encodeURIComponent(password)])
    )
    const lines = result.log
      .split('\n')
      .filter((line) => !line.startsWith('::debug::'))
    const masked = lines.findIndex((line) => !line.startsWith('::add-mask::'))
    expect(masked).toBe(result.masks.length - 1)
    expect(lines.slice(masked, masked + 2)).toEqual([
      `Route to ${new URL(server.url).host}: direct (loopback addresses never go through a proxy).`,
      `Requesting a Torq API token from ${server.url} (auth-url).`
    ])
    expect(result.shown.match(/Route to/g)).toHaveLength(1)
    expect(result.warnings).toEqual([])
    expect(result.reveals(password)).toBe(false)
  })

  it('warns when a proxy variable is no URL it can use, and goes direct', async () => {
    const result = await runWith(
      { 'auth-url': 'https://auth.torq.invalid/v1/auth/token', retries: '0' },
      [0.5],
      { https_proxy: 'proxy.corp:3128' }
    )
    expect(result.exitCode).toBe(1)
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Route to auth\.torq\.invalid:443: direct \(https_proxy is set but is not a proxy URL this action can use\)\. Write it as http:\/\/host:port/
      )
    ])
    expect(result.errors).toEqual([
      expect.stringMatching(/auth\.torq\.invalid/)
    ])
  })

  it('exports under another name, or not at all', async () => {
    const named = await runWith({ 'env-var': 'TORQ_TOKEN' })
    expect(Object.keys(named.exported)).toEqual(['TORQ_TOKEN'])
    const none = await runWith({ 'export-env': 'false' })
    expect(none.exported).toEqual({})
    expect(none.outputs['token']).toBe(server.tokens.at(-1))
    expect(none.shown).toContain(
      'Got a Torq API token (Bearer, valid for 3600 s until 2026-11-28T17:00:00.000Z). It is in the step output token.\n'
    )
  })

  it('leaves expires-in and expires-at empty, with a warning, when expires_in is missing', async () => {
    server.script(
      replies.json(200, {
        access_token: 'tok-no-expiry-0123456789',
        token_type: 'Bearer'
      })
    )
    const result = await runWith({})
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs).toEqual({
      token: 'tok-no-expiry-0123456789',
      'token-type': 'Bearer',
      'expires-in': '',
      'expires-at': '',
      reused: 'false',
      'api-url': ''
    })
    expect(result.warnings).toEqual([
      expect.stringContaining('no usable expires_in')
    ])
    expect(result.shown).toContain('Got a Torq API token (Bearer). It is in')
  })

  it('counts expires-at from when the successful request was sent', async () => {
    server.script(
      replies.json(503, {}),
      replies.json(200, { access_token: 'tok-late-0123456789', expires_in: 60 })
    )
    const result = await runWith({}, [0.5])
    expect(result.sleeps).toEqual([500])
    expect(result.outputs['expires-at']).toBe('2026-11-28T16:01:00.500Z')
  })

  it('retries transient failures and logs each retry', async () => {
    server.script(
      replies.text(500, 'text/html', '<html>oops</html>'),
      replies.json(503, { error: 'temporarily_unavailable' }),
      replies.json(502, {})
    )
    const result = await runWith({}, [0.5])
    expect(result.exitCode).toBeUndefined()
    expect(result.requests).toHaveLength(4)
    expect(result.sleeps).toEqual([500, 1000, 2000])
    // One line per retry, naming the attempt, what failed and the retry
    // (exact wording: transcript.txt).
    expect(result.shown.match(/^Attempt \d.*$/gm)).toEqual([
      expect.stringMatching(
        /^Attempt 1 failed: .*HTTP 500, not JSON: content type text\/html.*retry 1 of 3/
      ),
      expect.stringMatching(
        /^Attempt 2 failed: .*HTTP 503, temporarily_unavailable.*retry 2 of 3/
      ),
      expect.stringMatching(/^Attempt 3 failed: .*HTTP 502.*retry 3 of 3/)
    ])
    expect(result.shown).not.toContain('oops')
  })

  it('waits out 429s without using up the retries, logging each', async () => {
    server.script(
      replies.json(429, {}, { 'Retry-After': '2' }),
      replies.json(503, {}),
      replies.json(429, {}),
      replies.json(429, {}, { 'Retry-After': '1' }),
      replies.json(502, {}),
      replies.json(500, {})
    )
    const result = await runWith({}, [0.5])
    expect(result.exitCode).toBeUndefined()
    expect(result.requests).toHaveLength(7)
    expect(result.sleeps).toEqual([3300, 500, 2600, 4900, 1000, 2000])
    // A 429 counts against rate-limit-wait-seconds, not the retries (exact
    // wording: transcript.txt).
    const lines = result.shown.match(/^Attempt \d.*$/gm) ?? []
    expect(lines).toHaveLength(6)
    expect(lines[0]).toMatch(
      /^Attempt 1 failed: .*HTTP 429.*3\.3 ?s.*HTTP 429 number 1.*120 ?s of rate-limit-wait-seconds/
    )
    expect(lines[1]).toMatch(/^Attempt 2 failed: .*HTTP 503.*retry 1 of 3/)
    expect(lines[3]).toMatch(
      /^Attempt 4 failed: .*HTTP 429.*HTTP 429 number 3.*10\.8 ?s of the 120 ?s/
    )
    expect(lines[5]).toMatch(/retry 3 of 3/)
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
  })

  it('fails when rate-limit-wait-seconds is used up, saying how many 429s and how long', async () => {
    server.script(...Array.from({ length: 3 }, () => replies.json(429, {})))
    const result = await runWith({ 'rate-limit-wait-seconds': '3' }, [0.5])
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(3)
    expect(result.sleeps).toEqual([1300, 1700])
    // Exact wording: transcript.txt.
    expect(result.errors).toEqual([
      expect.stringMatching(
        /HTTP 429.*3 answers HTTP 429.*all of rate-limit-wait-seconds.*max-parallel.*3 attempts/
      )
    ])
    expect(result.outputs).toEqual({})
  })

  it('fails at once on a 429 asking for more than is left, naming the wait and the input', async () => {
    server.script(
      replies.json(429, {}, { 'Retry-After': '2' }),
      replies.json(429, {}, { 'Retry-After': '2' })
    )
    const result = await runWith({ 'rate-limit-wait-seconds': '4' }, [0.5])
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(2)
    expect(result.sleeps).toEqual([3300])
    expect(result.errors).toEqual([
      'The token request failed (HTTP 429). Rate limited: 2 answers HTTP 429 and 3.3 s waited; the server asked to retry after 2 s, more than the 0.7 s left of rate-limit-wait-seconds (4 s). Not retrying. Raise rate-limit-wait-seconds, or start fewer jobs at once (max-parallel). (2 attempts made)'
    ])
  })

  it('counts a 429 under retries with rate-limit-wait-seconds: 0', async () => {
    server.script(
      replies.json(429, {}, { 'Retry-After': '2' }),
      replies.json(429, {})
    )
    const result = await runWith(
      { 'rate-limit-wait-seconds': '0', retries: '1' },
      [0.5]
    )
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(2)
    expect(result.sleeps).toEqual([2250])
    expect(result.shown).toContain(
      'Attempt 1 failed: The token request failed (HTTP 429). Retrying in 2.2 s (retry 1 of 1).\n'
    )
    expect(result.errors).toEqual([
      'The token request failed (HTTP 429). (2 attempts made)'
    ])
  })

  it('fails after the retries are used up, writing nothing', async () => {
    server.script(...Array.from({ length: 3 }, () => replies.json(502, {})))
    const result = await runWith({ retries: '2' })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(3)
    expect(result.errors).toEqual([
      expect.stringMatching(/HTTP 502.*3 attempts/)
    ])
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
  })

  it('fails at once on rejected credentials', async () => {
    const result = await runWith({ 'client-secret': 'not-the-secret' })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(1)
    expect(result.errors).toEqual([
      expect.stringContaining('Torq rejected the client credentials')
    ])
    expect(result.reveals('not-the-secret')).toBe(false)
  })

  it('masks the secret before a server that echoes it can show it', async () => {
    const basic = Buffer.from(
      `${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`
    ).toString('base64')
    server.script(
      replies.json(400, {
        error: 'invalid_request',
        error_description: `got ${DEMO_CLIENT_SECRET} / ${basic}`
      })
    )
    const result = await runWith({})
    expect(result.exitCode).toBe(1)
    expect(result.masks.slice(0, 2)).toEqual([DEMO_CLIENT_SECRET, basic])
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
    expect(result.reveals(basic)).toBe(false)
  })

  it('writes no output and no variable for a token it refuses', async () => {
    server.script(
      replies.json(200, {
        access_token: 'tok\nTORQ_X=1',
        token_type: 'Bearer',
        expires_in: 3600
      })
    )
    const result = await runWith({})
    expect(result.exitCode).toBe(1)
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
    expect(result.log).not.toContain('TORQ_X')
  })

  it('says so when the secret did not arrive, with the real clock untouched', async () => {
    const finish = emulateRunner({
      'client-id': DEMO_CLIENT_ID,
      'client-secret': ''
    })
    await run()
    const result = finish()
    expect(result.exitCode).toBe(1)
    expect(result.masks).toEqual([])
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Input 'client-secret' is empty.*forks or by Dependabot/
      )
    ])
  })

  it('reports one bad input as the failure, before any request', async () => {
    const result = await runWith({ region: 'ap', 'auth-url': '' })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(0)
    expect(result.errors).toEqual([
      expect.stringMatching(/^Input 'region' must be one of us, eu/)
    ])
  })

  it('reports several bad inputs one per line, then a summary', async () => {
    const result = await runWith({
      'client-id': '',
      retries: 'x',
      'timeout-seconds': '-1'
    })
    expect(result.exitCode).toBe(1)
    expect(result.requests).toHaveLength(0)
    expect(result.errors).toEqual([
      expect.stringMatching(/^Input 'client-id' is empty/),
      expect.stringMatching(/^Input 'retries'/),
      expect.stringMatching(/^Input 'timeout-seconds'/),
      expect.stringMatching(/^3 problems .*no request was made/)
    ])
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
  })

  it.each([
    ['GITHUB_OUTPUT', undefined],
    ['GITHUB_ENV', ''],
    ['GITHUB_ENV', undefined]
  ])(
    'refuses to run with %s %j, before any request and with no workflow command',
    async (variable, value) => {
      const result = await runWith({}, [0.5], { [variable]: value })
      expect(result.exitCode).toBe(1)
      expect(result.requests).toHaveLength(0)
      expect(result.errors).toEqual([
        expect.stringMatching(
          new RegExp(`^The runner's ${variable} variable is unset or empty`)
        )
      ])
      expect(result.commands.map(({ name }) => name)).toEqual(
        result.masks.map(() => 'add-mask').concat('error')
      )
    }
  )

  it('reports a missing runner file with the bad inputs', async () => {
    const result = await runWith({ retries: 'x' }, [0.5], {
      GITHUB_OUTPUT: ''
    })
    expect(result.requests).toHaveLength(0)
    expect(result.errors).toEqual([
      expect.stringMatching(/^Input 'retries'/),
      expect.stringMatching(/^The runner's GITHUB_OUTPUT variable/),
      '2 problems need fixing (see the errors above); no request was made.'
    ])
  })

  it('publishes through GITHUB_OUTPUT alone with export-env: false', async () => {
    const result = await runWith({ 'export-env': 'false' }, [0.5], {
      GITHUB_ENV: undefined
    })
    expect(result.exitCode).toBeUndefined()
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
    expect(result.commands.map(({ name }) => name)).not.toContain('set-env')
  })

  it('masks a multi-line secret line by line before refusing it', async () => {
    const result = await runWith({
      'client-secret': 'first-line\n\nsecond-line'
    })
    expect(result.exitCode).toBe(1)
    expect(result.masks.slice(0, 3)).toEqual([
      'first-line\n\nsecond-line',
      'first-line',
      'second-line'
    ])
    expect(result.masks).toEqual(
      expect.arrayContaining(
        secretForms(DEMO_CLIENT_ID, 'first-line\n\nsecond-line')
      )
    )
    expect(result.errors).toEqual([
      expect.stringContaining("Input 'client-secret' contains a line break")
    ])
  })

  it('turns a thrown non-Error into a failure', async () => {
    const finish = emulateRunner({
      'client-id': DEMO_CLIENT_ID,
      'client-secret': 's',
      'auth-url': server.url
    })
    const clock = {
      now: () => START,
      random: () => 0,
      sleep: async () => {},
      deadline: () => new AbortController().signal
    }
    await run({
      ...clock,
      now: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error on purpose
        throw 'clock broke'
      }
    })
    const result = finish()
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual(['Unexpected failure: clock broke'])
  })

  it('quotes the message of an unexpected Error, secret cut and inert', async () => {
    const finish = emulateRunner({
      'client-id': DEMO_CLIENT_ID,
      'client-secret': DEMO_CLIENT_SECRET,
      'auth-url': server.url
    })
    await run({
      now: () => {
        throw new Error(
          `broke ##[stop-commands]x ${DEMO_CLIENT_SECRET.toUpperCase()}`
        )
      },
      random: () => 0,
      sleep: async () => {},
      deadline: () => new AbortController().signal
    })
    const result = finish()
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      'Unexpected failure: broke # #[stop-commands]x ***'
    ])
  })
})
