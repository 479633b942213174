// The bundled action under Node 24 against real network parts: a TLS server
// with a private CA, a real forward proxy, and servers that fail in the ways
// real ones do. Each case states its outcome and how many attempts it takes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { makeCertificates } from '../../test/support/certs.js'
import {
  portForwarding,
  startForwardProxy
} from '../../test/support/forward-proxy.js'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

type Proxy = Awaited<ReturnType<typeof startForwardProxy>>

const node = node24() ?? process.execPath
const credentials = {
  'client-id': DEMO_CLIENT_ID,
  'client-secret': DEMO_CLIENT_SECRET
}

/** Node.js prints its warnings as `(node:PID) ...`; none may reach the log. */
function expectNoNodeWarning(result: { log: string }) {
  expect(result.log).not.toMatch(/\(node:\d+\)|DeprecationWarning|\[DEP\d+\]/)
}

describe('behind a real forward proxy', () => {
  // The TLS server stands in for Torq under its real names; the proxy's name
  // resolution sends those names to it, as DNS would send them to Torq. The
  // same certificate serves the proxies that speak TLS, on 127.0.0.1.
  const certs = makeCertificates([
    'auth.torq.io',
    'auth.eu.torq.io',
    'auth.torq.invalid',
    '127.0.0.1'
  ])
  let torq: TorqServer
  let proxy: Proxy
  let refusing: Proxy
  const env = () => ({ NODE_EXTRA_CA_CERTS: certs.caFile })

  beforeAll(async () => {
    torq = await startTorqServer({ tls: { key: certs.key, cert: certs.cert } })
    proxy = await startForwardProxy({ routes: routesTo(torq) })
    refusing = await startForwardProxy({ refuse: true })
  })
  afterAll(async () => {
    await Promise.all([torq.close(), proxy.close(), refusing.close()])
    certs.dispose()
  })

  it('tunnels the default us endpoint through HTTPS_PROXY, and says so', async () => {
    const before = {
      connects: proxy.connects.length,
      requests: torq.requests.length
    }
    const result = await runAction({
      node,
      inputs: credentials,
      env: { ...env(), HTTPS_PROXY: proxy.url }
    })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['token']).toBe(torq.tokens.at(-1))
    expect(proxy.connects.slice(before.connects)).toEqual(['auth.torq.io:443'])
    expect(
      torq.requests.slice(before.requests).map((r) => r.headers.host)
    ).toEqual(['auth.torq.io'])
    expect(result.shown).toContain(
      `Route to auth.torq.io:443: through the proxy 127.0.0.1:${proxy.port} from HTTPS_PROXY, without credentials.\n`
    )
    expectNoNodeWarning(result)
  })

  it('tunnels the eu endpoint through https_proxy, which wins over HTTPS_PROXY', async () => {
    const before = proxy.connects.length
    const result = await runAction({
      node,
      inputs: { ...credentials, region: 'eu' },
      env: { ...env(), https_proxy: proxy.url, HTTPS_PROXY: refusing.url }
    })
    expect(result.exitCode).toBe(0)
    expect(proxy.connects.slice(before)).toEqual(['auth.eu.torq.io:443'])
    expect(refusing.connects).toEqual([])
    expect(torq.requests.at(-1)?.headers.host).toBe('auth.eu.torq.io')
    expect(result.shown).toContain(
      `Route to auth.eu.torq.io:443: through the proxy 127.0.0.1:${proxy.port} from https_proxy, without credentials.`
    )
  })

  it('sends a NO_PROXY host around the proxy, and says NO_PROXY matched', async () => {
    const authUrl = 'https://auth.torq.invalid/v1/auth/token'
    // Through the proxy the name reaches the local server...
    const proxied = await runAction({
      node,
      inputs: { ...credentials, 'auth-url': authUrl },
      env: { ...env(), HTTPS_PROXY: proxy.url }
    })
    expect(proxied.exitCode).toBe(0)
    expect(proxy.connects.at(-1)).toBe('auth.torq.invalid:443')

    // ...and with NO_PROXY the action goes direct, where .invalid never resolves.
    for (const [name, noProxy] of [
      ['NO_PROXY', 'auth.torq.invalid'],
      ['NO_PROXY', '.torq.invalid'],
      ['no_proxy', 'example.com, torq.invalid']
    ] as const) {
      const before = proxy.connects.length
      const direct = await runAction({
        node,
        inputs: { ...credentials, 'auth-url': authUrl, retries: '0' },
        env: { ...env(), HTTPS_PROXY: proxy.url, [name]: noProxy }
      })
      expect([noProxy, direct.exitCode]).toEqual([noProxy, 1])
      expect(proxy.connects.length).toBe(before)
      expect(direct.shown).toContain(
        `Route to auth.torq.invalid:443: direct (${name} matches auth.torq.invalid).\n`
      )
      expect(direct.errors).toEqual([
        expect.stringMatching(
          /Could not (resolve auth\.torq\.invalid|get an answer from auth\.torq\.invalid)/
        )
      ])
    }
  })

  it('ends at timeout-seconds when the tunnelled server never answers', async () => {
    torq.script(replies.hang())
    const result = await runAction({
      node,
      inputs: { ...credentials, retries: '0', 'timeout-seconds': '1' },
      env: { ...env(), HTTPS_PROXY: proxy.url }
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining('within 1 s (timeout-seconds)')
    ])
    expect(result.durationMs).toBeLessThan(5000)
  })

  describe('that wants credentials', () => {
    const user = 'proxy-user'
    // Every character that must be percent-encoded in a URL's password.
    const password = 'Pr0xy@pa:ss%w/rd'
    const encoded = encodeURIComponent(password)
    let guarded: Proxy
    let guardedTls: Proxy
    let userOnly: Proxy
    let negotiating: Proxy
    const through = (p: Proxy, userinfo = `${user}:${encoded}`) =>
      p.url.replace('://', `://${userinfo}@`)

    /** Runs the bundle with `proxyEnv`; `connects`: the CONNECTs `proxy` saw. */
    async function runVia(proxy: Proxy, proxyEnv: Record<string, string>) {
      const before = proxy.connects.length
      const result = await runAction({
        node,
        inputs: credentials,
        env: { ...env(), ...proxyEnv }
      })
      return { ...result, connects: proxy.connects.slice(before) }
    }

    beforeAll(async () => {
      const routes = routesTo(torq)
      const tls = { key: certs.key, cert: certs.cert }
      ;[guarded, guardedTls, userOnly, negotiating] = await Promise.all([
        startForwardProxy({ routes, credentials: `${user}:${password}` }),
        startForwardProxy({ routes, credentials: `${user}:${password}`, tls }),
        startForwardProxy({ routes, credentials: `${user}:` }),
        startForwardProxy({ routes, negotiate: true })
      ])
    })
    afterAll(async () => {
      await Promise.all(
        [guarded, guardedTls, userOnly, negotiating].map((p) => p.close())
      )
    })

    it('right credentials, percent-encoded: a token, the route line, no warning, the password nowhere', async () => {
      const { connects, ...result } = await runVia(guarded, {
        HTTPS_PROXY: through(guarded)
      })
      expect(result.exitCode).toBe(0)
      expect(result.outputs['token']).toBe(torq.tokens.at(-1))
      expect(connects).toEqual(['auth.torq.io:443'])
      expect(result.shown).toContain(
        `Route to auth.torq.io:443: through the proxy 127.0.0.1:${guarded.port} from HTTPS_PROXY, with credentials.\n`
      )
      expectNoNodeWarning(result)
      const basic = Buffer.from(`${user}:${password}`).toString('base64')
      for (const form of [password, encoded, basic]) {
        expect([form, result.reveals(form)]).toEqual([form, false])
      }
      // Masked before the first line that is not a mask.
      const firstText = result.log
        .split('\n')
        .findIndex((line) => !line.startsWith('::add-mask::'))
      const masks = result.log.split('\n').slice(0, firstText)
      for (const form of [password, encoded]) {
        expect(masks).toContainEqual(
          `::add-mask::${form.replaceAll('%', '%25')}`
        )
      }
    })

    it('wrong credentials: the proxy rejected them, one tunnel attempt, no retry', async () => {
      const before = {
        connects: guarded.connects.length,
        requests: torq.requests.length
      }
      const result = await runAction({
        node,
        inputs: credentials,
        env: {
          ...env(),
          HTTPS_PROXY: through(guarded, `${user}:not-the-password`)
        }
      })
      expect(result.exitCode).toBe(1)
      expect(guarded.connects.length - before.connects).toBe(1)
      expect(torq.requests.length).toBe(before.requests)
      expect(result.errors).toEqual([
        `The proxy 127.0.0.1:${guarded.port} (from HTTPS_PROXY) rejected the credentials in its URL (HTTP 407). Check the user name and password, and that any @ : % in them is percent-encoded (%40 %3A %25).`
      ])
      expect(result.shown).not.toContain('Retrying')
      expect(result.reveals('not-the-password')).toBe(false)
      expectNoNodeWarning(result)
    })

    it('no credentials: the proxy wants them, give them in the URL; one attempt', async () => {
      const { connects, ...result } = await runVia(guarded, {
        HTTPS_PROXY: guarded.url
      })
      expect(result.exitCode).toBe(1)
      expect(connects.length).toBe(1)
      expect(result.errors).toEqual([
        `The proxy 127.0.0.1:${guarded.port} (from HTTPS_PROXY) wants credentials (HTTP 407). Give them in the proxy URL, http://user:password@host:port, with any @ : % in them percent-encoded (%40 %3A %25).`
      ])
      expect(result.shown).not.toContain('Retrying')
      expectNoNodeWarning(result)
    })

    it('an https:// proxy URL: TLS to a proxy that speaks it', async () => {
      const { connects, ...result } = await runVia(guardedTls, {
        HTTPS_PROXY: through(guardedTls)
      })
      expect(result.exitCode).toBe(0)
      expect(guardedTls.url).toMatch(/^https:/)
      expect(connects).toEqual(['auth.torq.io:443'])
      expect(result.shown).toContain(
        `Route to auth.torq.io:443: through the proxy 127.0.0.1:${guardedTls.port} over TLS from HTTPS_PROXY, with credentials.\n`
      )
      expectNoNodeWarning(result)
      expect(result.reveals(password)).toBe(false)
    })

    it('an https:// URL for a proxy that speaks plain HTTP: write http://, not retried', async () => {
      const before = guarded.connects.length
      const result = await runAction({
        node,
        inputs: credentials,
        env: {
          ...env(),
          HTTPS_PROXY: through(guarded).replace('http://', 'https://')
        }
      })
      expect(result.exitCode).toBe(1)
      expect(guarded.connects.length).toBe(before)
      expect(result.errors).toEqual([
        `The proxy 127.0.0.1:${guarded.port} (from HTTPS_PROXY) does not speak TLS: HTTPS_PROXY starts with https://, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http://host:port.`
      ])
      expect(result.shown).not.toContain('Retrying')
      expect(result.reveals(password)).toBe(false)
      expectNoNodeWarning(result)
    })

    it('no port in the URL: port 80, as for any http:// URL', async () => {
      const before = guarded.connects.length
      const result = await runAction({
        node,
        inputs: credentials,
        env: {
          ...env(),
          // Whatever connects to 127.0.0.1:80 reaches the proxy instead.
          ...portForwarding({ '127.0.0.1:80': `127.0.0.1:${guarded.port}` }),
          HTTPS_PROXY: `http://${user}:${encoded}@127.0.0.1`
        }
      })
      expect(result.exitCode).toBe(0)
      expect(guarded.connects.slice(before)).toEqual(['auth.torq.io:443'])
      expect(result.shown).toContain(
        'Route to auth.torq.io:443: through the proxy 127.0.0.1:80 from HTTPS_PROXY, with credentials.\n'
      )
      expectNoNodeWarning(result)
    })

    it.each([
      ['an empty password', `${user}:`],
      ['no password at all', user]
    ])('%s: the user name is sent alone', async (_case, userinfo) => {
      const { connects, ...result } = await runVia(userOnly, {
        https_proxy: through(userOnly, userinfo)
      })
      expect(result.exitCode).toBe(0)
      expect(connects).toEqual(['auth.torq.io:443'])
      expect(result.shown).toContain(
        `through the proxy 127.0.0.1:${userOnly.port} from https_proxy, with credentials.`
      )
      expectNoNodeWarning(result)
    })

    it.each(['ALL_PROXY', 'all_proxy'])(
      '%s is not read: direct, and the route line says so',
      async (name) => {
        const before = guarded.connects.length
        const result = await runAction({
          node,
          inputs: {
            ...credentials,
            'auth-url': 'https://auth.torq.invalid/v1/auth/token',
            retries: '0'
          },
          env: { ...env(), [name]: through(guarded) }
        })
        expect(result.exitCode).toBe(1)
        expect(guarded.connects.length).toBe(before)
        expect(result.shown).toContain(
          `Route to auth.torq.invalid:443: direct (neither HTTPS_PROXY nor https_proxy is set; ${name} is set but not read for https).\n`
        )
        expect(result.reveals(password)).toBe(false)
        expectNoNodeWarning(result)
      }
    )

    it('a proxy variable that is no usable URL: a warning, and direct', async () => {
      const result = await runAction({
        node,
        inputs: {
          ...credentials,
          'auth-url': 'https://auth.torq.invalid/v1/auth/token',
          retries: '0'
        },
        // Written as is, not percent-encoded: no URL, so http-client ignores it.
        env: { ...env(), HTTPS_PROXY: through(guarded, `${user}:${password}`) }
      })
      expect(result.exitCode).toBe(1)
      expect(result.warnings).toEqual([
        expect.stringMatching(
          /^Route to auth\.torq\.invalid:443: direct \(HTTPS_PROXY is set but is not a proxy URL this action can use\)\. Write it as http:\/\/host:port/
        )
      ])
      expect(guarded.connects.at(-1)).not.toBe('auth.torq.invalid:443')
      expect(result.reveals(password)).toBe(false)
      expectNoNodeWarning(result)
    })

    it('a proxy that asks for Negotiate: says this action does not do it', async () => {
      const { connects, ...result } = await runVia(negotiating, {
        HTTPS_PROXY: through(negotiating)
      })
      expect(result.exitCode).toBe(1)
      expect(connects.length).toBe(1)
      expect(result.errors).toEqual([
        `The proxy 127.0.0.1:${negotiating.port} (from HTTPS_PROXY) asks for Negotiate authentication (HTTP 407), which this action does not do: it sends only a user name and password (Basic). Ask for auth.torq.io:443 to be reachable without it.`
      ])
      expectNoNodeWarning(result)
    })

    it("Node.js's other warnings still show, DEP0005 from other code too", async () => {
      const result = await runAction({
        node,
        inputs: credentials,
        env: {
          // Instead of trusting the CA: a setting users must be warned about.
          NODE_TLS_REJECT_UNAUTHORIZED: '0',
          NODE_OPTIONS: '--import=data:text/javascript,new%20Buffer(1)',
          HTTPS_PROXY: through(guarded)
        }
      })
      expect(result.exitCode).toBe(0)
      expect(result.log).toMatch(
        /\(node:\d+\) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0'/
      )
      expect(result.log).toMatch(/\(node:\d+\) \[DEP0005\] DeprecationWarning/)
      expect(result.log.match(/\[DEP0005\]/g)).toHaveLength(1)
    })
  })

  it('fails clearly, once, when the proxy refuses the tunnel', async () => {
    const before = torq.requests.length
    const result = await runAction({
      node,
      inputs: credentials,
      env: { ...env(), HTTPS_PROXY: refusing.url }
    })
    expect(result.exitCode).toBe(1)
    expect(refusing.connects).toEqual(['auth.torq.io:443'])
    expect(torq.requests.length).toBe(before)
    expect(result.errors).toEqual([
      expect.stringContaining(
        `The proxy 127.0.0.1:${refusing.port} (from HTTPS_PROXY) wants credentials (HTTP 407).`
      )
    ])
    expect(result.shown).not.toContain('Retrying')
  })
})

