// What the runner shows for the canonical runs, compared with the committed,
// reviewed transcript.txt: the one place exact user-facing wording is
// asserted. run() in this process (fake clock, fixed randomness) against the
// Torq-compatible server and a real forward proxy on loopback. After a change
// of wording, review the diff and rewrite the file:
//   UPDATE_TRANSCRIPT=1 npm test -- __tests__/action/transcript.test.ts --coverage=false
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { basicCredentials } from '../../src/secrets.js'
import { makeCertificates } from '../../test/support/certs.js'
import { startForwardProxy } from '../../test/support/forward-proxy.js'
import { runAgainst } from '../../test/support/in-process.js'
import {
  parseCommand,
  readLog,
  ROOT,
  RUNNER_COMMANDS
} from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const TRANSCRIPT = join(ROOT, '__tests__', 'action', 'transcript.txt')
const START = Date.parse('2026-11-28T16:00:00.000Z')
const PROXY_PASSWORD = 'Pr0xy-pa55word'
const BASIC = basicCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

type Proxy = Awaited<ReturnType<typeof startForwardProxy>>
type Result = Awaited<ReturnType<typeof runAgainst>>

/** One canonical run: what the server and proxy do, and the step's `with:` and `env:`. */
interface Case {
  title: string
  /** Runs through the proxies: the TLS server answers for auth.torq.io. */
  proxied?: boolean
  script?: Parameters<TorqServer['script']>
  inputs?: Record<string, string>
  env?: (parts: ProxyParts) => Record<string, string>
}

let torq: TorqServer
/** The TLS server and the two proxies, started for the cases that use them. */
interface ProxyParts {
  torqTls: TorqServer
  proxy: Proxy
  refusing: Proxy
  certificates: ReturnType<typeof makeCertificates>
}
let parts: Promise<ProxyParts> | undefined
const proxyParts = () => (parts ??= startProxyParts())

// run() in this process trusts the test CA through the default CA list
// (Node 22.19 and later; npm test runs Node 24), as the bundle would through
// NODE_EXTRA_CA_CERTS.
const canTrust = typeof tls.setDefaultCACertificates === 'function'
const defaultCas = canTrust ? tls.getCACertificates('default') : []

async function startProxyParts(): Promise<ProxyParts> {
  const certificates = makeCertificates(['auth.torq.io'])
  tls.setDefaultCACertificates([...defaultCas, certificates.caCert])
  const torqTls = await startTorqServer({
    tls: { key: certificates.key, cert: certificates.cert }
  })
  return {
    torqTls,
    proxy: await startForwardProxy({
      routes: { 'auth.torq.io:443': `127.0.0.1:${torqTls.port}` }
    }),
    refusing: await startForwardProxy({ refuse: true }),
    certificates
  }
}

beforeAll(async () => {
  torq = await startTorqServer()
})

afterAll(async () => {
  await torq.close()
  if (parts === undefined) return
  const { torqTls, proxy, refusing, certificates } = await parts
  tls.setDefaultCACertificates(defaultCas)
  await Promise.all([torqTls.close(), proxy.close(), refusing.close()])
  certificates.dispose()
})

const HOSTILE = [
  `got ${DEMO_CLIENT_SECRET} and ${BASIC}`,
  `(${DEMO_CLIENT_SECRET.toUpperCase()})`,
  '##[stop-commands]resume ::add-mask::x',
  '\n::error::forged\r##[set-output name=token]forged'
].join(' ')

const CASES: Case[] = [
  { title: 'Success' },
  {
    title: '401: Torq rejects the client secret',
    inputs: { 'client-secret': 'not-the-secret' }
  },
  {
    title: 'Bad inputs: three problems, no request',
    inputs: { 'client-id': '', retries: 'x', 'timeout-seconds': '-1' }
  },
  {
    title: 'The client secret did not arrive (a fork or Dependabot run)',
    inputs: { 'client-secret': '' }
  },
  {
    title: 'A 503, a retry, then success',
    script: [replies.json(503, { error: 'temporarily_unavailable' })]
  },
  {
    title: 'The retries used up',
    inputs: { retries: '2' },
    script: [
      replies.text(500, 'text/html', '<html>oops</html>'),
      replies.json(502, {}),
      replies.json(503, {})
    ]
  },
  {
    title: '429s, with and without Retry-After, then success',
    script: [
      replies.json(429, {}, { 'Retry-After': '2' }),
      replies.json(429, { error: 'too_many_requests' })
    ]
  },
  {
    title: 'The 429 budget (rate-limit-wait-seconds) used up',
    inputs: { 'rate-limit-wait-seconds': '3' },
    script: [
      replies.json(429, {}),
      replies.json(429, {}),
      replies.json(429, {})
    ]
  },
  {
    title: 'Through a proxy to auth.torq.io (region us)',
    proxied: true,
    inputs: { 'auth-url': '' },
    env: ({ proxy }) => ({ HTTPS_PROXY: proxy.url })
  },
  {
    title: 'A proxy that answers 407 to credentials in its URL',
    proxied: true,
    inputs: { 'auth-url': '' },
    env: ({ refusing }) => ({
      HTTPS_PROXY: refusing.url.replace('//', `//user:${PROXY_PASSWORD}@`)
    })
  },
  {
    title: 'A hostile server echoes the secret and runner commands',
    script: [
      replies.json(400, {
        error: 'invalid_request ##[add-mask]x',
        error_description: HOSTILE
      })
    ]
  }
]

