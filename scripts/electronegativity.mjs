// Electron security lint (SECURITY-CHECKLIST A2): runs @doyensec/electronegativity over main/ (the only code
// that touches Electron) and fails on any HIGH finding. It is static, so it runs without an Electron binary.
// Checks that need the network are excluded (AvailableSecurityFixesGlobalCheck downloads Electron's release
// list); the Electron version is tracked in package.json instead. Inline suppressions (`/* eng-disable X */`)
// must be explained next to the code and listed in docs/desktop.md.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
// The package's translations loader tries a 1-second download first; an offline machine falls back to the
// bundled English catalogue, which is what we want. Keep its console noise out of the test log.
const log = console.log
console.log = () => undefined
let result
try {
  const run = require('@doyensec/electronegativity')
  // The version string of the electron package, read as a file: requiring `electron` would download a binary.
  const electronVersion = JSON.parse(
    readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
  ).version
  result = await run({
    input: join(root, 'main'),
    electronVersionOverride: electronVersion,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    isRelative: true,
  })
} finally {
  console.log = log
}

const severityName = (i) => i.severity?.name ?? String(i.severity)
const shown = result.issues.filter((i) => !String(i.file).endsWith('.test.ts'))
const high = shown.filter((i) => severityName(i) === 'HIGH')
for (const i of shown) {
  const where = `${relative(root, join(root, 'main', i.file))}:${i.location?.line ?? '?'}`
  log(`${severityName(i).padEnd(13)} ${i.id.padEnd(32)} ${where}${i.manualReview ? ' (manual review)' : ''}`)
}
for (const e of result.errors.filter((e) => !e.tolerable)) log(`parse error: ${e.file}: ${e.message}`)
log(
  `electronegativity: ${result.atomicChecks + result.globalChecks} checks, ${shown.length} findings, ${high.length} HIGH`,
)
if (high.length > 0 || result.errors.some((e) => !e.tolerable)) process.exit(1)
