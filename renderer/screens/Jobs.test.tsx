// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MeshDisputeInfo, MeshJobDetail } from '../../app/contract'
import { setClient } from '../lib/client'
import { useJobs } from '../stores/jobs'
import { renderUi } from '../test/render'
import { DID, scriptedBridge } from '../test/scripted-bridge'
import { JobDetail } from './Jobs'

const JOB = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const EXECUTOR = 'did:key:z6MkexecutorexecutorexecutorexecutorexecutorexecutorX'
const V1 = 'did:key:z6Mkvalidator1validator1validator1validator1validator1'
const V2 = 'did:key:z6Mkvalidator2validator2validator2validator2validator2'
const now = Date.now()

function paidJob(role: MeshJobDetail['role']): MeshJobDetail {
  return {
    id: JOB,
    scope: 'did:icn:bafyscope',
    submitter: DID,
    role,
    status: 'paid',
    reason: null,
    maxPrice: '10',
    price: '1',
    executor: EXECUTOR,
    attempt: 1,
    engine: 'v8',
    submittedAt: now - 60_000,
    settledAt: now - 50_000,
    manifest: {
      module: 'bafkmodule',
      engine: 'v8',
      entry: '_start',
      args: [],
      env: {},
      stdin: null,
      inputs: [],
      limits: { fuel: '1000000000', memoryMiB: 64, timeoutMs: 30_000, outputBytes: 1_048_576 },
      maxPrice: '10',
      minReputation: 0,
      bidWindowMs: 1000,
      verification: 'none',
    },
    bids: [],
    assignments: [],
    receipts: [],
    verification: null,
    settlement: {
      id: 'bafysettle',
      kind: 'paid',
      reason: 'verified',
      note: '',
      price: '1',
      executor: EXECUTOR,
      receipt: 'bafyreceipt',
      ts: now - 50_000,
      attestations: [
        { validator: V1, event: 'bafyattest1', ts: now - 49_000 },
        { validator: V2, event: 'bafyattest2', ts: now - 49_000 },
      ],
    },
    waiting: [],
  }
}

function dispute(overrides: Partial<MeshDisputeInfo> = {}): MeshDisputeInfo {
  return {
    id: 'bafydispute',
    job: JOB,
    scope: 'did:icn:bafyscope',
    settlement: 'bafysettle',
    receipt: 'bafyreceipt',
    kind: 'paid',
    price: '1',
    submitter: DID,
    executor: EXECUTOR,
    opener: DID,
    reason: 'The output is not what the module prints.',
    validators: [V1, V2],
    quorum: 2,
    status: 'open',
    verdicts: [],
    resolution: null,
    debt: null,
    openedAt: now - 10_000,
    ...overrides,
  }
}

beforeEach(() => {
  useJobs.setState({ detail: null, disputes: [], shown: null, error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('job detail: disputes', () => {
  it('lets the submitter open a dispute with a reason, then shows it open', async () => {
    let disputes: MeshDisputeInfo[] = []
    const bridge = scriptedBridge({
      'mesh.get': () => paidJob('submitter'),
      'mesh.disputes': () => ({ disputes }),
      'mesh.dispute': (params) => {
        disputes = [dispute({ reason: (params as { reason: string }).reason })]
        return disputes[0]
      },
    })
    renderUi(<JobDetail id={JOB} />, { bridge })
    expect(await screen.findByText('Attested by 2 validators', { exact: false })).toBeTruthy()
    const button = await screen.findByRole('button', { name: 'Open dispute' })
    expect((button as HTMLButtonElement).disabled).toBe(true)
    fireEvent.change(screen.getByLabelText('Why is the settlement wrong?'), {
      target: { value: 'The output is not what the module prints.' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Open dispute' }))
    await waitFor(() =>
      expect(bridge.calls.find((c) => c.method === 'mesh.dispute')?.params).toEqual({
        job: JOB,
        reason: 'The output is not what the module prints.',
      }),
    )
    expect((await screen.findByTestId('job-dispute-status')).textContent).toBe(
      'Open: 0 of 2 verdicts (2 agreeing decide)',
    )
    expect(screen.getByText('No verdict yet: the validators are re-running the job.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Open dispute' })).toBeNull()
  })

  it("shows a reversed dispute's verdicts (validator, result, their run, time) and the debt", async () => {
    const reversed = dispute({
      status: 'reversed',
      verdicts: [V1, V2].map((validator, i) => ({
        id: `bafyverdict${i}`,
        validator,
        result: 'reverse' as const,
        matches: false,
        exit: 0,
        error: null,
        fuelUsed: '1234',
        output: 'bafyout',
        stdout: 'bafkstdout',
        ts: now - 5_000,
      })),
      resolution: { id: 'bafyresolve', by: V1, ts: now - 4_000 },
      debt: { debtor: EXECUTOR, creditor: DID, amount: '1' },
    })
    renderUi(<JobDetail id={JOB} />, {
      bridge: scriptedBridge({
        'mesh.get': () => paidJob('observer'),
        'mesh.disputes': () => ({ disputes: [reversed] }),
      }),
    })
    expect((await screen.findByTestId('job-dispute-status')).textContent).toBe(
      'Reversed: the settlement was undone',
    )
    const rows = screen.getAllByTestId('job-verdict')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.textContent).toContain('Reverse')
    expect(rows[0]!.textContent).toContain('Different result (exit 0, fuel 1234)')
    expect(screen.getByText(/owes 1 mana/)).toBeTruthy()
    // An observer cannot open one.
    expect(screen.queryByRole('button', { name: 'Open dispute' })).toBeNull()
  })
})
