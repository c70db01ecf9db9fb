/**
 * The one-core transfer-ingest figure in a process of its own, started pinned to one CPU by bench/economics.ts
 * (`taskset -c <cpu> node dist-bench/economics-child.mjs <paced|group>`): a node process on a one-core machine
 * holds its own heap only, not the other suites' events and the runs before it. A warm-up run of the measured size,
 * then five runs; prints {events, median, rates} as one JSON line on stdout.
 */
import { fiveRuns, ingestRate, transferEvents, type ReceiveModel } from './transfers'

const model = process.argv[2] as ReceiveModel
if (model !== 'paced' && model !== 'group') throw new Error('usage: economics-child <paced|group>')
// A node that has been up for a while has its hot path optimised: warm up with a run of the measured size.
await ingestRate(transferEvents(model))
const events = transferEvents(model)
const { median, rates } = await fiveRuns(events)
process.stdout.write(`${JSON.stringify({ events: events.length, median, rates })}\n`)
