// The forward proxy process: the npm package `proxy` on 127.0.0.1. It prints
// {"listening":PORT}, then one {"connect":"host:port"} line for each CONNECT
// it receives. PROXY_ROUTES ({"auth.torq.io:443":"127.0.0.1:4443"}) is its
// hosts file: those targets are reached at the given local address, so that
// Torq's real host names lead to a local server; other names resolve as usual.
// PROXY_REFUSE=1 makes it answer every request with 407, as a proxy does that
// wants credentials.
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
const { createProxy } = await import('proxy')
const server = createProxy(http.createServer())
if (process.env.PROXY_REFUSE) server.authenticate = () => false
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
