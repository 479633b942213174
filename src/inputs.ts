import {
  INPUT_DEFAULTS,
  MAX_MIN_VALIDITY_SECONDS,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  TOKEN_URLS,
  type Region
} from './defaults.js'
import { InputError } from './errors.js'
import { quote } from './outside-text.js'

/** Everything the action needs, validated once at the edge. */
export interface Settings {
  clientId: string
  clientSecret: string
  tokenUrl: URL
  /** How the URL was chosen, for messages: `region us` or `auth-url`. */
  endpointSource: string
  exportEnv: boolean
  envVar: string
  retries: number
  /** How long HTTP 429 answers may be waited out in all; 0: they use `retries`. */
  rateLimitWaitMs: number
  timeoutMs: number
  /** Whether a token kept from an earlier step of the job may be published again. */
  reuseToken: boolean
  /** How long a kept token must stay valid to be published again. */
  minValiditySeconds: number
}

/** Reads one input by name; `core.getInput` in the action (it trims). */
export type InputReader = (name: string) => string

const FORK_HINT =
  'GitHub does not give secrets to workflows triggered from forks or by Dependabot, so the input arrives empty there.'

// Control characters (C0, DEL and C1), invisible format characters, line
// separators and lone surrogates: a value with them cannot be a Torq
// credential, and a line break could forge lines in the runner's files.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u

// Variables that change how programs, shells, loaders, package managers or
// the runner behave: a token exported under one of these names could
// reconfigure or take over later steps. Matched in any case.
// The list cannot be complete; the README advises a name of the token's own.
const RESERVED_ENV_VARS = new RegExp(
  `^(${[
    // shells and the system
    'PATH|HOME|SHELL|ENV|IFS|PS[1-4]|CDPATH|SHELLOPTS|BASHOPTS|FPATH|INPUTRC',
    'PROMPT_COMMAND|GLOBIGNORE|ZDOTDIR|TMPDIR|TMP|TEMP|CI|TERMINFO.*',
    'GCONV_PATH|GLIBC_TUNABLES|MALLOC_.*|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS',
    'LOCPATH|NLSPATH|EDITOR|VISUAL|PAGER|SUDO_.*|BASH_.*',
    'COMSPEC|PATHEXT|SYSTEMROOT|WINDIR|USERPROFILE|APPDATA|LOCALAPPDATA',
    'PSMODULEPATH',
    // networks, TLS and the tools that fetch
    '(HTTPS?|ALL|NO|FTP)_PROXY|SSL_.*|SSLKEYLOGFILE|OPENSSL_.*|CURL_.*',
    'REQUESTS_CA_BUNDLE|WGETRC|NETRC|GNUPGHOME|GPG_.*',
    // compilers, build tools and runtimes
    'CC|CXX|CPP|LD|AR|(C|CXX|CPP|LD|RUST|GO)FLAGS|MAKEFLAGS|MAKEFILES',
    'CONFIG_SITE|PKG_CONFIG.*|CMAKE_.*|CLASSPATH|_JAVA_OPTIONS',
    'JAVA_.*|JDK_JAVA_OPTIONS|MAVEN_.*|GRADLE_.*|PHPRC|PHP_.*|R_PROFILE.*',
    'R_ENVIRON.*',
    'GO(PATH|ROOT|PROXY|TOOLCHAIN|ENV|BIN|PRIVATE|NOSUMDB|INSECURE)',
    'LUA_.*|ELECTRON_.*|COR_.*|CORECLR_.*|COMPLUS_.*|DOTNET_.*',
    '(LD|DYLD|NODE|NPM_CONFIG|YARN|PIP|UV|POETRY|CONDA|GEM|BUNDLE|CARGO)_.*',
    '(PYTHON|PERL|RUBY|RUST).*|VIRTUAL_ENV',
    // version control, remote shells, clouds and deploy tools
    '(GIT|SSH|GH|HG|SVN|CVS|RSYNC)_.*|HGRCPATH|RSYNC_RSH|SVN_SSH|CVS_RSH',
    'DOCKER_.*|KUBE.*|HELM_.*|TF_CLI_.*|TF_PLUGIN_.*|TF_DATA_DIR',
    'AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|CLOUDSDK_.*|XDG_.*',
    // the runner
    '(GITHUB|RUNNER|ACTIONS|INPUT|STATE)_.*'
  ].join('|')})$`,
  'i'
)

const YAML_TRUE = ['true', 'True', 'TRUE']
const YAML_FALSE = ['false', 'False', 'FALSE']

/**
 * Turns the raw inputs into Settings, or throws an InputError listing every
 * problem at once, so that one run shows all that needs fixing.
 */
