// The bundle under Node 24 cancelled the way a runner cancels a step: SIGINT,
// then SIGTERM. A preload (test/support/signal-at.cjs) sends the signal right
// after one of the action's writes to the step's files returns, each write in
// turn. The action publishes in one synchronous stretch and handles both
// signals, so a signal there is not acted on before the stretch ends: the
// runner, which reads GITHUB_OUTPUT and GITHUB_ENV even on cancel, finds the
// token in both, and RUNNER_TEMP holds no half-made state file. The step has
// then finished, and ends as one that did. A signal while the server has not
// answered ends the step promptly with 128 plus the signal's number, one
// error, and nothing written.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT, runAction } from '../../test/support/runner.js'
import {
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import { credentials, node, type Result } from './helpers.js'

const PRELOAD = join(ROOT, 'test', 'support', 'signal-at.cjs')
const STATE = 'torq-token-action.json'
/** The state file as it is written: under a random name, then renamed. */
const TEMP = `.${STATE}.*`
const VARIABLE = 'TORQ_ACCESS_TOKEN'
const OUTPUTS = Object.keys(
  (
    parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      outputs: Record<string, unknown>
    }
  ).outputs
)
/** The exit codes of a process ended by a signal it handled. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type Signal = keyof typeof EXIT_CODES
/**
 * How soon a cancelled run must have ended, start-up included: well before
 * the runner's SIGTERM 7.5 s after its SIGINT, and the action's 30 s limit
 * per attempt. A run that has not ended by twice this is killed.
 */
const BOUND_MS = 5000

/**
 * The writes to the step's files of a run that is not cancelled, in order:
 * one per output, the variable, then the job's state file made whole under a
 * random name and renamed over the old one.
 */
const WRITES = [
  ...OUTPUTS.map(() => 'appendFileSync GITHUB_OUTPUT'),
  'appendFileSync GITHUB_ENV',
  `openSync ${TEMP}`,
  `writeFileSync ${TEMP}`,
  `closeSync ${TEMP}`,
  `renameSync ${TEMP} ${STATE}`
]

let server: TorqServer
beforeAll(async () => {
  server = await startTorqServer()
})
afterAll(() => server.close())

interface Run {
  result: Result
  /** the counted writes, as WRITES names them */
  writes: string[]
  /** whether the signal was sent, by the preload or from outside */
  signalled: boolean
  /** what the action left in RUNNER_TEMP, the runner's own folder aside */
  left: string[]
}

/**
 * Runs the bundle with the preload, in a RUNNER_TEMP of its own, and
 * removes all once read. `env` sets the preload (SIGNAL_AT_*); `during`
 * runs beside the action, given the file that will hold its process id and
 * the run, and says whether it sent a signal.
 */
async function runWithPreload(
  on: TorqServer,
  env: Record<string, string>,
  during?: (pidFile: string, running: Promise<unknown>) => Promise<boolean>
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'torq-signals-'))
  try {
    const runnerTemp = join(dir, 'runner-temp')
    const log = join(dir, 'calls.log')
    const pidFile = join(dir, 'pid')
    mkdirSync(runnerTemp)
    const running = runAction({
      node,
      args: ['--require', PRELOAD],
      runnerTemp,
      killAfterMs: 2 * BOUND_MS,
      inputs: { ...credentials, 'auth-url': on.url },
      env: { SIGNAL_AT_LOG: log, SIGNAL_AT_PID_FILE: pidFile, ...env }
    })
    const sent = (await during?.(pidFile, running)) ?? false
    const result = await running
    const records = existsSync(log)
      ? readFileSync(log, 'utf8')
          .trimEnd()
          .split('\n')
          .map(
            (line) => JSON.parse(line) as { call?: string; files?: string[] }
          )
      : []
    return {
      result,
      writes: records.flatMap(({ call, files = [] }) =>
        call === undefined
          ? []
          : [
              [
                call,
                ...files
                  .filter((file) => file !== '')
                  .map((file) => (file.startsWith(`.${STATE}.`) ? TEMP : file))
              ].join(' ')
            ]
      ),
      signalled: sent || records.some((record) => !('call' in record)),
      left: readdirSync(runnerTemp).filter(
        (name) => name !== '_runner_file_commands'
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What the runner finds in GITHUB_OUTPUT and GITHUB_ENV, in words. */
function written({ outputs, exported }: Result): string {
  const names = Object.keys(outputs)
  const token = outputs['token']
  const variable = exported[VARIABLE]
  if (names.length === 0 && variable === undefined) return 'nothing'
  if (names.length === OUTPUTS.length && token && variable === token)
    return 'all outputs and the variable'
  return `${names.length} of ${OUTPUTS.length} outputs${token ? ' (token among them)' : ''}, ${variable === undefined ? 'no variable' : variable === token ? 'the variable' : 'another variable'}`
}

/** A cancelled run, as the assertions compare it. */
function outcome({ result, signalled, left }: Run) {
  return {
    signalled,
    exitCode: result.exitCode,
    written: written(result),
    halfMadeStateFiles: left.filter((name) => name.startsWith(`.${STATE}.`)),
    errors: result.errors.length,
    stderr: result.stderr,
    endedInTime: result.durationMs < BOUND_MS
  }
}

/** A signal while publishing: the step finishes, both files written, no temp file. */
const FINISHED = {
  signalled: true,
  exitCode: 0,
  written: 'all outputs and the variable',
  halfMadeStateFiles: [],
  errors: 0,
  stderr: '',
  endedInTime: true
}

it(`writes the step's files ${WRITES.length} times when not cancelled`, async () => {
  const run = await runWithPreload(server, {})
  expect(run.result.exitCode).toBe(0)
  expect(run.result.errors).toEqual([])
  expect(written(run.result)).toBe('all outputs and the variable')
  expect(run.writes).toEqual(WRITES)
  expect(run.left).toEqual([STATE])
})

const cases: [Signal, number, string][] = [
  ...WRITES.map((write, i): [Signal, number, string] => [
    'SIGINT',
    i + 1,
    write
  ]),
  ...[
    WRITES.lastIndexOf('appendFileSync GITHUB_OUTPUT'),
    WRITES.indexOf(`writeFileSync ${TEMP}`)
  ].map((i): [Signal, number, string] => ['SIGTERM', i + 1, WRITES[i] ?? ''])
]

it.concurrent.each(cases)(
  '%s right after write %i (%s): the token in both files, no temp file',
  async (signal, at) => {
    const run = await runWithPreload(server, {
      SIGNAL_AT_CALL: String(at),
      SIGNAL_AT_SIGNAL: signal
    })
    expect(outcome(run)).toEqual(FINISHED)
  }
)

it('SIGINT while the server has not answered: exits promptly, nothing written', async () => {
  const held = await startTorqServer()
  try {
    held.script(replies.hang())
    const requested = held.replied()
    const run = await runWithPreload(held, {}, async (pidFile, running) => {
      const first = await Promise.race([
        requested.then(() => 'requested'),
        running.then(() => 'ended')
      ])
      if (first === 'ended') return false
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGINT')
      return true
    })
    expect(held.requests).toHaveLength(1)
    expect(outcome(run)).toEqual({
      ...FINISHED,
      exitCode: EXIT_CODES.SIGINT,
      written: 'nothing',
      errors: 1
    })
    expect(run.left).toEqual([])
  } finally {
    await held.close()
  }
})
