import { describe, expect, it } from '@jest/globals'
import { INPUT_DEFAULTS, TOKEN_URLS } from '../src/defaults.js'
import { InputError } from '../src/errors.js'
import { isLoopbackHost, readInputs } from '../src/inputs.js'

const valid = { 'client-id': 'id-123', 'client-secret': 's3cret' }

/** Reads inputs as core.getInput would: '' for anything not given. */
function read(inputs: Record<string, string>) {
  return readInputs((name) => inputs[name] ?? '')
}

function problemsOf(inputs: Record<string, string>): string[] {
  try {
    read(inputs)
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
      reuseToken: true,
      minValiditySeconds: 600
    })
    expect(INPUT_DEFAULTS.region).toBe('us')
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

  it.each(['MY_TOKEN', '_x', 'a1', 'torq', 'MY_GITHUB_TOKEN', 'X_RUNNER_Y'])(
    'accepts env-var %s',
    (name) => {
      expect(read({ ...valid, 'env-var': name }).envVar).toBe(name)
    }
  )

  it.each(['1ABC', 'MY-TOKEN', 'A B', 'A=B', '$X', 'A\nB'])(
    'refuses the env-var %j',
    (name) => {
      expect(problemsOf({ ...valid, 'env-var': name })).toEqual([
        expect.stringContaining(
          "Input 'env-var' must be an environment variable name"
        )
      ])
    }
  )

  it.each([
    'GITHUB_TOKEN',
    'github_path',
    'RUNNER_TEMP',
    'PATH',
    'Path',
    'HOME',
    'SHELL',
    'ENV',
    'BASH_ENV',
    'IFS',
    'PS4',
    'CDPATH',
    'LD_PRELOAD',
    'ld_library_path',
    'DYLD_INSERT_LIBRARIES',
    'NODE_OPTIONS',
    'NODE_EXTRA_CA_CERTS',
    'NPM_CONFIG_REGISTRY',
    'GIT_SSH_COMMAND',
    'git_askpass',
    'SSH_AUTH_SOCK',
    'PYTHONPATH',
    'PYTHONSTARTUP',
    'PERL5OPT',
    'PERLLIB',
    'RUBYOPT',
    'JAVA_TOOL_OPTIONS',
    '_JAVA_OPTIONS',
    'CLASSPATH',
    'ACTIONS_RUNTIME_TOKEN',
    'INPUT_CLIENT_SECRET',
    'STATE_X',
    'CI',
    'ci',
    'HTTPS_PROXY',
    'no_proxy',
    'TF_CLI_ARGS',
    'TF_CLI_ARGS_apply',
    'MAVEN_ARGS',
    'GH_TOKEN',
    'GH_HOST',
    'FTP_PROXY',
    'SUDO_ASKPASS',
    'OPENSSL_CONF',
    'PHPRC',
    'CONFIG_SITE',
    'MAKEFILES',
    'CMAKE_TOOLCHAIN_FILE',
    'CC',
    'RUSTFLAGS',
    'BASH_XTRACEFD',
    'SSLKEYLOGFILE',
    'COR_PROFILER',
    'ELECTRON_RUN_AS_NODE',
    'LUA_INIT',
    'KUBECONFIG',
    'PS1',
    'GCONV_PATH',
    'MALLOC_CHECK_',
    'EDITOR',
    'COMSPEC',
    'PSModulePath',
    'LOCPATH',
    'TERMINFO',
    'INPUTRC',
    'TMPDIR',
    'WGETRC',
    'CURL_HOME',
    'GNUPGHOME',
    'CXX',
    'CPPFLAGS',
    'MAKEFLAGS',
    'PKG_CONFIG_PATH',
    'R_ENVIRON_USER',
    'GOPATH',
    'VIRTUAL_ENV',
    'UV_INDEX_URL',
    'CARGO_HOME',
    'HGRCPATH',
    'DOCKER_HOST',
    'HELM_HOME',
    'AWS_CONFIG_FILE',
    'CLOUDSDK_CONFIG',
    'XDG_CONFIG_HOME',
    'DOTNET_ROOT'
  ])('refuses the env-var %s, which could reconfigure later steps', (name) => {
    expect(problemsOf({ ...valid, 'env-var': name })).toEqual([
      `Input 'env-var' is ${name}, a variable that changes how programs, shells or the runner behave (such as PATH, LD_*, NODE_*, GIT_*, GITHUB_*, RUNNER_*): a token there could reconfigure later steps. Choose a name of its own, such as TORQ_ACCESS_TOKEN.`
    ])
  })

  it.each([
    'TORQ_ACCESS_TOKEN',
    'TORQ_TOKEN',
    'MY_PATH',
    'CIRCLE',
    'PATHS',
    'HOMEPAGE_TOKEN',
    'GITHUB',
    'NODE',
    'ENVIRONMENT_TOKEN',
    'TF_VAR_torq_token',
    'API_TOKEN',
    'TOKEN'
  ])('accepts the env-var %s', (name) => {
    expect(read({ ...valid, 'env-var': name }).envVar).toBe(name)
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
