/**
 * `npm run bench`: runs every suite and prints each figure next to its target (and its baseline, measured in
 * the same run). Writes bench-results/latest.json. `npm run bench -- <filter>` runs suites whose name matches.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import type { BenchSuite, Figure } from './harness'
import { foundationBench } from './foundation'
import { governanceBench } from './governance'
import cclBench from './ccl'
import runtimeBench from './runtime'
import { desktopBench } from './desktop'
import { networkBench } from './network'
import meshBench from './mesh'
import { economicsBench } from './economics'
import { credentialsBench } from './credentials'
import { rolesBench } from './roles'

const SUITES: BenchSuite[] = [
  foundationBench,
  cclBench,
  runtimeBench,
  desktopBench,
  networkBench,
  governanceBench,
  meshBench,
  economicsBench,
  credentialsBench,
  rolesBench,
]

function line(f: Figure): string {
  const verdict = f.pass === undefined ? '    ' : f.pass ? ' ok ' : 'MISS'
  const base =
    f.baseline === undefined
      ? ''
      : `   | baseline: ${f.baseline.name} = ${f.baseline.value} ${f.baseline.unit}`
  return `[${verdict}] ${f.name}: ${f.value} ${f.unit} (target ${f.target})${base}`
}

const filter = process.argv[2]?.toLowerCase()
const results: { suite: string; figures: Figure[]; error?: string }[] = []
for (const suite of SUITES) {
  if (filter !== undefined && !suite.name.toLowerCase().includes(filter)) continue
  process.stdout.write(`\n== ${suite.name}\n`)
  try {
    const figures = await suite.run()
    for (const f of figures) process.stdout.write(line(f) + '\n')
    results.push({ suite: suite.name, figures })
  } catch (err) {
    process.stdout.write(`suite failed: ${(err as Error).stack ?? String(err)}\n`)
    results.push({ suite: suite.name, figures: [], error: String(err) })
  }
}
await mkdir('bench-results', { recursive: true })
await writeFile(
  'bench-results/latest.json',
  JSON.stringify({ at: new Date().toISOString(), results }, null, 2),
)
const missed = results.flatMap((r) => r.figures).filter((f) => f.pass === false).length
process.stdout.write(
  `\n${missed === 0 ? 'all targets met' : `${missed} target(s) missed`}; details in bench-results/latest.json\n`,
)
