// A real forward proxy (the npm package `proxy`) in a process of its own, on
// loopback, for tests of the action behind a corporate proxy.
//
// Run as a script it is the proxy: it prints {"listening":PORT}, then one
// {"connect":"host:port"} line for each CONNECT it receives. Its name
// resolution is given by PROXY_ROUTES ({"auth.torq.io:443":"127.0.0.1:4443"}),
// as a hosts file would, so that Torq's real host names reach a local server;
// other names resolve as usual. PROXY_REFUSE=1 makes it refuse every request
// with 407, as a proxy does that wants credentials.
import { spawn } from 'node:child_process'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/**
 * Starts the proxy process. `connects` lists the CONNECT targets seen so far.
 * @param {{ routes?: Record<string, string>, refuse?: boolean }} [options]
 */
export async function startForwardProxy(options = {}) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      PROXY_ROUTES: JSON.stringify(options.routes ?? {}),
      PROXY_REFUSE: options.refuse ? '1' : ''
    },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  /** @type {string[]} */
  const connects = []
  const lines = createInterface({ input: child.stdout })
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`proxy exited with ${code}`))
    })
    lines.on('line', (line) => {
      const message = JSON.parse(line)
      if (message.listening) resolve(message.listening)
      if (message.connect) connects.push(message.connect)
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill()
      })
  }
}

async function serve() {
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve()
