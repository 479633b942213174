// The bundle under Node 24 against answers a token endpoint, a proxy or a
// misconfigured server can give: what the runner sees, what is written, and
// how many requests each takes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  replies,
  startTorqServer,
  type Reply,
  type TorqServer
} from '../../test/support/torq-server.js'

const node = node24() ?? process.execPath
const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const tokenBody = {
  access_token: TOKEN,
  expires_in: 3600,
  token_type: 'Bearer'
}

describe('answers, through dist/index.js', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  /** Runs the action with `script` as the server's first replies. */
  async function runWith(script: Reply[], inputs: Record<string, string> = {}) {
    server.script(...script)
    const before = server.requests.length
    const result = await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': DEMO_CLIENT_SECRET,
        'auth-url': server.url,
        retries: '3',
        ...inputs
      }
    })
    return { ...result, requests: server.requests.length - before }
  }

  it('a byte order mark before the JSON: the token is published', async () => {
    const body = `\uFEFF${JSON.stringify(tokenBody)}`
    const result = await runWith([replies.text(200, 'application/json', body)])
    expect(result.exitCode).toBe(0)
    expect(result.requests).toBe(1)
    expect(result.outputs['token']).toBe(TOKEN)
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: TOKEN })
    expect(result.masks).toContain(TOKEN)
  })

  it('a gzip body: named by its encoding, not retried, nothing written', async () => {
    const result = await runWith([replies.encoded('gzip', 200, tokenBody)])
    expect(result.exitCode).toBe(1)
    expect(result.requests).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining(
        'answered HTTP 200 with an encoded body (Content-Encoding gzip) that this action did not ask for'
      )
    ])
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
  })

  it('HTTP 304: an unexpected status, not a redirect, not retried', async () => {
    const result = await runWith([replies.text(304, '', '')])
    expect(result.exitCode).toBe(1)
    expect(result.requests).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The token endpoint answered with an unexpected status \(HTTP 304\): not a redirect/
      )
    ])
    expect(result.shown).not.toContain('redirect (')
  })

  it('an interim 103 before the answer: read past, the token published', async () => {
    const body = JSON.stringify(tokenBody)
    const result = await runWith([
      replies.raw(
        `HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
      )
    ])
    expect(result.exitCode).toBe(0)
    expect(result.requests).toBe(1)
    expect(result.outputs['token']).toBe(TOKEN)
  })

  it('HTTP 101 as the answer: fails at once, naming it, not retried', async () => {
    const result = await runWith(
      [
        replies.raw(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'
        )
      ],
      { 'timeout-seconds': '2' }
    )
    expect(result.exitCode).toBe(1)
    expect(result.requests).toBe(1)
    expect(result.errors).toEqual([expect.stringContaining('101')])
    expect(result.shown).not.toContain('timeout-seconds')
  })

  /** Refused as too short: nothing written, nothing masked or starred out. */
  async function refusesShort(token: string) {
    const result = await runWith([
      replies.json(200, { ...tokenBody, access_token: token })
    ])
    expect(result.exitCode).toBe(1)
    expect(result.requests).toBe(1)
    expect(result.errors).toEqual([
      `The access_token in the answer has ${token.length} ${token.length === 1 ? 'character' : 'characters'}, fewer than the 16 of any real token (Torq's have 36); it was refused and nothing was written. Check auth-url: something other than Torq may be answering.`
    ])
    expect(result.outputs).toEqual({})
    expect(result.exported).toEqual({})
    expect(result.masks).not.toContain(token)
    expect(result.shown).not.toContain('***')
    return result
  }

  it.each(['e', '1', 'Bearer'])(
    'an access_token %j: refused, not masked, so the log is not garbled',
    async (token) => {
      const result = await refusesShort(token)
      expect(result.shown).toContain('Requesting a Torq API token from')
    }
  )

  it('an access_token of 15 characters: refused without showing it', async () => {
    const token = 'Zq7xK2mP9wL4vB8'
    const result = await refusesShort(token)
    expect(result.log).not.toContain(token)
    expect(result.reveals(token)).toBe(false)
  })

  it.each([
    ['400 digits', '9'.repeat(400)],
    ['20 digits', '9'.repeat(20)],
    ['a weekday and a number', 'Wed 99999'],
    ['a date in the year 99999', 'Wed, 01 Jan 99999 00:00:00 GMT']
  ])(
    'a 429 with Retry-After of %s: read as absent, waited out with the spread',
    async (_case, retryAfter) => {
      const result = await runWith([
        replies.json(429, {}, { 'Retry-After': retryAfter })
      ])
      expect(result.exitCode).toBe(0)
      expect(result.requests).toBe(2)
      expect(result.outputs['token']).toBe(server.tokens.at(-1))
      // No Retry-After: the first 429's spread alone, 0.6 to 2 s, in tenths
      // with no trailing .0.
      expect(result.shown).toMatch(
        /Attempt 1 failed: The token request failed \(HTTP 429\)\. Retrying in (0\.[6-9]|1(\.\d)?|2) s \(HTTP 429 number 1; /
      )
      expect(result.shown).not.toMatch(/Infinity|99999/)
    }
  )
})
