import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The per-user data directory of a headless node: XDG on Linux, Application Support on macOS, %APPDATA% on
 * Windows. The desktop app uses Electron's userData instead (main/ decides).
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env['ICN_DATA_DIR'] !== undefined && env['ICN_DATA_DIR'] !== '') return env['ICN_DATA_DIR']
  const home = env['HOME'] ?? env['USERPROFILE'] ?? homedir()
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'ICN', 'node')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'ICN', 'node')
  return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'icn', 'node')
}
