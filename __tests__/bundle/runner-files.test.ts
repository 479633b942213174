// The bundle under Node 24 writing the runner's files on a full disk (a tmpfs
// of two 4 KiB pages, mounted where this machine allows it): all outputs and
// the variable, or none, each file put back to the length it had.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../test/support/runner.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import { credentials, node } from './helpers.js'

/** A tmpfs of 8 KiB, or why none could be mounted here. */
function mountSmallDisk(): { dir: string } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'torq-full-disk-'))
  const mount = spawnSync(
    'mount',
    ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', dir],
    { encoding: 'utf8' }
  )
  if (mount.status === 0) return { dir }
  rmdirSync(dir)
  return {
    reason: (mount.stderr || String(mount.error)).trim()
  }
}

const disk = mountSmallDisk()
const onSmallDisk = 'dir' in disk ? describe : describe.skip
const skipped =
  'reason' in disk ? ` (skipped: no small tmpfs here: ${disk.reason})` : ''

/** Text of `bytes` bytes that the runner reads as one earlier value `name`. */
function earlier(name: string, bytes: number): string {
  const head = `${name}<<EOF\n`
  return `${head}${'x'.repeat(bytes - head.length - 5)}\nEOF\n`
}

onSmallDisk(`the runner's files on a full disk${skipped}`, () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(async () => {
    await server.close()
    const { dir } = disk as { dir: string }
    spawnSync('umount', [dir])
    rmdirSync(dir)
  })

  it.each([
    ['GITHUB_OUTPUT', 'only part of the outputs fits', 4000, 100],
    ['GITHUB_ENV', 'the outputs fit and the variable does not', 100, 4090]
  ])(
    'fails naming %s when %s, and puts both files back',
    async (variable, _case, outputBytes, envBytes) => {
      const { dir } = disk as { dir: string }
      const files = [join(dir, 'output'), join(dir, 'env')] as const
      const texts = [
        earlier('EARLIER_OUTPUT', outputBytes),
        earlier('EARLIER_VARIABLE', envBytes)
      ]
      files.forEach((file, i) => writeFileSync(file, texts[i] ?? ''))
      const before = server.requests.length
      const result = await runAction({
        node,
        inputs: { ...credentials, 'auth-url': server.url },
        env: { GITHUB_OUTPUT: files[0], GITHUB_ENV: files[1] }
      })
      expect([result.exitCode, result.stderr]).toEqual([1, ''])
      expect(result.errors).toHaveLength(1)
      const error = result.errors[0]
      expect(error).toMatch(
        new RegExp(`^Could not write the runner's ${variable} file: .*ENOSPC`)
      )
      expect(error).not.toContain(dir)
      expect(server.requests.length - before).toBe(1)
      expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(texts)
      expect(Object.keys(result.outputs)).toEqual(['EARLIER_OUTPUT'])
      expect(Object.keys(result.exported)).toEqual(['EARLIER_VARIABLE'])
      expect(result.reveals(server.tokens.at(-1) ?? '')).toBe(false)
    }
  )
})
