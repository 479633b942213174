import { describe, expect, it } from '@jest/globals'
import { clientCredentials } from '../../src/client-credentials.js'

describe('clientCredentials', () => {
  it('writes the client-credentials grant with the id and secret in HTTP Basic, raw', () => {
    const message = clientCredentials('id:x', 'p@ss wörd+/=', 'agent/1')
    expect(message).toEqual({
      headers: {
        Authorization: `Basic ${Buffer.from('id:x:p@ss wörd+/=').toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': '29',
        Accept: 'application/json',
        'Accept-Language': 'en_US',
        'User-Agent': 'agent/1'
      },
      body: 'grant_type=client_credentials'
    })
    expect(Buffer.byteLength(message.body)).toBe(29)
  })
})
