// Builds the node-side bundles (esbuild, options in esbuild-node.mjs) and the renderer (vite). `--quiet` prints
// only failures.
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { cp, mkdir, readdir, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { NODE_BUNDLE } from './esbuild-node.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quiet = process.argv.includes('--quiet')
const log = (m) => quiet || console.log(m)
const started = Date.now()

/** Node entry points: [source, output name]. Optional entries are skipped until their source exists. */
const NODE_ENTRIES = [
  ['app/cli-main.ts', 'cli'],
  ['core/runtime/worker.ts', 'runtime-worker'],
  ['main/main.ts', 'main'],
]

await rm(join(root, 'dist/node'), { recursive: true, force: true })
const entries = NODE_ENTRIES.filter(([src]) => existsSync(join(root, src)))
await build({
  entryPoints: Object.fromEntries(entries.map(([src, out]) => [out, join(root, src)])),
  outdir: join(root, 'dist/node'),
  ...NODE_BUNDLE,
  logLevel: quiet ? 'error' : 'info',
  // Electron's main process may load ESM; the preload of a sandboxed renderer must be CommonJS (below).
  external: ['electron'],
})
if (existsSync(join(root, 'main/preload.ts'))) {
  await build({
    entryPoints: { preload: join(root, 'main/preload.ts') },
    outdir: join(root, 'dist/node'),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron'],
    sourcemap: true,
    logLevel: quiet ? 'error' : 'info',
  })
}
log(`node bundles: ${entries.map(([, out]) => out).join(', ')}`)

// Window and tray icons for the shell (dist/icons, next to dist/node/main.js); generated from
// resources/icons/icon.svg by resources/icons/generate.mjs and committed.
const iconsDir = join(root, 'resources/icons')
if (existsSync(iconsDir)) {
  await rm(join(root, 'dist/icons'), { recursive: true, force: true })
  await mkdir(join(root, 'dist/icons'), { recursive: true })
  for (const name of (await readdir(iconsDir)).filter((f) => f.endsWith('.png'))) {
    await cp(join(iconsDir, name), join(root, 'dist/icons', name))
  }
}

if (existsSync(join(root, 'renderer/index.html'))) {
  const vite = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'renderer/vite.config.ts'),
      ...(quiet ? ['--logLevel', 'error'] : []),
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  if (vite.status !== 0) process.exit(vite.status ?? 1)
  log('renderer: dist/renderer')
}
log(`build done in ${Date.now() - started} ms`)
