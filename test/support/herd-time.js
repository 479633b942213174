// Virtual time for the herd simulations: a discrete-event scheduler whose
// clock's sleep() only schedules a wake-up, so a simulated hour takes
// milliseconds and nothing sleeps; and seeded randomness, so a seed replays.

/** @typedef {import('../../src/clock.js').Clock} Clock */

/**
 * A seeded pseudo-random generator (mulberry32): the same seed, the same run.
 * @param {number} seed @returns {() => number} values in [0, 1)
 */
export function seededRandom(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Virtual time: `clock.sleep(ms)` schedules a wake-up, `at(t, fn)` schedules
 * work, and `run()` performs both in time order until nothing is left,
 * letting each woken job run until it sleeps again or ends.
 * @param {() => number} random
 */
export function virtualTime(random) {
  let now = 0
  let order = 0
  /** @typedef {{ t: number, order: number, fn: () => void }} Wake */
  /** A binary heap of what is scheduled, earliest first. @type {Wake[]} */
  const heap = []
  const get = (/** @type {number} */ i) => /** @type {Wake} */ (heap[i])
  const before = (/** @type {number} */ i, /** @type {number} */ j) =>
    get(i).t < get(j).t ||
    (get(i).t === get(j).t && get(i).order < get(j).order)
  const swap = (/** @type {number} */ i, /** @type {number} */ j) => {
    const held = get(i)
    heap[i] = get(j)
    heap[j] = held
  }

  /** @param {number} t @param {() => void} fn */
  const at = (t, fn) => {
    heap.push({ t, order: order++, fn })
    for (let i = heap.length - 1; i > 0 && before(i, (i - 1) >> 1);) {
      swap(i, (i - 1) >> 1)
      i = (i - 1) >> 1
    }
  }
  const next = () => {
    if (heap.length <= 1) return heap.pop()
    const top = get(0)
    heap[0] = get(heap.length - 1)
    heap.pop()
    for (let i = 0; ;) {
      const left = 2 * i + 1
      let least = i
      if (left < heap.length && before(left, least)) least = left
      if (left + 1 < heap.length && before(left + 1, least)) least = left + 1
      if (least === i) break
      swap(i, least)
      i = least
    }
    return top
  }

  /** @type {Clock} */
  const clock = {
    now: () => now,
    uptime: () => now,
    random,
    sleep: (ms) => new Promise((resolve) => at(now + ms, () => resolve())),
    // The herd's endpoints answer at once, in virtual time.
    deadline: () => new AbortController().signal
  }
  // A woken job runs on promise callbacks until it sleeps again or ends. Node
  // runs nextTick callbacks only once no promise callback is left, so this
  // resolves after that run, and time moves on only then.
  const settle = () => new Promise((resolve) => process.nextTick(resolve))

  return {
    clock,
    at,
    run: async () => {
      for (let event = next(); event; event = next()) {
        now = event.t
        event.fn()
        await settle()
      }
    }
  }
}
