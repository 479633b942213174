// A pattern is built when first asked for, once. (That the bundle holds no
// pattern literal with a Unicode property class: repo/start-up.test.ts.)
import { describe, expect, it } from '@jest/globals'
import { lazyPattern } from '../../src/lazy-pattern.js'

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
})
