// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../lib/client'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { renderUi } from '../test/render'
import { DID, identityStatus, nodeStatus, scriptedBridge } from '../test/scripted-bridge'
import { Dashboard } from './Dashboard'

beforeEach(() => {
  useNode.getState().reset()
  useIdentity.setState({ status: identityStatus({ backedUp: false }), error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('dashboard', () => {
  it('shows the node and identity, and marks itself ready once the status is in', async () => {
    renderUi(<Dashboard />, {
      bridge: scriptedBridge({ 'node.status': () => nodeStatus({ events: 1234, authors: 2 }) }),
    })
    const ready = await screen.findByText(DID)
    expect(ready).toBeTruthy()
    expect(document.querySelector('[data-ready="true"]')).not.toBeNull()
    expect(screen.getByText('1234 events from 2 members')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Not backed up — back up now' }).getAttribute('href')).toBe(
      '#/backup',
    )
    expect(performance.getEntriesByName('icn:dashboard-ready')).toHaveLength(1)
  })

  it('reserves the cooperative areas without inventing numbers', async () => {
    renderUi(<Dashboard />, { bridge: scriptedBridge({ 'node.status': () => nodeStatus() }) })
    const later = await screen.findByRole('region', { name: 'Your cooperative' })
    expect(later.textContent).not.toMatch(/\d/)
  })
})
