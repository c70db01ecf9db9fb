// `npm start`: the desktop app where an Electron binary exists; otherwise browser mode — a local daemon that
// serves the UI on 127.0.0.1 and prints its URL. Never downloads anything (requiring the `electron` package
// would fetch its binary, so the binary is looked up by path instead).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const passthrough = process.argv.slice(2)

function electronBinary() {
  if (process.env.ELECTRON_PATH && existsSync(process.env.ELECTRON_PATH)) return process.env.ELECTRON_PATH
  const pathFile = join(root, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile)) return undefined
  const candidate = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(candidate) ? candidate : undefined
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

const electron = electronBinary()
if (electron !== undefined && existsSync(join(root, 'dist/node/main.js'))) {
  const child = spawn(electron, [join(root, 'dist/node/main.js'), ...passthrough], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  console.log(
    electron === undefined
      ? 'Electron is not available on this machine (no binary; set ELECTRON_PATH to use one), so ICN starts in browser mode.'
      : 'The desktop shell is not built (dist/node/main.js missing), so ICN starts in browser mode.',
  )
  // A stable port makes the browser URL bookmarkable; fall back to any free port when it is taken.
  const port = (await portFree(7350)) ? 7350 : 0
  const child = spawn(process.execPath, [join(root, 'bin/icn.js'), 'node', 'start', '--rpc-port', String(port), '--log-level', 'warn', ...passthrough], {
    stdio: 'inherit',
    // As the systemd unit does: two malloc arenas instead of glibc's 8 per core (docs/operations.md, Memory).
    env: { MALLOC_ARENA_MAX: '2', ...process.env },
  })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))
}
