// The bundle under Node 24 and the runner's files: a full disk (a small tmpfs),
// a file the runner did not give, and the name the token is exported under.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  mkdtempSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const node = node24() ?? process.execPath

/** A tmpfs of two 4 KiB pages, or why none could be mounted here. */
function mountSmallDisk(): { dir: string } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'torq-full-disk-'))
  const mount = spawnSync(
    'mount',
    ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', dir],
    {
      encoding: 'utf8'
    }
  )
  if (mount.status === 0) return { dir }
  rmdirSync(dir)
  return {
    reason: `a small tmpfs cannot be mounted here (${(mount.stderr || String(mount.error)).trim()})`
  }
}

const disk = mountSmallDisk()
const onSmallDisk = 'dir' in disk ? describe : describe.skip
const skipped = 'reason' in disk ? ` (skipped: ${disk.reason})` : ''

/** A file of `bytes` bytes that the runner reads as one earlier output. */
function earlier(path: string, name: string, bytes: number): string {
  const head = `${name}<<EOF\n`
  const text = `${head}${'x'.repeat(bytes - head.length - 5)}\nEOF\n`
  writeFileSync(path, text)
  return text
}

describe('dist/index.js and the runner files', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(async () => {
    await server.close()
    if ('dir' in disk) {
      spawnSync('umount', [disk.dir])
      rmdirSync(disk.dir)
    }
  })

  const run = async (
    env: Record<string, string | undefined>,
    inputs: Record<string, string> = {}
  ) => {
    const before = server.requests.length
    const result = await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': DEMO_CLIENT_SECRET,
        'auth-url': server.url,
        ...inputs
      },
      env
    })
    return { ...result, requests: server.requests.length - before }
  }

  // Both files on a full disk, each put back to the length it had.
  const fullDisk = async (outputBytes: number, envBytes: number) => {
    const dir = (disk as { dir: string }).dir
    const output = join(dir, 'output')
    const env = join(dir, 'env')
    const texts = [
      earlier(output, 'EARLIER_OUTPUT', outputBytes),
      earlier(env, 'EARLIER_VARIABLE', envBytes)
    ]
    const result = await run({ GITHUB_OUTPUT: output, GITHUB_ENV: env })
    const files = [readFileSync(output, 'utf8'), readFileSync(env, 'utf8')]
    const sizes = [statSync(output).size, statSync(env).size]
    return { ...result, texts, files, sizes, dir }
  }

  onSmallDisk(`on a full disk${skipped}`, () => {
    it('puts GITHUB_OUTPUT back when only part of the outputs fits', async () => {
      const result = await fullDisk(4000, 100)
      expect(result.exitCode).toBe(1)
      expect(result.requests).toBe(1)
      expect(result.sizes).toEqual([4000, 100])
      expect(result.files).toEqual(result.texts)
      expect(result.errors).toEqual([
        expect.stringMatching(
          /^Could not write the runner's GITHUB_OUTPUT file: no space left on the runner's disk\b/
        )
      ])
      expect(result.errors[0]).not.toContain(result.dir)
      expect(result.log).not.toContain('Unexpected failure')
      expect(result.outputs).toEqual({
        EARLIER_OUTPUT: expect.stringMatching(/^x+$/)
      })
      expect(result.reveals(server.tokens.at(-1) ?? '')).toBe(false)
    })

    it('puts both files back when GITHUB_OUTPUT fits and GITHUB_ENV does not', async () => {
      const result = await fullDisk(100, 4090)
      expect(result.exitCode).toBe(1)
      expect(result.sizes).toEqual([100, 4090])
      expect(result.files).toEqual(result.texts)
      expect(result.errors).toEqual([
        expect.stringMatching(
          /^Could not write the runner's GITHUB_ENV file: no space left on the runner's disk\b/
        )
      ])
      expect(result.log).not.toContain('Unexpected failure')
      expect(Object.keys(result.outputs)).toEqual(['EARLIER_OUTPUT'])
      expect(Object.keys(result.exported)).toEqual(['EARLIER_VARIABLE'])
    })
  })

  it.each([
    ['GITHUB_OUTPUT', undefined, 'true'],
    ['GITHUB_OUTPUT', '', 'false'],
    ['GITHUB_ENV', undefined, 'true'],
    ['GITHUB_ENV', '', 'true']
  ])(
    'fails before any request with %s set to %j (export-env %s)',
    async (variable, value, exportEnv) => {
      const result = await run(
        { [variable]: value },
        { 'export-env': exportEnv }
      )
      expect(result.exitCode).toBe(1)
      expect(result.requests).toBe(0)
      expect(result.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^The runner's ${variable} variable is unset or empty.*v2\\.327\\.1`
          )
        )
      ])
      expect(result.commands.map(({ name }) => name)).not.toContain(
        'set-output'
      )
      expect(result.shown).not.toContain('Got a Torq API token')
    }
  )

  it('needs no GITHUB_ENV with export-env: false, and never writes set-env or set-output', async () => {
    const result = await run(
      { GITHUB_ENV: undefined },
      { 'export-env': 'false' }
    )
    expect(result.exitCode).toBe(0)
    expect(result.outputs['token']).toBe(server.tokens.at(-1))
    expect(result.commands.map(({ name }) => name)).toEqual(
      expect.not.arrayContaining(['set-output', 'set-env'])
    )
  })

  it.each(['GOSUMDB', 'CGO_LDFLAGS', 'TAR_OPTIONS', 'BROWSER', 'GITHUB_TORQ'])(
    'refuses env-var %s before any request, showing how to map the token',
    async (name) => {
      const result = await run({}, { 'env-var': name })
      expect(result.exitCode).toBe(1)
      expect(result.requests).toBe(0)
      expect(result.errors).toEqual([
        expect.stringMatching(
          new RegExp(`^Input 'env-var' is "${name}", which .*TORQ_ACCESS_TOKEN`)
        )
      ])
      expect(result.errors[0]).toContain(
        'env: API_TOKEN: ${{ env.TORQ_ACCESS_TOKEN }}'
      )
    }
  )

  it('exports under a name of its own that contains TORQ', async () => {
    const result = await run({}, { 'env-var': 'my_torq_api_token' })
    expect(result.exitCode).toBe(0)
    expect(result.exported).toEqual({
      my_torq_api_token: server.tokens.at(-1)
    })
  })
})
