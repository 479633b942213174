// Every form in which the client secret or a proxy password could come back
// from a server: what is masked before the first request and cut from any
// outside text that is quoted.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { cutSecrets } from '../../src/cut-secrets.js'
import { PROXY_VARIABLES } from '../../src/proxy-variables.js'
import {
  basicCredentials,
  proxySecretForms,
  secretForms
} from '../../src/secrets.js'
import { runs } from '../../test/support/property-runs.js'
import {
  NORMALIZATIONS,
  normalForms,
  unicodeSecret
} from '../../test/support/unicode-secrets.js'

const ID = 'client-7'
const SECRET = 'Zq8/Rm+Tx3Lw9Vp2Kd7'
const FORMS = secretForms(ID, SECRET)

describe('secretForms', () => {
  it('lists the secret as sent, base64, Basic with and without padding, escaped', () => {
    const basic = basicCredentials(ID, SECRET)
    const base64 = Buffer.from(SECRET).toString('base64')
    expect(basic.endsWith('==')).toBe(true)
    expect(base64.endsWith('==')).toBe(true)
    const hex = Buffer.from(SECRET).toString('hex')
    // URL-safe base64 is the same text where there is no + or /.
    expect(FORMS).toEqual([
      ...new Set([
        SECRET,
        basic,
        basic.slice(0, -2),
        Buffer.from(`${ID}:${SECRET}`).toString('base64url'),
        base64,
        base64.slice(0, -2),
        Buffer.from(SECRET).toString('base64url'),
        // SECRET inside base64 one and two bytes into a group of three
        ...[`.${SECRET}`, `..${SECRET}`].flatMap((longer, shift) => {
          const inner = Buffer.from(longer)
            .toString('base64')
            .slice(4, 24 + 4 * shift)
          return [inner, inner.replaceAll('+', '-').replaceAll('/', '_')]
        }),
        hex,
        hex.replace(/../g, '%$&'),
        'Zq8\\/Rm+Tx3Lw9Vp2Kd7',
        'Zq8%2FRm%2BTx3Lw9Vp2Kd7'
      ])
    ])
    expect(secretForms('id', 'a"b\\c d')).toEqual(
      expect.arrayContaining(['a\\"b\\\\c d', 'a%22b%5Cc%20d', 'a%22b%5Cc+d'])
    )
    expect(secretForms('id', '')).toEqual([])
  })

  it('lists the JSON escapes of Go and Python (\\u for <, >, &, quotes and non-ASCII)', () => {
    expect(secretForms('id', "a<b>&é'😀")).toContain(
      'a\\u003cb\\u003e\\u0026\\u00e9\\u0027\\ud83d\\ude00'
    )
  })

  it('lists the secret as it stands inside a longer base64, hex or percent-encoded text', () => {
    const secret = 'k9?>~~ab?>~~cd?>~~'
    const forms = secretForms('client-id-0123', secret)
    const bytes = Buffer.from(secret)
    for (const before of ['', 'a', 'ab', 'abc']) {
      const longer = Buffer.concat([
        Buffer.from(before),
        bytes,
        Buffer.from('tail')
      ])
      for (const text of [
        longer.toString('base64'),
        longer.toString('base64url')
      ]) {
        expect(cutSecrets(text, forms)).toContain('***')
        expect(cutSecrets(text, forms).length).toBeLessThan(text.length - 12)
      }
    }
    const hex = bytes.toString('hex')
    for (const text of [hex, hex.toUpperCase(), hex.replace(/../g, '%$&')]) {
      expect(cutSecrets(`x ${text} y`, forms)).toBe('x *** y')
    }
  })

  it('never throws, even for a lone surrogate', () => {
    expect(secretForms('id', 'abc\ud800def')).toContain('abc%EF%BF%BDdef')
  })

  it('lists the forms of the secret in every Unicode normalization form', () => {
    const secret = 'café-ﬁ-Ｔorq'
    const forms = secretForms('id', secret)
    for (const form of NORMALIZATIONS) {
      const normal = secret.normalize(form)
      expect(forms).toEqual(
        expect.arrayContaining([
          normal,
          basicCredentials('id', normal),
          Buffer.from(normal).toString('base64'),
          encodeURIComponent(normal)
        ])
      )
    }
    expect(new Set(NORMALIZATIONS.map((f) => secret.normalize(f))).size).toBe(4)
    expect(forms).toHaveLength(new Set(forms).size)
  })

  it('gives each form once, at most eighteen for each distinct normalization', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        unicodeSecret,
        (any, secret) => {
          for (const text of [any, secret]) {
            const forms = secretForms('id', text)
            expect(forms).toHaveLength(new Set(forms).size)
            expect(forms.length).toBeLessThanOrEqual(
              18 * new Set(normalForms(text)).size
            )
          }
        }
      ),
      runs(500)
    )
  })
})

