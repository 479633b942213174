// Prints the CHANGELOG.md section of one version, without its heading: the
// notes of that version's GitHub release. Fails when the version has no
// section or an empty one, so nothing is released without notes.
//   node scripts/changelog-section.js X.Y.Z [FILE]
// FILE defaults to the repository's CHANGELOG.md.
import { readFileSync, realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const VERSION = /^\d+\.\d+\.\d+$/

/**
 * The body of the `## X.Y.Z ...` section of a changelog, trimmed.
 * @param {string} changelog the text of CHANGELOG.md
 * @param {string} version X.Y.Z
 * @returns {string}
 */
export function changelogSection(changelog, version) {
  if (!VERSION.test(version)) {
    throw new Error(`'${version}' is not a version of the form X.Y.Z`)
  }
  const lines = changelog.split(/\r?\n/)
  // `## 1.0.1 - date` or `## 1.0.1`, never `## 1.0.10`.
  const start = lines.findIndex(
    (line) => line === `## ${version}` || line.startsWith(`## ${version} `)
  )
  if (start === -1) {
    throw new Error(`CHANGELOG.md has no '## ${version}' section`)
  }
  const next = lines.findIndex(
    (line, index) => index > start && line.startsWith('## ')
  )
  const body = lines
    .slice(start + 1, next === -1 ? undefined : next)
    .join('\n')
    .trim()
  if (body === '') {
    throw new Error(`CHANGELOG.md's '## ${version}' section is empty`)
  }
  return body
}

const script = process.argv[1]
if (script && realpathSync(script) === fileURLToPath(import.meta.url)) {
  const [version, file] = process.argv.slice(2)
  try {
    if (version === undefined) {
      throw new Error('usage: scripts/changelog-section.js X.Y.Z [FILE]')
    }
    const text = readFileSync(
      file ?? new URL('../CHANGELOG.md', import.meta.url),
      'utf8'
    )
    process.stdout.write(`${changelogSection(text, version)}\n`)
  } catch (error) {
    console.error(
      `changelog-section: ${error instanceof Error ? error.message : String(error)}`
    )
    process.exitCode = 1
  }
}