export function readInputs(read: InputReader): Settings {
  const problems: string[] = []
  const problem = (message: string): undefined => {
    problems.push(message)
    return undefined
  }
  const value = (name: keyof typeof INPUT_DEFAULTS): string =>
    read(name) || INPUT_DEFAULTS[name]

  const clientId = credential(read('client-id'), 'client-id', problem)
  if (clientId?.includes(':')) {
    problem(
      "Input 'client-id' contains ':', which HTTP Basic authentication cannot carry. Copy the client id exactly as Torq shows it under Settings > API Keys."
    )
  }
  const clientSecret = credential(
    read('client-secret'),
    'client-secret',
    problem
  )
  const region = parseRegion(value('region'), problem)
  const authUrl = read('auth-url')
  const tokenUrl = authUrl
    ? parseAuthUrl(authUrl, problem)
    : region && new URL(TOKEN_URLS[region])
  const exportEnv = parseBoolean(value('export-env'), 'export-env', problem)
  const envVar = parseEnvVar(value('env-var'), problem)
  const retries = parseRetries(value('retries'), problem)
  const rateLimitWaitSeconds = parseRateLimitWait(
    value('rate-limit-wait-seconds'),
    problem
  )
  const timeoutSeconds = parseTimeout(value('timeout-seconds'), problem)
  const reuseToken = parseBoolean(value('reuse-token'), 'reuse-token', problem)
  const minValiditySeconds = parseMinValidity(
    value('min-validity-seconds'),
    problem
  )

  if (
    problems.length > 0 ||
    clientId === undefined ||
    clientSecret === undefined ||
    tokenUrl === undefined ||
    exportEnv === undefined ||
    envVar === undefined ||
    retries === undefined ||
    rateLimitWaitSeconds === undefined ||
    timeoutSeconds === undefined ||
    reuseToken === undefined ||
    minValiditySeconds === undefined
  ) {
    throw new InputError(problems)
  }
  return {
    clientId,
    clientSecret,
    tokenUrl,
    endpointSource: authUrl ? 'auth-url' : `region ${region}`,
    exportEnv,
    envVar,
    retries,
    rateLimitWaitMs: rateLimitWaitSeconds * 1000,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    reuseToken,
    minValiditySeconds
  }
}

type Problem = (message: string) => undefined

function credential(
  raw: string,
  name: string,
  problem: Problem
): string | undefined {
  if (raw === '') {
    return problem(
      `Input '${name}' is empty. Pass it from a repository or organization secret, for example \`${name}: \${{ secrets.TORQ_${name === 'client-id' ? 'CLIENT_ID' : 'CLIENT_SECRET'} }}\`. ${FORK_HINT}`
    )
  }
  if (CONTROL.test(raw)) {
    return problem(
      `Input '${name}' contains a line break, a control character or an invisible formatting character. Paste the value exactly as Torq showed it, on one line.`
    )
  }
  return raw
}

function parseRegion(raw: string, problem: Problem): Region | undefined {
  const region = raw.toLowerCase()
  if (Object.hasOwn(TOKEN_URLS, region)) {
    return region as Region
  }
  return problem(
    `Input 'region' must be one of ${Object.keys(TOKEN_URLS).join(', ')}: use eu for accounts on app.eu.torq.io and us for app.torq.io. To reach another token URL, set auth-url instead.`
  )
}

/** Loopback hosts, the only ones plain http may be used with. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

function parseAuthUrl(raw: string, problem: Problem): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return problem(
      "Input 'auth-url' is not a URL. Give the full token URL, such as https://auth.torq.io/v1/auth/token, or leave it empty and set region."
    )
  }
  if (url.username || url.password) {
    return problem(
      "Input 'auth-url' contains a user name or password. Remove them: the credentials go in client-id and client-secret."
    )
  }
  if (url.hash) {
    return problem(
      "Input 'auth-url' has a #fragment, which no token URL has. Give the token URL without it, such as https://auth.torq.io/v1/auth/token."
    )
  }
  if (url.protocol === 'https:') {
    return url
  }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    return url
  }
  return problem(
    "Input 'auth-url' must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]), so that the client secret is never sent in clear."
  )
}

function parseBoolean(
  raw: string,
  name: string,
  problem: Problem
): boolean | undefined {
  if (YAML_TRUE.includes(raw)) return true
  if (YAML_FALSE.includes(raw)) return false
  return problem(`Input '${name}' must be true or false.`)
}

function parseEnvVar(raw: string, problem: Problem): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
    return problem(
      "Input 'env-var' must be an environment variable name: letters, digits and _, not starting with a digit (for example TORQ_ACCESS_TOKEN)."
    )
  }
  if (RESERVED_ENV_VARS.test(raw)) {
    return problem(
      `Input 'env-var' is ${quote(raw, [])}, a variable that changes how programs, shells or the runner behave (such as PATH, LD_*, NODE_*, GIT_*, GITHUB_*, RUNNER_*): a token there could reconfigure later steps. Choose a name of its own, such as TORQ_ACCESS_TOKEN.`
    )
  }
  return raw
}

function parseRetries(raw: string, problem: Problem): number | undefined {
  const retries = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN
  if (retries <= MAX_RETRIES) {
    return retries
  }
  return problem(
    `Input 'retries' must be a whole number from 0 to ${MAX_RETRIES}, the extra attempts after the first.`
  )
}

function parseRateLimitWait(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds <= MAX_RATE_LIMIT_WAIT_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'rate-limit-wait-seconds' must be a whole number from 0 to ${MAX_RATE_LIMIT_WAIT_SECONDS}: how many seconds in all to wait out HTTP 429 (rate limited) answers; 0 counts them under retries instead.`
  )
}

function parseTimeout(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d{1,6}(\.\d{1,6})?$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds >= 0.001 && seconds <= MAX_TIMEOUT_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'timeout-seconds' must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS} (for example 30 or 2.5): the limit for each attempt.`
  )
}

function parseMinValidity(raw: string, problem: Problem): number | undefined {
  const seconds = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (seconds <= MAX_MIN_VALIDITY_SECONDS) {
    return seconds
  }
  return problem(
    `Input 'min-validity-seconds' must be a whole number from 0 to ${MAX_MIN_VALIDITY_SECONDS}: how many seconds a token from an earlier step of the job must stay valid to be used again.`
  )
}
