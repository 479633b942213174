// The workflows as GitHub reads them: every action pinned to a commit with its
// version beside it, every script they run present, the test-action
// workflow's demo server the repository's, and the release workflow's
// trigger, permissions and steps, which the README's verification relies on.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../../test/support/runner-env.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  TOKEN_PATH
} from '../../test/support/torq-server.js'

const WORKFLOWS = join(ROOT, '.github', 'workflows')
const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name))
const read = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8')

/** Every `uses:` of the workflows, with the comment on its line. */
const uses = files.flatMap((name) =>
  [...read(name).matchAll(/^[\s-]*uses: *(.*?) *$/gm)].map(
    ([, use = '']) => use
  )
)
/** A local action, or one pinned to a full commit SHA with its version. */
const PINNED = /^(\.\/.*|[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+)$/

describe('the workflows', () => {
  it('pin each action to a commit SHA with its version, the same everywhere', () => {
    expect(uses.length).toBeGreaterThan(files.length)
    expect(uses.filter((use) => !PINNED.test(use))).toEqual([])
    const pins = new Map(uses.map((use) => [use.split('@')[0], use]))
    expect(uses.filter((use) => pins.get(use.split('@')[0]) !== use)).toEqual(
      []
    )
  })

  it('would refuse a tag, a short or upper-case SHA, a missing or vague version', () => {
    const sha = '08c6903cd8c0fde910a37f88322edcfb5dd907a8'
    const accepted = [`a/b@${sha} # v5.0.0`, `a/b/init@${sha} # v3.29.5`, './']
    expect(accepted.filter((use) => !PINNED.test(use))).toEqual([])
    const refused = [
      'a/b@v5 # v5.0.0',
      `a/b@${sha.slice(0, 7)} # v5.0.0`,
      `a/b@${sha.toUpperCase()} # v5.0.0`,
      `a/b@${sha}`,
      `a/b@${sha} # v5`,
      'docker://alpine:3'
    ]
    expect(refused.filter((use) => PINNED.test(use))).toEqual([])
  })

  it('run only npm scripts and files that exist, as the README does', () => {
    const text = [
      ...files.map(read),
      readFileSync(join(ROOT, 'README.md'))
    ].join('\n')
    const { scripts } = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8')
    ) as { scripts: Record<string, string> }
    const npm = [...text.matchAll(/\bnpm run ([\w:-]+)/g)]
    expect(npm.filter(([, name = '']) => !(name in scripts))).toEqual([])
    const paths = [
      ...text.matchAll(/\b(?:node|bash) ((?:scripts|\.ci)\/[\w.-]+)/g)
    ].map(([, path = '']) => path)
    expect(paths).toEqual(expect.arrayContaining(['scripts/serve.js']))
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([])
  })
})

it("test-action.yml runs the action against the repository's demo server", () => {
  const { env } = parse(read('test-action.yml')) as {
    env: Record<string, string>
  }
  expect(env['DEMO_CLIENT_ID']).toBe(DEMO_CLIENT_ID)
  expect(env['DEMO_CLIENT_SECRET']).toBe(DEMO_CLIENT_SECRET)
  expect(new URL(env['AUTH_URL'] ?? '').pathname).toBe(TOKEN_PATH)
})

interface Job {
  needs?: string | string[]
  permissions?: Record<string, string>
  steps: { uses?: string; run?: string; with?: unknown }[]
}

describe('release.yml', () => {
  const text = read('release.yml')
  const release = parse(text) as {
    on: unknown
    permissions: unknown
    jobs: Record<string, Job>
  }
  const jobs = Object.values(release.jobs)
  const writers = jobs.filter((job) =>
    Object.values(job.permissions ?? {}).includes('write')
  )
  const writer = writers[0]
  const steps = writer?.steps ?? []

  it('runs only when a vX.Y.Z tag is pushed, and reads contents only', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
    expect(release.permissions).toEqual({ contents: 'read' })
  })

  it('lets one job write, with exactly what releasing needs, after the full check, running no npm code', () => {
    expect(writers).toHaveLength(1)
    expect(writer?.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write'
    })
    const others = jobs.filter((job) => job !== writer && job.permissions)
    expect(others).toEqual([])
    const checks = [writer?.needs ?? []]
      .flat()
      .map((name) => release.jobs[name])
    const runs = checks.flatMap((job) => job?.steps.map((step) => step.run))
    expect(runs).toContain('bash .ci/run')
    expect(steps.filter((step) => /\bnp[mx]\b/.test(step.run ?? ''))).toEqual(
      []
    )
  })

  it('attests dist/index.js, then releases the pushed tag without making or moving one', () => {
    const attest = steps.findIndex((step) =>
      step.uses?.startsWith('actions/attest-build-provenance@')
    )
    expect(steps[attest]?.with).toEqual({ 'subject-path': 'dist/index.js' })
    const create = steps.findIndex((step) =>
      step.run?.includes('gh release create')
    )
    expect(steps[create]?.run).toMatch(/--verify-tag.*--notes-file/s)
    expect(create).toBeGreaterThan(attest)
    expect(text).not.toMatch(
      /git (push|tag)|gh release (delete|edit|upload)|--clobber/
    )
  })

  it('produces what the README tells users to verify', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    for (const line of [
      'gh attestation verify dist/index.js --repo OWNER/torq-token-action',
      '--signer-workflow OWNER/torq-token-action/.github/workflows/release.yml'
    ]) {
      expect(readme).toContain(line)
    }
  })
})
