import * as core from '@actions/core'
import { constants } from 'node:os'
import { run } from './main.js'

// The runner cancels a step with SIGINT, then SIGTERM. Handled, a signal is
// not acted on within the synchronous stretch that publishes the token and
// keeps it: outputs and variable are written both or neither, and no
// temporary state file is left. After that stretch the step has finished.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    core.setFailed(
      `Stopped by ${signal}: the workflow was cancelled or timed out. The step's outputs and variable were written in full or not at all.`
    )
    process.exit(128 + constants.signals[signal])
  })
}
await run()
// A socket the action gave up on (a stalled proxy tunnel, say) must not keep
// the job waiting after the result is decided: exit if still alive in 1 s.
setTimeout(() => process.exit(), 1000).unref()
