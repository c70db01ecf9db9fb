/**
 * Finds an Electron binary by path, as scripts/start.mjs does. Never `require('electron')` from Node: the
 * package downloads its binary when it is first required, and there is none on these machines.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from '../app/test/cli-process'

export function electronBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env['ELECTRON_PATH']
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv)) return fromEnv
  const pathFile = join(REPO, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile)) return undefined
  const candidate = join(REPO, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(candidate) ? candidate : undefined
}

/** Why the Electron tests cannot run here, or undefined when they can. */
export function electronSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (electronBinary(env) === undefined) {
    return 'no Electron binary on this machine (set ELECTRON_PATH, or install one in node_modules/electron/dist)'
  }
  if (
    process.platform === 'linux' &&
    (env['DISPLAY'] ?? '') === '' &&
    (env['WAYLAND_DISPLAY'] ?? '') === ''
  ) {
    return 'no display (run under xvfb-run; npm test does so when xvfb is installed)'
  }
  if (!existsSync(join(REPO, 'dist/node/main.js'))) return 'the shell is not built (npm run build)'
  return undefined
}
