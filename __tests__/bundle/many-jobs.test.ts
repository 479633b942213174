// Many jobs at once: copies of the bundled action started together under
// Node 24, each with its own API key, against a token server that answers
// only PER_SECOND requests a second and HTTP 429 to the rest, as a large
// matrix meets Torq's limit. `npm run herd` measures the same at scale, in
// virtual time; here real processes, real sleeps and a real clock.
import { expect, it } from '@jest/globals'
import { runAction } from '../../test/support/runner.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'
import { node } from './helpers.js'

const COPIES = 8
const PER_SECOND = 3
const SECRET = 'herd-secret-5d1c'
const ids = Array.from({ length: COPIES }, (_, i) => `herd-client-${i}`)

/** The client id a recorded request authenticated as. */
function clientOf(request: TorqServer['requests'][number]): string {
  const encoded = (request.headers.authorization ?? '').replace(/^Basic /, '')
  return Buffer.from(encoded, 'base64').toString('utf8').split(':')[0] ?? ''
}

it(`${COPIES} jobs at once, ${PER_SECOND} requests/s allowed: each gets its own token`, async () => {
  const server = await startTorqServer({
    clients: Object.fromEntries(ids.map((id) => [id, SECRET])),
    rateLimit: { perSecond: PER_SECOND }
  })
  // Each process waits for this moment once started, so that they send together.
  const startAt = Date.now() + 500
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
          startAt,
          killAfterMs: 30_000
        })
      )
    )
    expect(results.map((result) => result.errors)).toEqual(ids.map(() => []))
    expect(results.map((result) => result.exitCode)).toEqual(ids.map(() => 0))
    expect(results.map((result) => result.stderr)).toEqual(ids.map(() => ''))
    const tokens = results.map((result) => result.outputs['token'])
    expect(new Set(tokens).size).toBe(COPIES)
    expect([...server.tokens].sort()).toEqual([...tokens].sort())
    // The limit did bite: more requests than jobs, 429s waited out...
    expect(server.requests.length).toBeGreaterThan(COPIES)
    expect(
      results.filter((result) => result.shown.includes('HTTP 429 number 1'))
        .length
    ).toBeGreaterThan(0)
    // ...and no job came back so often that it hammered the server.
    const perJob = ids.map(
      (id) => server.requests.filter((r) => clientOf(r) === id).length
    )
    expect(Math.max(...perJob)).toBeLessThanOrEqual(6)
  } finally {
    await server.close()
  }
}, 40_000)
