// The bundle under Node 24 behind a real forward proxy (the npm package
// `proxy`, in a process of its own): the tunnel, credentials, TLS to the
// proxy, NO_PROXY, a default port, and a tunnelled server that never answers.
// The proxy's name resolution (`routes`) sends Torq's real host names to a
// local TLS server, as DNS would send them to Torq.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { makeCertificates } from '../../test/support/certs.js'
import {
  portForwarding,
  startForwardProxy
} from '../../test/support/forward-proxy.js'
import { runAction } from '../../test/support/runner.js'
import {
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import {
  credentials,
  expectOneError,
  expectToken,
  node,
  type Result
} from './helpers.js'

type Proxy = Awaited<ReturnType<typeof startForwardProxy>>

const USER = 'proxy-user'
// Every character that must be percent-encoded in a URL's password.
const PASSWORD = 'Pr0xy@pa:ss%w/rd'
const ENCODED = encodeURIComponent(PASSWORD)
const PASSWORD_FORMS = [
  PASSWORD,
  ENCODED,
  Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
]

const certs = makeCertificates([
  'auth.torq.io',
  'auth.eu.torq.io',
  'auth.torq.invalid',
  '127.0.0.1'
])
let torq: TorqServer
let open: Proxy
let guarded: Proxy
let guardedTls: Proxy

beforeAll(async () => {
  torq = await startTorqServer({ tls: { key: certs.key, cert: certs.cert } })
  const local = `127.0.0.1:${torq.port}`
  const routes = {
    'auth.torq.io:443': local,
    'auth.eu.torq.io:443': local,
    'auth.torq.invalid:443': local
  }
  const tls = { key: certs.key, cert: certs.cert }
  ;[open, guarded, guardedTls] = await Promise.all([
    startForwardProxy({ routes }),
    startForwardProxy({ routes, credentials: `${USER}:${PASSWORD}` }),
    startForwardProxy({ routes, credentials: `${USER}:${PASSWORD}`, tls })
  ])
})
afterAll(async () => {
  await Promise.all([torq, open, guarded, guardedTls].map((p) => p.close()))
  certs.dispose()
})

/** `proxy`'s URL with `userinfo`, on `host`. */
const withUser = (
  p: Proxy,
  userinfo = `${USER}:${ENCODED}`,
  host = '127.0.0.1'
) => p.url.replace('://127.0.0.1', `://${userinfo}@${host}`)

interface Via extends Result {
  /** The CONNECT targets the proxy saw, and the requests Torq got, in this run. */
  connects: string[]
  hosts: (string | undefined)[]
}

/** Runs the bundle with `env` (the CA trusted), noting what `proxy` and Torq saw. */
async function runVia(
  proxy: Proxy,
  env: Record<string, string>,
  inputs: Record<string, string> = {}
): Promise<Via> {
  const before = [proxy.connects.length, torq.requests.length] as const
  const result = await runAction({
    node,
    inputs: { ...credentials, ...inputs },
    env: { NODE_EXTRA_CA_CERTS: certs.caFile, ...env }
  })
  return {
    ...result,
    connects: proxy.connects.slice(before[0]),
    hosts: torq.requests.slice(before[1]).map((r) => r.headers.host)
  }
}

/** No form of the proxy password reaches what the runner shows. */
function expectNoPassword(result: Result) {
  for (const form of PASSWORD_FORMS) {
    expect([form, result.reveals(form)]).toEqual([form, false])
  }
}

describe('through a proxy that needs no credentials', () => {
  it('tunnels the default us endpoint through HTTPS_PROXY, and says so', async () => {
    const result = await runVia(open, { HTTPS_PROXY: open.url })
    expectToken(result, torq.tokens.at(-1))
    expect(result.connects).toEqual(['auth.torq.io:443'])
    expect(result.hosts).toEqual(['auth.torq.io'])
    expect(result.shown).toMatch(
      new RegExp(
        `Route to auth.torq.io:443: through .*:${open.port} from HTTPS_PROXY, without credentials`
      )
    )
  })

  it('tunnels the eu endpoint through https_proxy, which wins over HTTPS_PROXY', async () => {
    const result = await runVia(
      open,
      { https_proxy: open.url, HTTPS_PROXY: withUser(guarded) },
      { region: 'eu' }
    )
    expectToken(result, torq.tokens.at(-1))
    expect(result.connects).toEqual(['auth.eu.torq.io:443'])
    expect(result.hosts).toEqual(['auth.eu.torq.io'])
    expect(result.outputs['api-url']).toBe('https://api.eu.torq.io')
    expect(result.shown).toMatch(/through .* from https_proxy/)
  })

  it('goes around it for a NO_PROXY host, where the name does not resolve', async () => {
    const authUrl = 'https://auth.torq.invalid/v1/auth/token'
    const proxied = await runVia(
      open,
      { HTTPS_PROXY: open.url },
      { 'auth-url': authUrl }
    )
    expectToken(proxied, torq.tokens.at(-1))
    expect(proxied.connects).toEqual(['auth.torq.invalid:443'])
    const direct = await runVia(
      open,
      { HTTPS_PROXY: open.url, no_proxy: 'example.com, .torq.invalid' },
      // Bounded, should this machine's resolver be slow to say no.
      { 'auth-url': authUrl, retries: '0', 'timeout-seconds': '3' }
    )
    expect(expectOneError(direct)).toContain('auth.torq.invalid')
    expect(direct.connects).toEqual([])
    expect(direct.shown).toContain(
      'direct (no_proxy matches auth.torq.invalid)'
    )
  })

  it('ends at timeout-seconds when the tunnelled server never answers, and exits', async () => {
    torq.script(replies.hang())
    const result = await runVia(
      open,
      { HTTPS_PROXY: open.url },
      { retries: '0', 'timeout-seconds': '0.3' }
    )
    expect(expectOneError(result)).toMatch(
      /auth\.torq\.io through the proxy .* within 0\.3 s \(timeout-seconds\)/
    )
    expect(result.connects).toEqual(['auth.torq.io:443'])
  })
})

describe('through a proxy that wants credentials', () => {
  it('sends the percent-encoded user and password decoded; shows no form of the password', async () => {
    const result = await runVia(guarded, { HTTPS_PROXY: withUser(guarded) })
    expectToken(result, torq.tokens.at(-1))
    expect(result.connects).toEqual(['auth.torq.io:443'])
    expect(result.shown).toMatch(/from HTTPS_PROXY, with credentials/)
    expectNoPassword(result)
    // Masked before the first line that is not a mask.
    const lines = result.log.split('\n')
    const masks = lines.slice(
      0,
      lines.findIndex((l) => !l.startsWith('::add-mask::'))
    )
    for (const form of PASSWORD_FORMS) {
      expect(masks).toContainEqual(`::add-mask::${form.replaceAll('%', '%25')}`)
    }
  })

  it('speaks TLS to an https:// proxy', async () => {
    // By address: no server name is sent (nor a DEP0123 warning printed).
    const url = withUser(guardedTls)
    const result = await runVia(guardedTls, { HTTPS_PROXY: url })
    expectToken(result, torq.tokens.at(-1))
    expect(result.connects).toEqual(['auth.torq.io:443'])
    expect(result.shown).toMatch(/through the proxy 127\.0\.0\.1:\d+ over TLS/)
    expectNoPassword(result)
  })

  it('reaches port 80 for a proxy URL without a port', async () => {
    // Whatever connects to 127.0.0.1:80 reaches the proxy instead.
    const forward = portForwarding({
      '127.0.0.1:80': `127.0.0.1:${guarded.port}`
    })
    const result = await runVia(guarded, {
      ...forward,
      HTTPS_PROXY: `http://${USER}:${ENCODED}@127.0.0.1`
    })
    expectToken(result, torq.tokens.at(-1))
    expect(result.connects).toEqual(['auth.torq.io:443'])
    expect(result.shown).toContain('through the proxy 127.0.0.1:80 from')
  })

  it.each([
    [
      'wrong credentials',
      `${USER}:not-the-password`,
      /rejected the credentials/
    ],
    ['no credentials', '', /wants credentials/]
  ])(
    'fails at once on a 407 for %s, naming the proxy; Torq gets nothing',
    async (_case, userinfo, why) => {
      const url = userinfo ? withUser(guarded, userinfo) : guarded.url
      const result = await runVia(guarded, { HTTPS_PROXY: url })
      const error = expectOneError(result)
      expect(error).toMatch(why)
      expect(error).toContain(`127.0.0.1:${guarded.port} (from HTTPS_PROXY)`)
      expect(error).toContain('407')
      expect(result.connects).toHaveLength(1)
      expect(result.hosts).toEqual([])
      expect(result.reveals('not-the-password')).toBe(false)
    }
  )

  it('fails at once when https:// names a proxy that speaks plain HTTP', async () => {
    const url = withUser(guarded, undefined, 'localhost').replace(
      'http:',
      'https:'
    )
    const result = await runVia(guarded, { HTTPS_PROXY: url })
    const error = expectOneError(result)
    expect(error).toMatch(/does not speak TLS.*write http:\/\//)
    expect(result.connects).toEqual([])
    expect(result.shown).not.toContain('Retrying')
    expectNoPassword(result)
  })
})
