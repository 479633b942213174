// The two runner emulations agree: runner.js (the bundle as a child process)
// and in-process.ts (run() in this process) give the action the same
// environment for the same inputs, machine and step settings.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PROXY_VARIABLES } from '../../src/http.js'
import { emulateRunner } from '../../test/support/in-process.js'
import { runAction } from '../../test/support/runner.js'

const INPUTS = {
  'client-id': 'id-1',
  'client-secret': 'secret-1',
  'token name': 'with a space'
}
// Set on the machine running the tests: a clean runner passes only KEEP_ME
// and UNSET_BY_STEP, which the step's settings unset.
const MACHINE = {
  ...Object.fromEntries(
    [...PROXY_VARIABLES, 'no_proxy', 'NO_PROXY'].map((name) => [
      name,
      'http://probe'
    ])
  ),
  Https_Proxy: 'http://probe',
  NODE_EXTRA_CA_CERTS: '/machine/ca.pem',
  NODE_OPTIONS: '--no-warnings',
  INPUT_STALE: 'from the machine',
  GITHUB_TOKEN: 'machine-token',
  Github_Workspace: '/machine',
  ACTIONS_STEP_DEBUG: 'true',
  RUNNER_TEMP: '/machine/temp',
  KEEP_ME: 'kept',
  UNSET_BY_STEP: 'unset'
}
// Step settings on top, as a workflow's `env:` gives them.
const STEP = { HTTPS_PROXY: 'http://127.0.0.1:9', UNSET_BY_STEP: undefined }

let dir: string
let saved: NodeJS.ProcessEnv

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'torq-emulations-'))
  writeFileSync(
    join(dir, 'print-env.js'),
    'process.stdout.write(JSON.stringify(process.env))\n'
  )
  saved = process.env
  process.env = { ...saved, ...MACHINE }
})

afterAll(() => {
  process.env = saved
  rmSync(dir, { recursive: true, force: true })
})

/** The step's own paths, relative to its RUNNER_TEMP (each run has its own). */
function normalized(env: Record<string, string | undefined>) {
  const temp = env['RUNNER_TEMP'] ?? ''
  const out: Record<string, string | undefined> = { ...env }
  out['RUNNER_TEMP'] = '<RUNNER_TEMP>'
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV']) {
    out[name] = `<RUNNER_TEMP>/${relative(temp, env[name] ?? '')}`
  }
  return out
}

async function bothEmulations() {
  const child = await runAction({
    entry: join(dir, 'print-env.js'),
    inputs: INPUTS,
    env: STEP
  })
  const finish = emulateRunner(INPUTS, STEP)
  const inProcess = { ...process.env }
  finish()
  return {
    child: normalized(JSON.parse(child.log) as Record<string, string>),
    inProcess: normalized(inProcess)
  }
}

describe('runner.js and in-process.ts', () => {
  it('give the action the same environment', async () => {
    const { child, inProcess } = await bothEmulations()
    expect(inProcess).toEqual(child)
  })

  it('name inputs as the runner does and fill in action.yml defaults', async () => {
    const { child, inProcess } = await bothEmulations()
    for (const env of [child, inProcess]) {
      expect(env['INPUT_CLIENT-ID']).toBe('id-1')
      expect(env['INPUT_CLIENT-SECRET']).toBe('secret-1')
      expect(env['INPUT_TOKEN_NAME']).toBe('with a space')
      expect(env['INPUT_REGION']).toBe('us')
      expect(env['INPUT_STALE']).toBeUndefined()
    }
  })

  it('pass none of the machine runner, proxy, CA or NODE_OPTIONS settings', async () => {
    const { child, inProcess } = await bothEmulations()
    for (const env of [child, inProcess]) {
      const passed = Object.keys(MACHINE).filter((name) => name in env)
      // RUNNER_TEMP is the step's own; HTTPS_PROXY is the step's setting.
      expect(passed.sort()).toEqual(['HTTPS_PROXY', 'KEEP_ME', 'RUNNER_TEMP'])
      expect(env['HTTPS_PROXY']).toBe('http://127.0.0.1:9')
      expect(env['RUNNER_TEMP']).toBe('<RUNNER_TEMP>')
      expect(env['GITHUB_OUTPUT']).toBe('<RUNNER_TEMP>/output')
      expect(env['GITHUB_ENV']).toBe('<RUNNER_TEMP>/env')
      expect(env['GITHUB_ACTIONS']).toBe('true')
      expect(env['PATH']).toBe(saved['PATH'])
    }
  })
})
