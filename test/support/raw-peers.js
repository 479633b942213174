// Hand-written peers on loopback, for what real proxies and servers do not do
// on request: each reads a connection's first request head, then writes
// exactly the bytes a test gives it (a CONNECT answer with data after it in
// the same write, a 101, an interim 100 before the real answer...).
import * as net from 'node:net'

/**
 * @typedef {object} RawPeer
 * @property {number} port
 * @property {string[]} heads the request heads received, in order, without the blank line
 * @property {() => number} closed how many connections have closed
 * @property {() => Promise<void>} answered settles once the next head has been answered
 * @property {() => Promise<void>} spokenAfter settles once bytes come after an answered head
 * @property {() => Promise<void>} close destroys open connections, then stops listening
 */

/**
 * Starts a peer that reads each connection's first request head, records
 * it, and lets `answer` write what it likes to the socket.
 * @param {(socket: net.Socket, head: string) => void} answer
 * @returns {Promise<RawPeer>}
 */
export async function startRawPeer(answer) {
  /** @type {string[]} */
  const heads = []
  let closed = 0
  /** @type {Set<net.Socket>} */
  const sockets = new Set()
  /** @type {(() => void)[]} */
  const answerWaiters = []
  /** @type {(() => void)[]} */
  const afterWaiters = []
  const wake = (/** @type {(() => void)[]} */ waiters) => {
    for (const resolve of waiters.splice(0)) resolve()
  }
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      closed++
      sockets.delete(socket)
    })
    socket.on('error', () => {})
    let received = ''
    const onData = (/** @type {Buffer} */ chunk) => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      const head = received.slice(0, end)
      heads.push(head)
      answer(socket, head)
      wake(answerWaiters)
      if (received.length > end + 4) wake(afterWaiters)
      else socket.on('data', () => wake(afterWaiters))
    }
    socket.on('data', onData)
  })
  await new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(undefined))
  )
  return {
    port: /** @type {net.AddressInfo} */ (server.address()).port,
    heads,
    closed: () => closed,
    answered: () => new Promise((resolve) => answerWaiters.push(resolve)),
    spokenAfter: () => new Promise((resolve) => afterWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve(undefined))
      })
  }
}

/** `HTTP/1.1 200 Connection established` and the blank line. */
export const TUNNEL_OPEN = 'HTTP/1.1 200 Connection established\r\n\r\n'

/**
 * An answer to CONNECT that opens the tunnel, then sends `bytes` through it
 * and ends the connection: in the same write as the answer, or `laterMs`
 * after it.
 * @param {Uint8Array | string} bytes
 * @param {{ laterMs?: number }} [options]
 * @returns {(socket: net.Socket) => void}
 */
export function tunnelThen(bytes, options = {}) {
  const data = Buffer.from(bytes)
  return (socket) => {
    if (options.laterMs === undefined) {
      socket.end(Buffer.concat([Buffer.from(TUNNEL_OPEN), data]))
      return
    }
    socket.write(TUNNEL_OPEN)
    const timer = setTimeout(() => socket.end(data), options.laterMs)
    socket.on('close', () => clearTimeout(timer))
  }
}

/**
 * An answer to CONNECT made of `answers` (written one by one, or in one
 * write with `together`), the connection relayed to `port` on loopback,
 * whatever the CONNECT asked for.
 * @param {string[]} answers
 * @param {number} port
 * @param {{ together?: boolean }} [options]
 * @returns {(socket: net.Socket) => void}
 */
export function answerThenRelay(answers, port, options = {}) {
  return (socket) => {
    const target = net.connect(port, '127.0.0.1')
    target.on('error', () => socket.destroy())
    socket.on('close', () => target.destroy())
    // What the client sends goes on at once; what the target sends, after
    // the answers.
    socket.pipe(target)
    const chunks = options.together ? [answers.join('')] : answers
    const send = (/** @type {number} */ at) => {
      const chunk = chunks[at]
      if (chunk === undefined) target.pipe(socket)
      // Each in a write of its own, the next a little after.
      else socket.write(chunk, () => setTimeout(() => send(at + 1), 20))
    }
    send(0)
  }
}

/** A TLS alert record, as a server or an inspecting proxy sends one: handshake_failure. */
export const TLS_ALERT = Uint8Array.from([
  0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28
])

/**
 * Records every socket this process connects from now on (TCP, and TLS made
 * with its own connection), until `stop()`: to check which listeners a socket
 * has the moment the code under test made it.
 */
export function recordSockets() {
  /** @type {net.Socket[]} */
  const sockets = []
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its socket as `this`
  const connect = net.Socket.prototype.connect
  /** @param {...any} args */
  net.Socket.prototype.connect = function (...args) {
    sockets.push(this)
    return connect.apply(this, /** @type {any} */ (args))
  }
  return {
    sockets,
    /**
     * How many listeners for 'error' a recorded socket has besides the one
     * of Node's HTTP client (which Node.js 24 adds at once, 20 a tick later).
     * @param {net.Socket | undefined} socket
     */
    ownErrorListeners: (socket) =>
      socket
        ?.listeners('error')
        .filter((listener) => listener.name !== 'socketErrorListener').length,
    stop: () => {
      net.Socket.prototype.connect = connect
    }
  }
}
