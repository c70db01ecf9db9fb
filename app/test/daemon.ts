import { silentLogger } from '../../core/logger'
import { TEST_KDF, tempDir, type TempDir } from '../../core/test/helpers'
import { startDaemon, type Daemon, type DaemonOptions } from '../daemon'

export interface TestDaemon {
  daemon: Daemon
  dir: TempDir
  destroy(): Promise<void>
}

/** An in-process daemon on a free loopback port with a fresh data dir and cheap scrypt. */
export async function startTestDaemon(options: Partial<DaemonOptions> = {}): Promise<TestDaemon> {
  const dir = await tempDir('icn-daemon-')
  const daemon = await startDaemon({
    dataDir: dir.path,
    logger: silentLogger,
    ...options,
    node: { identity: { kdf: TEST_KDF }, ...options.node },
  })
  return {
    daemon,
    dir,
    async destroy() {
      await daemon.stop()
      await dir.cleanup()
    },
  }
}
