// What the runner shows of text the action quotes, with dist/index.js run
// under Node 24 as a runner runs it: a secret echoed in another Unicode form,
// a secret in the host of auth-url.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  replies,
  startTorqServer,
  type TorqServer
} from '../../test/support/torq-server.js'

const node = node24() ?? process.execPath
const FORMS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const

describe('dist/index.js, quoting a server that echoes the secret', () => {
  let server: TorqServer
  beforeAll(async () => {
    server = await startTorqServer()
  })
  afterAll(() => server.close())

  const secrets = [
    'Geheimnis-Schlüssel-für-Torq-äöü-2024',
    'café-sécrèt-ﬁxé-ｔｏｒｑ-2024'
  ]
  const echoes = (secret: string) =>
    FORMS.flatMap((form) => {
      const normal = secret.normalize(form)
      return [
        [form, normal],
        [`${form}, upper-cased`, normal.toUpperCase()]
      ]
    })
  it.each(
    secrets.flatMap((secret) =>
      echoes(secret).map(([how, echo]) => [secret, how, echo])
    )
  )('cuts %j echoed in %s', async (secret, _how, echo) => {
    server.script(
      replies.json(401, {
        error: 'invalid_client',
        error_description: `unknown client secret ${echo} (wrong region?)`
      })
    )
    const result = await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': String(secret),
        'auth-url': server.url,
        retries: '0'
      }
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringContaining('"unknown client secret *** (wrong region?)"')
    ])
    for (const shown of [String(secret), String(echo)]) {
      for (const form of FORMS) {
        expect([form, result.reveals(shown.normalize(form))]).toEqual([
          form,
          false
        ])
      }
    }
  })
})

describe('dist/index.js, with the secret in the host of auth-url', () => {
  it('shows no part of it in the route line, NO_PROXY match included', async () => {
    // The URL parser lower-cases the host, so the runner's mask of the
    // secret as given does not hide it there.
    const secret = 'S3cr3t-H0st-Part-9f2c'
    const result = await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': secret,
        'auth-url': `https://${secret}.torq.invalid/v1/auth/token`,
        retries: '0'
      },
      env: { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '.torq.invalid' }
    })
    expect(result.exitCode).toBe(1)
    expect(result.shown).toContain(
      'Route to ***.torq.invalid:443: direct (NO_PROXY matches ***.torq.invalid).\n'
    )
    expect(result.reveals(secret)).toBe(false)
    expect(result.log.indexOf(secret)).toBe(
      result.log.indexOf(`::add-mask::${secret}`) + 12
    )
  })
})
