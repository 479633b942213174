import { checkBypass, getProxyUrl } from '@actions/http-client/lib/proxy'
import { readFileSync, statSync } from 'node:fs'
import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import {
  Agent,
  Pool,
  ProxyAgent,
  request,
  type buildConnector,
  type Dispatcher
} from 'undici'
import { TokenRequestError, type Failure } from './errors.js'
import type { Context } from './inputs.js'
import { basic, quote } from './outside-text.js'

/**
 * The proxy variables, as @actions/http-client reads them: for a scheme, the
 * lower-case name first; `no_proxy`, else `NO_PROXY`, lists hosts to reach
 * directly. ALL_PROXY is read by curl and others, never by the toolkit.
 */
const PROXY_FOR_SCHEME = {
  https: ['https_proxy', 'HTTPS_PROXY'],
  http: ['http_proxy', 'HTTP_PROXY']
} as const
const UNREAD_PROXY = ['all_proxy', 'ALL_PROXY'] as const
/** Every variable that may name a proxy, and so hold a password to mask. */
export const PROXY_VARIABLES = [
  ...PROXY_FOR_SCHEME.https,
  ...PROXY_FOR_SCHEME.http,
  ...UNREAD_PROXY
]

/** A token answer is a few hundred bytes; anything this large is refused. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** What an HTTP request carries besides its method and URL. */
export interface Message {
  headers: Record<string, string>
  body: string
}

/** The parts of an HTTP answer the action looks at. */
export interface Answer {
  status: number
  contentType: string
  retryAfter: string | undefined
  /** The body is passed on as it came, decoded by no one. */
  contentEncoding: string | undefined
  body: string
}

/** A proxy to tunnel through, read from a proxy variable. */
export interface Proxy {
  /** The variable it was read from: `https_proxy`, `HTTPS_PROXY`... */
  variable: string
  uri: string
  /** `host:port`, as messages show it. */
  address: string
  tls: boolean
  /** `Basic …` for Proxy-Authorization, if the URL has a user or password. */
  token: string | undefined
}

/** Which way the token request goes, and why. */
export interface Route {
  /** `host:port` of the token endpoint. */
  target: string
  proxy: Proxy | undefined
  /** Why it goes direct, for the log line; '' through a proxy. */
  why: string
  /** A proxy variable is set but unusable, so it was not used: warn. */
  ignoredProxy: boolean
}

/**
 * Every password in a proxy variable, as written, decoded, and in the
 * Proxy-Authorization credential: values to mask. A value that is no URL
 * is read as a person would: the password runs from the first `:` after
 * the scheme to the last `@`.
 */
export function proxySecrets(
  env: Record<string, string | undefined>
): string[] {
  return PROXY_VARIABLES.flatMap((name) => {
    const [, user = '', written = ''] =
      /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^:@/]*):(.*)@/s.exec(
        env[name] ?? ''
      ) ?? []
    const password = decode(written)
    return password === ''
      ? []
      : [written, password, basic(decode(user), password)]
  })
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Decides the route as @actions/http-client would, with its own functions:
 * loopback and NO_PROXY hosts go direct; a proxy variable that is no http://
 * or https:// URL is not used, and the route line is then a warning.
 */
