import { NORMALIZATIONS } from './fold.js'
import { PROXY_VARIABLES } from './proxy-variables.js'

/** The value of the Authorization header: id and secret sent raw, as curl -u. */
export function basicCredentials(
  clientId: string,
  clientSecret: string
): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64')
}

/**
 * The pair as it is and in each normalization form, each distinct pair once
 * (an ASCII pair is the same in all of them): each is encoded once.
 */
function normalizedPairs(a: string, b: string): [string, string][] {
  const pairs: [string, string][] = [
    [a, b],
    ...NORMALIZATIONS.map((form): [string, string] => [
      a.normalize(form),
      b.normalize(form)
    ])
  ]
  return pairs.filter(
    ([x, y], at) => pairs.findIndex(([p, q]) => p === x && q === y) === at
  )
}

/**
 * Every form in which a server could send the secret back: as sent; base64
 * (padded, unpadded, URL-safe, and shifted inside a longer base64 text); hex,
 * and every byte percent-encoded; the Basic credential with and without its
 * `=` padding, and URL-safe; JSON-escaped (as JavaScript, and with `\uXXXX`
 * escapes as Go and Python write them); URL- and form-escaped; each also of
 * the secret in every normalization form. All are masked before the first
 * request, and cut out of any server text that is quoted (in any letter
 * case, see outside-text.ts). At most eighteen forms for each distinct
 * normalization. Never throws, whatever the input holds (a lone surrogate).
 */
export function secretForms(clientId: string, clientSecret: string): string[] {
  if (clientSecret === '') return []
  const forms = normalizedPairs(clientId, clientSecret).flatMap(
    ([id, secret]) => encodedForms(id, secret)
  )
  return [...new Set(forms)].filter((form) => form !== '')
}

function encodedForms(clientId: string, clientSecret: string): string[] {
  const basic = basicCredentials(clientId, clientSecret)
  const bytes = Buffer.from(clientSecret)
  const base64 = bytes.toString('base64')
  const hex = bytes.toString('hex')
  const json = JSON.stringify(clientSecret).slice(1, -1)
  return [
    clientSecret,
    basic,
    basic.replace(/=+$/, ''),
    Buffer.from(`${clientId}:${clientSecret}`).toString('base64url'),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    ...shiftedBase64(bytes),
    hex,
    hex.replace(/../g, '%$&'),
    json,
    json.replaceAll('/', '\\/'),
    json.replace(/[^\x20-\x7e]|[<>&']/g, unicodeEscape),
    encodeURIComponent(clientSecret.toWellFormed()),
    new URLSearchParams({ s: clientSecret }).toString().slice(2)
  ]
}

/**
 * The secret inside a longer base64 text, starting one or two bytes into a
 * group of three: the characters that hold only its bytes, whatever comes
 * before and after. Too short a run to stand for it is left out, since every
 * form is also masked wherever it shows in the log.
 */
function shiftedBase64(bytes: Buffer): string[] {
  return [1, 2].flatMap((shift) => {
    const text = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64')
    // The first group holds the shift; the last may hold what follows.
    const inner = text.slice(4, Math.floor((shift + bytes.length) / 3) * 4)
    const urlSafe = inner.replaceAll('+', '-').replaceAll('/', '_')
    return inner.length >= MIN_SHIFTED ? [inner, urlSafe] : []
  })
}

/** The shortest shifted base64 run kept as a form of the secret. */
const MIN_SHIFTED = 16

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * Every form of the passwords in the proxy variables of `env`: as written, as
 * the URL parser re-encodes it, decoded, percent-encoded, with its user name,
 * and the Proxy-Authorization credential made from them (with and without
 * `=` padding); each also of the decoded name and password in every
 * normalization form. A value that is no URL is read as a person would: the
 * password runs from the first `:` after the scheme to the last `@`.
 */
export function proxySecretForms(
  env: Record<string, string | undefined>
): string[] {
  const forms = PROXY_VARIABLES.flatMap((name) => {
    const value = env[name]
    return value ? passwordForms(value) : []
  })
  return [...new Set(forms)]
}

function passwordForms(value: string): string[] {
  const written = value
    .slice(0, Math.max(0, value.lastIndexOf('@')))
    .replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')
  const colon = written.indexOf(':')
  const pairs: [string, string][] =
    colon < 0 ? [] : [[written.slice(0, colon), written.slice(colon + 1)]]
  const parsed = parseUrl(value)
  if (parsed) pairs.push([parsed.username, parsed.password])
  return pairs.flatMap(([user, password]) => {
    if (password === '') return []
    return [
      password,
      ...normalizedPairs(decode(user), decode(password)).flatMap(
        ([name, decoded]) => {
          const pair = `${name}:${decoded}`
          const basic = Buffer.from(pair).toString('base64')
          return [
            decoded,
            encodeURIComponent(decoded),
            pair,
            basic,
            basic.replace(/=+$/, '')
          ]
        }
      )
    ]
  })
}

/** The value as a URL, or undefined. */
function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
