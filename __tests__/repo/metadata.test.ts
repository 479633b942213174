// action.yml, package.json and .env.example in step with the facts the code
// states once: the inputs and their defaults (src/inputs.ts), the outputs
// (src/publish.ts) and the User-Agent (src/token.ts).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { INPUTS, type InputName } from '../../src/inputs.js'
import { OUTPUTS } from '../../src/publish.js'
import { USER_AGENT } from '../../src/token.js'
import { inputVariable, ROOT } from '../../test/support/runner-env.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET
} from '../../test/support/torq-server.js'

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const action = parse(read('action.yml')) as {
  inputs: Record<
    string,
    { description?: string; required?: boolean; default?: string }
  >
  outputs: Record<string, { description?: string }>
  runs: unknown
}

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares the inputs of the code, in order, with the defaults the code falls back to', () => {
    expect(Object.keys(action.inputs)).toEqual(Object.keys(INPUTS))
    const defaults = Object.entries(action.inputs).map(([name, spec]) => [
      name,
      spec.default ?? ''
    ])
    expect(defaults).toEqual(Object.entries(INPUTS))
    const required = Object.entries(action.inputs).filter(
      ([, spec]) => spec.required
    )
    expect(required.map(([name]) => name)).toEqual([
      'client-id',
      'client-secret'
    ])
  })

  it('declares the outputs the code sets, in order', () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS)
  })

  it('describes every input and output', () => {
    const specs = [
      ...Object.values(action.inputs),
      ...Object.values(action.outputs)
    ]
    for (const spec of specs) {
      expect(spec.description?.length).toBeGreaterThan(20)
    }
  })
})

it("sends package.json's name and version as its User-Agent", () => {
  const pkg = JSON.parse(read('package.json')) as {
    name: string
    version: string
  }
  expect(USER_AGENT).toBe(`${pkg.name}/${pkg.version}`)
})

describe('.env.example (npm run local-action)', () => {
  const text = read('.env.example')
  const names = new Map(
    Object.keys(INPUTS).map((name) => [inputVariable(name), name as InputName])
  )
  const lines = [...text.matchAll(/^(# )?(INPUT_[^=\s]*)=(.*)$/gm)].map(
    ([, commented, variable = '', value]) => ({
      commented: commented !== undefined,
      name: names.get(variable) ?? variable,
      value
    })
  )

  it('names every input as the runner does, the ones left out with their defaults', () => {
    expect(lines.map(({ name }) => name).sort()).toEqual(
      Object.keys(INPUTS).sort()
    )
    for (const { name, value } of lines.filter((line) => line.commented)) {
      expect([name, value]).toEqual([name, INPUTS[name as InputName]])
    }
  })

  it("gives the demo server's credentials", () => {
    const given = lines.filter(({ commented }) => !commented)
    expect(given).toEqual(
      expect.arrayContaining([
        { commented: false, name: 'client-id', value: DEMO_CLIENT_ID },
        { commented: false, name: 'client-secret', value: DEMO_CLIENT_SECRET }
      ])
    )
  })
})
