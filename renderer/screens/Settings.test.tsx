// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../lib/client'
import { useNode } from '../stores/node'
import { renderUi } from '../test/render'
import { nodeStatus, scriptedBridge } from '../test/scripted-bridge'
import { Settings } from './Settings'

beforeEach(() => {
  useNode.getState().reset()
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('settings: the node role', () => {
  it('says a light node never runs jobs, and saves a new role for the next start', async () => {
    let nextRole: string | null = null
    const bridge = scriptedBridge({
      'node.status': () => nodeStatus({ role: 'light', executes: false, nextRole: nextRole as never }),
      'node.setRole': (params) => {
        nextRole = (params as { role: string }).role
        return { role: 'light', nextRole, file: '/data/config.json' }
      },
    })
    renderUi(<Settings />, { bridge })
    useNode.setState({ status: nodeStatus({ role: 'light', executes: false, nextRole: null }) })
    expect(await screen.findByText(/This node runs as a light node\./)).toBeTruthy()
    expect(screen.getByText(/never bids on or runs jobs/)).toBeTruthy()
    expect(screen.getByText('A change takes effect when the node restarts.')).toBeTruthy()
    fireEvent.click(screen.getByRole('radio', { name: /^full —/ }))
    await waitFor(() =>
      expect(screen.getByText('Saved. Restart ICN to switch to the new role.')).toBeTruthy(),
    )
    expect(bridge.calls.find((c) => c.method === 'node.setRole')?.params).toEqual({ role: 'full' })
  })

  it('tells a validator whether a charter lists it', async () => {
    renderUi(<Settings />, { bridge: scriptedBridge({}) })
    useNode.setState({ status: nodeStatus({ role: 'validator', validatorOf: [] }) })
    expect(await screen.findByText(/No scope charter lists you as a validator yet/)).toBeTruthy()
  })
})
