/** Time and randomness, injected so that tests neither sleep nor guess. */
export interface Clock {
  now: () => number
  /**
   * Milliseconds on the machine's monotonic clock: shared by the job's steps,
   * unchanged when the time is set.
   */
  uptime: () => number
  random: () => number
  sleep: (ms: number) => Promise<void>
  /** A signal that aborts `ms` from now: the deadline of one attempt. */
  deadline: (ms: number) => AbortSignal
}

export const systemClock: Clock = {
  now: () => Date.now(),
  uptime: () => Number(process.hrtime.bigint() / 1_000_000n),
  random: () => Math.random(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  // Its timer does not keep the process alive: the request's sockets do.
  deadline: (ms) => AbortSignal.timeout(ms)
}
