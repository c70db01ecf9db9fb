import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { nodeEd25519 } from './ed25519'
import { VerifyPool, type VerifyJob } from './verify-pool'

/** n signed messages of random length; every third signature is corrupted. */
function cases(n: number): { job: Omit<VerifyJob, 'resolve'>; valid: boolean }[] {
  return Array.from({ length: n }, (_, i) => {
    const seed = randomBytes(32)
    const message = randomBytes(i % 700)
    const signature = nodeEd25519.sign(seed, message)
    const valid = i % 3 !== 0
    if (!valid) signature[i % 64]! ^= 0x40
    return { job: { publicKey: nodeEd25519.publicKey(seed), message, signature }, valid }
  })
}

function check(pool: VerifyPool, job: Omit<VerifyJob, 'resolve'>): Promise<boolean> {
  return new Promise((resolve) => pool.submit({ ...job, resolve }))
}

describe('VerifyPool', () => {
  it('answers a burst in batches on workers exactly as a single check would', async () => {
    const pool = new VerifyPool(2, () => {
      throw new Error('the fallback must not be used while the workers are healthy')
    })
    try {
      const all = cases(1500)
      const answers = await Promise.all(all.map((c) => check(pool, c.job)))
      expect(answers).toEqual(all.map((c) => c.valid))
      // A lone check after the burst goes out at once.
      expect(await check(pool, all[1]!.job)).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it('answers through the fallback when it is closed with checks in flight, and never turns good into bad', async () => {
    const fellBack: VerifyJob[] = []
    const pool = new VerifyPool(1, (job) => {
      fellBack.push(job)
      job.resolve(nodeEd25519.verify(job.publicKey, job.message, job.signature))
    })
    const all = cases(600)
    const answers = Promise.all(all.map((c) => check(pool, c.job)))
    await pool.close()
    expect(await answers).toEqual(all.map((c) => c.valid))
    expect(fellBack.length).toBeGreaterThan(0)
  })
})
