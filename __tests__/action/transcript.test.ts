// What the runner shows for the canonical runs, compared with the committed,
// reviewed transcript.txt: the one place exact user-facing wording is
// asserted. run() in this process (fake clock, fixed randomness) against the
// Torq-compatible server, a stand-in for auth.torq.io over TLS, and real
// forward proxies on loopback. After a change of wording, review the diff
// and rewrite the file:
//   UPDATE_TRANSCRIPT=1 npm test -- __tests__/action/transcript.test.ts --coverage=false
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { basic } from '../../src/outside-text.js'
import { makeCertificates } from '../../test/support/certs.js'
import { startForwardProxy } from '../../test/support/forward-proxy.js'
import {
  mapConnections,
  runAgainst,
  type During
} from '../../test/support/in-process.js'
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
const BASIC = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)

type Proxy = Awaited<ReturnType<typeof startForwardProxy>>
type Result = Awaited<ReturnType<typeof runAgainst>>

/** The servers and proxies besides the plain one, started for the cases that use them. */
interface Parts {
  /** Answers for auth.torq.io, its certificate from a CA made trusted. */
  torqTls: TorqServer
  proxy: Proxy
  refusing: Proxy
  /** Its certificate from a CA nobody trusts. */
  untrusted: TorqServer
}

/** One canonical run: what the servers and proxies do, and the step's `with:` and `env:`. */
interface Case {
  title: string
  /** The server the step asks: the stand-in for auth.torq.io, the untrusted one, or the plain one. */
  at?: 'auth.torq.io' | 'untrusted'
  /** auth.torq.io:443 reached directly: this process's connections to it go to the stand-in. */
  direct?: boolean
  script?: Parameters<TorqServer['script']>
  inputs?: Record<string, string>
  env?: (parts: Parts) => Record<string, string>
  /** An earlier step of the job ran this many ms before, with the same RUNNER_TEMP. */
  earlierStep?: number
  /** Moves the clock while the step runs. */
  during?: (server: TorqServer) => During
}

let torq: TorqServer
let parts: Promise<Parts> | undefined
const started = () => (parts ??= startParts())

// run() in this process trusts the test CA through the default CA list
// (Node 22.19 and later; npm test runs Node 24), as the bundle would through
// NODE_EXTRA_CA_CERTS.
const canTrust = typeof tls.setDefaultCACertificates === 'function'
const defaultCas = canTrust ? tls.getCACertificates('default') : []
const certificates: ReturnType<typeof makeCertificates>[] = []

async function startParts(): Promise<Parts> {
  const trusted = makeCertificates(['auth.torq.io'])
  const other = makeCertificates(['localhost', '127.0.0.1'])
  certificates.push(trusted, other)
  tls.setDefaultCACertificates([...defaultCas, trusted.caCert])
  const torqTls = await startTorqServer({
    tls: { key: trusted.key, cert: trusted.cert }
  })
  return {
    torqTls,
    proxy: await startForwardProxy({
      routes: { 'auth.torq.io:443': `127.0.0.1:${torqTls.port}` }
    }),
    refusing: await startForwardProxy({ refuse: true }),
    untrusted: await startTorqServer({
      tls: { key: other.key, cert: other.cert }
    })
  }
}

beforeAll(async () => {
  torq = await startTorqServer()
})

afterAll(async () => {
  await torq.close()
  if (parts === undefined) return
  const { torqTls, proxy, refusing, untrusted } = await parts
  tls.setDefaultCACertificates(defaultCas)
  await Promise.all([
    torqTls.close(),
    proxy.close(),
    refusing.close(),
    untrusted.close()
  ])
  for (const made of certificates) made.dispose()
})

const HOSTILE = [
  `got ${DEMO_CLIENT_SECRET} and ${BASIC}`,
  `(${DEMO_CLIENT_SECRET.toUpperCase()})`,
  '##[stop-commands]resume ::add-mask::x',
  '\n::error::forged\r##[set-output name=token]forged'
].join(' ')

