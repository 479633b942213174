import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changelogSection } from '../../scripts/changelog-section.js'
import { ROOT } from '../../test/support/runner.js'

const SCRIPT = join(ROOT, 'scripts', 'changelog-section.js')

const CHANGELOG = [
  '# Changelog',
  '',
  'Policy text.',
  '',
  '## Unreleased',
  '',
  '- Something not released yet.',
  '',
  '## 1.0.10 - 2027-03-01',
  '',
  '- Ten.',
  '',
  '## 1.0.1 - 2027-01-15',
  '',
  'Fixes.',
  '',
  '### Details',
  '',
  '- One.',
  '',
  '## 1.0.0',
  '',
  '- First.',
  ''
].join('\n')

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8'
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('changelogSection', () => {
  it('returns the body of exactly that version, up to the next version', () => {
    expect(changelogSection(CHANGELOG, '1.0.1')).toBe(
      'Fixes.\n\n### Details\n\n- One.'
    )
    expect(changelogSection(CHANGELOG, '1.0.10')).toBe('- Ten.')
  })

  it('reads a heading without a date, and the last section to the end', () => {
    expect(changelogSection(CHANGELOG, '1.0.0')).toBe('- First.')
  })

  it('reads CRLF line endings', () => {
    expect(changelogSection(CHANGELOG.replaceAll('\n', '\r\n'), '1.0.1')).toBe(
      'Fixes.\n\n### Details\n\n- One.'
    )
  })

  it('refuses a version without a section, never a neighbour', () => {
    expect(() => changelogSection(CHANGELOG, '1.0.2')).toThrow(
      "CHANGELOG.md has no '## 1.0.2' section"
    )
    expect(() => changelogSection(CHANGELOG, '1.0')).toThrow(
      "'1.0' is not a version of the form X.Y.Z"
    )
    expect(() => changelogSection(CHANGELOG, 'Unreleased')).toThrow(
      'not a version'
    )
  })

  it('refuses an empty section', () => {
    expect(() =>
      changelogSection('## 2.0.0\n\n\n## 1.0.0\n\n- First.\n', '2.0.0')
    ).toThrow("CHANGELOG.md's '## 2.0.0' section is empty")
  })

  it('finds the section of the version in package.json', () => {
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8')
    ) as { version: string }
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    expect(changelogSection(changelog, pkg.version).length).toBeGreaterThan(0)
  })
})

describe('scripts/changelog-section.js', () => {
  it('prints the section and exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'changelog-'))
    try {
      const file = join(dir, 'CHANGELOG.md')
      writeFileSync(file, CHANGELOG)
      expect(run('1.0.1', file)).toEqual({
        status: 0,
        stdout: 'Fixes.\n\n### Details\n\n- One.\n',
        stderr: ''
      })
      expect(run('1.0.2', file)).toEqual({
        status: 1,
        stdout: '',
        stderr: "changelog-section: CHANGELOG.md has no '## 1.0.2' section\n"
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("reads the repository's CHANGELOG.md by default", () => {
    const result = run('1.0.0')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('First release.')
  })

  it('fails with a usage line when no version is given', () => {
    expect(run()).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'changelog-section: usage: scripts/changelog-section.js X.Y.Z [FILE]\n'
    })
  })
})
