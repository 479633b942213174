// readInputs: one parser per input, the runner's files, and one InputError
// listing every problem. The exact words are the transcript's; here, what is
// accepted, what is refused and which input a problem names.
import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { readInputs, type Environment } from '../../src/inputs.js'

const CREDENTIALS = { 'client-id': 'id-123', 'client-secret': 's3cret' }
const FILES = { GITHUB_OUTPUT: '/runner/output', GITHUB_ENV: '/runner/env' }

/** readInputs as the action calls it: '' for an input not given. */
function read(inputs: Record<string, string>, env: Environment = FILES) {
  return readInputs((name) => inputs[name] ?? '', env)
}

/** The problems of inputs that must be refused. */
function problemsOf(inputs: Record<string, string>, env: Environment = FILES) {
  try {
    read(inputs, env)
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  throw new Error('expected an InputError')
}

/** The one problem of `value` given for `name`, the credentials being valid. */
function problemOf(name: string, value: string): string {
  const problems = problemsOf({ ...CREDENTIALS, [name]: value })
  expect(problems).toEqual([expect.stringContaining(`'${name}'`)])
  return problems[0]!
}

const US = 'https://auth.torq.io/v1/auth/token'
const EU = 'https://auth.eu.torq.io/v1/auth/token'

describe('readInputs', () => {
  it('fills in the default of every input left empty', () => {
    expect(read(CREDENTIALS)).toEqual({
      clientId: 'id-123',
      clientSecret: 's3cret',
      tokenUrl: new URL(US),
      source: 'region us',
      apiUrl: 'https://api.torq.io',
      exportEnv: true,
      envVar: 'TORQ_ACCESS_TOKEN',
      outputFile: '/runner/output',
      envFile: '/runner/env',
      retries: 3,
      rateLimitWaitMs: 120_000,
      timeoutMs: 30_000,
      reuseToken: true,
      minValiditySeconds: 600
    })
  })

  it('reports every problem at once: the inputs in order, then the runner files', () => {
    const given = { 'client-secret': 'x', region: 'mars', retries: 'x' }
    const subject = (problem: string) =>
      /^Input '([a-z-]+)'/.exec(problem)?.[1] ??
      /GITHUB_[A-Z]+/.exec(problem)?.[0]
    const order = 'client-id region retries GITHUB_OUTPUT GITHUB_ENV'
    expect(problemsOf(given, {}).map(subject)).toEqual(order.split(' '))
  })
})

describe('a refused input', () => {
  it.each([
    ['region', 'mars', '("mars")'],
    ['retries', 'ten', '("ten")'],
    ['timeout-seconds', '-1', '("-1")'],
    ['export-env', 'yes', '("yes")'],
    ['env-var', 'PATH', '("PATH")'],
    ['auth-url', 'ftp://torq.example/token', '("ftp://torq.example/token")'],
    // Inert and cut short: a value cannot act on the runner or flood the log.
    [
      'region',
      'x\n::error::y ##[warning]z',
      String.raw`("x ::error::y # #[warning]z")`
    ],
    ['region', 'y'.repeat(500), `("${'y'.repeat(200)}…")`]
  ])('%s shows the value given: %j', (name, value, shown) => {
    expect(problemOf(name, value)).toMatch(new RegExp(`^Input '${name}' \\(`))
    expect(problemOf(name, value)).toContain(shown)
  })

  it.each([
    ['client-id', 'id:s3cret'],
    ['client-secret', 's3cret\n2'],
    ['auth-url', 'https://user:pa55word@torq.example/token'],
    ['auth-url', 'https://pa55word@torq.example/token'],
    ['auth-url', 'https://user:pa55 word@torq.example']
  ])('%s does not show a credential: %j', (name, value) => {
    const problem = problemOf(name, value)
    expect(problem).toMatch(new RegExp(`^Input '${name}' [a-z]`))
    expect(problem).not.toMatch(/s3cret|pa55word/)
  })
})

describe('the token URL', () => {
  const [US_API, EU_API] = ['https://api.torq.io', 'https://api.eu.torq.io']
  it.each([
    ['eu', '', EU, 'region eu', EU_API],
    ['Us', '', US, 'region us', US_API],
    ['eu', US, US, 'auth-url', US_API],
    ['us', EU.replace('auth', 'AUTH'), EU, 'auth-url', EU_API],
    ['us', `${US}/`, `${US}/`, 'auth-url', ''],
    ['us', `${US}?x=1`, `${US}?x=1`, 'auth-url', '']
  ])(
    'of region %j and auth-url %j is %s, from %s, for the API %j',
    (region, authUrl, ...expected) => {
      const got = read({ ...CREDENTIALS, region, 'auth-url': authUrl })
      expect([got.tokenUrl.href, got.source, got.apiUrl]).toEqual(expected)
    }
  )

  it.each(['ap', 'europe', 'toString', 'constructor'])(
    'is not found for the region %s',
    (region) => {
      expect(problemOf('region', region)).toContain('auth-url')
    }
  )

  const LOOPBACK =
    'http://localhost:8080/t http://127.0.0.1/t http://127.10.20.30:9/t'
  it.each(
    `${LOOPBACK} http://[::1]:3000/t https://auth.example.test/t`.split(' ')
  )('may be %s: https, or plain http to loopback', (url) => {
    expect(read({ ...CREDENTIALS, 'auth-url': url }).tokenUrl.href).toBe(url)
  })

  it.each([
    ['not a url', 'not a URL'],
    ['auth.torq.io/v1/auth/token', 'not a URL'],
    ['http://auth.torq.io/v1/auth/token', 'https://'],
    ['http://127.0.0.1.evil.com/token', 'https://'],
    ['http://localhost.example.com/token', 'https://'],
    ['http://192.168.1.10/token', 'https://'],
    ['http://[::2]/token', 'https://'],
    ['ftp://127.0.0.1/token', 'https://'],
    ['https://auth.torq.io/v1/auth/token#x', '#fragment'],
    ['https://user@auth.torq.io/token', 'user name or password'],
    ['https://user:pw-9@auth.torq.io/t', 'user name or password'],
    ['https://:pw-9@auth.torq.io/t', 'user name or password']
  ])('may not be %s', (url, why) => {
    const problem = problemOf('auth-url', url)
    expect(problem).toContain(why)
    expect(problem).not.toContain('pw-9')
  })
})

describe('client-id and client-secret', () => {
  it('are required, with where they come from and why a fork has none', () => {
    const hint = (id: string, secret: string) =>
      expect.stringMatching(`'${id}'.*secrets\\.${secret}.*forks`)
    expect(problemsOf({})).toEqual([
      hint('client-id', 'TORQ_CLIENT_ID'),
      hint('client-secret', 'TORQ_CLIENT_SECRET')
    ])
  })

  it('are taken as given: any printable text, a colon in the secret', () => {
    const secret = ' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~ é 😀 中'
    const id = secret.replace(':', '')
    const settings = read({ 'client-id': id, 'client-secret': secret })
    expect([settings.clientId, settings.clientSecret]).toEqual([id, secret])
  })

  it('refuses a client id with a colon, which Basic authentication cannot carry', () => {
    expect(problemOf('client-id', 'id:x')).toContain("':'")
  })

  // Line breaks, C0 and C1 controls, bidi and zero-width format characters,
  // line and paragraph separators, a lone surrogate.
  const INVISIBLE = Array.from(
    '\n\r\t\0\x7f\x85\x9b\u202e\u200b\ufeff\u2028\u2029'
  )
  it.each(
    [...INVISIBLE, '\ud800'].flatMap((char) => {
      const code = `U+${char.charCodeAt(0).toString(16).padStart(4, '0')}`
      return ['client-id', 'client-secret'].map((name) => [name, code, char])
    })
  )('refuses a %s with %s in it, without showing it', (name, _code, char) => {
    const problem = problemOf(name, `abc${char}def`)
    expect(problem).toContain('line break')
    expect(problem).not.toContain('abc')
  })
})

describe('export-env and reuse-token', () => {
  it.each('true True TRUE false False FALSE'.split(' '))(
    'read %s as YAML 1.2 does',
    (raw) => {
      const value = raw.toLowerCase() === 'true'
      const both = { 'export-env': raw, 'reuse-token': raw }
      const { exportEnv, reuseToken } = read({ ...CREDENTIALS, ...both })
      expect([exportEnv, reuseToken]).toEqual([value, value])
    }
  )

  it.each(['yes', 'on', '1', 'tRUE', 'no'])('refuse %j', (raw) => {
    expect(problemOf('export-env', raw)).toContain('true or false')
    expect(problemOf('reuse-token', raw)).toContain('true or false')
  })
})

describe('env-var', () => {
  const ACCEPTED =
    'TORQ_ACCESS_TOKEN torq _Torq tOrQ2 MY_TORQ_TOKEN TF_VAR_torq_token'
  it.each(`${ACCEPTED} TORQ_GITHUB_TOKEN X_GITHUB_TORQ GITHUBTORQ`.split(' '))(
    'may be %s, a name with TORQ in it',
    (name) => {
      expect(read({ ...CREDENTIALS, 'env-var': name }).envVar).toBe(name)
    }
  )

  it.each(
    Object.entries({
      'not an environment variable name':
        '1TORQ|TORQ-TOKEN|TORQ TOKEN|TORQ=B|$TORQ|TÖRQ',
      'does not contain TORQ':
        'GOSUMDB|LD_PRELOAD|PATH|GITHUB_TOKEN|API_TOKEN|TORK',
      'prefix the runner reserves':
        'GITHUB_TORQ|runner_torq|Actions_Torq|INPUT_TORQ|state_torq'
    }).flatMap(([why, names]) => names.split('|').map((name) => [name, why]))
  )('may not be %s: %s', (name, why) => {
    const problem = problemOf('env-var', name)
    expect(problem).toContain(`"${name}"`)
    expect(problem).toContain(why)
  })

  it('is shown inert when refused', () => {
    const problem = problemOf('env-var', 'TORQ\r\n##[error]"x"')
    expect(problem).not.toMatch(/[\r\n]|##\[/)
    expect(problem).toContain('\\"x\\"')
  })
})

describe('the whole numbers', () => {
  const NUMBERS = [
    ['retries', 10, 'retries', 1],
    ['rate-limit-wait-seconds', 3600, 'rateLimitWaitMs', 1000],
    ['min-validity-seconds', 3000, 'minValiditySeconds', 1]
  ] as const

  it.each(NUMBERS)('%s takes 0 to %i', (name, max, field, scale) => {
    const take = (raw: string) => read({ ...CREDENTIALS, [name]: raw })[field]
    expect(['0', '007', String(max)].map(take)).toEqual(
      [0, 7, max].map((n) => n * scale)
    )
  })

  const BAD = '-1 +1 2.5 three 1e1 0x3 999999999999999999999'.split(' ')
  it.each(
    NUMBERS.flatMap(([name, max]) =>
      [String(max + 1), ...BAD].map((raw) => [name, raw])
    )
  )('%s refuses %j', (name, raw) => {
    expect(problemOf(name, raw)).toContain('whole number')
  })
})

describe('timeout-seconds', () => {
  it.each([
    ['30', 30_000],
    ['2.5', 2500],
    ['0.001', 1],
    ['0.0015', 2],
    ['3600', 3_600_000],
    ['3600.000000', 3_600_000]
  ])('takes %s as %i ms', (raw, ms) => {
    expect(read({ ...CREDENTIALS, 'timeout-seconds': raw }).timeoutMs).toBe(ms)
  })

  const OUT = '0 0.0 0.0009 3600.001 -5 .5 5. 1.0000001 1e3 Infinity x5 5x 0x10'
  it.each(OUT.split(' '))('refuses %j', (raw) => {
    expect(problemOf('timeout-seconds', raw)).toContain('positive number')
  })
})

describe("the runner's files", () => {
  it.each([
    [{ GITHUB_ENV: '/runner/env' }, 'true'],
    [{ GITHUB_OUTPUT: '', GITHUB_ENV: '/runner/env' }, 'true'],
    [{ GITHUB_OUTPUT: '' }, 'false']
  ])('need GITHUB_OUTPUT (%j, export-env %s)', (env, exportEnv) => {
    const given = { ...CREDENTIALS, 'export-env': exportEnv }
    const problems = problemsOf(given, env)
    expect(problems).toEqual([expect.stringContaining('GITHUB_OUTPUT')])
    expect(problems[0]).not.toContain('export-env')
  })

  it.each([{ GITHUB_OUTPUT: '/o' }, { GITHUB_OUTPUT: '/o', GITHUB_ENV: '' }])(
    'need GITHUB_ENV to export the token (%j), and say export-env: false would not',
    (env) => {
      const problems = problemsOf(CREDENTIALS, env)
      expect(problems).toEqual([expect.stringContaining('GITHUB_ENV')])
      expect(problems[0]).toContain('export-env')
    }
  )

  it.each([
    [{ GITHUB_OUTPUT: '/o' }, ''],
    [{ GITHUB_OUTPUT: '/o', GITHUB_ENV: '/e' }, '/e']
  ])('need no GITHUB_ENV with export-env: false (%j)', (env, envFile) => {
    const settings = read({ ...CREDENTIALS, 'export-env': 'false' }, env)
    expect([settings.outputFile, settings.envFile]).toEqual(['/o', envFile])
  })

  it('are not asked for GITHUB_ENV while export-env is unreadable', () => {
    const env = { GITHUB_OUTPUT: '/o' }
    expect(problemsOf({ ...CREDENTIALS, 'export-env': 'x' }, env)).toEqual([
      expect.stringContaining("'export-env'")
    ])
  })
})
