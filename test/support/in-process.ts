import { jest } from '@jest/globals'
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionInputs, readFileCommands, readLog } from './runner.js'

/**
 * Prepares this process as a runner would for an in-process run(): INPUT_*
 * variables (action.yml defaults plus `inputs`), GITHUB_OUTPUT and GITHUB_ENV
 * files, and stdout captured. `finish()` restores everything and returns what
 * the runner would have seen, and `writtenBefore(text)`: how many bytes the
 * output and environment files held when `text` was first printed.
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
        !key.startsWith('INPUT_') && !/^(https?|all|no)_proxy$/i.test(key)
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
    const result = {
      exitCode,
      log,
      outputs: readFileCommands(readFileSync(outputFile, 'utf8')),
      exported: readFileCommands(readFileSync(envFile, 'utf8')),
      writtenBefore,
      ...readLog(log)
    }
    process.env = saved
    rmSync(dir, { recursive: true, force: true })
    return result
  }
}
