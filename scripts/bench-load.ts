// The third yardstick for npm run bench: the card baseline
// (scripts/bench-card.js, the request on @actions/core alone) with the
// action's own modules loaded beside it, as dist/index.js loads them, and
// not run. Against the card baseline it shows what parsing and loading the
// action's code costs before run() does any work. Bundled by ncc at bench
// time. Not for use.
import './bench-card.js'
import { run } from '../src/main.js'

// Never set by the bench: it keeps run(), and every module run() needs, in
// the bundle.
if (process.env['BENCH_LOAD_RUNS'] === 'yes') await run()
