// npm run serve [-- PORT]: the Torq-compatible token server on 127.0.0.1 until
// stopped, for trying the action by hand or in the test-action workflow.
// Demo credentials: client id `demo-client-id`, secret `demo-client-secret-7f3a9c1e5b`.
import { startTorqServer } from '../test/support/torq-server.js'

const port = Number(process.argv[2] ?? 0)
const server = await startTorqServer({ port })
console.log(`Torq-compatible token server listening: ${server.url}`)
const stop = () => {
  void server.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
