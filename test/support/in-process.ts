// The runner emulated around run() in this process, for __tests__/action/: the
// step's environment from runner-env.js (as runner.js gives the bundle),
// stdout captured and replayed with runner.js's readLog, and a fake clock.
import { bounded } from './bounded.js'
import { jest } from '@jest/globals'
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { fakeClock } from './fake-clock.js'
import { stepEnvironment } from './runner-env.js'
import { readFileCommands, readLog } from './runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type TorqServer
} from './torq-server.js'

/**
 * Prepares this process as a runner would for an in-process run(): the
 * step's environment from runner-env.js (INPUT_* variables, action.yml's
 * defaults plus `inputs`, GITHUB_OUTPUT and GITHUB_ENV files, `env` on top),
 * the same as runner.js gives the bundle, and stdout captured. `finish()`
 * restores everything and returns what the runner would have seen (outputs
 * and variables from the files the two variables name then, {} where one is
 * unset, empty or no regular file), and `writtenBefore(text)`: how many
 * bytes the output and environment files held when `text` was first printed.
 */
export function emulateRunner(
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {}
) {
  const saved = { ...process.env }
  const dir = mkdtempSync(join(tmpdir(), 'torq-run-'))
  const outputFile = join(dir, 'output')
  const envFile = join(dir, 'env')
  writeFileSync(outputFile, '')
  writeFileSync(envFile, '')
  // The step's own RUNNER_TEMP, never this machine's: no state from elsewhere.
  process.env = stepEnvironment({
    machine: saved,
    inputs,
    files: { output: outputFile, env: envFile, runnerTemp: dir },
    env
  })
  process.exitCode = undefined

  let log = ''
  const fileBytes: { at: number; bytes: number }[] = []
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => {
      fileBytes.push({
        at: log.length,
        bytes: statSync(outputFile).size + statSync(envFile).size
      })
      log += String(chunk)
      return true
    })
  const writtenBefore = (text: string): number | undefined => {
    const index = log.indexOf(text)
    return fileBytes.findLast(({ at }) => at <= index)?.bytes
  }

  return () => {
    write.mockRestore()
    const exitCode = process.exitCode
    process.exitCode = undefined
    const read = (path: string | undefined) =>
      path && statSync(path, { throwIfNoEntry: false })?.isFile()
        ? readFileCommands(readFileSync(path, 'utf8'))
        : {}
    const result = {
      exitCode,
      log,
      outputs: read(process.env['GITHUB_OUTPUT']),
      exported: read(process.env['GITHUB_ENV']),
      writtenBefore,
      ...readLog(log, process.env['ACTIONS_STEP_DEBUG'] === 'true')
    }
    process.env = saved
    rmSync(dir, { recursive: true, force: true })
    return result
  }
}

/** What a test does while run() is under way: `advance` moves the fake clock. */
export type During = (advance: (ms: number) => void) => Promise<unknown>

/**
 * Runs the action in this process against `server` with the demo
 * credentials, `inputs` on top, `env` added to the environment (`undefined`
 * leaves a variable unset: `{ GITHUB_ENV: undefined }`), and a fake
 * clock: what the runner would see,
 * the waits asked for, and the requests the server received. `during` runs
 * alongside, to move the clock once the server has a request (a timeout).
 */
export async function runAgainst(
  server: TorqServer,
  inputs: Record<string, string> = {},
  randoms: number[] = [0.5],
  start?: number,
  env: Record<string, string | undefined> = {},
  during?: During
) {
  const { clock, sleeps, advance } = fakeClock(randoms, start)
  const finish = emulateRunner(
    {
      'client-id': DEMO_CLIENT_ID,
      'client-secret': DEMO_CLIENT_SECRET,
      'auth-url': server.url,
      ...inputs
    },
    env
  )
  const before = server.requests.length
  const both = Promise.all([run(clock), during?.(advance)])
  const result = await bounded(both, 'run()', 15_000).then(
    finish,
    (error: unknown) => {
      finish()
      throw error
    }
  )
  return { ...result, sleeps, requests: server.requests.slice(before) }
}

/**
 * Sends this process's connections for each `host:port` of `map` to the
 * local address given (`{'auth.torq.io:443': '127.0.0.1:4321'}`), as
 * connect-map.js does for a child process; TLS still checks the certificate
 * against the host name. Returns the function that undoes it.
 */
export function mapConnections(map: Record<string, string>): () => void {
  const prototype = net.Socket.prototype
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'connect')
  const original = descriptor?.value as (...args: unknown[]) => unknown
  function connect(this: net.Socket, ...args: unknown[]): unknown {
    // net.createConnection passes its normalized arguments as one array.
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as {
      host?: string
      port?: number | string
    } | null
    const to =
      typeof options === 'object' && options !== null
        ? map[`${String(options.host)}:${String(options.port)}`]
        : undefined
    if (to !== undefined && options !== null) {
      const at = to.lastIndexOf(':')
      options.host = to.slice(0, at)
      options.port = Number(to.slice(at + 1))
    }
    return original.apply(this, args)
  }
  Object.defineProperty(prototype, 'connect', { ...descriptor, value: connect })
  return () => {
    Object.defineProperty(prototype, 'connect', descriptor ?? {})
  }
}