export function decideRoute(url: URL): Route {
  const https = url.protocol === 'https:'
  const target = `${url.hostname}:${url.port || (https ? 443 : 80)}`
  const direct = (why: string, ignoredProxy = false): Route => ({
    target,
    proxy: undefined,
    why,
    ignoredProxy
  })
  const env = process.env
  if (checkBypass(url)) {
    return direct(
      /^(localhost|127\..*|\[::1\])$/.test(url.hostname)
        ? 'loopback addresses never go through a proxy'
        : `${env['no_proxy'] ? 'no_proxy' : 'NO_PROXY'} matches ${url.hostname}`
    )
  }
  const scheme = https ? 'https' : 'http'
  const [lower, upper] = PROXY_FOR_SCHEME[scheme]
  const variable = env[lower] ? lower : env[upper] ? upper : undefined
  if (variable === undefined) {
    const unread = [
      ...PROXY_FOR_SCHEME[https ? 'http' : 'https'],
      ...UNREAD_PROXY
    ].filter((name) => env[name])
    return direct(
      `neither ${upper} nor ${lower} is set` +
        (unread.length > 0
          ? `; ${unread.join(' and ')} ${unread.length > 1 ? 'are' : 'is'} set but not read for ${scheme}`
          : '')
    )
  }
  let proxyUrl: URL | undefined
  try {
    proxyUrl = getProxyUrl(url)
  } catch {
    // Not a URL even with http:// in front: http-client would throw here.
  }
  if (proxyUrl?.protocol !== 'http:' && proxyUrl?.protocol !== 'https:') {
    return direct(
      `${variable} is set but is not a proxy URL this action can use`,
      true
    )
  }
  const tls = proxyUrl.protocol === 'https:'
  // http-client's URL gives the user name and password decoded.
  const { username, password } = proxyUrl
  const port = proxyUrl.port || (tls ? '443' : '80')
  return {
    target,
    proxy: {
      variable,
      uri: `${proxyUrl.protocol}//${proxyUrl.host}`,
      address: `${proxyUrl.hostname}:${port}`,
      tls,
      token:
        username || password ? `Basic ${basic(username, password)}` : undefined
    },
    why: '',
    ignoredProxy: false
  }
}

/** The route in one log line, without credentials. */
export function describeRoute(
  route: Route,
  secrets: readonly string[]
): string {
  const to = `Route to ${quote(route.target, secrets)}:`
  const { proxy } = route
  if (proxy === undefined) {
    // Quoted whole, for it may name the target's host (NO_PROXY matches it).
    return `${to} direct (${quote(route.why, secrets)}).${route.ignoredProxy ? ' Write it as http://host:port, or http://user:password@host:port with @ : % / in the user name or password percent-encoded (%40 %3A %25 %2F); https:// only for a proxy that speaks TLS.' : ''}`
  }
  return `${to} through the proxy ${quote(proxy.address, secrets)}${proxy.tls ? ' over TLS' : ''} from ${proxy.variable}, ${proxy.token === undefined ? 'without' : 'with'} credentials.`
}

/**
 * POSTs `message` to the token URL the way the route says and reads the
 * whole answer within timeout-seconds of the clock; no redirect is followed.
 * Anything short of a complete answer is a TokenRequestError.
 */
export async function send(
  message: Message,
  route: Route,
  ctx: Context
): Promise<Answer> {
  const { settings, clock } = ctx
  const connect = { timeout: settings.timeoutMs }
  const dispatcher: Dispatcher =
    route.proxy === undefined
      ? new Agent({ connect })
      : new ProxyAgent({
          uri: route.proxy.uri,
          token: route.proxy.token,
          proxyTls: connect,
          requestTls: connect,
          factory: (origin, options: Pool.Options) =>
            new Pool(origin, { ...options, connect: hungUp(options.connect) }),
          // No server name for a proxy's IP address: RFC 6066 allows none,
          // and Node.js warns (DEP0123) when given one.
          clientFactory: (origin, options: Pool.Options) =>
            new Pool(origin, {
              ...options,
              connect: (to, done) =>
                (options.connect as buildConnector.connector)(
                  {
                    ...to,
                    servername: isIP(to.servername ?? '') ? '' : to.servername
                  },
                  done
                )
            })
        })
  // undici heeds the signal only once connected: destroying the dispatcher
  // fails the request at once, whatever it waits for (a socket still
  // connecting is closed by undici's connect timer, set to the same time).
  const signal = clock.deadline(settings.timeoutMs)
  const stop = () => dispatcher.destroy(() => undefined)
  signal.addEventListener('abort', stop)
  let body: Readable | undefined
  try {
    const res = await request(settings.tokenUrl, {
      method: 'POST',
      ...message,
      dispatcher,
      signal,
      headersTimeout: 0,
      bodyTimeout: 0
    })
    // Destroying a body undici made emits an error: heard here, not thrown.
    body = res.body.on('error', () => undefined)
    const status = res.statusCode
    const header = (name: string) => [res.headers[name] ?? []].flat()[0]
    const chunks: Buffer[] = []
    let size = Number(header('content-length')) || 0
    if (size <= MAX_ANSWER_BYTES) {
      size = 0
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > MAX_ANSWER_BYTES) break
        chunks.push(chunk)
      }
    }
    if (size > MAX_ANSWER_BYTES) {
      throw new TokenRequestError(
        `The token endpoint answered HTTP ${status} with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; a token answer is a few hundred bytes, so it was refused. Check ${settings.source}.`,
        { kind: 'answer', status }
      )
    }
    return {
      status,
      contentType: header('content-type') ?? '',
      retryAfter: header('retry-after'),
      contentEncoding: header('content-encoding'),
      body: Buffer.concat(chunks).toString('utf8')
    }
  } catch (error) {
    if (error instanceof TokenRequestError) throw error
    throw describeFailure(error, route, ctx, signal.aborted)
  } finally {
    signal.removeEventListener('abort', stop)
    body?.destroy()
    stop()
  }
}

