/**
 * kill -9 at random moments. Node A ingests events (its own posts) and runs jobs (bids on and executes the jobs
 * node R submits, and submits its own) while the test kills it without warning, ICN_KILL_ROUNDS times (50 by
 * default). After every restart:
 *   - the store opens and the API is ready (time from the kill to api.json: the recovery figure);
 *   - every event A acknowledged before the kill is there, applied (the round's acknowledgements one by one; all
 *     of them again at the end);
 *   - A and its replica R, which stays up, reach the same state root.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import type { IcnClient } from '../client'
import { startDaemonProcess, type DaemonProcess } from '../test/cli-process'
import { SEED, connect, percentile, report, rng, sleep, until } from './harness'

const ROUNDS = Number(process.env['ICN_KILL_ROUNDS'] ?? 50)
const env = { ICN_PASSPHRASE: 'resilience passphrase' }
const random = rng(SEED)

let dirA: TempDir
let dirR: TempDir
let replica: DaemonProcess
let r: IcnClient
let hello: Uint8Array<ArrayBuffer>

beforeAll(async () => {
  ;[dirA, dirR] = await Promise.all([tempDir('icn-kill-a-'), tempDir('icn-kill-r-')])
  hello = new Uint8Array(await readFile('resources/jobs/wat/hello.wasm'))
  replica = await startDaemonProcess(dirR.path, ['--no-ui'], env)
  r = await connect(dirR.path)
  await r.call('identity.create', { passphrase: env.ICN_PASSPHRASE })
}, 60_000)
afterAll(async () => {
  r?.close()
  await replica?.stop()
  await Promise.all([dirA?.cleanup(), dirR?.cleanup()])
})

async function replicaAddr(): Promise<string> {
  return until('the replica listening', async () => {
    const s = await r.call('node.status')
    return s.listenAddrs.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/ws'))
  })
}

describe('kill -9 while ingesting and running jobs', () => {
  it(
    `loses no acknowledged event and matches the replica's state root after each of ${ROUNDS} kills`,
    async () => {
      const bootstrap = ['--bootstrap', await replicaAddr(), '--no-ui']
      let a = await startDaemonProcess(dirA.path, bootstrap, env)
      let client = await connect(dirA.path)
      await client.call('identity.create', { passphrase: env.ICN_PASSPHRASE })
      const acknowledged: string[] = []
      const recoveryMs: number[] = []
      const convergeMs: number[] = []
      // Time the test spends collecting its own in-flight calls after the kill; not the node's recovery.
      const settleMs: number[] = []
      let jobsSubmitted = 0
      let jobsRefused = 0
      let postsLost = 0

      for (let round = 0; round < ROUNDS; round++) {
        // Load: waves of concurrent posts on A, one job from each side, killed after a random 30–600 ms.
        const ackedThisRound: string[] = []
        let stop = false
        const poster = async (worker: number): Promise<void> => {
          for (let i = 0; !stop; i++) {
            try {
              const e = await client.call('events.post', { text: `round ${round} worker ${worker} #${i}` })
              ackedThisRound.push(e.id)
            } catch {
              postsLost++ // in flight at the kill: not acknowledged, so the node owes nothing
              return
            }
          }
        }
        const jobs = [
          r.call('mesh.submit', { module: hello, maxPrice: '3', bidWindowMs: 100 }),
          client.call('mesh.submit', { module: hello, maxPrice: '3', bidWindowMs: 100 }),
        ].map((p) =>
          p.then(
            () => void jobsSubmitted++,
            (err: { code?: string }) => {
              // Out of mana (the escrow of jobs a killed executor never finished) is a fair refusal; the kill
              // itself drops A's call.
              if (err.code === 'ECONOMICS_INSUFFICIENT_MANA') jobsRefused++
            },
          ),
        )
        const posters = Array.from({ length: 8 }, (_, w) => poster(w))
        await sleep(30 + Math.floor(random() * 570))
        const killedAt = performance.now()
        await a.stop('SIGKILL')
        stop = true
        const killedDone = performance.now()
        await Promise.allSettled([...posters, ...jobs])
        client.close()
        acknowledged.push(...ackedThisRound)
        settleMs.push(performance.now() - killedDone)

        // Recovery: from the kill to the new process's api.json (the node has opened its store, replayed
        // nothing it needs to and unlocked the identity).
        const killToSpawn = performance.now() - killedAt - settleMs[settleMs.length - 1]!
        a = await startDaemonProcess(dirA.path, bootstrap, env)
        recoveryMs.push(killToSpawn + a.readyMs)
        client = await connect(dirA.path)
        for (const id of ackedThisRound) {
          const got = await client.call('events.get', { id })
          expect(got.status, `round ${round}: acknowledged event ${id}`).toBe('applied')
        }
        const converging = performance.now()
        await until(
          `round ${round}: the same state root on A and R`,
          async () => {
            const [sa, sr] = await Promise.all([client.call('node.status'), r.call('node.status')])
            return sa.stateRoot === sr.stateRoot && sa.events === sr.events ? true : undefined
          },
          45_000,
        )
        convergeMs.push(performance.now() - converging)
      }

      // Every acknowledgement of every round, once more, on the last incarnation.
      for (const id of acknowledged) expect((await client.call('events.get', { id })).status).toBe('applied')
      const onReplica = await r.call('node.status')
      expect(onReplica.events).toBeGreaterThanOrEqual(acknowledged.length)
      client.close()
      await a.stop()

      const p50 = percentile(recoveryMs, 50)
      const max = Math.max(...recoveryMs)
      await report(
        'kill -9',
        [
          { name: 'kills', value: ROUNDS, unit: '', target: '≥ 50', met: ROUNDS >= 50 },
          { name: 'acknowledged events lost', value: 0, unit: '', target: '0', met: true },
          {
            name: 'recovery: kill -9 → api.json ready, p50',
            value: p50,
            unit: 'ms',
            target: '< 2000 ms',
            met: p50 < 2000,
          },
          {
            name: 'recovery: kill -9 → api.json ready, max',
            value: max,
            unit: 'ms',
            target: '< 2000 ms',
            met: max < 2000,
          },
          {
            name: 'restart → same state root as the replica, p50',
            value: percentile(convergeMs, 50),
            unit: 'ms',
            target: '(report)',
            met: true,
          },
        ],
        {
          acknowledged: acknowledged.length,
          unacknowledgedInFlight: postsLost,
          jobsSubmitted,
          jobsRefusedForMana: jobsRefused,
          recoveryMs: recoveryMs.map(Math.round),
        },
      )
      expect(acknowledged.length).toBeGreaterThan(ROUNDS)
      expect(jobsSubmitted).toBeGreaterThan(0)
    },
    ROUNDS * 20_000 + 60_000,
  )
})
