// Bundles the benchmark (bench/index.ts) with the options of the shipped Node bundles (esbuild-node.mjs), so
// `npm run bench` times the ingest path, the ledger and the rest as members run them: compiled by esbuild for
// node20, without the function-name wrappers tsx adds to every function expression (keepNames). Output:
// dist-bench/index.mjs, run with plain node; it is never packaged (electron-builder takes dist/ only).
//
// Each source keeps its own `import.meta.url`, so the paths the suites and core resolve from it (resources,
// child scripts, the runtime worker's sources) are the same as when the files run from source.
import { build } from 'esbuild'
import { readFile, rm } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, extname, join } from 'node:path'
import { NODE_BUNDLE } from './esbuild-node.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist-bench')

/** @type {import('esbuild').Plugin} */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, async (args) => {
      if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined
      const source = await readFile(args.path, 'utf8')
      const ext = extname(args.path).slice(1)
      return {
        contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: ext === 'mts' ? 'ts' : ext === 'mjs' ? 'js' : ext,
      }
    })
  },
}

await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: { index: join(root, 'bench/index.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  ...NODE_BUNDLE,
  external: ['electron'],
  plugins: [ownImportMetaUrl],
  logLevel: 'error',
})
