import { expect } from '@jest/globals'
import { bounded } from './bounded.js'
import { TokenRequestError } from '../../src/errors.js'
import { decideRoute } from '../../src/route.js'
import { secretForms } from '../../src/secrets.js'
import type { TokenRequest } from '../../src/token.js'
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './torq-server.js'

/** The time the unit tests of one request call now. */
export const NOW = Date.parse('2026-11-28T16:00:00Z')

/** What answer.ts needs to read an answer, at NOW, with the demo secret's forms. */
export const READING = {
  secrets: secretForms(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
  endpointSource: 'region us',
  now: () => NOW
}

/** A token request to `url` with the demo credentials, `overrides` on top. */
export function requestTo(
  url: string,
  overrides: Partial<TokenRequest> = {}
): TokenRequest {
  return {
    url: new URL(url),
    route: decideRoute(new URL(url)),
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    secrets: secretForms(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    endpointSource: 'region us',
    timeoutMs: 5000,
    userAgent: 'torq-token-action/test',
    ...overrides
  }
}

/** The TokenRequestError `promise` fails with; the test fails if it succeeds. */
export async function failure(
  promise: Promise<unknown>
): Promise<TokenRequestError> {
  try {
    await bounded(promise, 'the request')
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRequestError)
    return error as TokenRequestError
  }
  throw new Error('expected the request to fail')
}
