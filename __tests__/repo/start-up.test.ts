// What parsing dist/index.js costs at every start of the action. V8 checks
// each pattern literal of a script while parsing it, used or not, and a
// Unicode property class (\p{...}) costs it a table lookup then: the
// patterns that have them are built with lazyPattern (src/lazy-pattern.ts)
// when text that is not ASCII first needs them. Read from the bundle, since
// that is what a runner parses (the sources themselves are rewritten under
// mutation testing).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { BUNDLE } from '../../test/support/runner.js'

const code = readFileSync(BUNDLE, 'utf8')
  .split('\n')
  .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
const withClasses = code.filter((line) => /\\[pP]\{/.test(line))

describe('the bundle, as V8 parses it at every start', () => {
  it('holds the patterns with Unicode property classes of src/', () => {
    // fold.ts, input-parsers.ts and the two of outside-text.ts.
    expect(withClasses).toHaveLength(4)
  })

  it('builds each of them on first use, none as a pattern literal', () => {
    for (const line of withClasses) {
      expect(line).toMatch(/lazyPattern\(String\.raw ?`[^`]*\\[pP]\{[^`]*`/)
    }
  })
})
