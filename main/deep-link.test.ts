import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deepLinkRoute, findDeepLink, parseDeepLink } from './deep-link'

const CID = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

describe('icn:// deep links', () => {
  it('parses invites, proposals and jobs into routes', () => {
    expect(parseDeepLink('icn://invite/AbC-123_xyz')).toEqual({ kind: 'invite', code: 'AbC-123_xyz' })
    expect(parseDeepLink(`icn://proposal/${CID}`)).toEqual({ kind: 'proposal', id: CID })
    expect(parseDeepLink(`icn://job/${CID}/`)).toEqual({ kind: 'job', id: CID })
    expect(deepLinkRoute({ kind: 'proposal', id: CID })).toBe(`/proposal/${CID}`)
    expect(deepLinkRoute({ kind: 'invite', code: 'AbC-123_xyz' })).toBe('/invite/AbC-123_xyz')
  })

  it.each([
    ['another scheme', `https://proposal/${CID}`],
    ['upper-case scheme', `ICN://proposal/${CID}`],
    ['no slashes', `icn:proposal/${CID}`],
    ['unknown kind', `icn://settings/${CID}`],
    ['upper-case kind', `icn://PROPOSAL/${CID}`],
    ['dot segments', `icn://proposal/../../etc/passwd`],
    ['encoded dot segments', `icn://proposal/%2e%2e%2f%2e%2e`],
    ['percent escapes', `icn://invite/abc%2Fdef12`],
    ['two segments', `icn://proposal/${CID}/vote`],
    ['a query', `icn://proposal/${CID}?x=1`],
    ['a fragment', `icn://proposal/${CID}#x`],
    ['credentials', `icn://user:pw@proposal/${CID}`],
    ['a port', `icn://proposal:80/${CID}`],
    ['script in the id', 'icn://proposal/<script>alert(1)</script>'],
    ['javascript in the code', 'icn://invite/javascript:alert(1)'],
    ['a CIDv0', 'icn://job/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'],
    ['an upper-case CID', `icn://job/${CID.toUpperCase()}`],
    ['a short code', 'icn://invite/abc'],
    ['whitespace', `icn://proposal/ ${CID}`],
    ['a newline', `icn://proposal/${CID}\n`],
    ['a NUL', `icn://proposal/${CID}\u0000`],
    ['unicode look-alikes', `icn://prоposal/${CID}`],
    ['a backslash', `icn://proposal\\${CID}`],
    ['an empty id', 'icn://proposal/'],
    ['an overlong invite', `icn://invite/${'a'.repeat(5000)}`],
    ['nothing', ''],
  ])('rejects %s', (_name, input) => {
    expect(parseDeepLink(input)).toBeUndefined()
  })

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, {}, [`icn://job/${CID}`]])
      expect(parseDeepLink(value)).toBeUndefined()
  })

  it('never throws and only ever yields a safe route, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.string().map((s) => `icn://${s}`),
          fc
            .tuple(fc.constantFrom('invite', 'proposal', 'job', 'x'), fc.string())
            .map(([k, v]) => `icn://${k}/${v}`),
        ),
        (input) => {
          const link = parseDeepLink(input)
          if (link !== undefined)
            expect(deepLinkRoute(link)).toMatch(/^\/(invite|proposal|job)\/[A-Za-z0-9_-]+$/)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('finds the link among process arguments (Windows and Linux pass it in argv)', () => {
    expect(findDeepLink(['/opt/ICN/icn', '--hidden', `icn://job/${CID}`])).toEqual({ kind: 'job', id: CID })
    expect(findDeepLink(['/opt/ICN/icn', 'icn://bad', `icn://proposal/${CID}`])?.kind).toBe('proposal')
    expect(findDeepLink(['/opt/ICN/icn', '--inspect'])).toBeUndefined()
  })
})
