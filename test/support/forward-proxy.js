// Starts a real forward proxy (the npm package `proxy`, run by
// forward-proxy-process.js) in a process of its own on loopback, for tests of
// the action behind a corporate proxy.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const PROCESS = fileURLToPath(
  new URL('./forward-proxy-process.js', import.meta.url)
)

/**
 * The environment that makes a Node.js process send connections for one
 * address to another (connect-map.js): `{"127.0.0.1:80": "127.0.0.1:4321"}`.
 * @param {Record<string, string>} map
 */
export function portForwarding(map) {
  const preload = new URL('./connect-map.js', import.meta.url).href
  return {
    NODE_OPTIONS: `--import "${preload}"`,
    CONNECT_MAP: JSON.stringify(map)
  }
}

/**
 * @typedef {object} ProxyOptions
 * @property {Record<string, string>} [routes] CONNECT target -> local address
 * @property {boolean} [refuse] answer every request with 407
 * @property {string} [credentials] require these, `user:password` decoded
 * @property {boolean} [negotiate] ask for Negotiate authentication
 * @property {{ key: string, cert: string }} [tls] speak TLS, with this key and certificate
 */

/**
 * Starts the proxy process. `connects` lists the CONNECT targets seen so far,
 * refused ones included; `url` is http:// or, with `tls`, https://.
 * @param {ProxyOptions} [options]
 */
export async function startForwardProxy(options = {}) {
  const child = spawn(process.execPath, [PROCESS], {
    env: {
      ...process.env,
      PROXY_ROUTES: JSON.stringify(options.routes ?? {}),
      PROXY_REFUSE: options.refuse ? '1' : '',
      PROXY_NEGOTIATE: options.negotiate ? '1' : '',
      PROXY_TLS: options.tls ? JSON.stringify(options.tls) : '',
      ...(options.credentials === undefined
        ? {}
        : { PROXY_CREDENTIALS: options.credentials })
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
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    connects,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill()
      })
  }
}
