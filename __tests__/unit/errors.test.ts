import { describe, expect, it } from '@jest/globals'
import { InputError, TokenRequestError } from '../../src/errors.js'

describe('the errors', () => {
  it('carry their class name, what happened and what caused them', () => {
    const cause = new Error('socket hang up')
    const error = new TokenRequestError(
      'Could not get an answer.',
      { kind: 'network', code: 'ECONNRESET' },
      cause
    )
    expect(error.name).toBe('TokenRequestError')
    expect(error.cause).toBe(cause)
    expect(error.failure).toEqual({ kind: 'network', code: 'ECONNRESET' })
    expect('cause' in new TokenRequestError('x', { kind: 'timeout' })).toBe(
      false
    )
    expect(new InputError(['a', 'b'])).toMatchObject({
      name: 'InputError',
      message: 'a\nb'
    })
  })

  it('give the status of the token endpoint answer only', () => {
    expect(
      new TokenRequestError('x', { kind: 'answer', status: 503 }).status
    ).toBe(503)
    expect(
      new TokenRequestError('x', { kind: 'proxy', status: 502 }).status
    ).toBeUndefined()
    expect(new TokenRequestError('x', { kind: 'tls' }).status).toBeUndefined()
  })
})
