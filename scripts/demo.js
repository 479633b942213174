// npm run demo: runs the committed bundle as a GitHub runner would, against the
// embedded Torq-compatible token server on loopback. No credentials needed.
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer
} from '../test/support/torq-server.js'
import { node24, runAction } from '../test/support/runner.js'
import { show } from './show.js'

const node = node24() ?? process.execPath
const server = await startTorqServer()
try {
  console.log(`Torq-compatible token server at ${server.url}`)
  console.log(`Running dist/index.js with ${node}`)
  console.log(
    `Inputs: client-id=${DEMO_CLIENT_ID}, client-secret=(the demo secret), auth-url=${server.url}`
  )

  show(
    'Success: token masked, then published',
    await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': DEMO_CLIENT_SECRET,
        'auth-url': server.url
      }
    })
  )
  show(
    'Wrong secret: Torq answers 401, no retry',
    await runAction({
      node,
      inputs: {
        'client-id': DEMO_CLIENT_ID,
        'client-secret': 'not-the-secret',
        'auth-url': server.url
      }
    })
  )
  show(
    'Bad inputs: refused before any request',
    await runAction({
      node,
      inputs: {
        'client-id': '',
        'client-secret': '',
        region: 'ap',
        'env-var': 'GITHUB_TOKEN'
      }
    })
  )
  console.log(
    `\nThe server received ${server.requests.length} requests in all.`
  )
} finally {
  await server.close()
}
