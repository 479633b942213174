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
 * Starts the proxy process. `connects` lists the CONNECT targets seen so far.
 * @param {{ routes?: Record<string, string>, refuse?: boolean }} [options]
 */
export async function startForwardProxy(options = {}) {
  const child = spawn(process.execPath, [PROCESS], {
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
