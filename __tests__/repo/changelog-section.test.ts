// scripts/changelog-section.js: the release notes of one version, taken from
// CHANGELOG.md by scripts/release and by the release workflow.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changelogSection } from '../../scripts/changelog-section.js'
import { ROOT } from '../../test/support/runner-env.js'

const CHANGELOG = `# Changelog
## Unreleased
- Not yet.
## 1.0.10 - 2027-03-01
- Ten.
## 1.0.1 - 2027-01-15

Fixes.

### Details
- One.

## 1.0.0
- First.
`
const ONE = 'Fixes.\n\n### Details\n- One.'

function script(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'changelog-section.js'), ...args],
    { encoding: 'utf8' }
  )
  return { status, stdout, stderr }
}

describe('changelogSection', () => {
  it('returns the body of exactly that version, up to the next one or the end', () => {
    expect(changelogSection(CHANGELOG, '1.0.1')).toBe(ONE)
    expect(changelogSection(CHANGELOG, '1.0.10')).toBe('- Ten.')
    expect(changelogSection(CHANGELOG, '1.0.0')).toBe('- First.')
    expect(changelogSection(CHANGELOG.replaceAll('\n', '\r\n'), '1.0.1')).toBe(
      ONE
    )
  })

  it('refuses a version without a section or with an empty one, never taking a neighbour', () => {
    expect(() => changelogSection(CHANGELOG, '1.0.2')).toThrow("'## 1.0.2'")
    expect(() => changelogSection(CHANGELOG, '1.0')).toThrow('X.Y.Z')
    expect(() => changelogSection(CHANGELOG, 'Unreleased')).toThrow('X.Y.Z')
    expect(() =>
      changelogSection('## 2.0.0\n\n\n## 1.0.0\n\n- First.\n', '2.0.0')
    ).toThrow('empty')
  })
})

it('the script prints the section and exits 0, or says why not and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'changelog-'))
  try {
    const file = join(dir, 'CHANGELOG.md')
    writeFileSync(file, CHANGELOG)
    expect(script('1.0.1', file)).toEqual({
      status: 0,
      stdout: `${ONE}\n`,
      stderr: ''
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // The repository's CHANGELOG.md by default: the section of package.json's
  // version, as scripts/release and release.yml ask for it.
  const { version } = JSON.parse(
    readFileSync(join(ROOT, 'package.json'), 'utf8')
  ) as { version: string }
  expect(script(version)).toMatchObject({
    status: 0,
    stdout: expect.stringMatching(/\w/)
  })
  expect(script('0.0.1')).toEqual({
    status: 1,
    stdout: '',
    stderr: expect.stringMatching(/^changelog-section: .*'## 0\.0\.1'.*\n$/)
  })
  expect(script()).toMatchObject({
    status: 1,
    stderr: expect.stringContaining('usage:')
  })
})