/** The proxy's hosts file: Torq's names, and the test name, lead to `torq`. */
function routesTo(torq: TorqServer) {
  const local = `127.0.0.1:${torq.port}`
  return {
    'auth.torq.io:443': local,
    'auth.eu.torq.io:443': local,
    'auth.torq.invalid:443': local
  }
}

describe('faults', () => {
  let torq: TorqServer
  beforeAll(async () => {
    torq = await startTorqServer()
  })
  afterAll(() => torq.close())

  async function attempt(
    script: Parameters<TorqServer['script']>,
    inputs: Record<string, string> = {}
  ) {
    torq.script(...script)
    const before = torq.requests.length
    const result = await runAction({
      node,
      inputs: { ...credentials, 'auth-url': torq.url, ...inputs }
    })
    return { ...result, attempts: torq.requests.length - before }
  }

  it('a server that accepts and never answers: each attempt times out, then failure', async () => {
    const result = await attempt([replies.hang(), replies.hang()], {
      retries: '1',
      'timeout-seconds': '0.5'
    })
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining(
        'within 0.5 s (timeout-seconds). (2 attempts made)'
      )
    ])
    expect(result.durationMs).toBeLessThan(5000)
  })

  it('headers, then a stalled body: the same limit applies, then failure', async () => {
    const result = await attempt([replies.stallBody(), replies.stallBody()], {
      retries: '1',
      'timeout-seconds': '0.5'
    })
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain('within 0.5 s')
  })

  it('a connection closed mid-answer: retried, then success', async () => {
    const result = await attempt([replies.dropMidBody()])
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(0)
    expect(result.shown).toMatch(
      /Attempt 1 failed: Could not get an answer .*aborted/
    )
  })

  it('503, then success: two attempts', async () => {
    const result = await attempt([replies.json(503, {})])
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(0)
    expect(result.outputs['token']).toBe(torq.tokens.at(-1))
  })

  it('429 with Retry-After in seconds: waits that long, then success', async () => {
    const result = await attempt([
      replies.json(429, {}, { 'Retry-After': '1' })
    ])
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(0)
    expect(result.durationMs).toBeGreaterThanOrEqual(1000)
    // Retry-After plus the spread after a first 429: 0.6 to 2 s. Tenths, with
    // no trailing .0 (2 s, 2.5 s).
    expect(result.shown).toMatch(
      /HTTP 429\)\. Retrying in (1\.[6-9]|2(\.\d)?|3) s \(HTTP 429 number 1;/
    )
  })

  it('429 with Retry-After as an HTTP date: waits until then, then success', async () => {
    const at = new Date(Date.now() + 2000).toUTCString()
    const result = await attempt([replies.json(429, {}, { 'Retry-After': at })])
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(0)
    // A date to the second, and the spread: up to 4 s, in tenths (2 s, 2.5 s).
    expect(result.shown).toMatch(
      /Retrying in (under 0\.1|[0-4](\.\d)?) s \(HTTP 429 number 1;/
    )
  })

  it('Retry-After over 60 s: fails at once and says so', async () => {
    const result = await attempt([
      replies.json(503, {}, { 'Retry-After': '120' })
    ])
    expect(result.attempts).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain(
      'retry after 120 s, longer than the 60 s'
    )
    expect(result.durationMs).toBeLessThan(5000)
  })

  it('429 with Retry-After beyond rate-limit-wait-seconds: fails at once and says so', async () => {
    const result = await attempt([
      replies.json(429, {}, { 'Retry-After': '600' })
    ])
    expect(result.attempts).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain(
      'the server asked to retry after 600 s, more than the 120 s left of rate-limit-wait-seconds (120 s)'
    )
    expect(result.durationMs).toBeLessThan(5000)
  })

  it('500 with an HTML page until retries run out: never pasted into the log', async () => {
    const page = replies.text(
      500,
      'text/html',
      '<html><body>Internal error INCIDENT-4711</body></html>'
    )
    const result = await attempt([page, page, page], { retries: '2' })
    expect(result.attempts).toBe(3)
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      'The token request failed (HTTP 500, not JSON: content type text/html). (3 attempts made)'
    ])
    expect(result.log).not.toContain('INCIDENT-4711')
  })

  it('a 302 to another server: not followed, and that server receives nothing', async () => {
    const other = await startTorqServer()
    try {
      const result = await attempt([replies.redirect(other.url)])
      expect(result.attempts).toBe(1)
      expect(result.exitCode).toBe(1)
      expect(result.errors[0]).toContain('redirect (HTTP 302)')
      expect(other.requests).toHaveLength(0)
    } finally {
      await other.close()
    }
  })

  it.each([
    [
      'a truncated JSON body',
      'application/json',
      '{"access_token":"3f2a',
      '3f2a'
    ],
    [
      'HTML with status 200',
      'text/html',
      '<html>Proxy login LOGIN-PAGE</html>',
      'LOGIN-PAGE'
    ]
  ])('%s: not retried, never printed', async (_case, type, body, marker) => {
    const result = await attempt([replies.text(200, type, body)])
    expect(result.attempts).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain(
      `the body is not valid JSON (content type ${type})`
    )
    expect(result.log).not.toContain(marker)
  })

  it('an answer over 1 MiB: refused while it streams, not read to the end', async () => {
    let sent = 0
    const offered = 64 * 1024 * 1024
    const result = await attempt([
      replies.huge(offered, { onSent: (bytes) => (sent = bytes) })
    ])
    expect(result.attempts).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toContain('more than 1 MiB')
    // What left the server before the action hung up: 1 MiB plus what socket
    // buffers hold, far from the 64 MiB offered.
    expect(sent).toBeLessThan(16 * 1024 * 1024)
  })
})
