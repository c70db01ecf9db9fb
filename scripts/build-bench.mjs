// Bundles the benchmark (bench/index.ts) with the options of the shipped Node bundles (esbuild-node.mjs), so
// `npm run bench` times the ingest path, the ledger and the rest as members run them: compiled by esbuild for
// node20, without the function-name wrappers tsx adds to every function expression (keepNames). Output:
// dist-bench/index.mjs (and the economics suite's child, economics-child.mjs), run with plain node; it is never packaged (electron-builder takes dist/ only).
//
// Each source keeps its own `import.meta.url`, `.dirname` and `.filename`, so the paths the suites and core
// resolve from them (resources, child scripts, bin/icn.js, the runtime worker's sources) are the same as when the
// files run from source.
import { build } from 'esbuild'
import { readFile, rm } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, extname, join } from 'node:path'
import { NODE_BUNDLE } from './esbuild-node.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist-bench')

/** @type {import('esbuild').Plugin} */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, async (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined
      const source = await readFile(args.path, 'utf8')
      const ext = extname(args.path).slice(1)
      const own = {
        'import.meta.url': pathToFileURL(args.path).href,
        'import.meta.dirname': dirname(args.path),
        'import.meta.filename': args.path,
      }
      return {
        contents: source.replace(/import\.meta\.(url|dirname|filename)\b/g, (m) => JSON.stringify(own[m])),
        loader: ext === 'mts' ? 'ts' : ext === 'mjs' ? 'js' : ext,
      }
    })
  },
}

await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: {
    index: join(root, 'bench/index.ts'),
    // The one-core transfer-ingest runs, in a process of their own (bench/economics.ts).
    'economics-child': join(root, 'bench/economics-child.ts'),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  ...NODE_BUNDLE,
  external: ['electron'],
  plugins: [ownImportMeta],
  logLevel: 'error',
})