describe('proxySecretForms', () => {
  it('gives every form of a percent-encoded password', () => {
    const basic = Buffer.from('us@er:p:ss%w/rd!').toString('base64')
    expect(basic).toMatch(/==$/)
    expect(
      proxySecretForms({
        HTTPS_PROXY: 'http://us%40er:p%3Ass%25w%2Frd!@proxy:1'
      })
    ).toEqual([
      'p%3Ass%25w%2Frd!',
      'p:ss%w/rd!',
      'us@er:p:ss%w/rd!',
      basic,
      basic.slice(0, -2)
    ])
  })

  it('reads the password as written where the URL parser re-encodes it', () => {
    expect(
      proxySecretForms({ https_proxy: 'http://user:p ss"w@proxy:1' })
    ).toEqual(expect.arrayContaining(['p ss"w', 'p%20ss%22w', 'user:p ss"w']))
    // The URL parser leaves & as it is; encodeURIComponent does not.
    expect(
      proxySecretForms({ https_proxy: 'http://user:p&ss w@proxy:1' })
    ).toEqual(expect.arrayContaining(['p&ss w', 'p&ss%20w', 'p%26ss%20w']))
  })

  it('reads values that are no URL as a person would', () => {
    expect(proxySecretForms({ HTTPS_PROXY: 'user:pass-word@proxy:1' })).toEqual(
      expect.arrayContaining(['pass-word', 'user:pass-word'])
    )
    expect(proxySecretForms({ HTTPS_PROXY: ':pass-word@proxy:1' })).toEqual(
      expect.arrayContaining(['pass-word', ':pass-word'])
    )
    expect(proxySecretForms({ HTTPS_PROXY: 'u:pa://ss@proxy:1' })).toEqual(
      expect.arrayContaining(['pa://ss'])
    )
    expect(
      proxySecretForms({ HTTPS_PROXY: 'http://user:pa/ss@word@proxy:1' })
    ).toEqual(expect.arrayContaining(['pa/ss@word', 'pa%2Fss%40word']))
    expect(proxySecretForms({ HTTPS_PROXY: 'http://u:50%zz@proxy:1' })).toEqual(
      expect.arrayContaining(['50%zz', '50%25zz', 'u:50%zz'])
    )
  })

  it('reads all six proxy variables and nothing else', () => {
    const names = [
      'https_proxy',
      'HTTPS_PROXY',
      'http_proxy',
      'HTTP_PROXY',
      'all_proxy',
      'ALL_PROXY'
    ]
    expect(PROXY_VARIABLES).toEqual(names)
    const env = Object.fromEntries(
      names.map((name) => [name, `http://u:${name}-password@p:1`])
    )
    const forms = proxySecretForms({
      ...env,
      FTP_PROXY: 'http://u:ftp-password@p:1',
      NO_PROXY: 'http://u:no-password@p:1'
    })
    for (const name of names) {
      expect(forms).toContain(`${name}-password`)
    }
    expect(forms.join()).not.toMatch(/ftp|no-password/)
  })

  it('gives the forms of a password beyond ASCII in every normalization form', () => {
    const password = 'Kennwört-ﬁ'
    const forms = proxySecretForms({
      HTTPS_PROXY: `http://usér:${encodeURIComponent(password)}@proxy:1`
    })
    for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD']) {
      const normal = password.normalize(form)
      const pair = `${'usér'.normalize(form)}:${normal}`
      expect(forms).toEqual(
        expect.arrayContaining([
          normal,
          encodeURIComponent(normal),
          pair,
          Buffer.from(pair).toString('base64')
        ])
      )
    }
    expect(forms).toHaveLength(new Set(forms).size)
  })

  it('gives nothing without a password', () => {
    expect(
      proxySecretForms({
        HTTPS_PROXY: 'http://proxy:3128',
        https_proxy: 'http://user@proxy:3128',
        HTTP_PROXY: 'http://user:@proxy:3128',
        ALL_PROXY: 'proxy.corp:3128',
        all_proxy: ''
      })
    ).toEqual([])
  })
})
