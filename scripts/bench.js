// npm run bench: start-to-exit time of the bundled action under Node 24 against
// the loopback Torq-compatible server, alternating run by run with a
// dependency-free script that makes the same request and writes the same
// files. Prints both medians and their ratio; the target is 1.3x or less.
// First, scripts/bench-quote.js: the cost of quoting the worst answer.
//   npm run bench -- [runs] [quotes]   (default 40 of each, after 3 warm-up
//   pairs; 20 quotes)
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer
} from '../test/support/torq-server.js'
import { node24, runAction } from '../test/support/runner.js'

const TARGET = 1.3
const runs = Number(process.argv[2] ?? 40)
const node = node24() ?? process.execPath
const baseline = fileURLToPath(new URL('./bench-baseline.js', import.meta.url))
const benchQuote = fileURLToPath(new URL('./bench-quote.js', import.meta.url))

try {
  process.stdout.write(
    execFileSync(node, [benchQuote, process.argv[3] ?? '20'], {
      encoding: 'utf8'
    })
  )
} catch (error) {
  // Over the target (its line is printed) or unable to run: the bench fails.
  process.stdout.write(
    String(/** @type {{ stdout?: string }} */ (error).stdout ?? error)
  )
  process.exitCode = 1
}
const server = await startTorqServer()

/** @param {string | undefined} entry */
async function once(entry) {
  const result = await runAction({
    node,
    ...(entry ? { entry } : {}),
    inputs: {
      'client-id': DEMO_CLIENT_ID,
      'client-secret': DEMO_CLIENT_SECRET,
      'auth-url': server.url
    }
  })
  if (
    result.exitCode !== 0 ||
    !result.outputs['token'] ||
    !result.exported['TORQ_ACCESS_TOKEN']
  ) {
    throw new Error(
      `${entry ?? 'dist/index.js'} did not produce a token:\n${result.log}`
    )
  }
  return result.durationMs
}

/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

try {
  for (let i = 0; i < 3; i++) {
    await once(undefined)
    await once(baseline)
  }
  /** @type {number[]} */
  const action = []
  /** @type {number[]} */
  const plain = []
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other.
    if (i % 2 === 0) {
      action.push(await once(undefined))
      plain.push(await once(baseline))
    } else {
      plain.push(await once(baseline))
      action.push(await once(undefined))
    }
  }
  const ratio = median(action) / median(plain)
  console.log(`node: ${node} (${process.platform}-${process.arch})`)
  console.log(`runs: ${runs} of each, alternating, after 3 warm-up pairs`)
  console.log(
    `action   (dist/index.js)       median ${median(action).toFixed(1)} ms`
  )
  console.log(
    `baseline (dependency-free)     median ${median(plain).toFixed(1)} ms`
  )
  console.log(`ratio ${ratio.toFixed(3)}x (target <= ${TARGET}x)`)
  if (ratio > TARGET) process.exitCode = 1
} finally {
  await server.close()
}
