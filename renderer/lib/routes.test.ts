import { describe, expect, it } from 'vitest'
import { parseRoute, routePath } from './routes'

const CID = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

describe('hash routes', () => {
  it.each([
    ['', { name: 'dashboard' }],
    ['#/', { name: 'dashboard' }],
    ['#/dag', { name: 'dag' }],
    ['#/dag/', { name: 'dag' }],
    [`#/dag/${CID}`, { name: 'block', cid: CID }],
    [`#/event/${CID}`, { name: 'event', id: CID }],
    [`#/proposal/${CID}`, { name: 'proposal', id: CID }],
    [`#/job/${CID}`, { name: 'job', id: CID }],
    ['#/invite/AbC-123_xyz', { name: 'invite', code: 'AbC-123_xyz' }],
    ['#/settings', { name: 'settings' }],
    ['#/logs', { name: 'logs' }],
    ['#/wallet', { name: 'wallet' }],
    ['#/credentials', { name: 'credentials' }],
    ['#/jobs', { name: 'jobs' }],
    ['#/contribute', { name: 'contribute' }],
    ['#/network', { name: 'network' }],
    ['#/governance', { name: 'governance' }],
    ['#/backup', { name: 'backup' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route)
    expect(parseRoute('#' + routePath(route as never))).toEqual(route)
  })

  it.each([
    '#/dag/../../etc',
    '#/dag/<script>',
    `#/dag/${CID}/extra`,
    '#/proposal/x',
    '#/invite/a b c d e f g h',
    '#/unknown',
    '#javascript:alert(1)',
  ])('%s is not found', (hash) => {
    expect(parseRoute(hash).name).toBe('not-found')
  })
})
