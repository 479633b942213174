// Facts the README and docs/ state that the code states too, read from the
// code: the inputs, their defaults and limits, the outputs, the regions' URLs,
// the runner it needs (README.md), the route lines (docs/proxies.md), the npm
// scripts and files they name. Their wording is free; a stale fact fails.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decideRoute, describeRoute } from '../../src/http.js'
import {
  API_URLS,
  INPUTS,
  MAX_MIN_VALIDITY_SECONDS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  readInputs,
  TOKEN_URLS
} from '../../src/inputs.js'
import { OUTPUTS } from '../../src/publish.js'
import { ROOT } from '../../test/support/runner-env.js'

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const readme = read('README.md')
const docs = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)

/** The README's table rows that start with a `name`: their other cells. */
const rows = new Map(
  [...readme.matchAll(/^\| `([a-z-]+)` *\|(.*)\|$/gm)].map(([, name, rest]) => [
    name ?? '',
    (rest ?? '').split('|').map((cell) => cell.trim())
  ])
)

describe('the README', () => {
  it("tables action.yml's inputs with their defaults, then its outputs, in order", () => {
    const names = [...rows.keys()]
    expect(names.filter((name) => name in INPUTS)).toEqual(Object.keys(INPUTS))
    expect(names.filter((name) => OUTPUTS.some((o) => o === name))).toEqual(
      OUTPUTS
    )
    // A default in backticks; none as a word in parentheses: (required).
    const defaults = Object.keys(INPUTS).map((name) => {
      const cell = rows.get(name)?.[0] ?? ''
      return [
        name,
        /^\([a-z ]+\)$/.test(cell) ? '' : cell.replace(/^`(.*)`$/, '$1')
      ]
    })
    expect(defaults).toEqual(Object.entries(INPUTS))
  })

  it('gives the largest value of each number input', () => {
    const maxima = {
      retries: MAX_RETRIES,
      'rate-limit-wait-seconds': MAX_RATE_LIMIT_WAIT_SECONDS,
      'timeout-seconds': MAX_TIMEOUT_SECONDS,
      'min-validity-seconds': MAX_MIN_VALIDITY_SECONDS
    }
    const stated = Object.keys(maxima).map((name) => {
      const meaning = rows.get(name)?.[1] ?? ''
      return [name, Number(/\b(?:to|at most) (\d+)\b/.exec(meaning)?.[1])]
    })
    expect(Object.fromEntries(stated)).toEqual(maxima)
  })

  it("names each region's token URL and API host", () => {
    for (const url of [
      ...Object.values(TOKEN_URLS),
      ...Object.values(API_URLS)
    ]) {
      expect(readme).toContain(url)
    }
  })

  it('asks for the runner version the error for a missing GITHUB_OUTPUT names', () => {
    let message = ''
    try {
      readInputs(() => '', {})
    } catch (error) {
      message = String(error)
    }
    const version = /GITHUB_OUTPUT.*\bv(\d+\.\d+\.\d+)\b/.exec(message)?.[1]
    expect(readme).toContain(`actions/runner v${version ?? 'unknown'}`)
  })

  it('shows route lines as the action writes them, in docs/proxies.md', () => {
    const saved = process.env
    try {
      for (const env of [
        { HTTPS_PROXY: 'http://user:password@proxy.corp.example:3128' },
        { HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '.torq.io' },
        { ALL_PROXY: 'http://proxy.corp.example:3128' }
      ]) {
        process.env = env
        const line = describeRoute(decideRoute(new URL(TOKEN_URLS.us)), [])
        expect(read('docs/proxies.md')).toContain(`\n${line}\n`)
      }
    } finally {
      process.env = saved
    }
  })
})

describe('the README and docs/', () => {
  const pages = ['README.md', ...docs]

  it('link to files that exist, and to headings those pages have', () => {
    /** GitHub's anchor of each heading of a Markdown file. */
    const anchors = (file: string) =>
      [...read(file).matchAll(/^#+ (.*)$/gm)].map(([, title = '']) =>
        title
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-')
      )
    const links = [...pages, 'SECURITY.md'].flatMap((page) =>
      [...read(page).matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)]
        .filter(([, target = '']) => !/^[a-z]+:/.test(target))
        .map(([, target = '', anchor]) => ({
          path: target === '' ? page : join(page, '..', target),
          anchor
        }))
    )
    expect(links).toEqual(
      expect.arrayContaining([{ path: 'docs/security.md', anchor: undefined }])
    )
    const broken = links.filter(
      ({ path, anchor }) =>
        !existsSync(join(ROOT, path)) ||
        (anchor !== undefined && !anchors(path).includes(anchor))
    )
    expect(broken).toEqual([])
  })

  it('name only npm scripts that package.json has', () => {
    const { scripts } = JSON.parse(read('package.json')) as {
      scripts: Record<string, string>
    }
    const named = pages.flatMap((page) =>
      [...read(page).matchAll(/\bnpm run ([\w:-]+)/g)].map(
        ([, name = '']) => name
      )
    )
    expect(named).toEqual(expect.arrayContaining(['demo', 'herd', 'mutation']))
    expect(named.filter((name) => !(name in scripts))).toEqual([])
  })

  it('give the newcomer commands in the README itself', () => {
    expect(readme).toMatch(/npm ci && npm run demo/)
    expect(readme).toMatch(/^npm test\b/m)
    expect(readme).toContain('](docs/development.md)')
  })
})
