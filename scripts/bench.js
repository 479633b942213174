// npm run bench: start-to-exit time of the bundled action under Node 24 against
// the loopback Torq-compatible server, in turn run by run with two yardsticks
// that make the same request and write the same files: a dependency-free
// script (the floor) and scripts/bench-card.js, the same written with
// @actions/core and bundled by ncc here (what the card's packages cost).
// Prints the medians and action/card-baseline and action/floor.
// First, scripts/bench-quote.js: the cost of quoting the worst answer.
//   npm run bench -- [runs] [quotes]   (default 40 of each, after 3 warm-up
//   pairs; 20 quotes)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer
} from '../test/support/torq-server.js'
import { node24, runAction } from '../test/support/runner.js'

/** The action may cost this much more than the same on @actions/core alone. */
const CARD_TARGET = 1.02
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
// The card baseline, bundled as the action is (ncc, ESM), outside the tree.
const cardDir = mkdtempSync(join(tmpdir(), 'torq-bench-card-'))
execFileSync(
  process.execPath,
  [
    fileURLToPath(
      new URL('../node_modules/@vercel/ncc/dist/ncc/cli.js', import.meta.url)
    ),
    'build',
    fileURLToPath(new URL('./bench-card.js', import.meta.url)),
    '-o',
    cardDir,
    '-q'
  ],
  { stdio: 'inherit' }
)
const card = join(cardDir, 'index.js')
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
  const entries = [undefined, card, baseline]
  for (let i = 0; i < 3; i++) {
    for (const entry of entries) await once(entry)
  }
  /** @type {number[][]} */
  const times = [[], [], []]
  for (let i = 0; i < runs; i++) {
    // Rotate which goes first, so that none always follows another.
    for (let k = 0; k < entries.length; k++) {
      const which = (i + k) % entries.length
      times[which]?.push(await once(entries[which]))
    }
  }
  const [action, onCore, plain] = times.map(median)
  const toCard = (action ?? 0) / (onCore ?? 1)
  const toFloor = (action ?? 0) / (plain ?? 1)
  console.log(`node: ${node} (${process.platform}-${process.arch})`)
  console.log(`runs: ${runs} of each, in turn, after 3 warm-up rounds`)
  console.log(
    `action        (dist/index.js)          median ${(action ?? 0).toFixed(1)} ms`
  )
  console.log(
    `card-baseline (@actions/core, ncc)     median ${(onCore ?? 0).toFixed(1)} ms`
  )
  console.log(
    `floor         (dependency-free)        median ${(plain ?? 0).toFixed(1)} ms`
  )
  console.log(
    `action/card-baseline ${toCard.toFixed(3)} (target <= ${CARD_TARGET})`
  )
  console.log(`action/floor ${toFloor.toFixed(3)}`)
  if (toCard > CARD_TARGET) process.exitCode = 1
} finally {
  await server.close()
  rmSync(cardDir, { recursive: true, force: true })
}
