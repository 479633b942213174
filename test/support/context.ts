import {
  API_URLS,
  TOKEN_URLS,
  type Context,
  type Region,
  type Settings
} from '../../src/inputs.js'
import { basic } from '../../src/outside-text.js'
import { fakeClock } from './fake-clock.js'
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './torq-server.js'

/**
 * The run Context for a token request to `url`, as readInputs would build it
 * from the inputs' defaults and the demo credentials: `source` is `region us`
 * (or eu) for a region's own URL and `auth-url` otherwise; `secrets` are the
 * client secret and its Basic credential, as main.ts masks them; `clock` is a
 * fakeClock's unless given. Any of the Settings, `secrets` and `clock` can be
 * overridden: `contextFor(server.url, { timeoutMs: 5000, clock })`. To move
 * time on, make the clock first: `const fake = fakeClock()`, pass
 * `fake.clock`, then `fake.advance(ms)`.
 */
export function contextFor(
  url: string | URL,
  overrides: Partial<Settings> &
    Partial<Pick<Context, 'secrets' | 'clock'>> = {}
): Context {
  const { secrets, clock, ...given } = overrides
  const tokenUrl = new URL(url)
  const region = (Object.keys(TOKEN_URLS) as Region[]).find(
    (name) => TOKEN_URLS[name] === tokenUrl.href
  )
  const settings: Settings = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    tokenUrl,
    source: region === undefined ? 'auth-url' : `region ${region}`,
    apiUrl: region === undefined ? '' : API_URLS[region],
    exportEnv: true,
    envVar: 'TORQ_ACCESS_TOKEN',
    outputFile: '',
    envFile: '',
    retries: 3,
    rateLimitWaitMs: 120_000,
    timeoutMs: 30_000,
    reuseToken: true,
    minValiditySeconds: 600,
    ...given
  }
  return {
    settings,
    secrets: secrets ?? [
      settings.clientSecret,
      basic(settings.clientId, settings.clientSecret)
    ],
    clock: clock ?? fakeClock().clock
  }
}
