// The yardstick for npm run bench: a dependency-free script that makes the
// same token request as the action and writes the same masks, outputs and
// variable, with none of the action's checks. Not for use.
import { createRequire } from 'node:module'

// Node's modules loaded as a bundle loads them, with require: imported as
// ES modules, each is read whole, lazy parts included, and node:http's
// WebSocket alone loads Node's own undici: 30% of this script's CPU time.
const require = createRequire(import.meta.url)
/** @type {typeof import('node:crypto')} */
const { randomUUID } = require('node:crypto')
/** @type {typeof import('node:fs')} */
const { appendFileSync } = require('node:fs')
/** @type {typeof import('node:http')} */
const http = require('node:http')
/** @type {typeof import('node:https')} */
const https = require('node:https')

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
      write(output, 'reused', 'false')
      write(output, 'api-url', '')
      write(
        process.env.GITHUB_ENV ?? '',
        'TORQ_ACCESS_TOKEN',
        answer.access_token
      )
    })
  }
)
req.end(body)
