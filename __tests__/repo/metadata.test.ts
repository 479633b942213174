// action.yml, package.json and .env.example in step with the facts the code
// states once: the inputs and their defaults (src/inputs.ts), the outputs
// (src/publish.ts) and the User-Agent (src/token.ts).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { INPUTS } from '../../src/inputs.js'
import { OUTPUTS } from '../../src/publish.js'
import { USER_AGENT } from '../../src/token.js'
import { inputVariable, ROOT } from '../../test/support/runner-env.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET
} from '../../test/support/torq-server.js'

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const action = parse(read('action.yml')) as {
  inputs: Record<string, { required?: boolean; default?: string }>
  outputs: Record<string, unknown>
  runs: unknown
}

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares the inputs of the code, in order, with the defaults it falls back to', () => {
    const inputs = Object.entries(action.inputs).map(([name, spec]) => [
      name,
      spec.default ?? '',
      spec.required ?? false
    ])
    expect(inputs).toEqual(
      Object.entries(INPUTS).map(([name, value]) => [
        name,
        value,
        name === 'client-id' || name === 'client-secret'
      ])
    )
  })

  it('declares the outputs the code sets, in order', () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS)
  })
})

it("sends package.json's name and version as its User-Agent", () => {
  const pkg = JSON.parse(read('package.json')) as {
    name: string
    version: string
  }
  expect(USER_AGENT).toBe(`${pkg.name}/${pkg.version}`)
})

it('.env.example (npm run local-action) gives the demo credentials and the other inputs, by the names the runner uses, at their defaults', () => {
  const lines = [...read('.env.example').matchAll(/^(# )?(INPUT_\S*?)=(.*)$/gm)]
  expect(lines.map(([, , variable]) => variable).sort()).toEqual(
    Object.keys(INPUTS).map(inputVariable).sort()
  )
  const demo: Record<string, string> = {
    'client-id': DEMO_CLIENT_ID,
    'client-secret': DEMO_CLIENT_SECRET
  }
  for (const [name, value] of Object.entries(INPUTS)) {
    const [, commented, , given] =
      lines.find(([, , variable]) => variable === inputVariable(name)) ?? []
    const expected = demo[name] ?? (commented ? value : given)
    expect([name, given]).toEqual([name, expected])
  }
})
