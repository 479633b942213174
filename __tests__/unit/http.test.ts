// The route (direct or through which proxy, and its line), the proxy
// passwords to mask, and send() against real servers, proxies and raw peers
// on loopback: what each failure is, whom it names, and that no secret shows.
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { getEventListeners } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import type { Clock } from '../../src/clock.js'
import { TokenRequestError, type Failure } from '../../src/errors.js'
import {
  decideRoute,
  describeRoute,
  MAX_ANSWER_BYTES,
  proxySecrets,
  send,
  type Route
} from '../../src/http.js'
import type { Settings } from '../../src/inputs.js'
import { basic } from '../../src/outside-text.js'
import { grant } from '../../src/token.js'
import { bounded } from '../../test/support/bounded.js'
import { makeCertificates } from '../../test/support/certs.js'
import { contextFor } from '../../test/support/context.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import { startForwardProxy } from '../../test/support/forward-proxy.js'
import {
  startRawPeer,
  TLS_ALERT,
  tunnelThen
} from '../../test/support/raw-peers.js'
import { NETWORK_VARIABLES } from '../../test/support/runner-env.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

type Env = Record<string, string>
const TORQ = 'https://auth.torq.io/v1/auth/token'
/** A proxy password, written percent-encoded in the proxy URLs. */
const PROXY_PASSWORD = 'Pr0xy:p@ss-9d1'
const PROXY_USERINFO = `us%40er:${encodeURIComponent(PROXY_PASSWORD)}`
const SECRETS = [
  DEMO_CLIENT_SECRET,
  basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
  PROXY_PASSWORD,
  encodeURIComponent(PROXY_PASSWORD),
  basic('us@er', PROXY_PASSWORD)
]

// Each test starts without the machine's proxy and CA settings, and what it
// sets or starts is undone after it.
let saved: NodeJS.ProcessEnv
const opened: (() => unknown)[] = []
beforeEach(() => {
  saved = process.env
  process.env = Object.fromEntries(
    Object.entries(saved).filter(([name]) => !NETWORK_VARIABLES.includes(name))
  )
})
afterEach(async () => {
  process.env = saved
  await Promise.all(opened.splice(0).map((close) => close()))
})

function routeWith(env: Env, url = TORQ): Route {
  Object.assign(process.env, env)
  return decideRoute(new URL(url))
}

