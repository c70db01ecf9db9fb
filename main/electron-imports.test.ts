import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Requiring the `electron` package from plain Node downloads its binary, and pure modules must run in tests
 * without Electron. So only the two entry points import electron at run time; the rest use `import type`.
 */
describe('main/ imports', () => {
  it('loads electron at run time only in main.ts and preload.ts', async () => {
    const dir = import.meta.dirname
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    const runtimeImporters: string[] = []
    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8')
      if (
        /^import\s+(?!type\b)[^;]*from\s+'electron'/m.test(text) ||
        /require\(\s*'electron'\s*\)/.test(text)
      ) {
        runtimeImporters.push(file)
      }
    }
    expect(runtimeImporters.sort()).toEqual(['main.ts', 'preload.ts'])
  })
})
