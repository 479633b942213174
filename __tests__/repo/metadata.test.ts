import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { INPUTS, OUTPUTS } from '../../src/defaults.js'
import { ACTION_NAME, ACTION_VERSION, USER_AGENT } from '../../src/version.js'
import { ROOT } from '../../test/support/runner.js'

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<
    string,
    { description?: string; required?: boolean; default?: string }
  >
  outputs: Record<string, { description?: string }>
  runs: { using: string; main: string }
  branding: { icon?: string; color?: string }
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
}

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(action.branding.icon).toBeTruthy()
    expect(action.branding.color).toBeTruthy()
  })

  it('declares exactly the documented inputs and outputs, each described', () => {
    expect(Object.keys(action.inputs)).toEqual(Object.keys(INPUTS))
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS)
    for (const spec of [
      ...Object.values(action.inputs),
      ...Object.values(action.outputs)
    ]) {
      expect(spec.description?.length).toBeGreaterThan(10)
    }
    expect(action.inputs['client-id']?.required).toBe(true)
    expect(action.inputs['client-secret']?.required).toBe(true)
  })

  it('gives the same defaults the code falls back to', () => {
    for (const [name, value] of Object.entries(INPUTS)) {
      expect([name, action.inputs[name]?.default ?? '']).toEqual([name, value])
    }
  })
})

describe('User-Agent', () => {
  it('names the package and its version', () => {
    expect(ACTION_NAME).toBe(pkg.name)
    expect(ACTION_VERSION).toBe(pkg.version)
    expect(USER_AGENT).toBe(`${pkg.name}/${pkg.version}`)
  })
})
