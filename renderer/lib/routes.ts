/**
 * Hash routes (`#/dag/<cid>`): they work from app:// and from the daemon without server routing, and a deep
 * link from the shell is just a route. Segments are checked strictly; anything else is "not found".
 */
export type Route =
  | { name: 'dashboard' }
  | { name: 'dag' }
  | { name: 'block'; cid: string }
  | { name: 'event'; id: string }
  | { name: 'settings' }
  | { name: 'logs' }
  | { name: 'wallet' }
  | { name: 'credentials' }
  | { name: 'jobs' }
  | { name: 'contribute' }
  | { name: 'network' }
  | { name: 'governance' }
  | { name: 'backup' }
  | { name: 'invite'; code: string }
  | { name: 'proposal'; id: string }
  | { name: 'job'; id: string }
  | { name: 'not-found'; path: string }

const CID = /^[A-Za-z0-9]{8,200}$/
const INVITE = /^[A-Za-z0-9_-]{8,2048}$/

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/'
  if (!path.startsWith('/')) return { name: 'not-found', path: path.slice(0, 200) }
  const parts = path.split('/').slice(1)
  const [head, arg, ...rest] = parts
  if (rest.length > 0) return { name: 'not-found', path: path.slice(0, 200) }
  if (arg === undefined) {
    switch (head) {
      case '':
      case undefined:
      case 'dashboard':
        return { name: 'dashboard' }
      case 'dag':
        return { name: 'dag' }
      case 'settings':
        return { name: 'settings' }
      case 'logs':
        return { name: 'logs' }
      case 'wallet':
        return { name: 'wallet' }
      case 'credentials':
        return { name: 'credentials' }
      case 'jobs':
        return { name: 'jobs' }
      case 'contribute':
        return { name: 'contribute' }
      case 'network':
        return { name: 'network' }
      case 'governance':
        return { name: 'governance' }
      case 'backup':
        return { name: 'backup' }
    }
  } else {
    if (head === 'dag' && CID.test(arg)) return { name: 'block', cid: arg }
    if (head === 'event' && CID.test(arg)) return { name: 'event', id: arg }
    if (head === 'proposal' && CID.test(arg)) return { name: 'proposal', id: arg }
    if (head === 'job' && CID.test(arg)) return { name: 'job', id: arg }
    if (head === 'invite' && INVITE.test(arg)) return { name: 'invite', code: arg }
  }
  return { name: 'not-found', path: path.slice(0, 200) }
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'dashboard':
      return '/'
    case 'block':
      return `/dag/${route.cid}`
    case 'event':
      return `/event/${route.id}`
    case 'invite':
      return `/invite/${route.code}`
    case 'proposal':
    case 'job':
      return `/${route.name}/${route.id}`
    case 'not-found':
      return route.path
    default:
      return `/${route.name}`
  }
}

export function href(path: string): string {
  return `#${path}`
}
