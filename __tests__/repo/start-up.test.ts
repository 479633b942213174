// What dist/index.js makes V8 do at every start. V8 checks each pattern
// literal while parsing, used or not, and one with a Unicode property class
// (\p{...}) costs it about 0.2 ms of CPU there (measured on Node 24): src/
// builds those patterns with new RegExp, and only for text that is not ASCII.
import { expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { BUNDLE } from '../../test/support/runner.js'

it('dist/index.js holds no pattern literal with a Unicode property class', () => {
  const lines = readFileSync(BUNDLE, 'utf8')
    .split('\n')
    .filter((line) => /\\[pP]\{/.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line))
  expect(lines.length).toBeGreaterThan(0)
  const literal = (line: string) =>
    /\\[pP]\{/.test(line.replace(/new RegExp\(String\.raw ?`[^`]*`/g, ''))
  expect(lines.filter(literal)).toEqual([])
})
