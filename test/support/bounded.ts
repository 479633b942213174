/**
 * Ends a wait that should end at once by itself: `promise`, or a failure
 * naming `what` if it has not settled within `ms` of real time. A bound, not
 * a timing: it keeps a test that would hang (on faulty code) from waiting
 * for the test runner's timeout. The timer keeps no process alive.
 */
export function bounded<T>(
  promise: Promise<T>,
  what: string,
  ms = 2500
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not settled within ${ms} ms`)),
      ms
    ).unref()
  })
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}
