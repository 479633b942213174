/** The value of the Authorization header: id and secret sent raw, as curl -u. */
export function basicCredentials(
  clientId: string,
  clientSecret: string
): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64')
}

/**
 * Every form in which a server could send the secret back: as sent, base64,
 * the Basic credential with and without its `=` padding, JSON-escaped (as
 * JavaScript, and with `\uXXXX` escapes as Go and Python write them), URL-
 * and form-escaped. All are masked before the first request, and cut out of
 * any server text that is quoted (in any letter case, see outside-text.ts).
 * Never throws, whatever the input holds (a lone surrogate, say).
 */
export function secretForms(clientId: string, clientSecret: string): string[] {
  if (clientSecret === '') return []
  const basic = basicCredentials(clientId, clientSecret)
  const base64 = Buffer.from(clientSecret).toString('base64')
  const json = JSON.stringify(clientSecret).slice(1, -1)
  const forms = [
    clientSecret,
    basic,
    basic.replace(/=+$/, ''),
    base64,
    base64.replace(/=+$/, ''),
    json,
    json.replaceAll('/', '\\/'),
    json.replace(/[^\x20-\x7e]|[<>&']/g, unicodeEscape),
    encodeURIComponent(clientSecret.toWellFormed()),
    new URLSearchParams({ s: clientSecret }).toString().slice(2)
  ]
  return [...new Set(forms)].filter((form) => form !== '')
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}
