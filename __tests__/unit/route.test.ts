import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { checkBypass, getProxyUrl } from '@actions/http-client/lib/proxy'
import { decideRoute, describeRoute, type Route } from '../../src/route.js'
import { ROUTE_VARIABLES } from '../../src/proxy-variables.js'

const TORQ = new URL('https://auth.torq.io/v1/auth/token')
const VARIABLES = ROUTE_VARIABLES

// Each test starts from this process's environment without proxy settings.
let saved: NodeJS.ProcessEnv
beforeEach(() => {
  saved = process.env
  process.env = Object.fromEntries(
    Object.entries(saved).filter(([name]) => !VARIABLES.includes(name))
  )
})
afterEach(() => {
  process.env = saved
})

function routeWith(env: Record<string, string>, url = TORQ): Route {
  Object.assign(process.env, env)
  return decideRoute(url)
}

describe('decideRoute', () => {
  it('goes direct when no proxy variable is set', () => {
    expect(routeWith({})).toEqual({
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: 'neither HTTPS_PROXY nor https_proxy is set',
      ignoredProxy: false
    })
  })

  it('tunnels through HTTPS_PROXY', () => {
    expect(routeWith({ HTTPS_PROXY: 'http://proxy.corp:3128' })).toEqual({
      target: 'auth.torq.io:443',
      proxy: {
        variable: 'HTTPS_PROXY',
        tls: false,
        hostname: 'proxy.corp',
        port: 3128,
        address: 'proxy.corp:3128',
        credentials: undefined
      },
      why: '',
      ignoredProxy: false
    })
  })

  it.each([
    [
      { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' },
      'https_proxy',
      'lower:1'
    ],
    [
      { https_proxy: '', HTTPS_PROXY: 'http://upper:2' },
      'HTTPS_PROXY',
      'upper:2'
    ],
    [{ https_proxy: 'http://lower:1' }, 'https_proxy', 'lower:1']
  ])(
    'reads https_proxy before HTTPS_PROXY, as http-client: %j',
    (env, variable, address) => {
      const { proxy } = routeWith(env)
      expect(proxy).toMatchObject({ variable, address })
    }
  )

  it.each([
    ['http://proxy.corp', false, 80],
    ['http://proxy.corp:80', false, 80],
    ['https://proxy.corp', true, 443],
    ['https://proxy.corp:8443', true, 8443],
    ['HTTP://proxy.corp:3128/', false, 3128]
  ])('%s: TLS to the proxy %s, port %d', (value, tls, port) => {
    expect(routeWith({ HTTPS_PROXY: value }).proxy).toMatchObject({
      tls,
      port,
      address: `proxy.corp:${port}`
    })
  })

  it.each([
    ['http://us%40er:p%3Ass%25w%2Frd@proxy:1', 'us@er:p:ss%w/rd'],
    ['http://user:p@ss@proxy:1', 'user:p@ss'],
    ['http://user:@proxy:1', 'user:'],
    ['http://user@proxy:1', 'user:'],
    ['http://:password@proxy:1', ':password'],
    ['http://@proxy:1', undefined]
  ])('%s: sends the credentials %j, decoded', (value, credentials) => {
    expect(routeWith({ HTTPS_PROXY: value }).proxy?.credentials).toBe(
      credentials
    )
  })

  it('connects to an IPv6 proxy without brackets and shows it with them', () => {
    expect(routeWith({ HTTPS_PROXY: 'http://[::1]:3128' }).proxy).toMatchObject(
      { hostname: '::1', address: '[::1]:3128' }
    )
  })

  it('reads an address without a scheme as http://, as http-client does', () => {
    expect(routeWith({ HTTPS_PROXY: '10.0.0.1:3128' }).proxy).toMatchObject({
      tls: false,
      address: '10.0.0.1:3128'
    })
  })

  it.each([
    ['a host without a scheme, which reads as a scheme', 'proxy.corp:3128'],
    ['credentials without a scheme', 'user:password@proxy.corp:3128'],
    ['a % that starts no escape', 'http://user:50%off@proxy.corp:3128'],
    ['a / in the password', 'http://user:pa/ss@proxy.corp:3128'],
    ['no host', 'http://:3128'],
    ['not a URL even with http:// in front', 'proxy corp:3128'],
    ['a SOCKS proxy', 'socks5://proxy.corp:1080']
  ])('does not use %s, and warns', (_case, value) => {
    expect(routeWith({ HTTPS_PROXY: value })).toEqual({
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: 'HTTPS_PROXY is set but is not a proxy URL this action can use',
      ignoredProxy: true
    })
  })

  it.each([
    ['NO_PROXY', 'auth.torq.io'],
    ['NO_PROXY', '.torq.io'],
    ['NO_PROXY', 'torq.io'],
    ['NO_PROXY', 'example.com, AUTH.TORQ.IO:443'],
    ['NO_PROXY', '*'],
    ['no_proxy', 'torq.io']
  ])('goes direct when %s=%s matches', (name, value) => {
    expect(
      routeWith({ HTTPS_PROXY: 'http://proxy.corp:3128', [name]: value })
    ).toEqual({
      target: 'auth.torq.io:443',
      proxy: undefined,
      why: `${name} matches auth.torq.io`,
      ignoredProxy: false
    })
  })

  it('names no_proxy when both are set, as http-client reads it first', () => {
    expect(
      routeWith({
        HTTPS_PROXY: 'http://proxy.corp:3128',
        no_proxy: 'torq.io',
        NO_PROXY: 'example.com'
      }).why
    ).toBe('no_proxy matches auth.torq.io')
  })

  it('tunnels when NO_PROXY does not match', () => {
    expect(
      routeWith({
        HTTPS_PROXY: 'http://proxy.corp:3128',
        NO_PROXY: 'eu.torq.io,torq.io:8443,orq.io'
      }).proxy?.address
    ).toBe('proxy.corp:3128')
  })

  it.each([
    'https://localhost:8443/token',
    'https://127.0.0.1/token',
    'https://127.1.2.3:1/token',
    'https://[::1]:8443/token',
    'http://localhost:8080/token'
  ])('never proxies loopback: %s', (url) => {
    const route = routeWith(
      {
        HTTPS_PROXY: 'http://proxy.corp:3128',
        HTTP_PROXY: 'http://proxy.corp:3128',
        NO_PROXY: 'example.com'
      },
      new URL(url)
    )
    expect(route.proxy).toBeUndefined()
    expect(route.why).toBe('loopback addresses never go through a proxy')
  })

  it.each([
    [{ ALL_PROXY: 'http://p:1' }, 'ALL_PROXY is'],
    [{ all_proxy: 'http://p:1' }, 'all_proxy is'],
    [
      { HTTP_PROXY: 'http://p:1', http_proxy: 'http://p:1', ALL_PROXY: 'x' },
      'http_proxy and HTTP_PROXY and ALL_PROXY are'
    ]
  ])('names proxy variables that are set but not read: %j', (env, names) => {
    expect(routeWith(env)).toMatchObject({
      proxy: undefined,
      why: `neither HTTPS_PROXY nor https_proxy is set; ${names} set but not read for https`
    })
  })

  it('reads http_proxy and HTTP_PROXY for an http URL, as http-client does', () => {
    const url = new URL('http://example.com/token')
    expect(routeWith({}, url)).toEqual({
      target: 'example.com:80',
      proxy: undefined,
      why: 'neither HTTP_PROXY nor http_proxy is set',
      ignoredProxy: false
    })
    expect(routeWith({ HTTPS_PROXY: 'http://p:1' }, url).why).toBe(
      'neither HTTP_PROXY nor http_proxy is set; HTTPS_PROXY is set but not read for http'
    )
    expect(
      routeWith({ HTTP_PROXY: 'http://p:2', all_proxy: 'http://p:3' }, url)
    ).toMatchObject({
      proxy: { variable: 'HTTP_PROXY', address: 'p:2' }
    })
    process.env['HTTP_PROXY'] = ''
    delete process.env['HTTPS_PROXY']
    expect(routeWith({ https_proxy: 'x' }, url).why).toBe(
      'neither HTTP_PROXY nor http_proxy is set; https_proxy and all_proxy are set but not read for http'
    )
    expect(routeWith({}, new URL('http://example.com:8080/token')).target).toBe(
      'example.com:8080'
    )
  })

  it.each<Record<string, string>>([
    {},
    { HTTPS_PROXY: 'http://proxy.corp:3128' },
    { https_proxy: 'https://u:p@proxy.corp', HTTPS_PROXY: 'http://other:1' },
    { HTTPS_PROXY: '10.0.0.1:3128' },
    { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.torq.io' },
    { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: 'example.com' },
    { HTTPS_PROXY: 'proxy.corp:3128' },
    { HTTPS_PROXY: 'http://u:50%zz@proxy.corp:3128' }
  ])('agrees with http-client on the proxy for %j', (env) => {
    const route = routeWith(env)
    const theirs = getProxyUrl(TORQ)
    expect(route.proxy?.address).toBe(
      theirs?.hostname
        ? `${theirs.hostname}:${theirs.port || (theirs.protocol === 'https:' ? 443 : 80)}`
        : undefined
    )
    expect(route.why.includes('matches')).toBe(checkBypass(TORQ))
  })
})

describe('describeRoute', () => {
  const secrets = ['Pr0xy-s3cret']

  it('names the proxy, the variable and whether credentials go with it', () => {
    Object.assign(process.env, {
      HTTPS_PROXY: 'http://user:Pr0xy-s3cret@proxy.corp:3128'
    })
    expect(describeRoute(decideRoute(TORQ), secrets)).toBe(
      'Route to auth.torq.io:443: through the proxy proxy.corp:3128 from HTTPS_PROXY, with credentials.'
    )
    process.env['HTTPS_PROXY'] = 'https://proxy.corp'
    expect(describeRoute(decideRoute(TORQ), secrets)).toBe(
      'Route to auth.torq.io:443: through the proxy proxy.corp:443 over TLS from HTTPS_PROXY, without credentials.'
    )
  })

  it('says why it goes direct', () => {
    expect(
      describeRoute(routeWith({ NO_PROXY: '*', HTTPS_PROXY: 'p:1' }), secrets)
    ).toBe('Route to auth.torq.io:443: direct (NO_PROXY matches auth.torq.io).')
  })

  it('says how to write a proxy URL it cannot use', () => {
    expect(
      describeRoute(routeWith({ HTTPS_PROXY: 'proxy.corp:3128' }), secrets)
    ).toBe(
      'Route to auth.torq.io:443: direct (HTTPS_PROXY is set but is not a proxy URL this action can use). Write it as http://host:port, or http://user:password@host:port with @ : % / in the user name or password percent-encoded (%40 %3A %25 %2F); https:// only for a proxy that speaks TLS.'
    )
  })

  it('quotes the names it shows, secrets cut', () => {
    const route: Route = {
      target: 'auth.torq.io:443',
      proxy: {
        variable: 'HTTPS_PROXY',
        tls: false,
        hostname: 'x',
        port: 1,
        address: 'pr0xy-s3cret.corp:1',
        credentials: undefined
      },
      why: '',
      ignoredProxy: false
    }
    expect(describeRoute(route, secrets)).toBe(
      'Route to auth.torq.io:443: through the proxy ***.corp:1 from HTTPS_PROXY, without credentials.'
    )
    expect(
      describeRoute(
        { ...route, target: 'Pr0xy-s3cret:443', proxy: undefined, why: 'w' },
        secrets
      )
    ).toBe('Route to ***:443: direct (w).')
  })

  it('quotes the host NO_PROXY matches, secrets cut', () => {
    const url = new URL('https://pr0xy-s3cret.example/v1/auth/token')
    Object.assign(process.env, {
      HTTPS_PROXY: 'http://proxy.corp:3128',
      NO_PROXY: '.example'
    })
    expect(describeRoute(decideRoute(url), secrets)).toBe(
      'Route to ***.example:443: direct (NO_PROXY matches ***.example).'
    )
  })
})
