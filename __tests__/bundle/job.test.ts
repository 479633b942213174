// The bundle under Node 24 as successive steps of ONE job
// (test/support/job.js): one RUNNER_TEMP, each step in a process of its own,
// each step's variables passed on, the runner's masks kept for the job. A
// token is asked for once per identity and published again, masked, while
// it stays valid; no form of a secret is left in the job's files.
import { afterEach, beforeAll, afterAll, expect, it } from '@jest/globals'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { startJob } from '../../test/support/job.js'
import {
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const US_ID = 'us-client-id'
const US_SECRET = 'Us-s3cret/+=%&"\\<>ÄÖ'
const EU_ID = 'eu-client-id'
const EU_SECRET = 'eu-s3cret-9f8e7d6c5b'

let us: TorqServer
let eu: TorqServer
let job: ReturnType<typeof startJob> | undefined
beforeAll(async () => {
  ;[us, eu] = await Promise.all([
    startTorqServer({ clients: { [US_ID]: US_SECRET } }),
    startTorqServer({ clients: { [EU_ID]: EU_SECRET } })
  ])
})
afterAll(() => Promise.all([us.close(), eu.close()]))
afterEach(() => job?.end())

/** Every form of a secret a file could hold: as is, in Basic, encoded. */
function forms(id: string, secret: string): string[] {
  const base64 = (text: string) => Buffer.from(text).toString('base64')
  return [
    secret,
    base64(`${id}:${secret}`),
    base64(secret),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1)
  ]
}

it('asks Torq once per identity, and publishes its token again, masked, in later steps', async () => {
  job = startJob()
  const usStep = {
    inputs: {
      'client-id': US_ID,
      'client-secret': US_SECRET,
      'auth-url': us.url
    }
  }
  const euStep = {
    inputs: {
      'client-id': EU_ID,
      'client-secret': EU_SECRET,
      'auth-url': eu.url,
      'env-var': 'TORQ_EU_TOKEN'
    }
  }
  const first = await job.step(usStep)
  const other = await job.step(euStep)
  const again = await job.step({
    inputs: { ...usStep.inputs, 'env-var': 'TORQ_AGAIN' }
  })
  const [usToken, euToken] = [us.tokens[0], eu.tokens[0]]
  expect([us.requests.length, eu.requests.length]).toEqual([1, 1])
  expect([first, other, again].map((step) => step.exitCode)).toEqual([0, 0, 0])
  expect([first, other, again].map((step) => step.stderr)).toEqual(['', '', ''])
  expect(other.outputs).toMatchObject({ token: euToken, reused: 'false' })
  expect(again.outputs).toMatchObject({
    token: usToken,
    reused: 'true',
    'token-type': 'Bearer',
    'expires-at': first.outputs['expires-at']
  })
  const left = Number(again.outputs['expires-in'])
  expect(left).toBeGreaterThan(3500)
  expect(left).toBeLessThan(3600)
  expect(job.exported).toEqual({
    TORQ_ACCESS_TOKEN: usToken,
    TORQ_EU_TOKEN: euToken,
    TORQ_AGAIN: usToken
  })
  // Masked in the later step too, before the line that says what happened.
  const mask = again.log.indexOf(`::add-mask::${String(usToken)}`)
  expect(mask).toBeGreaterThanOrEqual(0)
  expect(mask).toBeLessThan(again.log.indexOf('Reusing'))
  expect(again.shown).not.toContain('Requesting')
  for (const step of [first, other, again]) {
    for (const value of [
      US_SECRET,
      EU_SECRET,
      String(usToken),
      String(euToken)
    ])
      expect([value, step.reveals(value)]).toEqual([value, false])
  }

  // The runner's files, and one state file only this user may read.
  const files = job.files()
  expect(
    files.map(({ path }) => path).filter((path) => !path.startsWith('_runner'))
  ).toEqual(['torq-token-action.json'])
  const state = join(job.runnerTemp, 'torq-token-action.json')
  expect(statSync(state).mode & 0o777).toBe(0o600)
  for (const { path, bytes } of files) {
    const text = bytes.toString('utf8').toLowerCase()
    for (const form of [...forms(US_ID, US_SECRET), ...forms(EU_ID, EU_SECRET)])
      expect([path, form, text.includes(form.toLowerCase())]).toEqual([
        path,
        form,
        false
      ])
  }
})