describe('decideRoute and its line', () => {
  const P = { HTTPS_PROXY: 'http://proxy.corp:3128' }
  const HTTP = 'http://torq.example/t'
  // prettier-ignore
  it.each<[Env, string, RegExp]>([
    [{ ...P, NO_PROXY: 'x' }, 'https://localhost:8443/t', /^Route to localhost:8443: direct \(loopback/],
    [P, 'https://127.1.2.3/t', /127\.1\.2\.3:443: direct \(loopback/],
    [{ HTTP_PROXY: 'http://p:1' }, 'http://[::1]:8080/t', /\[::1\]:8080: direct \(loopback/],
    [{ ...P, NO_PROXY: '.torq.io' }, TORQ, /direct \(NO_PROXY matches auth\.torq\.io\)/],
    [{ ...P, no_proxy: 'torq.io', NO_PROXY: 'x' }, TORQ, /\(no_proxy matches/],
    [{ ...P, NO_PROXY: 'localhost' }, 'https://auth.localhost/t', /\(NO_PROXY matches auth\.localhost\)/],
    [{ ...P, NO_PROXY: '.example' }, 'https://localhost.example/t', /\(NO_PROXY matches localhost\.example\)/],
    [{ ...P, NO_PROXY: 'eu.torq.io,torq.io:8443' }, TORQ, /^Route to auth\.torq\.io:443: through the proxy proxy\.corp:3128 from HTTPS_PROXY, without/],
    [{ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://up:2' }, TORQ, /proxy lower:1 from https_proxy/],
    [{ https_proxy: '', HTTPS_PROXY: 'http://up:2' }, TORQ, /proxy up:2 from HTTPS_PROXY/],
    [{ HTTPS_PROXY: 'HTTP://proxy.corp/' }, TORQ, /proxy proxy\.corp:80 from/],
    [{ HTTPS_PROXY: 'https://proxy.corp' }, TORQ, /proxy proxy\.corp:443 over TLS from/],
    [{ ...P, HTTP_PROXY: 'http://plain:2' }, `${HTTP.slice(0, -2)}:8080/t`, /^Route to torq\.example:8080: through the proxy plain:2 from HTTP_PROXY/],
    [{ http_proxy: 'http://lower:3', HTTP_PROXY: 'http://up:2' }, HTTP, /torq\.example:80: through the proxy lower:3 from http_proxy/],
    [{}, TORQ, /direct \(neither HTTPS_PROXY nor https_proxy is set\)\.$/],
    [{ ALL_PROXY: 'x' }, TORQ, /is set; ALL_PROXY is set but not read for https\)/],
    [{ http_proxy: 'x', HTTP_PROXY: 'x', all_proxy: 'x' }, TORQ, /; http_proxy and HTTP_PROXY and all_proxy are set/],
    [P, HTTP, /neither HTTP_PROXY nor http_proxy is set; HTTPS_PROXY is set but not read for http\)/],
    [{ https_proxy: 'x' }, HTTP, /; https_proxy is set/]
  ])('with %j, %s: %s', (env, url, line) => {
    const route = routeWith(env, url)
    expect(route.ignoredProxy).toBe(false)
    expect(describeRoute(route, [])).toMatch(line)
  })

  it.each([
    'proxy.corp:3128',
    'proxy corp:3128',
    'http://user:50%off@proxy.corp:3128'
  ])('does not use %j, and warns how to write a proxy URL', (value) => {
    const route = routeWith({ https_proxy: value })
    expect(route).toMatchObject({ proxy: undefined, ignoredProxy: true })
    expect(describeRoute(route, [])).toMatch(
      /direct \(https_proxy is set but is not a proxy URL .*\)\. Write it as http:\/\/host:port/
    )
  })

  it.each([
    [`http://${PROXY_USERINFO}@proxy.corp:3128`, `us@er:${PROXY_PASSWORD}`],
    ['http://user@proxy.corp:3128', 'user:'],
    ['http://:pw@proxy.corp:3128', ':pw']
  ])(
    '%s: credentials go decoded in Basic, never in the URI or the line',
    (value, credentials) => {
      const { proxy, ...route } = routeWith({ HTTPS_PROXY: value })
      expect(route).toMatchObject({ why: '', ignoredProxy: false })
      expect(proxy?.uri).toBe('http://proxy.corp:3128')
      const [scheme, encoded = ''] = (proxy?.token ?? '').split(' ')
      expect(scheme).toBe('Basic')
      expect(Buffer.from(encoded, 'base64').toString()).toBe(credentials)
      const line = describeRoute(routeWith({}), proxySecrets(process.env))
      expect(line).toMatch(
        /proxy\.corp:3128 from HTTPS_PROXY, with credentials\.$/
      )
      expect(line).not.toMatch(/us@er|pw|%40/)
    }
  )
})

describe('proxySecrets', () => {
  const names = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']
  it.each([...names, 'all_proxy', 'ALL_PROXY'])(
    'masks a password in %s: as written, decoded, in Basic',
    (name) => {
      const forms = proxySecrets({ [name]: `http://${PROXY_USERINFO}@proxy:1` })
      const credential = Buffer.from(`us@er:${PROXY_PASSWORD}`).toString(
        'base64'
      )
      expect(forms).toEqual([
        encodeURIComponent(PROXY_PASSWORD),
        PROXY_PASSWORD,
        credential
      ])
    }
  )

  it.each([
    ['user:pa:ss@proxy:3128', ['pa:ss', 'pa:ss']],
    ['socks5h://u:p@ss@proxy', ['p@ss', 'p@ss']],
    ['http://u:50%off@proxy', ['50%off', '50%off']],
    ['http://u%zz:pw@proxy', ['pw', 'pw']],
    ['http://user:@proxy', []],
    ['http://proxy:3128', []]
  ])('reads %j as a person would: %j', (value, expected) => {
    const forms = proxySecrets({ HTTPS_PROXY: value, NO_PROXY: 'a:b@c' })
    expect(forms.slice(0, 2)).toEqual(expected)
    expect(forms).toHaveLength(expected.length === 0 ? 0 : 3)
  })
})

/** The TokenRequestError `sending` fails with, checked to show no secret. */
async function failed(sending: Promise<unknown>): Promise<TokenRequestError> {
  const error = await bounded(sending, 'send()').then(
    () => {
      throw new Error('expected send() to fail')
    },
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(TokenRequestError)
  const { message } = error as TokenRequestError
  for (const secret of SECRETS) expect(message).not.toContain(secret)
  return error as TokenRequestError
}

/** send() of the demo grant to `url`, with `env` set, as main.ts does. */
function sending(
  url: string,
  env: Env = {},
  settings: Partial<Settings> & { clock?: Clock } = {}
) {
  const route = routeWith(env, url)
  const ctx = contextFor(url, settings)
  const secrets = [...ctx.secrets, ...proxySecrets(process.env)]
  return send(grant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), route, {
    ...ctx,
    secrets
  })
}

/** A raw peer (raw-peers.js) for this test. */
async function peer(answer: Parameters<typeof startRawPeer>[0]) {
  const started = await startRawPeer(answer)
  opened.push(started.close)
  return started
}

/** A TCP or TLS server for this test, calling `answer` with each connection. */
async function listening(
  answer: (socket: net.Socket | tls.TLSSocket) => void,
  certificate?: { key: string; cert: string }
) {
  const server = certificate
    ? tls.createServer(certificate)
    : net.createServer()
  const sockets = new Set<net.Socket>()
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket.on('error', () => undefined))
  })
  server.on(certificate ? 'secureConnection' : 'connection', answer)
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  opened.push(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return (server.address() as net.AddressInfo).port
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** An http:// proxy variable for `port`, with the test's credentials by default. */
const via = (port: number, userinfo = `${PROXY_USERINFO}@`) => ({
  HTTPS_PROXY: `http://${userinfo}127.0.0.1:${port}`
})

const certs = makeCertificates(['auth.torq.io', 'localhost', '127.0.0.1'])
const elsewhere = makeCertificates(['auth.torq.io'])
let server: TorqServer
let secure: TorqServer
let dir: string
beforeAll(async () => {
  ;[server, secure] = await Promise.all([
    startTorqServer(),
    startTorqServer({ tls: certs })
  ])
  dir = mkdtempSync(join(tmpdir(), 'torq-ca-'))
})
afterAll(async () => {
  await Promise.all([server.close(), secure.close()])
  rmSync(dir, { recursive: true, force: true })
  certs.dispose()
  elsewhere.dispose()
})

describe('send() reading an answer', () => {
  it('reads the whole answer and the headers the action looks at, decoding nothing', async () => {
    server.script(
      replies.text(429, 'text/plain', 'x'.repeat(70_000), {
        'Retry-After': ['7', '9'],
        'Content-Encoding': 'gzip'
      }),
      replies.text(502, '', '')
    )
    await expect(sending(server.url)).resolves.toEqual({
      status: 429,
      contentType: 'text/plain',
      retryAfter: '7',
      contentEncoding: 'gzip',
      body: 'x'.repeat(70_000)
    })
    await expect(sending(server.url)).resolves.toEqual({
      status: 502,
      contentType: '',
      retryAfter: undefined,
      contentEncoding: undefined,
      body: ''
    })
  })

  it('closes its connection, and leaves no listener on its deadline', async () => {
    let closed: (value: unknown) => void = () => undefined
    const done = new Promise((resolve) => (closed = resolve))
    const port = await listening((socket) => {
      socket.on('close', closed)
      const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'
      socket.once('data', () => socket.write(answer))
    })
    const fake = fakeClock()
    let signal = new AbortController().signal
    const deadline = (ms: number) => (signal = fake.clock.deadline(ms))
    const clock = { ...fake.clock, deadline }
    const url = `http://127.0.0.1:${port}/t`
    expect((await sending(url, {}, { clock })).body).toBe('{}')
    await bounded(done, 'the connection closing')
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('returns a redirect as the answer, not followed', async () => {
    const before = server.requests.length
    server.script(replies.redirect(server.url, 307))
    expect((await sending(server.url)).status).toBe(307)
    expect(server.requests.length).toBe(before + 1)
  })

  it.each([true, false])(
    'reads an answer of exactly 1 MiB (announced: %s)',
    async (announce) => {
      server.script(replies.huge(MAX_ANSWER_BYTES, { announce }))
      expect((await sending(server.url)).body).toHaveLength(MAX_ANSWER_BYTES)
    }
  )

  it.each([
    [
      'announced by Content-Length',
      replies.text(502, 'text/html', '{', {
        'Content-Length': String(MAX_ANSWER_BYTES + 1)
      }),
      502
    ],
    [
      'sent without a length, never ending',
      (_req: unknown, res: ServerResponse) => {
        res.writeHead(200).write(Buffer.alloc(MAX_ANSWER_BYTES + 1))
      },
      200
    ]
  ])(
    'refuses an answer over 1 MiB %s, keeping its status',
    async (_how, reply, status) => {
      server.script(reply)
      const error = await failed(sending(server.url))
      expect(error.failure).toEqual({ kind: 'answer', status })
      expect(error.message).toMatch(
        /HTTP \d+ with more than 1 MiB.*Check auth-url/
      )
    }
  )
})

describe('send() to a certificate not trusted', () => {
  const file = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content)
    return join(dir, name)
  }
  type Advice = [string, () => string | undefined, RegExp]
  const unreadable: Advice[] =
    process.platform === 'linux'
      ? [
          [
            'an unreadable file',
            () => '/proc/self/mem',
            /mem", which cannot be read \(EIO\)/
          ]
        ]
      : []
  // prettier-ignore
  it.each<Advice>([
    ['unset', () => undefined, /private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file/],
    ['empty', () => '', /private certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file/],
    ['a missing file', () => join(dir, 'missing.pem'), /missing\.pem", which does not exist/],
    ['a path through a file', () => join(file('f', ''), 'x'), /f\/x", which does not exist/],
    ['a directory', () => dir, /, which is a directory/],
    ['a device', () => '/dev/null', /null", which is not a regular file/],
    ['a file without PEM', () => file('ca.der', Buffer.from([0x30, 0x82])), /ca\.der", which holds no PEM/],
    ['a PEM file', () => file('ca.pem', certs.caCert), /ca\.pem": if .*private certificate authority, that file must hold/],
    ...unreadable
  ])(
    'with NODE_EXTRA_CA_CERTS %s: a TLS failure, and what to do',
    async (_case, value, advice) => {
      const path = value()
      if (path !== undefined) process.env['NODE_EXTRA_CA_CERTS'] = path
      const error = await failed(sending(secure.url))
      expect(error.failure).toEqual({ kind: 'tls' })
      expect(error.message).toMatch(
        /talking to 127\.0\.0\.1:\d+: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. /
      )
      expect(error.message).not.toContain('--use-system-ca')
      expect(error.message).toMatch(advice)
    }
  )
})

describe('send() failing, and through proxies (the test CA trusted)', () => {
  type ForwardProxy = { port: number; connects: string[]; close: () => unknown }
  let authProxy: ForwardProxy
  let tlsProxy: ForwardProxy
  const defaults = tls.getCACertificates('default')
  beforeAll(async () => {
    const routes = { 'auth.torq.io:443': `127.0.0.1:${secure.port}` }
    ;[authProxy, tlsProxy] = await Promise.all([
      startForwardProxy({ routes, credentials: `us@er:${PROXY_PASSWORD}` }),
      startForwardProxy({ routes, tls: certs })
    ])
    tls.setDefaultCACertificates([...defaults, certs.caCert, elsewhere.caCert])
  })
  afterAll(async () => {
    tls.setDefaultCACertificates(defaults)
    await Promise.all([authProxy.close(), tlsProxy.close()])
  })

  it('gets the answer through a real forward proxy, with its credentials', async () => {
    const answer = await bounded(sending(TORQ, via(authProxy.port)), 'send()')
    expect(answer.status).toBe(200)
    expect(answer.body).toContain(secure.tokens.at(-1))
    expect(authProxy.connects.at(-1)).toBe('auth.torq.io:443')
  })

  it('gets the answer through a proxy that speaks TLS', async () => {
    const env = { HTTPS_PROXY: `https://localhost:${tlsProxy.port}` }
    expect((await bounded(sending(TORQ, env), 'send()')).status).toBe(200)
    expect(tlsProxy.connects).toEqual(['auth.torq.io:443'])
  })

  it.each([
    ['localhost', 'localhost'],
    ['127.0.0.1', false]
  ])(
    'gives a TLS proxy at %s the server name %j: none for an address (RFC 6066)',
    async (host, servername) => {
      const names: unknown[] = []
      const port = await listening((socket) => {
        names.push('servername' in socket ? socket.servername : 'none')
        socket.destroy()
      }, certs)
      await failed(sending(TORQ, { HTTPS_PROXY: `https://${host}:${port}` }))
      expect(names).toEqual([servername])
    }
  )

  const network = (code: string): Failure => ({ kind: 'network', code })
  const PROXY = String.raw`proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\)`
  const at = async (answer: Parameters<typeof startRawPeer>[0]) =>
    (await peer(answer)).port
  const TLS: Failure = { kind: 'tls' }
  // prettier-ignore
  it.each<[string, () => Promise<Parameters<typeof sending>>, Failure, RegExp]>([
    ['a port nothing listens on', async () => [`http://127.0.0.1:${await closedPort()}/t`], network('ECONNREFUSED'), /^Could not get an answer from 127\.0\.0\.1:\d+: connect ECONNREFUSED\.$/],
    ['a host that does not resolve', async () => ['https://auth.torq.invalid/t'], network('ENOTFOUND'), /resolve auth\.torq\.invalid\. Check auth-url/],
    ['a server that hangs up', async () => [`http://127.0.0.1:${await at((s) => s.end())}/t`], network('UND_ERR_SOCKET'), /127\.0\.0\.1:\d+: other side closed \(UND_ERR_SOCKET\)\.$/],
    ['bytes that are not HTTP', async () => [`http://127.0.0.1:${await at((s) => s.end('SSH-2.0-x\r\n'))}/t`], { kind: 'refusal' }, /127\.0\.0\.1:\d+ .*\(HPE_INVALID_CONSTANT\)\. Check auth-url/],
    ['plain HTTP on an https URL', async () => [server.url.replace('http:', 'https:')], TLS, /^127\.0\.0\.1:\d+ does not speak TLS.*Check auth-url/],
    ['a TLS alert', async () => [`https://127.0.0.1:${await listening((s) => s.once('data', () => s.end(TLS_ALERT)))}/t`], TLS, /handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_/],
    // undici's own timer, in real time: 1 ms, which it reads every half second.
    ["a handshake that never ends, at undici's connect timeout", async () => [`https://127.0.0.1:${await listening(() => undefined)}/t`, {}, { timeoutMs: 1 }], { kind: 'timeout' }, /127\.0\.0\.1:\d+ within 0\.001 s/],
    ['a proxy asking for credentials', async () => [TORQ, via(authProxy.port, '')], { kind: 'proxy', status: 407 }, new RegExp(`^The ${PROXY} wants credentials.*Give them in the proxy URL`)],
    ['a proxy refusing its credentials', async () => [TORQ, via(authProxy.port, 'us%40er:wrong@')], { kind: 'proxy', status: 407 }, /rejected the credentials.*Check the user name and password/],
    ['a proxy refusing the tunnel', async () => [TORQ, via(await at((s) => s.end('HTTP/1.1 403 No\r\n\r\n')))], { kind: 'proxy', status: 403 }, new RegExp(`${PROXY} .*auth\\.torq\\.io:443 \\(HTTP 403\\)\\..*NO_PROXY`)],
    ['a proxy failing the tunnel', async () => [TORQ, via(await at((s) => s.end('HTTP/1.1 500 No\r\n\r\n')))], { kind: 'proxy', status: 500 }, /auth\.torq\.io:443 \(HTTP 500\)\.$/],
    ['a proxy closing without answering CONNECT, at once', async () => [TORQ, via(await at((s) => s.end()))], network('ECONNRESET'), new RegExp(`through the ${PROXY}: .*without answering CONNECT`)],
    ['a proxy answering CONNECT with 100 Continue', async () => [TORQ, via(await at((s) => s.write('HTTP/1.1 100 Continue\r\n\r\n')))], network('EPROTO'), new RegExp(`through the ${PROXY}: .*answer to CONNECT could not be read`)],
    ['a tunnel answering plain text', async () => [TORQ, via(await at(tunnelThen('<html>Blocked</html>')))], TLS, new RegExp(`through the ${PROXY} is not TLS`)],
    ['a proxy host that does not resolve', async () => [TORQ, { https_proxy: 'http://proxy.invalid:3128' }], network('ENOTFOUND'), /the proxy proxy\.invalid:3128 \(from https_proxy\)\. Check https_proxy\./],
    ['a proxy with a certificate for another host', async () => [TORQ, { HTTPS_PROXY: `https://localhost:${await listening(() => undefined, elsewhere)}` }], TLS, /through the proxy localhost:\d+ \(from HTTPS_PROXY\): .*\(ERR_TLS_CERT_ALTNAME_INVALID\)/],
    ['an https:// proxy that speaks plain HTTP', async () => [TORQ, { https_proxy: `https://localhost:${server.port}` }], TLS, /^The proxy localhost:\d+ \(from https_proxy\) does not speak TLS.*write http:\/\/host:port/]
  ])(
    'fails on %s: what it is, and whom it names',
    async (_case, setup, failure, message) => {
      const error = await failed(sending(...(await setup())))
      expect(error.failure).toEqual(failure)
      expect(error.message).toMatch(message)
    }
  )

  it.each<[string, () => Promise<[string, Env, Promise<unknown>]>, RegExp]>([
    [
      'a server that never answers',
      async () => {
        server.script(replies.hang())
        return [server.url, {}, server.replied()]
      },
      /127\.0\.0\.1:\d+ within 30 s/
    ],
    [
      'a server that stalls in the body',
      async () => {
        server.script(replies.stallBody())
        return [server.url, {}, server.replied()]
      },
      /127\.0\.0\.1:\d+ within 30 s/
    ],
    [
      'a TLS handshake that never ends',
      async () => {
        let accepted: (value: unknown) => void = () => undefined
        const reached = new Promise((resolve) => (accepted = resolve))
        const port = await listening(() => accepted(undefined))
        return [`https://127.0.0.1:${port}/t`, {}, reached]
      },
      /127\.0\.0\.1:\d+ within 30 s/
    ],
    [
      'a proxy that never answers CONNECT',
      async () => {
        const p = await peer(() => undefined)
        return [TORQ, via(p.port), p.answered()]
      },
      new RegExp(`auth\\.torq\\.io through the ${PROXY} within 30 s`)
    ]
  ])(
    'gives up on %s once the clock passes timeout-seconds',
    async (_case, setup, message) => {
      const fake = fakeClock()
      const [url, env, reached] = await setup()
      const pending = failed(sending(url, env, { clock: fake.clock }))
      await bounded(reached, 'the request reaching its peer')
      fake.advance(30_000)
      const error = await pending
      expect(error.failure).toEqual({ kind: 'timeout' })
      expect(error.message).toMatch(message)
    }
  )
})
