import { describe, expect, it } from '@jest/globals'
import { InputError, TokenRequestError } from '../src/errors.js'

describe('the errors', () => {
  it('carry their class name and what caused them', () => {
    const cause = new Error('socket hang up')
    const error = new TokenRequestError('Could not get an answer.', {
      retryable: true,
      cause
    })
    expect(error.name).toBe('TokenRequestError')
    expect(error.cause).toBe(cause)
    expect(new TokenRequestError('x', { retryable: false }).cause).toBe(
      undefined
    )
    expect('cause' in new TokenRequestError('x', { retryable: false })).toBe(
      false
    )
    expect(new InputError(['a', 'b'])).toMatchObject({
      name: 'InputError',
      message: 'a\nb'
    })
  })
})
