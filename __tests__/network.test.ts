// The bundled action under Node 24 against real network parts: a TLS server
// with a private CA, a real forward proxy, and servers that fail in the ways
// real ones do. Each case states its outcome and how many attempts it takes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { makeCertificates } from '../test/support/certs.js'
import { startForwardProxy } from '../test/support/forward-proxy.js'
import { node24, runAction } from '../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../test/support/torq-server.js'

type Proxy = Awaited<ReturnType<typeof startForwardProxy>>

const node = node24() ?? process.execPath
const credentials = {
  'client-id': DEMO_CLIENT_ID,
  'client-secret': DEMO_CLIENT_SECRET
}

describe('behind a real forward proxy', () => {
  // The TLS server stands in for Torq under its real names; the proxy's name
  // resolution sends those names to it, as DNS would send them to Torq.
  const certs = makeCertificates([
    'auth.torq.io',
    'auth.eu.torq.io',
    'auth.torq.invalid'
  ])
  let torq: TorqServer
  let proxy: Proxy
  let refusing: Proxy
  const env = () => ({ NODE_EXTRA_CA_CERTS: certs.caFile })

  beforeAll(async () => {
    torq = await startTorqServer({ tls: { key: certs.key, cert: certs.cert } })
    const local = `127.0.0.1:${torq.port}`
    proxy = await startForwardProxy({
      routes: {
        'auth.torq.io:443': local,
        'auth.eu.torq.io:443': local,
        'auth.torq.invalid:443': local
      }
    })
    refusing = await startForwardProxy({ refuse: true })
  })
  afterAll(async () => {
    await Promise.all([torq.close(), proxy.close(), refusing.close()])
    certs.dispose()
  })

  it('tunnels the default us endpoint through HTTPS_PROXY', async () => {
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
  })

  it('tunnels the eu endpoint through lower-case https_proxy', async () => {
    const before = proxy.connects.length
    const result = await runAction({
      node,
      inputs: { ...credentials, region: 'eu' },
      env: { ...env(), https_proxy: proxy.url }
    })
    expect(result.exitCode).toBe(0)
    expect(proxy.connects.slice(before)).toEqual(['auth.eu.torq.io:443'])
    expect(torq.requests.at(-1)?.headers.host).toBe('auth.eu.torq.io')
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
        'The proxy refused or failed to open a tunnel to auth.torq.io'
      )
    ])
    expect(result.errors[0]).toContain('statusCode=407')
    expect(result.shown).not.toContain('Retrying')
  })

  it('sends a NO_PROXY host around the proxy', async () => {
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
    for (const noProxy of [
      'auth.torq.invalid',
      '.torq.invalid',
      'example.com, torq.invalid'
    ]) {
      const before = proxy.connects.length
      const direct = await runAction({
        node,
        inputs: { ...credentials, 'auth-url': authUrl, retries: '0' },
        env: { ...env(), HTTPS_PROXY: proxy.url, NO_PROXY: noProxy }
      })
      expect([noProxy, direct.exitCode]).toEqual([noProxy, 1])
      expect(proxy.connects.length).toBe(before)
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
})

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
    // Retry-After plus the spread after a first 429: 0.6 to 2 s.
    expect(result.shown).toMatch(
      /HTTP 429\)\. Retrying in (1\.[6-9]|2\.\d|3\.0) s \(HTTP 429 number 1;/
    )
  })

  it('429 with Retry-After as an HTTP date: waits until then, then success', async () => {
    const at = new Date(Date.now() + 2000).toUTCString()
    const result = await attempt([replies.json(429, {}, { 'Retry-After': at })])
    expect(result.attempts).toBe(2)
    expect(result.exitCode).toBe(0)
    expect(result.shown).toMatch(/Retrying in [0-4]\.\d s \(HTTP 429 number 1;/)
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
