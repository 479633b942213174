import { describe, expect, it } from '@jest/globals'
/* eslint-disable jest/no-conditional-expect, no-control-regex --
   a property branches on the generated case, and control characters are what
   several properties are about. */
import fc from 'fast-check'
import {
  INPUTS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  TOKEN_URLS
} from '../../src/defaults.js'
import { InputError } from '../../src/errors.js'
import {
  readInputs,
  type Environment,
  type Settings
} from '../../src/inputs.js'
import { isLoopbackHost } from '../../src/loopback.js'
import { runs } from '../../test/support/property-runs.js'
import { actionInputs } from '../../test/support/runner.js'

const valid = { 'client-id': 'id-123', 'client-secret': 's3cret' }
const FILES = { GITHUB_OUTPUT: '/runner/output', GITHUB_ENV: '/runner/env' }

/** Reads inputs as core.getInput would: '' for anything not given. */
function read(inputs: Record<string, string>, env: Environment = FILES) {
  return readInputs((name) => inputs[name] ?? '', env)
}

function problemsOf(
  inputs: Record<string, string>,
  env: Environment = FILES
): string[] {
  try {
    read(inputs, env)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return [...(error as InputError).problems]
  }
  throw new Error('expected an InputError')
}

describe('readInputs', () => {
  it('applies the defaults of action.yml when only credentials are given', () => {
    expect(read(valid)).toEqual({
      clientId: 'id-123',
      clientSecret: 's3cret',
      tokenUrl: new URL(TOKEN_URLS.us),
      endpointSource: 'region us',
      exportEnv: true,
      envVar: 'TORQ_ACCESS_TOKEN',
      retries: 3,
      rateLimitWaitMs: 120_000,
      timeoutMs: 30_000,
      outputFile: '/runner/output',
      envFile: '/runner/env',
      reuseToken: true,
      minValiditySeconds: 600
    })
    expect(INPUTS.region).toBe('us')
  })

  it('maps the eu region to its token URL, in any case', () => {
    expect(read({ ...valid, region: 'eu' }).tokenUrl.href).toBe(
      'https://auth.eu.torq.io/v1/auth/token'
    )
    expect(read({ ...valid, region: 'EU' }).endpointSource).toBe('region eu')
  })

  it('lets auth-url override the region', () => {
    const settings = read({
      ...valid,
      region: 'eu',
      'auth-url': 'https://auth.example.test/token'
    })
    expect(settings.tokenUrl.href).toBe('https://auth.example.test/token')
    expect(settings.endpointSource).toBe('auth-url')
  })

  it.each([
    'http://localhost:8080/v1/auth/token',
    'http://127.0.0.1/token',
    'http://127.10.20.30:9/x',
    'http://[::1]:3000/token'
  ])('accepts plain http for the loopback URL %s', (url) => {
    expect(read({ ...valid, 'auth-url': url }).tokenUrl.href).toBe(url)
  })

  it.each([
    ['not a url', 'is not a URL'],
    ['auth.torq.io/v1/auth/token', 'is not a URL'],
    ['http://auth.torq.io/v1/auth/token', 'must use https://'],
    ['http://192.168.1.10/token', 'must use https://'],
    ['http://localhost.example.com/token', 'must use https://'],
    ['ftp://127.0.0.1/token', 'must use https://'],
    ['https://user:pw@auth.torq.io/v1/auth/token', 'user name or password'],
    ['https://user@auth.torq.io/v1/auth/token', 'user name or password'],
    ['https://:pw@auth.torq.io/v1/auth/token', 'user name or password'],
    ['https://auth.torq.io/v1/auth/token#x##[stop-commands]y', '#fragment']
  ])('refuses the auth-url %s', (url, message) => {
    const problems = problemsOf({ ...valid, 'auth-url': url })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain("Input 'auth-url'")
    expect(problems[0]).toContain(message)
    expect(problems[0]).not.toContain('pw@')
  })

  it('says where empty credentials come from', () => {
    const problems = problemsOf({})
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^Input 'client-id' is empty/)
    expect(problems[0]).toContain('secrets.TORQ_CLIENT_ID')
    expect(problems[1]).toMatch(/^Input 'client-secret' is empty/)
    expect(problems[1]).toContain('secrets.TORQ_CLIENT_SECRET')
    for (const problem of problems) {
      expect(problem).toContain('forks or by Dependabot')
    }
  })

  it('refuses a client id with a colon, which Basic auth cannot carry', () => {
    const problems = problemsOf({ ...valid, 'client-id': 'a:b' })
    expect(problems).toEqual([
      expect.stringContaining("Input 'client-id' contains ':'")
    ])
  })

  it.each(['client-id', 'client-secret'])(
    'refuses a %s with a line break without printing it',
    (name) => {
      const problems = problemsOf({ ...valid, [name]: 'abc\ndef' })
      expect(problems).toEqual([
        expect.stringContaining(`Input '${name}' contains a line break`)
      ])
      expect(problems[0]).not.toContain('abc')
    }
  )

  it.each([
    ['NEL', '\u0085'],
    ['CSI', '\u009b'],
    ['DEL', '\u007f'],
    ['a right-to-left override', '\u202e'],
    ['a zero-width space', '\u200b'],
    ['a line separator', '\u2028'],
    ['a lone surrogate', '\ud800']
  ])('refuses credentials with %s', (_name, char) => {
    for (const name of ['client-id', 'client-secret']) {
      expect(problemsOf({ ...valid, [name]: `abc${char}def` })).toEqual([
        expect.stringContaining(`Input '${name}' contains a line break`)
      ])
    }
  })

  it('refuses an unknown region', () => {
    expect(problemsOf({ ...valid, region: 'ap' })).toEqual([
      expect.stringContaining("Input 'region' must be one of us, eu")
    ])
  })

  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('reads export-env %s as a YAML boolean', (raw, expected) => {
    expect(read({ ...valid, 'export-env': raw }).exportEnv).toBe(expected)
  })

  it.each(['yes', '1', 'tru', 'on'])('refuses export-env %s', (raw) => {
    expect(problemsOf({ ...valid, 'export-env': raw })).toEqual([
      "Input 'export-env' must be true or false."
    ])
  })

  it.each([
    'TORQ_ACCESS_TOKEN',
    'TORQ_TOKEN',
    'torq',
    '_Torq',
    'tOrQ2',
    'MY_TORQ_TOKEN',
    'TF_VAR_torq_token',
    'TORQ_GITHUB_TOKEN',
    'X_GITHUB_TORQ',
    'GITHUBTORQ'
  ])('accepts the env-var %s, which contains TORQ', (name) => {
    expect(read({ ...valid, 'env-var': name }).envVar).toBe(name)
  })

  const ADVICE =
    'Use a name with TORQ in it, such as TORQ_ACCESS_TOKEN (the default). To hand the token to one step under another name, map it there: `env: API_TOKEN: ${{ env.TORQ_ACCESS_TOKEN }}`.'

  it.each([
    ['1TORQ', '1TORQ'],
    ['TORQ-TOKEN', 'TORQ-TOKEN'],
    ['TORQ TOKEN', 'TORQ TOKEN'],
    ['TORQ=B', 'TORQ=B'],
    ['$TORQ', '$TORQ'],
    ['TORQ\nB', 'TORQ B'],
    ['TÖRQ', 'TÖRQ'],
    ['TORQ"', 'TORQ\\"']
  ])('refuses the env-var %j, which is no variable name', (name, shown) => {
    expect(problemsOf({ ...valid, 'env-var': name })).toEqual([
      `Input 'env-var' is "${shown}", which is not an environment variable name (letters, digits and _, not starting with a digit). ${ADVICE}`
    ])
  })

  it.each([
    // Named in the issue: tools read them, the denylist missed them.
    'GOSUMDB',
    'GOAUTH',
    'GONOPROXY',
    'GOVCS',
    'CGO_CFLAGS',
    'CGO_LDFLAGS',
    'TAR_OPTIONS',
    'GNUMAKEFLAGS',
    'POSIXLY_CORRECT',
    'CCACHE_PREFIX',
    'USE_BAZEL_VERSION',
    'PUPPETEER_EXECUTABLE_PATH',
    'BROWSER',
    // What the denylist held: still refused, now for lacking TORQ.
    'PATH',
    'Path',
    'HOME',
    'BASH_ENV',
    'IFS',
    'CI',
    'LD_PRELOAD',
    'ld_library_path',
    'DYLD_INSERT_LIBRARIES',
    'NODE_OPTIONS',
    'NPM_CONFIG_REGISTRY',
    'GIT_SSH_COMMAND',
    'PYTHONPATH',
    'PERL5OPT',
    'JAVA_TOOL_OPTIONS',
    '_JAVA_OPTIONS',
    'HTTPS_PROXY',
    'no_proxy',
    'TF_CLI_ARGS',
    'GH_TOKEN',
    'KUBECONFIG',
    'GITHUB_TOKEN',
    'RUNNER_TEMP',
    // Harmless-looking names without TORQ go the same way.
    'API_TOKEN',
    'TOKEN',
    'MY_TOKEN',
    'TORK',
    'T_ORQ'
  ])('refuses the env-var %s, which does not contain TORQ', (name) => {
    expect(problemsOf({ ...valid, 'env-var': name })).toEqual([
      `Input 'env-var' is "${name}", which does not contain TORQ: a token under a name that other tools read could reconfigure later steps. ${ADVICE}`
    ])
  })

  it.each([
    'GITHUB_TORQ',
    'github_torq_token',
    'RUNNER_TORQ',
    'Actions_Torq',
    'INPUT_TORQ',
    'state_torq'
  ])('refuses the env-var %s, which starts with a runner prefix', (name) => {
    expect(problemsOf({ ...valid, 'env-var': name })).toEqual([
      `Input 'env-var' is "${name}", which starts with a prefix the runner reserves (GITHUB_, RUNNER_, ACTIONS_, INPUT_, STATE_). ${ADVICE}`
    ])
  })

  it('accepts exactly the names that match the rule, whatever the case', () => {
    const mixedCase = (word: string) =>
      fc
        .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
        .map((upper) =>
          Array.from(word)
            .map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase()))
            .join('')
        )
    const part = fc.stringMatching(/^[A-Za-z0-9_]{0,6}$/)
    const name = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
      fc
        .tuple(
          fc.constantFrom('', '_', '1', 'MY_', 'X-', ' ', 'TF_VAR_'),
          mixedCase('torq'),
          part
        )
        .map((pieces) => pieces.join('')),
      fc
        .tuple(
          fc
            .constantFrom(
              'github_',
              'runner_',
              'actions_',
              'input_',
              'state_',
              'githu_',
              'github',
              'x_runner_'
            )
            .chain(mixedCase),
          fc.constantFrom('', 'x'),
          mixedCase('torq'),
          part
        )
        .map((pieces) => pieces.join(''))
    )
    const rule = (raw: string) =>
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw) &&
      /torq/i.test(raw) &&
      !/^(github|runner|actions|input|state)_/i.test(raw)
    fc.assert(
      fc.property(name, (raw) => {
        let envVar: string | undefined
        try {
          envVar = read({ ...valid, 'env-var': raw }).envVar
        } catch (error) {
          expect(error).toBeInstanceOf(InputError)
          expect((error as InputError).problems).toEqual([
            expect.stringMatching(/^Input 'env-var' is ".*TORQ_ACCESS_TOKEN/)
          ])
        }
        // Empty means the default.
        expect(envVar).toBe(
          raw === '' ? 'TORQ_ACCESS_TOKEN' : rule(raw) ? raw : undefined
        )
      }),
      runs(2000)
    )
  })

  const NO_RUNNER =
    'this step is not running on a GitHub Actions runner of v2.327.1 or later, which sets it for every step (see Requirements in the README).'

  it.each([
    [{ GITHUB_ENV: '/runner/env' }, 'true'],
    [{ GITHUB_OUTPUT: '', GITHUB_ENV: '/runner/env' }, 'true'],
    [{ GITHUB_OUTPUT: '' }, 'false']
  ])(
    'refuses to run without GITHUB_OUTPUT (%j, export-env %s)',
    (env, exportEnv) => {
      expect(problemsOf({ ...valid, 'export-env': exportEnv }, env)).toEqual([
        `The runner's GITHUB_OUTPUT variable is unset or empty, so the step outputs have nowhere to go: ${NO_RUNNER}`
      ])
    }
  )

  it.each([{ GITHUB_OUTPUT: '/runner/output' }, { ...FILES, GITHUB_ENV: '' }])(
    'refuses to export without GITHUB_ENV (%j)',
    (env) => {
      expect(problemsOf(valid, env)).toEqual([
        `The runner's GITHUB_ENV variable is unset or empty, so the token cannot be exported: ${NO_RUNNER} With export-env: false the token is in the step output only, and GITHUB_ENV is not needed.`
      ])
    }
  )

  it.each([
    [{ GITHUB_OUTPUT: '/runner/output' }, ''],
    [FILES, '/runner/env']
  ])('needs no GITHUB_ENV with export-env: false (%j)', (env, envFile) => {
    const settings = read({ ...valid, 'export-env': 'false' }, env)
    expect(settings.outputFile).toBe('/runner/output')
    expect(settings.envFile).toBe(envFile)
  })

  it('says nothing of GITHUB_ENV while export-env is unreadable, and lists the runner files after the inputs', () => {
    const problems = problemsOf({ 'client-secret': 's', 'export-env': 'x' }, {})
    expect(problems.map((p) => p.slice(0, 36))).toEqual([
      "Input 'client-id' is empty. Pass it ",
      "Input 'export-env' must be true or f",
      "The runner's GITHUB_OUTPUT variable "
    ])
    expect(problemsOf({ ...valid, retries: 'x' }, {})).toEqual([
      expect.stringMatching(/^Input 'retries'/),
      expect.stringMatching(/^The runner's GITHUB_OUTPUT /),
      expect.stringMatching(/^The runner's GITHUB_ENV /)
    ])
  })

  it.each([
    ['0', 0],
    ['10', 10],
    ['007', 7]
  ])('accepts retries %s', (raw, expected) => {
    expect(read({ ...valid, retries: raw }).retries).toBe(expected)
  })

  it.each(['11', '-1', '2.5', 'three', '1e1', '0x3', '1000'])(
    'refuses retries %s',
    (raw) => {
      expect(problemsOf({ ...valid, retries: raw })).toEqual([
        expect.stringContaining(
          "Input 'retries' must be a whole number from 0 to 10"
        )
      ])
    }
  )

  it.each([
    ['0', 0],
    ['1', 1000],
    ['0120', 120_000],
    ['3600', 3_600_000],
    ['000003600', 3_600_000]
  ])('accepts rate-limit-wait-seconds %s', (raw, expected) => {
    expect(
      read({ ...valid, 'rate-limit-wait-seconds': raw }).rateLimitWaitMs
    ).toBe(expected)
  })

  it.each([
    '3601',
    '-1',
    '1.5',
    'two',
    '1e2',
    '0x10',
    '9'.repeat(400),
    'Infinity'
  ])('refuses rate-limit-wait-seconds %j', (raw) => {
    expect(problemsOf({ ...valid, 'rate-limit-wait-seconds': raw })).toEqual([
      "Input 'rate-limit-wait-seconds' must be a whole number from 0 to 3600: how many seconds in all to wait out HTTP 429 (rate limited) answers; 0 counts them under retries instead."
    ])
  })

  it.each([
    ['30', 30_000],
    ['2.5', 2500],
    ['0.001', 1],
    ['3600', 3_600_000]
  ])('accepts timeout-seconds %s', (raw, expected) => {
    expect(read({ ...valid, 'timeout-seconds': raw }).timeoutMs).toBe(expected)
  })

  it.each([
    '0',
    '0.0',
    '-5',
    'abc',
    '1e3',
    'Infinity',
    '3601',
    '0.0001',
    ' 5 x'
  ])('refuses timeout-seconds %j', (raw) => {
    expect(problemsOf({ ...valid, 'timeout-seconds': raw })).toEqual([
      expect.stringContaining(
        "Input 'timeout-seconds' must be a positive number"
      )
    ])
  })

  it('gives an InputError whose message lists each problem on a line', () => {
    expect(new InputError(['first', 'second']).message).toBe('first\nsecond')
  })

  it('reports every bad input at once', () => {
    const problems = problemsOf({
      'client-id': '',
      'client-secret': 'x',
      region: 'mars',
      'env-var': 'GITHUB_X',
      retries: 'many',
      'rate-limit-wait-seconds': 'forever',
      'timeout-seconds': '0',
      'export-env': 'maybe'
    })
    expect(problems.map((p) => /^Input '([a-z-]+)'/.exec(p)?.[1])).toEqual([
      'client-id',
      'region',
      'export-env',
      'env-var',
      'retries',
      'rate-limit-wait-seconds',
      'timeout-seconds'
    ])
  })
})

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.255.0.9', '[::1]'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true)
    }
  )
  it.each([
    '128.0.0.1',
    '10.0.0.1',
    'example.com',
    '127.0.0.1.nip.io',
    'x127.0.0.1',
    '[::2]',
    ''
  ])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false)
  })
})

