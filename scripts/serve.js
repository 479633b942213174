// npm run serve [-- PORT]: the Torq-compatible token server on 127.0.0.1 until
// stopped, for trying the action by hand or in the test-action workflow. It
// prints the demo credentials it accepts, from the server's own constants.
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer
} from '../test/support/torq-server.js'

const port = Number(process.argv[2] ?? 0)
const server = await startTorqServer({ port })
console.log(`Torq-compatible token server listening: ${server.url}`)
console.log(
  `Demo credentials: client-id ${DEMO_CLIENT_ID}, client-secret ${DEMO_CLIENT_SECRET}`
)
const stop = () => {
  void server.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
