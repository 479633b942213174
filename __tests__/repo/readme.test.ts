// Facts the README states that the code states too, read from the code: the
// inputs, their defaults and limits, the outputs, the regions' URLs, the
// runner it needs, the route lines. Its wording is free; a stale fact fails.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
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

  it('shows route lines as the action writes them', () => {
    const saved = process.env
    try {
      for (const env of [
        { HTTPS_PROXY: 'http://user:password@proxy.corp.example:3128' },
        { HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '.torq.io' },
        { ALL_PROXY: 'http://proxy.corp.example:3128' }
      ]) {
        process.env = env
        const line = describeRoute(decideRoute(new URL(TOKEN_URLS.us)), [])
        expect(readme).toContain(`\n${line}\n`)
      }
    } finally {
      process.env = saved
    }
  })
})