// Every input action.yml declares.
const NAMES = Object.keys(actionInputs())

/** Strings that look like the values people type, and anything at all. */
const inputValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'us',
    'eu',
    'EU',
    'true',
    'False',
    'TORQ_TOKEN',
    'GITHUB_X',
    '3',
    '10',
    '11',
    '120',
    '3600',
    '3601',
    '0.5',
    '0',
    '-1',
    '1e3'
  ),
  fc.webUrl(),
  fc.nat().map(String),
  fc.double().map(String)
)
const inputs = fc.record(
  Object.fromEntries(NAMES.map((name) => [name, inputValue]))
)

const RUNNER_FILES = { GITHUB_OUTPUT: '/output', GITHUB_ENV: '/env' }

function parse(values: Record<string, string>): Settings | InputError {
  try {
    return readInputs((name) => values[name]?.trim() ?? '', RUNNER_FILES)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
}

describe('readInputs, for any strings', () => {
  it('returns valid settings or an InputError naming each bad input', () => {
    fc.assert(
      fc.property(inputs, (values) => {
        const result = parse(values)
        if (result instanceof InputError) {
          expect(result.problems.length).toBeGreaterThan(0)
          for (const problem of result.problems) {
            expect(problem).toMatch(/^Input '[a-z-]+' /)
          }
          return
        }
        expect(Number.isInteger(result.retries)).toBe(true)
        expect(result.retries).toBeGreaterThanOrEqual(0)
        expect(result.retries).toBeLessThanOrEqual(MAX_RETRIES)
        expect(result.rateLimitWaitMs % 1000).toBe(0)
        expect(result.rateLimitWaitMs).toBeGreaterThanOrEqual(0)
        expect(result.rateLimitWaitMs).toBeLessThanOrEqual(
          MAX_RATE_LIMIT_WAIT_SECONDS * 1000
        )
        expect(result.timeoutMs).toBeGreaterThanOrEqual(1)
        expect(result.timeoutMs).toBeLessThanOrEqual(MAX_TIMEOUT_SECONDS * 1000)
        expect(result.envVar).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        expect(result.envVar).not.toMatch(/^(GITHUB_|RUNNER_)/i)
        expect(result.clientId).not.toMatch(/[:\u0000-\u001f\u007f]/)
        expect(result.clientSecret).not.toMatch(/[\u0000-\u001f\u007f]/)
        expect(result.clientId).not.toBe('')
        expect(result.clientSecret).not.toBe('')
        const { protocol, hostname, username, password } = result.tokenUrl
        expect(username + password).toBe('')
        expect(
          protocol === 'https:' ||
            (protocol === 'http:' && isLoopbackHost(hostname))
        ).toBe(true)
      }),
      runs(2000)
    )
  })

  it('accepts exactly the whole numbers 0 to 10 as retries', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer({ min: -50, max: 50 }).map(String)),
        (raw) => {
          const result = parse({
            'client-id': 'id',
            'client-secret': 's',
            retries: raw
          })
          const value = raw.trim()
          const valid =
            value === '' ||
            (/^\d+$/.test(value) && Number(value) <= MAX_RETRIES)
          expect(result instanceof InputError).toBe(!valid)
        }
      ),
      runs(2000)
    )
  })

  it('accepts exactly the whole numbers 0 to 3600 as rate-limit-wait-seconds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.integer({ min: -100, max: 5000 }).map(String),
          fc.stringMatching(/^\s*\d{1,6}\s*$/)
        ),
        (raw) => {
          const result = parse({
            'client-id': 'id',
            'client-secret': 's',
            'rate-limit-wait-seconds': raw
          })
          const value = raw.trim()
          const valid =
            value === '' ||
            (/^\d+$/.test(value) &&
              Number(value) <= MAX_RATE_LIMIT_WAIT_SECONDS)
          expect(result instanceof InputError).toBe(!valid)
          if (result instanceof InputError) {
            expect(result.problems).toEqual([
              expect.stringMatching(/^Input 'rate-limit-wait-seconds' /)
            ])
          } else {
            expect(result.rateLimitWaitMs).toBe(
              value === '' ? 120_000 : Number(value) * 1000
            )
          }
        }
      ),
      runs(2000)
    )
  })
})
