// Part of npm run bench, run by scripts/bench.js under Node 24 (which runs the
// TypeScript sources with their types stripped): the time quote() takes for
// the worst answer the action quotes, a 1,000,000-character error_description
// with a non-ASCII client secret and six proxy variables carrying passwords.
// The first quote builds the matcher for the secrets, as the route line does
// in the action; the rest are what each further answer costs.
//   node24 scripts/bench-quote.js [quotes]   (default 20)

import { registerHooks } from 'node:module'

// Imported by URL, the .ts files themselves (not what tsc would emit); their
// own imports name the .js that tsc would emit, so those resolve to the .ts.
registerHooks({
  resolve(specifier, context, nextResolve) {
    const ts = specifier.startsWith('.') && specifier.replace(/\.js$/, '.ts')
    return nextResolve(ts || specifier, context)
  }
})
/** @type {typeof import('../src/outside-text.js')} */
const { quote } = await import(
  new URL('../src/outside-text.ts', import.meta.url).href
)
/** @type {typeof import('../src/secrets.js')} */
const { proxySecretForms, secretForms } = await import(
  new URL('../src/secrets.ts', import.meta.url).href
)
/** @type {typeof import('../src/proxy-variables.js')} */
const { PROXY_VARIABLES } = await import(
  new URL('../src/proxy-variables.ts', import.meta.url).href
)

const TARGET_MS = 20
const quotes = Number(process.argv[2] ?? 20)
const SECRET = 'Geheimnis-Schlüssel-für-Torq-äöü-2024'
const env = Object.fromEntries(
  PROXY_VARIABLES.map((name, i) => [
    name,
    `http://user-${i}:p%40ss-${i}-Kennwort-${'x'.repeat(24)}@proxy.corp.example:3128`
  ])
)
// Every kind of character quote() handles: ASCII, accented and astral
// letters, spaces, a zero-width space, command syntax and the secret itself.
const unit = `Invalid client: café ﬁle 😀 \u200b ##[x] ${SECRET.normalize('NFD')} `
// Read from a JSON body, as the action reads it: a flat string.
const body = JSON.stringify({
  error_description: unit
    .repeat(Math.ceil(1_000_000 / unit.length))
    .slice(0, 1_000_000)
})
/** @type {string} */
const description = JSON.parse(body).error_description

const secrets = [
  ...secretForms('demo-client-id', SECRET),
  ...proxySecretForms(env)
]
const time = () => {
  const started = process.hrtime.bigint()
  const quoted = quote(description, secrets)
  for (const form of ['NFC', 'NFD']) {
    const start = SECRET.normalize(form).slice(0, 10)
    if (quoted.includes(start)) throw new Error(`secret shown: ${quoted}`)
  }
  return Number(process.hrtime.bigint() - started) / 1e6
}
const first = time()
const rest = Array.from({ length: quotes }, time).sort((a, b) => a - b)
const median = rest[rest.length >> 1] ?? first
const worst = Math.max(first, ...rest)
console.log(
  `quote, 1,000,000-character error_description, ${secrets.length} secret forms (six proxy passwords): first ${first.toFixed(2)} ms, median ${median.toFixed(2)} ms, worst ${worst.toFixed(2)} ms of ${quotes + 1} (target < ${TARGET_MS} ms per quote)`
)
// The median: a single quote can meet the other jobs of a shared machine.
if (median >= TARGET_MS) process.exitCode = 1