/**
 * undici 6 tries again without end, thousands of times a second, a CONNECT
 * the proxy closed without answering or answered with a 1xx
 * (nodejs/undici#3897): such an answer is made an error that fails the
 * request, a reset for a hang-up.
 */
function hungUp(connect: unknown): buildConnector.connector {
  return (options, callback) =>
    (connect as buildConnector.connector)(options, (...args) => {
      const [error] = args
      if ((error as { code?: string } | null)?.code !== 'UND_ERR_SOCKET') {
        callback(...args)
      } else if (error?.message === 'other side closed') {
        const reset =
          'the proxy closed the connection without answering CONNECT'
        callback(Object.assign(new Error(reset), { code: 'ECONNRESET' }), null)
      } else {
        const unread = `the proxy's answer to CONNECT could not be read (${error?.message})`
        callback(Object.assign(new Error(unread), { code: 'EPROTO' }), null)
      }
    })
}

const CERTIFICATE_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID)/

/**
 * What a failure from undici, a socket, TLS or DNS means for the user: one
 * wording for the token endpoint and for the proxy it is reached through.
 */
function describeFailure(
  error: unknown,
  route: Route,
  { settings, secrets }: Context,
  timedOut: boolean
): TokenRequestError {
  const { proxy } = route
  const host = quote(settings.tokenUrl.host, secrets)
  const theProxy =
    proxy &&
    `the proxy ${quote(proxy.address, secrets)} (from ${proxy.variable})`
  const name = theProxy ? `${host} through ${theProxy}` : host
  // undici wraps a proxy's certificate error (SecureProxyConnectionError):
  // the socket's error is its cause. Every error request() gives has a code.
  const inner = ((error as Error).cause ?? error) as NodeJS.ErrnoException
  const code = String(inner.code)
  const raw = inner.message
  const fail = (message: string, failure: Failure) =>
    new TokenRequestError(message, failure, error)
  const proxyStatus = /^Proxy response \((\d{3})\) !== 200/.exec(raw)?.[1]
  if (timedOut || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return fail(
      `No complete answer from ${name} within ${settings.timeoutMs / 1000} s (timeout-seconds).`,
      { kind: 'timeout' }
    )
  } else if (proxyStatus !== undefined) {
    return proxyRefusal(Number(proxyStatus), route, secrets, error)
  } else if (code === 'ENOTFOUND') {
    return fail(
      proxy
        ? `Could not resolve the host of ${String(theProxy)}. Check ${proxy.variable}.`
        : `Could not resolve ${quote(settings.tokenUrl.hostname, secrets)}. Check ${settings.source}, or the runner's DNS and proxy settings.`,
      { kind: 'network', code }
    )
  } else if (CERTIFICATE_CODES.test(code)) {
    // Node's message, without its advice on --use-system-ca.
    return fail(
      `TLS certificate problem talking to ${name}: ${quote(raw.replace(/;.*/s, ''), secrets)} (${code}). ${caAdvice(secrets)}`,
      { kind: 'tls' }
    )
  } else if (
    /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)$/.test(code)
  ) {
    return fail(
      proxy?.tls
        ? `The proxy ${quote(proxy.address, secrets)} (from ${proxy.variable}) does not speak TLS, or answered the tunnel with data that is not TLS: ${proxy.variable} starts with https://, which means a proxy that speaks TLS; most take plain HTTP, also for https requests: write http://host:port.`
        : proxy
          ? `The answer through ${String(theProxy)} is not TLS: the proxy may be inspecting or blocking the connection, or ${host} does not speak TLS.`
          : `${host} does not speak TLS (plain HTTP on an https URL?). Check ${settings.source}.`,
      { kind: 'tls' }
    )
  } else if (code.startsWith('ERR_SSL_')) {
    return fail(`The TLS handshake with ${name} failed (${code}).`, {
      kind: 'tls'
    })
  } else if (code.startsWith('HPE_')) {
    return fail(
      `The answer from ${name} is not HTTP as Node.js reads it (${code}). Check ${settings.source}: something other than Torq is answering.`,
      { kind: 'refusal' }
    )
  }
  // Node's message without the address it may end with (`connect
  // ECONNREFUSED 127.0.0.1:9`): the host is named once.
  const said = quote(raw.replace(/ \S+:\d+$/, ''), secrets)
  return fail(
    `Could not get an answer from ${name}: ${said}${said.includes(code) ? '' : ` (${code})`}.`,
    { kind: 'network', code }
  )
}

