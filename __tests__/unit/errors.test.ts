import { describe, expect, it } from '@jest/globals'
import { InputError, TokenRequestError } from '../../src/errors.js'

describe('the errors', () => {
  it('carry their class name, what happened and what caused it', () => {
    const cause = new Error('socket hang up')
    const failure = { kind: 'network', code: 'ECONNRESET' } as const
    const error = new TokenRequestError('No answer.', failure, cause)
    expect(error).toMatchObject({ name: 'TokenRequestError', failure, cause })
    const timeout = new TokenRequestError('x', { kind: 'timeout' })
    expect('cause' in timeout).toBe(false)
    const input = new InputError(['a', 'b'])
    expect(input).toMatchObject({ name: 'InputError', message: 'a\nb' })
    expect(input.problems).toEqual(['a', 'b'])
  })

  it('give the status of an answer of the token endpoint only', () => {
    const status = (failure: TokenRequestError['failure']) =>
      new TokenRequestError('x', failure).status
    expect(status({ kind: 'answer', status: 503 })).toBe(503)
    expect(status({ kind: 'proxy', status: 502 })).toBeUndefined()
    expect(status({ kind: 'tls' })).toBeUndefined()
  })
})
