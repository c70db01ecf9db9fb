// `npm test`: every test, in order — types, lint, Electron security lint, build, unit and integration (vitest),
// the resilience suite (app/resilience: its figures are printed and written to reports/resilience.json),
// end-to-end (Playwright with Debian Chromium, real daemons). Stops at the first failing step and exits non-zero.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const hasE2e =
  existsSync(join(root, 'e2e')) && readdirSync(join(root, 'e2e')).some((f) => f.endsWith('.spec.ts'))

// The Electron end-to-end tests need a display; Chromium runs headless anyway. Where an Electron binary exists
// and there is no display, run Playwright under xvfb-run (found by path; nothing is downloaded).
function electronBinary() {
  if (process.env.ELECTRON_PATH && existsSync(process.env.ELECTRON_PATH)) return process.env.ELECTRON_PATH
  const pathFile = join(root, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile)) return undefined
  const candidate = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(candidate) ? candidate : undefined
}
const needsXvfb =
  process.platform === 'linux' &&
  !process.env.DISPLAY &&
  !process.env.WAYLAND_DISPLAY &&
  electronBinary() !== undefined &&
  existsSync('/usr/bin/xvfb-run')
const e2eStep = needsXvfb
  ? ['end-to-end (under xvfb-run for Electron)', '/usr/bin/xvfb-run', ['-a', bin('playwright'), 'test']]
  : ['end-to-end', bin('playwright'), ['test']]

const steps = [
  ['typecheck (node)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ...(existsSync(join(root, 'renderer')) && readdirSync(join(root, 'renderer')).length > 0
    ? [['typecheck (web)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']]]
    : []),
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ...(existsSync(join(root, 'main'))
    ? [['electron security lint (electronegativity)', process.execPath, ['scripts/electronegativity.mjs']]]
    : []),
  ['build', process.execPath, ['scripts/build.mjs', '--quiet']],
  ['unit + integration', bin('vitest'), ['run']],
  ['resilience (kill -9, soak, API abuse)', bin('vitest'), ['run', '-c', 'vitest.resilience.config.ts']],
  ...(hasE2e ? [e2eStep] : []),
]

const timings = []
for (const [name, cmd, args] of steps) {
  const started = Date.now()
  process.stdout.write(`\n▶ ${name}\n`)
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  timings.push(`${name}: ${seconds} s`)
  if (result.status !== 0) {
    process.stdout.write(`\n✗ ${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s\n`)
    process.exit(result.status ?? 1)
  }
}
process.stdout.write(`\n✓ all tests passed\n  ${timings.join('\n  ')}\n`)
