// Prints a run of the action the way a GitHub runner shows it: the log with
// masks applied and commands hidden, then the outputs and variables with
// masked values shown as ***.

/** @param {string} title @param {import('../test/support/runner.js').RunResult} result */
export function show(title, result) {
  const hide = (/** @type {string} */ value) =>
    result.masks.some((mask) => mask && value.includes(mask))
      ? `*** (masked, ${value.length} characters)`
      : value
  const lines = [`\n=== ${title} ===`, `--- log (as the runner shows it) ---`]
  lines.push(...result.shown.split('\n').filter((line) => line !== ''))
  lines.push(
    `--- ${result.masks.length} values masked with ::add-mask:: (commands the runner hides)`
  )
  lines.push(
    `--- exit code: ${result.exitCode} (${result.exitCode === 0 ? 'success' : 'failure'}), ${Math.round(result.durationMs)} ms`
  )
  lines.push('--- step outputs (steps.<id>.outputs) ---')
  const outputs = Object.entries(result.outputs)
  if (outputs.length === 0) lines.push('(none)')
  for (const [name, value] of outputs) lines.push(`${name} = ${hide(value)}`)
  lines.push('--- variables for later steps (GITHUB_ENV) ---')
  const exported = Object.entries(result.exported)
  if (exported.length === 0) lines.push('(none)')
  for (const [name, value] of exported) lines.push(`${name} = ${hide(value)}`)
  console.log(lines.join('\n'))
}
