import { describe, expect, it } from '@jest/globals'
import { TokenRequestError } from '../../src/errors.js'
import {
  MAX_EXPIRES_IN,
  MAX_TOKEN_LENGTH,
  MIN_TOKEN_LENGTH,
  readToken
} from '../../src/token-fields.js'

const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const CHECK = 'Check auth-url'

function refusal(fields: Record<string, unknown>): string {
  try {
    readToken(fields, ['s3cret-value'], CHECK)
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRequestError)
    expect((error as TokenRequestError).failure).toEqual({ kind: 'refusal' })
    return (error as Error).message
  }
  throw new Error('expected a refusal')
}

describe('readToken', () => {
  it('reads the token, its type in any case, and a lifetime of whole seconds up to a year', () => {
    expect(
      readToken(
        { access_token: TOKEN, token_type: 'bearer', expires_in: '60' },
        [],
        CHECK
      )
    ).toEqual({ accessToken: TOKEN, tokenType: 'bearer', expiresIn: 60 })
    expect(readToken({ access_token: TOKEN }, [], CHECK)).toEqual({
      accessToken: TOKEN,
      tokenType: 'Bearer',
      expiresIn: undefined
    })
    for (const [given, read] of [
      [MAX_EXPIRES_IN, MAX_EXPIRES_IN],
      [MAX_EXPIRES_IN + 1, undefined],
      [0, undefined],
      [1.5, undefined],
      ['1e3', undefined],
      [null, undefined]
    ]) {
      expect(
        readToken({ access_token: TOKEN, expires_in: given }, [], CHECK)
          .expiresIn
      ).toBe(read)
    }
  })

  it('refuses what is no usable bearer token, and never quotes it', () => {
    expect(refusal({})).toBe(
      'The token endpoint answered HTTP 200 but the JSON has no access_token.'
    )
    expect(refusal({ access_token: 'a b c d e f g h i j' })).toMatch(
      /^The access_token in the answer is not a bearer token/
    )
    expect(refusal({ access_token: 'a'.repeat(MAX_TOKEN_LENGTH + 1) })).toMatch(
      /not a bearer token/
    )
    const short = refusal({ access_token: 'a'.repeat(MIN_TOKEN_LENGTH - 1) })
    expect(short).toContain(
      `has ${MIN_TOKEN_LENGTH - 1} characters, fewer than the ${MIN_TOKEN_LENGTH}`
    )
    expect(short).toContain(`${CHECK}: something other than Torq`)
    expect(refusal({ access_token: 'e' })).toContain('has 1 character,')
  })

  it('names a token type other than Bearer, cutting the refused token and the secrets', () => {
    expect(refusal({ access_token: TOKEN, token_type: 'MAC' })).toBe(
      'The token endpoint returned token_type "MAC"; this action hands out Bearer tokens only.'
    )
    for (const type of ['Abcdefghij0123456789', 's3cret-value']) {
      const text = refusal({
        access_token: 'Abcdefghij0123456789',
        token_type: type
      })
      expect(text).not.toContain(type)
      expect(text).toMatch(/; this action hands out Bearer tokens only\.$/)
    }
    expect(refusal({ access_token: TOKEN, token_type: 7 })).toBe(
      'The token endpoint returned an unexpected token_type; this action hands out Bearer tokens only.'
    )
  })
})
