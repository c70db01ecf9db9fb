import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestDaemon, type TestDaemon } from '../test/daemon'
import { icn, REPO } from '../test/cli-process'
import { TEST_PASSPHRASE } from '../../core/test/helpers'

/** `icn job` and `icn executor` against a real daemon (one node: what needs no peers). */
let d: TestDaemon
beforeAll(async () => {
  d = await startTestDaemon()
  await d.daemon.node.identity.create({ passphrase: TEST_PASSPHRASE })
})
afterAll(async () => {
  await d.destroy()
})

const hello = join(REPO, 'resources/jobs/wat/hello.wasm')

describe('icn executor', () => {
  it('changes settings, pauses and explains why the node gets no jobs', async () => {
    const data = ['--data', d.dir.path]
    const set = await icn([
      ...data,
      'executor',
      'set',
      '--min-price',
      '7',
      '--cpu-share',
      '100',
      '--schedule',
      '22-7',
    ])
    expect(set.code).toBe(0)
    expect(set.stdout).toContain('min price    7 mana')
    expect(set.stdout).toContain('schedule     22:00–7:00 local time')
    const pause = await icn([...data, 'executor', 'pause', '2'])
    expect(pause.code).toBe(0)
    expect(pause.stdout).toMatch(/paused until/)
    const show = await icn([...data, '--json', 'executor', 'show'])
    const stats = JSON.parse(show.stdout)
    expect(stats).toMatchObject({ accepting: false, reason: 'paused', settings: { minPrice: '7' } })
    expect(stats.explanations[0]).toMatch(/^Contributing is paused until/)
    const resume = await icn([...data, 'executor', 'set', '--schedule', 'none'])
    expect(resume.code).toBe(0)
    expect((await icn([...data, 'executor', 'resume'])).stdout).toMatch(/^contributing on\n?$/)
    const bad = await icn([...data, 'executor', 'set', '--cpu-share', '0'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/error\[INVALID_ARGUMENT\]/)
  })
})

describe('icn job', () => {
  it('previews the cost, and a job nobody can run ends refunded with the reason', async () => {
    const data = ['--data', d.dir.path]
    const preview = await icn([...data, 'job', 'submit', hello, '--max-price', '12', '--preview'])
    expect(preview.code).toBe(0)
    expect(preview.stdout).toContain('preview (nothing submitted)')
    expect(preview.stdout).toContain('escrow 12')
    const run = await icn([
      ...data,
      'job',
      'submit',
      hello,
      '--max-price',
      '12',
      '--bid-window',
      '100',
      '--wait',
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('status       refunded (no-bids)')
    const list = await icn([...data, '--json', 'job', 'list'])
    const { jobs } = JSON.parse(list.stdout)
    expect(jobs[0]).toMatchObject({
      role: 'submitter',
      status: 'refunded',
      reason: 'no-bids',
      maxPrice: '12',
    })
    const show = await icn([...data, 'job', 'show', jobs[0].id])
    expect(show.stdout).toContain(`job          ${jobs[0].id}`)
    const cancel = await icn([...data, 'job', 'cancel', jobs[0].id])
    expect(cancel.code).toBe(1)
    expect(cancel.stderr).toMatch(/error\[MESH_JOB_CLOSED\]/)
    const output = await icn([...data, 'job', 'output', jobs[0].id])
    expect(output.stderr).toMatch(/error\[NOT_FOUND\]: The job has no receipt yet/)
    const unknown = await icn([
      ...data,
      'job',
      'show',
      'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
    ])
    expect(unknown.stderr).toMatch(/error\[MESH_UNKNOWN_JOB\]/)
  })

  it('disputes: refuses one on an unknown job and lists none', async () => {
    const data = ['--data', d.dir.path]
    const unknown = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const dispute = await icn([...data, 'job', 'dispute', unknown, '--reason', 'wrong output'])
    expect(dispute.code).toBe(1)
    expect(dispute.stderr).toMatch(/error\[MESH_UNKNOWN_JOB\]/)
    const disputes = await icn([...data, 'job', 'disputes'])
    expect(disputes.stdout.trim()).toBe('no disputes')
  })
})
