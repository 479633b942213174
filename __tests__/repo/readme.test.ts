// The README's examples of what the action writes, kept true by writing them
// with the action's own code.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROUTE_VARIABLES } from '../../src/proxy-variables.js'
import { decideRoute, describeRoute } from '../../src/route.js'
import { ROOT } from '../../test/support/runner.js'

const TORQ = new URL('https://auth.torq.io/v1/auth/token')

describe('the README', () => {
  it('shows route lines as the action writes them', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !ROUTE_VARIABLES.includes(name)
      )
    )
    const saved = process.env
    for (const env of [
      { HTTPS_PROXY: 'http://user:password@proxy.corp.example:3128' },
      { HTTPS_PROXY: 'http://proxy.corp.example:3128', NO_PROXY: '.torq.io' },
      { ALL_PROXY: 'http://proxy.corp.example:3128' }
    ]) {
      process.env = { ...base, ...env }
      expect(readme).toContain(`\n${describeRoute(decideRoute(TORQ), [])}\n`)
    }
    process.env = saved
  })
})
