// The facts the README states that the code states too, read from the code:
// the inputs with their defaults and limits, the outputs, the regions' URLs,
// the runner it needs, the route lines, the npm scripts. Its wording is free;
// a fact that goes stale fails here.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../../src/errors.js'
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
import { NETWORK_VARIABLES, ROOT } from '../../test/support/runner-env.js'

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const readme = read('README.md')

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
    for (const [name, max] of [
      ['retries', MAX_RETRIES],
      ['rate-limit-wait-seconds', MAX_RATE_LIMIT_WAIT_SECONDS],
      ['timeout-seconds', MAX_TIMEOUT_SECONDS],
      ['min-validity-seconds', MAX_MIN_VALIDITY_SECONDS]
    ] as const) {
      const stated = /\b(?:to|up to|at most) (\d+)\b/.exec(
        rows.get(name)?.[1] ?? ''
      )?.[1]
      expect([name, Number(stated)]).toEqual([name, max])
    }
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
      message = (error as InputError).message
    }
    const version = /GITHUB_OUTPUT.*\bv(\d+\.\d+\.\d+)\b/.exec(message)?.[1]
    expect(version).toBeDefined()
    expect(readme).toContain(`actions/runner v${version}`)
  })

  it('shows route lines as the action writes them', () => {
    const saved = process.env
    const clean = Object.fromEntries(
      Object.entries(saved).filter(
        ([name]) => !NETWORK_VARIABLES.includes(name)
      )
    )
    const torq = new URL(TOKEN_URLS.us)
    try {
      for (const env of [
        { HTTPS_PROXY: 'http://user:password@proxy.corp.example:3128' },
        { HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '.torq.io' },
        { ALL_PROXY: 'http://proxy.corp.example:3128' }
      ]) {
        process.env = { ...clean, ...env }
        expect(readme).toContain(`\n${describeRoute(decideRoute(torq), [])}\n`)
      }
    } finally {
      process.env = saved
    }
  })

  it('names only npm scripts that exist', () => {
    const { scripts } = JSON.parse(read('package.json')) as {
      scripts: Record<string, string>
    }
    const named = [...readme.matchAll(/\bnpm run ([\w:-]+)/g)].map(
      ([, name]) => name ?? ''
    )
    expect(named.length).toBeGreaterThan(5)
    expect(named.filter((name) => !(name in scripts))).toEqual([])
  })
})
