// The bundle under Node 24 against answers as a real server writes them on
// the wire: bytes before the JSON, an interim answer, a compressed body, a
// redirect, a body too large, a connection dropped or stalled mid-answer.
// What the runner sees, what is written, and how many requests each takes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../../test/support/runner.js'
import {
  replies,
  startTorqServer,
  type Reply,
  type TorqServer
} from '../../test/support/torq-server.js'
import { credentials, expectOneError, expectToken, node } from './helpers.js'

const TOKEN = '0b8e4c4e-6c1f-4a7e-9d55-3f0f2b1c9a77'
const BODY = JSON.stringify({
  access_token: TOKEN,
  expires_in: 3600,
  token_type: 'Bearer'
})

let server: TorqServer
beforeAll(async () => {
  server = await startTorqServer()
})
afterAll(() => server.close())

/** Runs the action with `script` as the server's first replies, retrying at once. */
async function runWith(script: Reply[], inputs: Record<string, string> = {}) {
  server.script(...script)
  const before = server.requests.length
  const result = await runAction({
    node,
    inputs: { ...credentials, 'auth-url': server.url, ...inputs },
    random: 0
  })
  return { ...result, requests: server.requests.length - before }
}

describe('answers that carry a token', () => {
  it.each([
    [
      'a byte order mark before the JSON',
      replies.text(200, 'application/json', `\uFEFF${BODY}`)
    ],
    [
      'an interim 103 Early Hints before the answer',
      replies.raw(
        `HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`
      )
    ]
  ])('%s: the token is published after one request', async (_case, reply) => {
    const result = await runWith([reply])
    expectToken(result, TOKEN)
    expect(result.requests).toBe(1)
    expect(result.exported).toEqual({ TORQ_ACCESS_TOKEN: TOKEN })
    expect(result.reveals(TOKEN)).toBe(false)
  })
})

describe('answers that are refused at once, nothing written', () => {
  it('a gzip body the action did not ask for: named by its encoding', async () => {
    const result = await runWith([
      replies.encoded('gzip', 200, JSON.parse(BODY))
    ])
    expect(expectOneError(result)).toMatch(/encoded body.*gzip/)
    expect(result.requests).toBe(1)
    expect(result.exported).toEqual({})
    expect(result.reveals(TOKEN)).toBe(false)
  })

  it('a 302 to another server: not followed, and that server hears nothing', async () => {
    const other = await startTorqServer()
    try {
      const result = await runWith([replies.redirect(other.url)])
      expect(expectOneError(result)).toMatch(/redirect \(HTTP 302\)/)
      expect(result.requests).toBe(1)
      expect(other.requests).toEqual([])
    } finally {
      await other.close()
    }
  })

  it.each([
    ['announced in Content-Length', true],
    ['streamed without a length', false]
  ])(
    'an answer over 1 MiB, %s: refused without reading it to the end',
    async (_case, announce) => {
      let sent = 0
      const result = await runWith([
        replies.huge(64 * 1024 * 1024, {
          announce,
          onSent: (bytes) => (sent = bytes)
        })
      ])
      expect(expectOneError(result)).toContain('more than 1 MiB')
      expect(result.requests).toBe(1)
      // 1 MiB and what socket buffers hold, far from the 64 MiB offered.
      expect(sent).toBeLessThan(16 * 1024 * 1024)
    }
  )
})

describe('answers cut short', () => {
  it('a connection dropped mid-answer: tried again, then the token', async () => {
    const result = await runWith([replies.dropMidBody()])
    expectToken(result, server.tokens.at(-1))
    expect(result.requests).toBe(2)
    expect(result.shown).toMatch(/Attempt 1 failed: Could not get an answer/)
  })

  it.each([
    ['no answer at all', replies.hang],
    ['the headers, then a stalled body', replies.stallBody]
  ])('%s: the run ends at timeout-seconds', async (_case, stall) => {
    const result = await runWith([stall()], {
      retries: '0',
      'timeout-seconds': '0.3'
    })
    expect(expectOneError(result)).toMatch(
      /^No complete answer from 127\.0\.0\.1:\d+ within 0\.3 s \(timeout-seconds\)\.$/
    )
    expect(result.requests).toBe(1)
  })
})
