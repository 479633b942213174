import { run } from './main.js'

await run()
// A socket the action gave up on (a stalled proxy tunnel, say) must not keep
// the job waiting after the result is decided: exit if still alive in 1 s.
setTimeout(() => process.exit(), 1000).unref()
