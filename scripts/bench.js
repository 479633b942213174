// npm run bench: what a run of the bundled action costs under Node 24 against
// the loopback Torq-compatible server, beside two yardsticks that make the
// same request and write the same files: a dependency-free script (the floor)
// and scripts/bench-card.js, the same written with @actions/core and bundled
// by ncc here (what the card's packages cost); and scripts/bench-load.ts, that
// card baseline with the action's modules loaded and not run (what parsing
// and loading the action's own code costs); and scripts/bench-card-undici.js,
// the card with its request made through undici, as the action makes it
// (what the HTTP client adds at run time). Each round runs all five, in
// turn; the ratios are taken round by round, so that a busier stretch of a
// shared machine meets all five, and their median is printed with the middle
// half of them as the spread. The target is checked on CPU time (user +
// system, read by scripts/bench-cpu.js), which waiting for a core does not
// lengthen; wall time is printed beside it.
//   npm run bench -- [rounds]   (default 100 rounds, after 3 warm-up rounds)
// With --instructions, each run is counted in machine instructions (all
// threads) under valgrind instead: steady to a few tenths of a percent where
// CPU time varies by several percent round to round, so that a cut of 1%
// shows. Slow (seconds a run) and needs valgrind (apt-get install valgrind).
//   npm run bench -- --instructions [rounds]   (default 5 rounds)
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startTorqServer
} from '../test/support/torq-server.js'
import { node24, runAction } from '../test/support/runner.js'

/** The action may cost this much more than the same on @actions/core alone. */
const CARD_TARGET = 1.04
const counting = process.argv.includes('--instructions')
const [roundsArg] = process.argv
  .slice(2)
  .filter((arg) => arg !== '--instructions')
const runs = Number(roundsArg ?? (counting ? 5 : 100))
const node = node24() ?? process.execPath
const baseline = fileURLToPath(new URL('./bench-baseline.js', import.meta.url))
// The yardsticks on @actions/core, bundled as the action is (ncc, ESM),
// outside the tree.
const bundleDir = mkdtempSync(join(tmpdir(), 'torq-bench-'))
/** @param {string} script @returns {string} the bundle's entry */
function bundle(script) {
  const out = join(bundleDir, script)
  execFileSync(
    process.execPath,
    [
      fileURLToPath(
        new URL('../node_modules/@vercel/ncc/dist/ncc/cli.js', import.meta.url)
      ),
      'build',
      fileURLToPath(new URL(`./${script}`, import.meta.url)),
      '-o',
      out,
      '-q'
    ],
    { stdio: 'inherit' }
  )
  return join(out, 'index.js')
}
const card = bundle('bench-card.js')
const cardWithCode = bundle('bench-load.ts')
const cardOnUndici = bundle('bench-card-undici.js')
const server = await startTorqServer()

const preload = new URL('./bench-cpu.js', import.meta.url).href
// Debian's `valgrind` is a shell script, and the shell drops variables whose
// names hold `-` (INPUT_CLIENT-ID): its binary is run where there is one.
const valgrind = counting
  ? ['valgrind.bin', 'valgrind'].find(
      (name) => spawnSync(name, ['--version']).status === 0
    )
  : undefined
if (counting && valgrind === undefined) {
  throw new Error('--instructions needs valgrind: apt-get install valgrind')
}
const counter = counting
  ? {
      node: /** @type {string} */ (valgrind),
      args: [
        '--tool=cachegrind',
        '--cache-sim=no',
        '--cachegrind-out-file=/dev/null',
        node
      ]
    }
  : { node }

/**
 * One run of `entry` (default dist/index.js): its wall time and the CPU time
 * it used, in ms (with --instructions, the instructions it ran, in millions).
 * @param {string | undefined} entry
 */
async function once(entry) {
  const result = await runAction({
    ...counter,
    ...(entry ? { entry } : {}),
    env: { NODE_OPTIONS: `--import=${preload}` },
    inputs: {
      'client-id': DEMO_CLIENT_ID,
      'client-secret': DEMO_CLIENT_SECRET,
      'auth-url': server.url
    }
  })
  const measured = counting
    ? /I\s+refs:\s+([\d,]+)/.exec(result.log)
    : /^bench-cpu-us (\d+)$/m.exec(result.log)
  if (
    result.exitCode !== 0 ||
    !result.outputs['token'] ||
    !result.exported['TORQ_ACCESS_TOKEN'] ||
    !measured
  ) {
    throw new Error(
      `${entry ?? 'dist/index.js'} did not produce a token:\n${result.log}`
    )
  }
  const count = Number(measured[1]?.replaceAll(',', ''))
  return { wall: result.durationMs, cpu: count / (counting ? 1e6 : 1000) }
}

