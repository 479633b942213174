// Many jobs at once: copies of the bundled action started together under
// Node 24, each with its own API key, against a token server that answers
// only 4 requests per second and 429 to the rest: 10 s of demand, as a large
// matrix puts on Torq's limit. `npm run herd` measures the same in virtual time.
import { describe, expect, it } from '@jest/globals'
import { node24, runAction } from '../../test/support/runner.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const COPIES = 40
const PER_SECOND = 4
const SECRET = 'herd-secret-5d1c'
const node = node24() ?? process.execPath
const ids = Array.from({ length: COPIES }, (_, i) => `herd-client-${i}`)

/** The client id a recorded request authenticated as. */
function clientOf(request: TorqServer['requests'][number]): string {
  const encoded = (request.headers.authorization ?? '').replace(/^Basic /, '')
  return Buffer.from(encoded, 'base64').toString('utf8').split(':')[0] ?? ''
}

describe.each([
  ['with Retry-After: 1', '1'],
  ['without Retry-After', undefined]
])('%s', (_name, retryAfter) => {
  it(`${COPIES} copies at once at ${PER_SECOND} requests/s each get a distinct token, in at most 10 requests`, async () => {
    const server = await startTorqServer({
      clients: Object.fromEntries(ids.map((id) => [id, SECRET])),
      rateLimit: {
        perSecond: PER_SECOND,
        ...(retryAfter === undefined ? {} : { retryAfter })
      }
    })
    try {
      const results = await Promise.all(
        ids.map((id) =>
          runAction({
            node,
            inputs: {
              'client-id': id,
              'client-secret': SECRET,
              'auth-url': server.url
            },
            killAfterMs: 100_000
          })
        )
      )
      expect(results.map((result) => result.errors)).toEqual(ids.map(() => []))
      expect(results.map((result) => result.exitCode)).toEqual(ids.map(() => 0))
      const tokens = results.map((result) => result.outputs['token'])
      expect(new Set(tokens).size).toBe(COPIES)
      expect([...server.tokens].sort()).toEqual([...tokens].sort())

      const perCopy = ids.map(
        (id) => server.requests.filter((r) => clientOf(r) === id).length
      )
      expect(Math.max(...perCopy)).toBeLessThanOrEqual(10)
      // The limit did bite: more requests than copies, and 429s in the logs.
      expect(server.requests.length).toBeGreaterThan(COPIES)
      expect(
        results.filter((result) => result.shown.includes('HTTP 429 number 1'))
          .length
      ).toBeGreaterThan(COPIES / 2)
    } finally {
      await server.close()
    }
  }, 150_000)
})
