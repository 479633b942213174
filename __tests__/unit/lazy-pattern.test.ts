// A pattern is built when first asked for, once. The patterns of src/ with
// Unicode property classes are all built this way, so that parsing the
// bundle (a run's start-up) does not pay for their Unicode tables.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { lazyPattern } from '../../src/lazy-pattern.js'
import { ROOT } from '../../test/support/runner.js'

describe('lazyPattern', () => {
  it('builds nothing until asked: a pattern that cannot be built fails only then', () => {
    const broken = lazyPattern('(', 'u')
    expect(() => broken()).toThrow(SyntaxError)
  })

  it('builds the pattern once, with its flags, and gives the same one after', () => {
    const marks = lazyPattern(String.raw`\p{M}+`, 'gu')
    const first = marks()
    expect(first.flags).toBe('gu')
    expect('e\u0301\u0327x'.match(first)).toEqual(['\u0301\u0327'])
    expect(marks()).toBe(first)
  })

  it('is how every pattern of src/ with a Unicode property class is written', () => {
    const dir = join(ROOT, 'src')
    const code = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) =>
        readFileSync(join(dir, name), 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
          .join('\n')
      )
      .join('\n')
    const lazy = /lazyPattern\(\s*String\.raw`[^`]*`/g
    expect(code.match(lazy)?.filter((p) => /\\[pP]\{/.test(p))).toHaveLength(4)
    expect(code.replace(lazy, '')).not.toMatch(/\\[pP]\{/)
  })
})
