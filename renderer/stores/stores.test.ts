import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../app/client'
import type { EventSummary } from '../../app/contract'
import { setClient } from '../lib/client'
import { ipcTransport } from '../lib/transport-ipc'
import { scriptedBridge, type ScriptedBridge } from '../test/scripted-bridge'
import { PAGE_SIZE, useEvents } from './events'
import { useProgress } from './progress'

function summary(order: number): EventSummary {
  return {
    id: `bafyevent${order}`,
    type: 'note',
    author: 'did:key:z6Mk',
    seq: order,
    scope: 'global',
    ts: order,
    status: 'applied',
    order,
  }
}

/** 45 events; events.list pages backwards by `before` like the node. */
function pagedNode(): ScriptedBridge {
  const all = Array.from({ length: 45 }, (_, i) => summary(i + 1))
  return scriptedBridge({
    'events.list': (p) => {
      const { limit, before } = p as { limit: number; before?: number }
      const older = all.filter((e) => before === undefined || e.order < before).reverse()
      const page = older.slice(0, limit)
      return { events: page, next: older.length > limit ? (page[page.length - 1]?.order ?? null) : null }
    },
  })
}

beforeEach(() => {
  useEvents.setState({
    events: [],
    before: undefined,
    newer: [],
    next: null,
    loading: false,
    error: null,
    unseen: 0,
  })
  useProgress.setState({ items: [] })
})
afterEach(() => setClient(undefined))

describe('events store', () => {
  it('pages back and forth through the events', async () => {
    setClient(createClient(ipcTransport(pagedNode())))
    const store = useEvents.getState()
    await store.load(undefined)
    expect(
      useEvents
        .getState()
        .events.map((e) => e.order)
        .slice(0, 2),
    ).toEqual([45, 44])
    expect(useEvents.getState().events).toHaveLength(PAGE_SIZE)
    await useEvents.getState().older()
    expect(useEvents.getState().events[0]?.order).toBe(25)
    await useEvents.getState().older()
    expect(useEvents.getState().events.map((e) => e.order)).toEqual([5, 4, 3, 2, 1])
    expect(useEvents.getState().next).toBeNull()
    await useEvents.getState().newerPage()
    expect(useEvents.getState().events[0]?.order).toBe(25)
    await useEvents.getState().newerPage()
    expect(useEvents.getState().events[0]?.order).toBe(45)
    expect(useEvents.getState().newer).toEqual([])
  })

  it('counts new events while an older page is shown', async () => {
    setClient(createClient(ipcTransport(pagedNode())))
    await useEvents.getState().load(undefined)
    await useEvents.getState().older()
    useEvents.getState().onApplied()
    useEvents.getState().onApplied()
    expect(useEvents.getState().unseen).toBe(2)
    await useEvents.getState().load(undefined)
    expect(useEvents.getState().unseen).toBe(0)
  })

  it('keeps the node’s error code when a page fails', async () => {
    setClient(createClient(ipcTransport(scriptedBridge({}))))
    await useEvents.getState().load(undefined)
    expect(useEvents.getState().error).toMatchObject({ code: 'RPC_METHOD_NOT_FOUND' })
  })
})

describe('progress store', () => {
  it('tracks operations by request and lets finished ones fade out', () => {
    const { update } = useProgress.getState()
    update({ operation: 'dag.put', requestId: 1, done: 0, total: 100 }, 1000)
    update({ operation: 'dag.put', requestId: 2, done: 0, total: 100 }, 1000)
    update({ operation: 'dag.put', requestId: 1, done: 100, total: 100 }, 1100)
    expect(useProgress.getState().items).toHaveLength(2)
    useProgress.getState().prune(2000)
    expect(useProgress.getState().items).toHaveLength(2)
    useProgress.getState().prune(3000)
    expect(useProgress.getState().items.map((i) => i.requestId)).toEqual([2])
    useProgress.getState().prune(1000 + 61_000)
    expect(useProgress.getState().items).toEqual([])
  })
})

describe('governance store', () => {
  const proposal = (n: number, status = 'open') => ({
    id: `bafyprop${n}`,
    scope: 'bakery',
    title: `Proposal ${n}`,
    kind: 'text',
    method: 'yesno',
    status,
    proposer: 'did:key:z6Mk',
    createdAt: n,
    deadline: n,
    votes: 0,
    eligible: 3,
  })

  it('pages the list, keeps a scrolled list on refresh, and drops an answer for an old filter', async () => {
    let status = 'open'
    const bridge = scriptedBridge({
      'gov.list': (p) => {
        const { cursor, limit } = p as { cursor?: string; limit: number }
        const from = cursor === undefined ? 0 : Number(cursor)
        const proposals = Array.from({ length: limit }, (_, i) => proposal(from + i, status))
        return { proposals, next: from + limit < 1000 ? String(from + limit) : null }
      },
    })
    setClient(createClient(ipcTransport(bridge)))
    const { useGovernance } = await import('./governance')
    await useGovernance.getState().loadProposals()
    expect(useGovernance.getState().proposals).toHaveLength(100)
    // Two scroll events at once fetch one page.
    await Promise.all([useGovernance.getState().more(), useGovernance.getState().more()])
    expect(useGovernance.getState().proposals).toHaveLength(600)
    expect(bridge.calls.filter((c) => c.method === 'gov.list')).toHaveLength(2)
    // An event refreshes the first page in place: the 600 loaded rows stay, updated.
    status = 'passed'
    await useGovernance.getState().loadProposals({ keep: true })
    const rows = useGovernance.getState().proposals
    expect(rows).toHaveLength(600)
    expect(rows[0]?.status).toBe('passed')
    expect(rows[599]?.status).toBe('open')
  })
})
