import { jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionInputs, readFileCommands, readLog } from './runner.js'

/**
 * Prepares this process as a runner would for an in-process run(): INPUT_*
 * variables (action.yml defaults plus `inputs`), GITHUB_OUTPUT and GITHUB_ENV
 * files, and stdout captured. `finish()` restores everything and returns what
 * the runner would have seen.
 */
export function emulateRunner(inputs: Record<string, string>) {
  const saved = { ...process.env }
  const dir = mkdtempSync(join(tmpdir(), 'torq-run-'))
  const outputFile = join(dir, 'output')
  const envFile = join(dir, 'env')
  writeFileSync(outputFile, '')
  writeFileSync(envFile, '')
  // Start from this process's environment without inputs or proxy settings.
  process.env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith('INPUT_') && !/^(https?_proxy|no_proxy)$/i.test(key)
    )
  )
  for (const [name, value] of Object.entries({
    ...actionInputs(),
    ...inputs
  })) {
    process.env[`INPUT_${name.toUpperCase()}`] = value
  }
  process.env['GITHUB_OUTPUT'] = outputFile
  process.env['GITHUB_ENV'] = envFile
  process.exitCode = undefined

  let log = ''
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => {
      log += String(chunk)
      return true
    })

  return () => {
    write.mockRestore()
    const exitCode = process.exitCode
    process.exitCode = undefined
    const result = {
      exitCode,
      log,
      outputs: readFileCommands(readFileSync(outputFile, 'utf8')),
      exported: readFileCommands(readFileSync(envFile, 'utf8')),
      ...readLog(log)
    }
    process.env = saved
    rmSync(dir, { recursive: true, force: true })
    return result
  }
}
