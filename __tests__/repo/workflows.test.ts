// The workflows as GitHub reads them: every action pinned to a commit with its
// version beside it, every script they run present, the test-action
// workflow's demo server as the repository has it, and the release
// workflow's trigger, permissions and steps, which the README's verification
// instructions rely on.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isScalar, parse, parseDocument, visit } from 'yaml'
import { ROOT } from '../../test/support/runner-env.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  TOKEN_PATH
} from '../../test/support/torq-server.js'

const WORKFLOWS = join(ROOT, '.github', 'workflows')
const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name))
const read = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8')

/** Every `uses:` of a workflow, with the comment on its line. */
function usesOf(text: string): { uses: string; comment: string }[] {
  const found: { uses: string; comment: string }[] = []
  visit(parseDocument(text), {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'uses') {
        const value = pair.value as { value?: unknown; comment?: string }
        const comment = (value.comment ?? '').trim()
        found.push({ uses: String(value.value), comment })
      }
    }
  })
  return found
}

/** Why a `uses:` is not pinned, or undefined for a pinned or local action. */
function pinProblem({ uses, comment }: { uses: string; comment: string }) {
  if (uses.startsWith('./')) return undefined
  if (!/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/.test(uses)) {
    return `${uses}: not pinned to a full 40-character commit SHA`
  }
  return /^v\d+\.\d+\.\d+$/.test(comment)
    ? undefined
    : `${uses}: no '# vX.Y.Z' version comment`
}

describe('every workflow', () => {
  it.each(files)(
    '%s pins each action to a commit SHA with its version',
    (name) => {
      const uses = usesOf(read(name))
      expect(uses.length).toBeGreaterThan(0)
      expect(uses.map(pinProblem).filter(Boolean)).toEqual([])
    }
  )

  it('pins each action to the same commit everywhere', () => {
    const pins = new Map<string, Set<string>>()
    for (const { uses, comment } of files.flatMap((name) =>
      usesOf(read(name))
    )) {
      const [action = '', sha] = uses.split('@')
      pins.set(action, (pins.get(action) ?? new Set()).add(`${sha} ${comment}`))
    }
    const differing = [...pins].filter(([, seen]) => seen.size > 1)
    expect(differing.map(([action]) => action)).toEqual([])
  })

  it('runs only npm scripts and files that exist', () => {
    const text = files.map(read).join('\n')
    const { scripts } = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8')
    ) as { scripts: Record<string, string> }
    const npm = [...text.matchAll(/\bnpm run ([\w:-]+)/g)].map(
      ([, name]) => name ?? ''
    )
    expect(npm.filter((name) => !(name in scripts))).toEqual([])
    const paths = [
      ...text.matchAll(/\b(?:node|bash) ((?:scripts|\.ci)\/[\w.-]+)/g)
    ].map(([, path]) => path ?? '')
    expect(paths).toEqual(expect.arrayContaining(['scripts/serve.js']))
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([])
  })
})

describe('the pin check', () => {
  const sha = '08c6903cd8c0fde910a37f88322edcfb5dd907a8'
  const problemOf = (line: string) =>
    usesOf(`steps:\n  - ${line}\n`).map(pinProblem)[0]

  it('accepts a full SHA with a version comment, and local actions', () => {
    expect(problemOf(`uses: actions/checkout@${sha} # v5.0.0`)).toBeUndefined()
    expect(problemOf(`uses: a/b/init@${sha} # v3.29.5`)).toBeUndefined()
    expect(problemOf('uses: ./')).toBeUndefined()
  })

  it.each([
    'uses: actions/checkout@v5',
    `uses: actions/checkout@${sha.slice(0, 7)} # v5.0.0`,
    `uses: actions/checkout@${sha.toUpperCase()} # v5.0.0`,
    `uses: actions/checkout@${sha}`,
    `uses: actions/checkout@${sha} # v5`,
    `uses: actions/checkout@${sha}\n    # v5.0.0`,
    'uses: docker://alpine:3'
  ])('refuses %s', (line) => {
    expect(problemOf(line)).toEqual(expect.any(String))
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

interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  permissions?: Record<string, string>
  steps: Step[]
}

describe('release.yml', () => {
  const text = read('release.yml')
  const release = parse(text) as {
    on: unknown
    permissions: unknown
    jobs: Record<string, Job>
  }
  const jobs = Object.entries(release.jobs)
  const writers = jobs.filter(([, job]) =>
    Object.values(job.permissions ?? {}).includes('write')
  )
  const writer = writers[0]?.[1]
  const steps = writer?.steps ?? []

  it('runs only when a vX.Y.Z tag is pushed, and reads contents only', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
    expect(release.permissions).toEqual({ contents: 'read' })
  })

  it('lets exactly one job write, with exactly what releasing needs', () => {
    expect(writers).toHaveLength(1)
    expect(writer?.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write'
    })
    const others = jobs.filter(([, job]) => job !== writer)
    expect(others.map(([, job]) => job.permissions)).toEqual(
      others.map(() => undefined)
    )
  })

  it('writes only after the full check, and runs no npm code itself', () => {
    const checks = [writer?.needs ?? []]
      .flat()
      .map((name) => release.jobs[name])
    const runs = checks.flatMap((job) => job?.steps.map((step) => step.run))
    expect(runs).toContain('bash .ci/run')
    expect(steps.filter((step) => /\bnpm|\bnpx/.test(step.run ?? ''))).toEqual(
      []
    )
  })

  it('attests dist/index.js, then releases the pushed tag without creating one', () => {
    const attest = steps.findIndex((step) =>
      step.uses?.startsWith('actions/attest-build-provenance@')
    )
    expect(steps[attest]?.with).toEqual({ 'subject-path': 'dist/index.js' })
    const create = steps.findIndex((step) =>
      step.run?.includes('gh release create')
    )
    expect(steps[create]?.run).toMatch(/--verify-tag.*--notes-file/s)
    expect(attest).toBeGreaterThanOrEqual(0)
    expect(create).toBeGreaterThan(attest)
  })

  it('never pushes, moves or deletes a tag, nor replaces a release', () => {
    expect(text).not.toMatch(
      /git (push|tag)|gh release (delete|edit|upload)|--clobber/
    )
  })

  it('produces what the README tells users to verify', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain(
      'gh attestation verify dist/index.js --repo OWNER/torq-token-action'
    )
    expect(readme).toContain(
      '--signer-workflow OWNER/torq-token-action/.github/workflows/release.yml'
    )
  })
})
