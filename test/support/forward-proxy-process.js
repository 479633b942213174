// The forward proxy process: the npm package `proxy` on 127.0.0.1. It prints
// {"listening":PORT}, then one {"connect":"host:port"} line for each CONNECT
// it receives. PROXY_ROUTES ({"auth.torq.io:443":"127.0.0.1:4443"}) is its
// hosts file: those targets are reached at the given local address, so that
// Torq's real host names lead to a local server; other names resolve as usual.
// PROXY_REFUSE=1 makes it answer every request with 407, as a proxy does that
// wants credentials; PROXY_CREDENTIALS ("user:password", decoded) makes it
// require exactly those as Basic credentials; PROXY_NEGOTIATE=1 makes it ask
// for Negotiate authentication, which it never accepts. PROXY_TLS ({"key",
// "cert"} in PEM) makes it a proxy that speaks TLS.
import { createRequire, syncBuiltinESMExports } from 'node:module'

/** @type {Record<string, string>} */
const routes = JSON.parse(process.env.PROXY_ROUTES ?? '{}')
const require = createRequire(import.meta.url)
const net = require('node:net')
const connect = net.connect
/** @param {any} target @param {...any} rest */
net.connect = function (target, ...rest) {
  const route =
    typeof target === 'object'
      ? routes[`${target.host}:${target.port}`]
      : undefined
  if (route) {
    const at = route.lastIndexOf(':')
    target = {
      ...target,
      host: route.slice(0, at),
      port: Number(route.slice(at + 1))
    }
  }
  return connect.call(this, target, ...rest)
}
syncBuiltinESMExports()

const http = await import('node:http')
const https = await import('node:https')
const { createProxy } = await import('proxy')
const tls = process.env.PROXY_TLS
  ? JSON.parse(process.env.PROXY_TLS)
  : undefined
const server = createProxy(
  tls
    ? https.createServer({ key: tls.key, cert: tls.cert })
    : http.createServer()
)
const credentials = process.env.PROXY_CREDENTIALS
if (process.env.PROXY_REFUSE) server.authenticate = () => false
if (credentials !== undefined) {
  const expected = `Basic ${Buffer.from(credentials).toString('base64')}`
  server.authenticate = (
    /** @type {import('node:http').IncomingMessage} */ req
  ) => req.headers['proxy-authorization'] === expected
}
if (process.env.PROXY_NEGOTIATE) server.authenticate = 'negotiate'
server.on('connect', (req) => {
  process.stdout.write(`${JSON.stringify({ connect: req.url })}\n`)
})
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (
    server.address()
  )
  process.stdout.write(`${JSON.stringify({ listening: address.port })}\n`)
})
process.on('SIGTERM', () => process.exit(0))