/** What a proxy's answer other than 200 to CONNECT means for the user. */
function proxyRefusal(
  status: number,
  route: Route,
  secrets: readonly string[],
  cause: unknown
): TokenRequestError {
  const { proxy } = route
  const at = `The proxy ${quote(String(proxy?.address), secrets)} (from ${String(proxy?.variable)})`
  const target = quote(route.target, secrets)
  const message =
    status !== 407
      ? `${at} refused or failed to open a tunnel to ${target} (HTTP ${status}).${status >= 500 ? '' : ` Ask for ${target} to be allowed through it, or list the host in NO_PROXY if it can be reached directly.`}`
      : proxy?.token === undefined
        ? `${at} wants credentials (HTTP 407). Give them in the proxy URL, http://user:password@host:port, with any @ : % in them percent-encoded (%40 %3A %25).`
        : `${at} rejected the credentials in its URL (HTTP 407). Check the user name and password, and that any @ : % in them is percent-encoded (%40 %3A %25).`
  return new TokenRequestError(message, { kind: 'proxy', status }, cause)
}

/**
 * What to do about a certificate that is not trusted: give Node.js the CA's
 * file, or, if NODE_EXTRA_CA_CERTS names one already, what is wrong with it
 * (Node.js reads it at start-up and only warns if it cannot).
 */
function caAdvice(secrets: readonly string[]): string {
  const file = process.env['NODE_EXTRA_CA_CERTS'] ?? ''
  const privateCa =
    'your network inspects TLS with a private certificate authority'
  if (file === '') {
    return `If ${privateCa}, point NODE_EXTRA_CA_CERTS at its PEM file in the step's env.`
  }
  let problem: string | undefined
  try {
    // Not read unless a regular file: a FIFO would block, a device not end.
    const stats = statSync(file)
    problem = stats.isDirectory()
      ? 'is a directory'
      : !stats.isFile()
        ? 'is not a regular file'
        : readFileSync(file).includes('-----BEGIN CERTIFICATE-----')
          ? undefined
          : 'holds no PEM certificate'
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    problem =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'does not exist'
        : `cannot be read (${String(code)})`
  }
  const setTo = `NODE_EXTRA_CA_CERTS is set to "${quote(file, secrets)}"`
  return problem === undefined
    ? `${setTo}: if ${privateCa}, that file must hold its certificate.`
    : `${setTo}, which ${problem}: point it at the PEM file of the certificate authority.`
}
