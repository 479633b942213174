// Runs the bundled action as successive steps of ONE job, as a GitHub runner
// does: one RUNNER_TEMP for the whole job, each step's GITHUB_OUTPUT and
// GITHUB_ENV files under it, each step's exported variables in the
// environment of the steps after it, and the masks of earlier steps hiding
// their values in every later step's log.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { node24, runAction } from './runner.js'

/**
 * A job whose steps each run the action: `step(options)` takes runAction's
 * options (the node binary defaults to Node 24) and returns its result.
 * `files()` reads every file under RUNNER_TEMP; `end()` empties it, as the
 * runner does when the job ends.
 * @param {import('./runner.js').RunOptions} [defaults] options for every step
 */
export function startJob(defaults = {}) {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'torq-job-'))
  /** @type {string[]} */
  let masks = []
  /** @type {Record<string, string>} */
  const exported = {}
  return {
    runnerTemp,
    /** The variables earlier steps exported, as later steps see them. */
    exported,
    /** @param {import('./runner.js').RunOptions} [options] */
    async step(options = {}) {
      const result = await runAction({
        node: node24(),
        ...defaults,
        ...options,
        env: { ...exported, ...defaults.env, ...options.env },
        inputs: { ...defaults.inputs, ...options.inputs },
        runnerTemp,
        masks
      })
      masks = result.masks
      Object.assign(exported, result.exported)
      return result
    },
    /** Every file under RUNNER_TEMP: its path there and its bytes. */
    files() {
      return readdirSync(runnerTemp, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => {
          const path = join(entry.parentPath, entry.name)
          return {
            path: path.slice(runnerTemp.length + 1),
            bytes: readFileSync(path)
          }
        })
    },
    end() {
      rmSync(runnerTemp, { recursive: true, force: true })
    }
  }
}