/** Each attempt's request, once the server has it, outlives the deadline. */
const timingOut =
  (attempts: number, ms: number) =>
  (server: TorqServer): During =>
  async (advance) => {
    for (let n = 0; n < attempts; n++) {
      await server.replied()
      advance(ms)
    }
  }

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
    at: 'auth.torq.io',
    inputs: { 'auth-url': '' },
    env: ({ proxy }) => ({ HTTPS_PROXY: proxy.url })
  },
  {
    title: 'A proxy that answers 407 to credentials in its URL',
    at: 'auth.torq.io',
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
  },
  {
    title:
      "A later step of the job reuses the first step's token, kept encrypted (export-env: false)",
    inputs: { 'export-env': 'false' },
    earlierStep: 60_000
  },
  {
    title: 'Directly to auth.torq.io (region us, no proxy)',
    at: 'auth.torq.io',
    direct: true,
    inputs: { 'auth-url': '' }
  },
  {
    title: 'No answer within timeout-seconds, twice',
    inputs: { 'timeout-seconds': '5', retries: '1' },
    script: [replies.hang(), replies.hang()],
    during: timingOut(2, 5000)
  },
  {
    title: 'A certificate from an authority the runner does not trust',
    at: 'untrusted'
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
function placeholders(text: string, more?: Parts): string {
  const ports: [number, string][] = [[torq.port, '<torq-port>']]
  if (more) {
    ports.push(
      [more.torqTls.port, '<torq-tls-port>'],
      [more.proxy.port as number, '<proxy-port>'],
      [more.refusing.port as number, '<refusing-proxy-port>'],
      [more.untrusted.port, '<untrusted-port>']
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

/** Runs the case's step (after its earlier step, if any) against `server`. */
async function runCase(
  spec: Case,
  server: TorqServer,
  env: Record<string, string>
): Promise<Result> {
  if (spec.earlierStep === undefined) {
    return runAgainst(
      server,
      spec.inputs,
      [0.5],
      START,
      env,
      spec.during?.(server)
    )
  }
  const job = mkdtempSync(join(tmpdir(), 'torq-job-'))
  try {
    const inJob = { ...env, RUNNER_TEMP: job }
    const first = await runAgainst(server, spec.inputs, [0.5], START, inJob)
    expect(first.requests).toHaveLength(1)
    return await runAgainst(
      server,
      spec.inputs,
      [0.5],
      START + spec.earlierStep,
      inJob
    )
  } finally {
    rmSync(job, { recursive: true, force: true })
  }
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
      const more = spec.at ? await started() : undefined
      const server =
        spec.at === 'auth.torq.io'
          ? more?.torqTls
          : spec.at === 'untrusted'
            ? more?.untrusted
            : torq
      if (server === undefined) throw new Error('no server')
      if (spec.script) server.script(...spec.script)
      const proxies = more ? [more.proxy, more.refusing] : []
      const connected = proxies.map((p) => p.connects.length)
      const env = more && spec.env ? spec.env(more) : {}
      const unmap = spec.direct
        ? mapConnections({
            'auth.torq.io:443': `127.0.0.1:${String(more?.torqTls.port)}`
          })
        : () => undefined
      const result = await runCase(spec, server, env).finally(unmap)
      for (const secret of [DEMO_CLIENT_SECRET, BASIC, PROXY_PASSWORD]) {
        expect(result.reveals(secret)).toBe(false)
      }
      expect(result.reveals(result.outputs['token'] ?? '')).toBe(false)
      expect(result.commands.map(({ name }) => name)).not.toContain(
        'stop-commands'
      )
      // The proxy process reports each CONNECT on its own time.
      for (let i = 0; spec.env && i < 200; i++) {
        if (proxies.some((p, j) => p.connects.length > (connected[j] ?? 0)))
          break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const connects = proxies.flatMap((p, i) => p.connects.slice(connected[i]))
      const actual = placeholders(
        render(index, spec, result, connects, env),
        more
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
