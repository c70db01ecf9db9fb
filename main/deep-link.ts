/**
 * `icn://` deep links (DESIGN §11): `icn://invite/<code>`, `icn://proposal/<cid>`, `icn://job/<cid>`. They come
 * from other programs (a browser, a chat app), so they are parsed strictly; anything else is ignored. A valid
 * link becomes a renderer route ('/proposal/<cid>'), never a URL the window loads.
 */
export const DEEP_LINK_SCHEME = 'icn'

export type DeepLink =
  { kind: 'invite'; code: string } | { kind: 'proposal'; id: string } | { kind: 'job'; id: string }

/** CIDv1 in base32 (the only form ICN prints): 'b' + lowercase base32, as dag.get accepts. */
const CID = /^b[a-z2-7]{20,120}$/
/** Invite codes are opaque to the shell: URL-safe characters only, bounded. */
const INVITE = /^[A-Za-z0-9_-]{8,2048}$/
const MAX_LENGTH = 2300

export function parseDeepLink(input: unknown): DeepLink | undefined {
  if (typeof input !== 'string' || input.length > MAX_LENGTH) return undefined
  // Exact lowercase scheme and no characters a URL parser would silently drop or rewrite.
  if (!input.startsWith(`${DEEP_LINK_SCHEME}://`)) return undefined
  if (!/^[\x21-\x7e]+$/.test(input)) return undefined
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return undefined
  }
  if (url.username !== '' || url.password !== '' || url.port !== '' || url.search !== '' || url.hash !== '') {
    return undefined
  }
  // Round-tripping must not change the text: rejects dot segments, percent-escapes and case games.
  const kind = url.hostname
  const match = /^\/([^/]+)\/?$/.exec(url.pathname)
  if (match === null || input.replace(/\/$/, '') !== `${DEEP_LINK_SCHEME}://${kind}/${match[1]}`)
    return undefined
  const value = match[1] as string
  switch (kind) {
    case 'invite':
      return INVITE.test(value) ? { kind, code: value } : undefined
    case 'proposal':
    case 'job':
      return CID.test(value) ? { kind, id: value } : undefined
    default:
      return undefined
  }
}

/** The renderer route a deep link opens. */
export function deepLinkRoute(link: DeepLink): string {
  return link.kind === 'invite' ? `/invite/${link.code}` : `/${link.kind}/${link.id}`
}

/** The deep link among process arguments (Windows and Linux pass it as an argument), if any. */
export function findDeepLink(argv: readonly string[]): DeepLink | undefined {
  for (const arg of argv) {
    if (typeof arg !== 'string' || !arg.startsWith(`${DEEP_LINK_SCHEME}:`)) continue
    const link = parseDeepLink(arg)
    if (link !== undefined) return link
  }
  return undefined
}
