// The yardstick for npm run bench: a dependency-free script that makes the
// same token request as the action and writes the same masks, outputs and
// variable, with none of the action's checks. Not for use.
import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'

const input = (/** @type {string} */ name) =>
  (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim()
const id = input('client-id')
const secret = input('client-secret')
const url = new URL(input('auth-url'))
process.stdout.write(`::add-mask::${secret}\n`)
const body = 'grant_type=client_credentials'
const transport = url.protocol === 'https:' ? https : http
const req = transport.request(
  url,
  {
    method: 'POST',
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
      process.stdout.write(`::add-mask::${answer.access_token}\n`)
      const write = (
        /** @type {string} */ file,
        /** @type {string} */ name,
        /** @type {string} */ value
      ) => {
        const delimiter = `ghadelimiter_${randomUUID()}`
        appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
      }
      const output = process.env.GITHUB_OUTPUT ?? ''
      write(output, 'token', answer.access_token)
      write(output, 'token-type', answer.token_type)
      write(output, 'expires-in', String(answer.expires_in))
      write(
        output,
        'expires-at',
        new Date(Date.now() + answer.expires_in * 1000).toISOString()
      )
      write(
        process.env.GITHUB_ENV ?? '',
        'TORQ_ACCESS_TOKEN',
        answer.access_token
      )
    })
  }
)
req.end(body)
