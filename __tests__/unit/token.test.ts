// One token request: the grant sent within timeout-seconds of the clock,
// the answer read with the clock's time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Clock } from '../../src/clock.js'
import { requestToken } from '../../src/token.js'
import { fakeClock } from '../../test/support/fake-clock.js'
import { failure, requestTo } from '../../test/support/requests.js'
import {
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

let server: TorqServer
beforeAll(async () => {
  server = await startTorqServer()
})
afterAll(() => server.close())

describe('requestToken', () => {
  it('sends the grant and returns the token, asking the clock for a deadline of timeout-seconds', async () => {
    const { clock } = fakeClock()
    const asked: number[] = []
    const recording: Clock = {
      ...clock,
      deadline: (ms) => {
        asked.push(ms)
        return clock.deadline(ms)
      }
    }
    const token = await requestToken(
      requestTo(server.url, { timeoutMs: 12_000, userAgent: 'agent/2' }),
      recording
    )
    expect(token).toEqual({
      accessToken: server.tokens.at(-1),
      tokenType: 'Bearer',
      expiresIn: 3600
    })
    expect(asked).toEqual([12_000])
    const request = server.requests.at(-1)
    expect(request?.body).toBe('grant_type=client_credentials')
    expect(request?.headers['user-agent']).toBe('agent/2')
  })

  it('reads a Retry-After date against the clock', async () => {
    const { clock } = fakeClock([0.5], Date.parse('2026-11-28T16:00:00Z'))
    server.script(
      replies.json(429, {}, { 'Retry-After': 'Sat, 28 Nov 2026 16:00:30 GMT' })
    )
    const error = await failure(requestToken(requestTo(server.url), clock))
    expect(error.failure).toMatchObject({ status: 429, retryAfterMs: 30_000 })
  })

  it('sends nothing when the deadline has already passed', async () => {
    const before = server.requests.length
    const { clock } = fakeClock()
    const error = await failure(
      requestToken(requestTo(server.url, { timeoutMs: 0 }), clock)
    )
    expect(error.failure).toEqual({ kind: 'timeout' })
    expect(server.requests.length).toBe(before)
  })
})
