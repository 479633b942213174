// The second yardstick for npm run bench: the same token request, masks,
// outputs and variable as the action, written with @actions/core as any action
// on the card's packages would, and bundled by ncc at bench time. What is left
// between this and dist/index.js is the action's own cost. Not for use.
import * as core from '@actions/core'
import * as http from 'node:http'
import * as https from 'node:https'

const id = core.getInput('client-id')
const secret = core.getInput('client-secret')
const url = new URL(core.getInput('auth-url'))
core.setSecret(secret)
const body = 'grant_type=client_credentials'
const transport = url.protocol === 'https:' ? https : http
const req = transport.request(
  url,
  {
    method: 'POST',
    agent: false,
    headers: {
      Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': body.length,
      Accept: 'application/json',
      'Accept-Language': 'en_US'
    }
  },
  (res) => {
    /** @type {Buffer[]} */
    const chunks = []
    res.on('data', (chunk) => chunks.push(chunk))
    res.on('end', () => {
      const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'))
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
    })
  }
)
req.on('error', (error) => core.setFailed(error.message))
req.end(body)