/**
 * The log as the runner shows it, each run of `::add-mask::` lines (hidden
 * by the runner) counted in place.
 */
function shownWithMasks(log: string): string {
  const registered = new Set(RUNNER_COMMANDS)
  const lines: string[] = []
  let masks = 0
  for (const line of log.split(/\r\n|\r|\n/)) {
    const command = parseCommand(line, registered)?.name
    if (command !== 'add-mask' && command !== 'debug' && masks > 0) {
      lines.push(`[${masks} × ::add-mask::]`)
      masks = 0
    }
    if (command === 'add-mask') masks++
    lines.push(line)
  }
  return readLog(lines.join('\n')).shown.trimEnd()
}

/** Ports and temporary paths, which change from run to run, as names. */
function placeholders(text: string, proxied?: ProxyParts): string {
  const ports: [number, string][] = [[torq.port, '<torq-port>']]
  if (proxied) {
    ports.push(
      [proxied.torqTls.port, '<torq-tls-port>'],
      [proxied.proxy.port as number, '<proxy-port>'],
      [proxied.refusing.port as number, '<refusing-proxy-port>']
    )
  }
  let out = text.replaceAll(tmpdir(), '<tmp>')
  for (const [port, name] of ports) {
    out = out.replace(new RegExp(`:${port}\\b`, 'g'), `:${name}`)
  }
  return out
}

function render(
  index: number,
  spec: Case,
  result: Result,
  connects: string[],
  env: Record<string, string>
): string {
  const masked = (value: string) => readLog(value, false, result.masks).shown
  const list = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([name, value]) => `  ${name} = ${masked(value) || '(empty)'}`)
      .join('\n') || '  (none)'
  const given = Object.entries(spec.inputs ?? {})
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ')
  const names = Object.keys(env).join(', ')
  return [
    `=== ${index + 1}. ${spec.title} ===`,
    `with: ${given || '(the demo credentials)'}${names ? `; env: ${names}` : ''}`,
    '--- the runner shows',
    shownWithMasks(result.log),
    [
      `--- exit code ${result.exitCode ?? 0}`,
      `requests to Torq: ${result.requests.length}`,
      ...(connects.length ? [`proxy CONNECTs: ${connects.join(', ')}`] : []),
      `waits: ${result.sleeps.map((ms) => `${ms} ms`).join(', ') || 'none'}`
    ].join('; '),
    '--- outputs',
    list(result.outputs),
    '--- exported',
    list(result.exported),
    ''
  ].join('\n')
}

// Skipped, and so shown as skipped, where Node cannot trust a CA in process.
const withCa = canTrust ? describe : describe.skip

/** The committed transcript, by case: `=== 1. …` up to the next case. */
function sections(text: string): string[] {
  return text.split(/(?==== \d+\. )/)
}
const written: string[] = []

withCa('the transcript', () => {
  afterAll(() => {
    if (process.env['UPDATE_TRANSCRIPT'] !== '1') return
    // Cases not run (a -t filter) keep what the file had.
    const committed = sections(readFileSync(TRANSCRIPT, 'utf8'))
    const merged = CASES.map((_, i) =>
      (written[i] ?? committed[i] ?? '').trimEnd()
    )
    writeFileSync(TRANSCRIPT, `${merged.join('\n\n')}\n`)
  })

  it.each(
    CASES.map((spec, index) => [index + 1, spec.title, spec, index] as const)
  )(
    'case %d, %s: the runner shows what transcript.txt says, and no secret',
    async (_n, _title, spec, index) => {
      const proxied = spec.proxied ? await proxyParts() : undefined
      const server = proxied?.torqTls ?? torq
      if (spec.script) server.script(...spec.script)
      const proxies = proxied ? [proxied.proxy, proxied.refusing] : []
      const connected = proxies.map((p) => p.connects.length)
      const env = proxied && spec.env ? spec.env(proxied) : {}
      const result = await runAgainst(server, spec.inputs, [0.5], START, env)
      for (const secret of [DEMO_CLIENT_SECRET, BASIC, PROXY_PASSWORD]) {
        expect(result.reveals(secret)).toBe(false)
      }
      expect(result.commands.map(({ name }) => name)).not.toContain(
        'stop-commands'
      )
      // The proxy process reports each CONNECT on its own time.
      for (let i = 0; proxied && i < 200; i++) {
        if (proxies.some((p, j) => p.connects.length > (connected[j] ?? 0)))
          break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const connects = proxies.flatMap((p, i) => p.connects.slice(connected[i]))
      const actual = placeholders(
        render(index, spec, result, connects, env),
        proxied
      )
      written[index] = actual
      const expected = sections(readFileSync(TRANSCRIPT, 'utf8'))[index]
      try {
        expect(actual.trimEnd()).toBe(expected?.trimEnd())
      } catch (error) {
        ;(error as Error).message =
          'The runner now shows something else than __tests__/action/transcript.txt. ' +
          'If the change is meant, review it and run ' +
          'UPDATE_TRANSCRIPT=1 npm test -- __tests__/action/transcript.test.ts --coverage=false\n\n' +
          (error as Error).message
        throw error
      }
    }
  )
})