/** The value below which a share `p` of `values` lie (nearest rank). */
const quantile = (/** @type {number[]} */ values, /** @type {number} */ p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}
const median = (/** @type {number[]} */ values) => quantile(values, 0.5)
/** Median, and the middle half of the values as the spread. */
const summary = (/** @type {number[]} */ values, digits = 3) =>
  `${median(values).toFixed(digits)} (middle half ${quantile(values, 0.25).toFixed(digits)}-${quantile(values, 0.75).toFixed(digits)})`

try {
  const entries = [undefined, card, baseline, cardWithCode, cardOnUndici]
  const loadBefore = loadavg()[0] ?? 0
  // Counted instructions need no warm file cache.
  const warmUps = counting ? 0 : 3
  for (let i = 0; i < warmUps; i++) {
    for (const entry of entries) await once(entry)
  }
  /** @type {{ wall: number, cpu: number }[][]} */
  const rounds = []
  for (let i = 0; i < runs; i++) {
    // Rotate which goes first, so that none always follows another.
    /** @type {{ wall: number, cpu: number }[]} */
    const round = []
    for (let k = 0; k < entries.length; k++) {
      const which = (i + k) % entries.length
      round[which] = await once(entries[which])
    }
    rounds.push(round)
  }
  /** @param {number} which @param {'wall' | 'cpu'} kind */
  const of = (which, kind) => rounds.map((round) => round[which]?.[kind] ?? 0)
  /** Per round, so that a slower stretch of the machine meets all five. */
  const ratios = (
    /** @type {number} */ to,
    /** @type {'wall' | 'cpu'} */ kind,
    from = 0
  ) =>
    rounds.map((round) => (round[from]?.[kind] ?? 0) / (round[to]?.[kind] ?? 1))
  const toCard = ratios(1, 'cpu')
  console.log(`node: ${node} (${process.platform}-${process.arch})`)
  // What else ran: the ratios of CPU time hold under load, wall times do not.
  console.log(
    `load: ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after (1-minute average, on a machine of ${availableParallelism()} cores)`
  )
  // The column named cpu holds the measure: CPU time, or instructions.
  const measure = counting ? 'instructions' : 'cpu'
  console.log(
    `runs: ${runs} of each, in turn, after ${warmUps} warm-up rounds; ${counting ? 'instructions (millions, all threads, under valgrind)' : 'CPU time (user + system)'} and wall time in ms`
  )
  const names = [
    'action        (dist/index.js)     ',
    'card-baseline (@actions/core, ncc)',
    'floor         (dependency-free)   ',
    'card + code   (action not run)    ',
    'card on undici (request, Agent)    '
  ]
  names.forEach((name, which) =>
    console.log(
      `${name} ${measure} ${summary(of(which, 'cpu'), 1)}, wall ${summary(of(which, 'wall'), 1)}`
    )
  )
  console.log(
    `action/card-baseline ${summary(toCard)} ${measure}, per round (target <= ${CARD_TARGET}); wall ${summary(ratios(1, 'wall'))}`
  )
  console.log(
    `action/floor ${summary(ratios(2, 'cpu'))} ${measure}; wall ${summary(ratios(2, 'wall'))}`
  )
  // What loading the action's code costs before run() does anything: the
  // part of action/card-baseline that no cut in the work of a run reaches.
  console.log(
    `card+code/card-baseline ${summary(ratios(1, 'cpu', 3))} ${measure} (the action's code loaded, not run)`
  )
  // The card's request through undici: what the client alone adds, and what
  // the action adds beyond it.
  console.log(
    `card-on-undici/card-baseline ${summary(ratios(1, 'cpu', 4))} ${measure}; action/card-on-undici ${summary(ratios(4, 'cpu'))} ${measure}`
  )
  if (median(toCard) > CARD_TARGET) process.exitCode = 1
} finally {
  await server.close()
  rmSync(bundleDir, { recursive: true, force: true })
}
