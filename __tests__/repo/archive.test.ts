// What the runner downloads for every job that uses the action: the
// repository's archive at the ref, which leaves out what .gitattributes marks
// export-ignore. It must hold what runs and what a user reads, and no more.
// The archive is made with the working tree's .gitattributes, so a change to
// the rules is checked before it is committed.
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../../test/support/runner-env.js'

const run = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, timeout: 10_000, maxBuffer: 1 << 26 })
// The repository's top: mutation testing runs the tests in a copy under
// .stryker-tmp/, which git sees as an untracked folder of this repository.
const TOP = run(ROOT, ['rev-parse', '--show-toplevel']).toString().trim()
const git = (args: string[]) => run(TOP, args)

/** The files of the archive, as `tar -t` lists them. */
const archived = execFileSync('tar', ['-t'], {
  input: git(['archive', '--worktree-attributes', '--format=tar', 'HEAD']),
  timeout: 10_000,
  maxBuffer: 1 << 26
})
  .toString()
  .split('\n')
  .filter((name) => name !== '' && !name.endsWith('/'))
  .sort()

describe("the action's archive", () => {
  it('holds action.yml, the bundle, package.json and what a user reads, nothing else', () => {
    const top = [...new Set(archived.map((name) => name.split('/')[0]))]
    expect(top.sort()).toEqual(
      [
        'CHANGELOG.md',
        'LICENSE',
        'README.md',
        'SECURITY.md',
        'action.yml',
        'dist',
        'package.json'
      ].sort()
    )
  })

  it("holds the file action.yml's runs.main names and the bundle's package.json", () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      runs: { main: string }
    }
    expect(archived).toEqual(
      expect.arrayContaining([action.runs.main, 'dist/package.json'])
    )
  })

  it('leaves out a file or folder added at the top later, unless let in', () => {
    const paths = ['new-tool.config.js', 'fixtures', '.github', 'docs']
    const out = git(['check-attr', 'export-ignore', '--', ...paths]).toString()
    expect(out.trim().split('\n')).toEqual(
      paths.map((path) => `${path}: export-ignore: set`)
    )
  })
})
