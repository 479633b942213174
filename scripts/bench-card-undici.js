// A fifth yardstick for npm run bench: bench-card.js with the request made
// through undici (request() and an Agent), the HTTP client the action uses,
// in place of node:http. What is left between this and dist/index.js is the
// action's own cost beside its choice of client. Not for use.
import * as core from '@actions/core'
import { Agent, request } from 'undici'

const id = core.getInput('client-id')
const secret = core.getInput('client-secret')
core.setSecret(secret)
const dispatcher = new Agent()
const res = await request(core.getInput('auth-url'), {
  method: 'POST',
  dispatcher,
  headers: {
    Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
    'Accept-Language': 'en_US'
  },
  body: 'grant_type=client_credentials'
})
const answer = JSON.parse(await res.body.text())
await dispatcher.destroy()
core.setSecret(answer.access_token)
core.setOutput('token', answer.access_token)
core.setOutput('token-type', answer.token_type)
core.setOutput('expires-in', String(answer.expires_in))
core.setOutput(
  'expires-at',
  new Date(Date.now() + answer.expires_in * 1000).toISOString()
)
core.setOutput('reused', 'false')
core.setOutput('api-url', '')
core.exportVariable('TORQ_ACCESS_TOKEN', answer.access_token)
