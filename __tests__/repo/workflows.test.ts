// The workflows as GitHub reads them: every action pinned to a commit with its
// version beside it, and the release workflow's trigger, permissions and
// steps, which the README's verification instructions rely on.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isScalar, parse, parseDocument, visit } from 'yaml'
import { ROOT } from '../../test/support/runner.js'

const WORKFLOWS = join(ROOT, '.github', 'workflows')
const files = readdirSync(WORKFLOWS)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
const read = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8')

interface Uses {
  uses: string
  /** The comment on the same line, without `#` and spaces. */
  comment: string
}

/** Every `uses:` of a workflow, with the comment on its line. */
function usesOf(text: string): Uses[] {
  const found: Uses[] = []
  visit(parseDocument(text), {
    Pair(_, pair) {
      if (
        isScalar(pair.key) &&
        pair.key.value === 'uses' &&
        isScalar(pair.value)
      ) {
        found.push({
          uses: String(pair.value.value),
          comment: (pair.value.comment ?? '').trim()
        })
      }
    }
  })
  return found
}

/** Why a `uses:` is not pinned, or undefined for a pinned or local action. */
function pinProblem({ uses, comment }: Uses): string | undefined {
  if (uses.startsWith('./')) return undefined
  if (!/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/.test(uses)) {
    return `${uses}: not pinned to a full 40-character commit SHA`
  }
  if (!/^v\d+\.\d+\.\d+$/.test(comment)) {
    return `${uses}: no '# vX.Y.Z' version comment`
  }
  return undefined
}

describe('every workflow', () => {
  it('is found', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']))
  })

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
    for (const name of files) {
      for (const { uses, comment } of usesOf(read(name))) {
        if (uses.startsWith('./')) continue
        const [action = '', sha = ''] = uses.split('@')
        const seen = pins.get(action) ?? new Set<string>()
        seen.add(`${sha} # ${comment}`)
        pins.set(action, seen)
      }
    }
    for (const [action, seen] of pins) {
      expect([action, seen.size]).toEqual([action, 1])
    }
  })
})

describe('the pin check', () => {
  const sha = '08c6903cd8c0fde910a37f88322edcfb5dd907a8'
  const problemOf = (line: string) =>
    usesOf(`steps:\n  - ${line}\n`).map(pinProblem)

  it('accepts a full SHA with a version comment, and local actions', () => {
    expect(problemOf(`uses: actions/checkout@${sha} # v5.0.0`)).toEqual([
      undefined
    ])
    expect(
      problemOf(`uses: github/codeql-action/init@${sha} # v3.29.5`)
    ).toEqual([undefined])
    expect(problemOf('uses: ./')).toEqual([undefined])
  })

  it('refuses tags, short SHAs and missing or vague version comments', () => {
    for (const line of [
      'uses: actions/checkout@v5',
      'uses: actions/checkout@v5.0.0 # v5.0.0',
      `uses: actions/checkout@${sha.slice(0, 7)} # v5.0.0`,
      `uses: actions/checkout@${sha.toUpperCase()} # v5.0.0`,
      `uses: actions/checkout@${sha}`,
      `uses: actions/checkout@${sha} # v5`,
      `uses: actions/checkout@${sha} # pinned`,
      `uses: actions/checkout@${sha}\n    # v5.0.0`,
      'uses: docker://alpine:3'
    ]) {
      expect([line, problemOf(line)[0]]).toEqual([line, expect.any(String)])
    }
  })
})

interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  permissions?: string | Record<string, string>
  steps: Step[]
}
interface Workflow {
  on: unknown
  permissions: unknown
  jobs: Record<string, Job>
}

describe('release.yml', () => {
  const text = read('release.yml')
  const release = parse(text) as Workflow
  const jobs = Object.entries(release.jobs)
  const writes = (permissions: Job['permissions']) =>
    typeof permissions === 'string'
      ? permissions.includes('write')
      : Object.values(permissions ?? {}).includes('write')
  const writers = jobs.filter(([, job]) => writes(job.permissions))
  const [writerName = '', writer] = writers[0] ?? []

  it('runs only when a vX.Y.Z tag is pushed', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
  })

  it('reads contents only, unless a job says otherwise', () => {
    expect(release.permissions).toEqual({ contents: 'read' })
  })

  it('lets exactly one job write, with exactly what releasing needs', () => {
    expect(writers.map(([name]) => name)).toEqual([writerName])
    expect(writer?.permissions).toEqual({
      contents: 'write',
      'id-token': 'write',
      attestations: 'write'
    })
    const others = jobs.filter(([name]) => name !== writerName)
    expect(others.map(([name, job]) => [name, job.permissions])).toEqual(
      others.map(([name]) => [name, undefined])
    )
  })

  it('writes only after the full check, and runs no npm code itself', () => {
    const needs = [writer?.needs ?? []].flat()
    const checks = needs.map((name) => release.jobs[name])
    expect(
      checks.some((job) =>
        job?.steps.some((step) => step.run?.includes('bash .ci/run'))
      )
    ).toBe(true)
    for (const step of writer?.steps ?? []) {
      expect(step.run ?? '').not.toMatch(/\bnpm\b|\bnpx\b/)
    }
  })

  it('attests dist/index.js and releases the pushed tag without creating one', () => {
    const steps = writer?.steps ?? []
    const attest = steps.find((step) =>
      step.uses?.startsWith('actions/attest-build-provenance@')
    )
    expect(attest?.with).toEqual({ 'subject-path': 'dist/index.js' })
    const create = steps.find((step) => step.run?.includes('gh release create'))
    expect(create?.run).toContain('--verify-tag')
    expect(create?.run).toContain('--notes-file')
    expect(steps.indexOf(attest!)).toBeLessThan(steps.indexOf(create!))
  })

  it('never pushes, moves or deletes a tag, nor replaces a release', () => {
    expect(text).not.toMatch(
      /git (push|tag)|gh release (delete|edit|upload)|--clobber/
    )
  })

  it('produces what the README tells users to verify', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const instructions = [
      'gh attestation verify dist/index.js --repo OWNER/torq-token-action',
      '--signer-workflow OWNER/torq-token-action/.github/workflows/release.yml'
    ]
    expect(instructions.filter((line) => !readme.includes(line))).toEqual([])
  })
})
