// npm run try-torq: runs the committed bundle as a GitHub runner would, against
// real Torq with your own API key, and prints what the runner would show.
//   TORQ_CLIENT_ID=... TORQ_CLIENT_SECRET=... [TORQ_REGION=eu] npm run try-torq
// Proxy and CA settings (the proxy variables, NO_PROXY and
// NODE_EXTRA_CA_CERTS: NETWORK_VARIABLES of test/support/runner-env.js) pass
// through.
import { NETWORK_VARIABLES } from '../test/support/runner-env.js'
import { node24, runAction } from '../test/support/runner.js'
import { show } from './show.js'

const id = process.env.TORQ_CLIENT_ID ?? ''
const secret = process.env.TORQ_CLIENT_SECRET ?? ''
if (!id || !secret) {
  console.error(
    'Set TORQ_CLIENT_ID and TORQ_CLIENT_SECRET (and TORQ_REGION=eu for app.eu.torq.io).'
  )
  process.exit(2)
}
/** @type {Record<string, string>} */
const env = {}
for (const name of NETWORK_VARIABLES) {
  const value = process.env[name]
  if (value) env[name] = value
}
const result = await runAction({
  node: node24() ?? process.execPath,
  inputs: {
    'client-id': id,
    'client-secret': secret,
    region: process.env.TORQ_REGION ?? 'us'
  },
  env
})
show(`Torq (${process.env.TORQ_REGION ?? 'us'})`, result)
process.exitCode = result.exitCode ?? 1
