#!/usr/bin/env node
// The `icn` command: runs the bundled CLI (built by `npm ci` via the prepare script, or `npm run build`).
// ICN_DEV=1 runs the TypeScript sources through tsx instead, for development without rebuilding.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const bundled = fileURLToPath(new URL('../dist/node/cli.js', import.meta.url))
if (process.env.ICN_DEV === '1' || !existsSync(bundled)) {
  if (!existsSync(bundled) && process.env.ICN_DEV !== '1') {
    process.stderr.write(
      'icn: dist/node/cli.js is missing; running from sources (run `npm run build` to bundle).\n',
    )
  }
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(fileURLToPath(new URL('../app/cli-main.ts', import.meta.url))).href)
} else {
  await import(pathToFileURL(bundled).href)
}
