import { basicCredentials } from './secrets.js'

/** What an HTTP request carries besides its method and URL. */
export interface Message {
  headers: Record<string, string>
  body: string
}

/**
 * The client-credentials grant (RFC 6749 §4.4), the client's id and secret
 * in HTTP Basic (§2.3.1), as Torq takes it: the one place the request for a
 * token is written.
 */
export function clientCredentials(
  clientId: string,
  clientSecret: string,
  userAgent: string
): Message {
  const body = 'grant_type=client_credentials'
  return {
    headers: {
      Authorization: `Basic ${basicCredentials(clientId, clientSecret)}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': String(Buffer.byteLength(body)),
      Accept: 'application/json',
      'Accept-Language': 'en_US',
      'User-Agent': userAgent
    },
    body
  }
}
