// Loaded into the action's process with `--import` (see `portForwarding()` in
// forward-proxy.js): a port-forwarding rule, as a firewall's REDIRECT is one.
// CONNECT_MAP ({"127.0.0.1:80":"127.0.0.1:4321"}) sends connections for the
// first address to the second, so that a proxy URL without a port, which
// means port 80, can be tested without the privilege to listen on port 80.
import net from 'node:net'

/** @type {Record<string, string>} */
const map = JSON.parse(process.env.CONNECT_MAP ?? '{}')
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its socket as `this`
const connect = net.Socket.prototype.connect
/** @param {...any} args */
net.Socket.prototype.connect = function (...args) {
  // net.createConnection passes its normalized arguments as one array.
  const options = Array.isArray(args[0]) ? args[0][0] : args[0]
  const to =
    typeof options === 'object' && options !== null
      ? map[`${options.host}:${options.port}`]
      : undefined
  if (to) {
    const at = to.lastIndexOf(':')
    options.host = to.slice(0, at)
    options.port = Number(to.slice(at + 1))
  }
  return connect.apply(this, /** @type {any} */ (args))
}
