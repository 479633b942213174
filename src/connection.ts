import type * as http from 'node:http'
import { connect as connectTcp, type Socket } from 'node:net'
import { socketHost, type Route } from './route.js'
import { openTunnel, secureSocket } from './tunnel.js'

/** How the exchange takes its socket, and what it hears of it. */
export interface Connecting {
  /** Gives a socket its error listener, the moment it exists. */
  watched: (socket: Socket) => Socket
  /** Ends a CONNECT under way. */
  signal: AbortSignal
  /** Called once the proxy has opened the tunnel. */
  opened: () => void
}

/**
 * The socket of one request, without an agent: its own TCP or TLS socket,
 * or TLS (for https) over a CONNECT tunnel through the route's proxy.
 * `Connection: close`: one request, and the socket closes with the answer.
 */
export function connection(
  to: { url: URL; route: Route; secrets: readonly string[] },
  connecting: Connecting
): http.RequestOptions['createConnection'] {
  const { url, route } = to
  const secure = url.protocol === 'https:'
  const host = socketHost(url.hostname)
  const port = Number(url.port) || (secure ? 443 : 80)
  const { watched } = connecting
  return (_options, done) => {
    const { proxy } = route
    if (proxy === undefined) {
      return watched(
        secure ? secureSocket(host, port) : connectTcp({ host, port })
      )
    }
    openTunnel(proxy, route.target, secure, to.secrets, connecting.signal)
      .then((socket) => {
        connecting.opened()
        done(null, watched(secure ? secureSocket(host, port, socket) : socket))
      })
      // Node.js calls `done` with an error and no socket.
      .catch((error: unknown) => done(error as Error, undefined as never))
    return undefined
  }
}
