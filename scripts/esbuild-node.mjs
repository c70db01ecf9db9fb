// esbuild options shared by every Node-side bundle: the shipped ones (scripts/build.mjs) and the benchmark's
// (scripts/build-bench.mjs), so `npm run bench` measures code compiled exactly as members run it.
// Npm packages stay external: they load from node_modules at run time (and from the asar/unpacked dirs in the
// packaged app), so native level bindings and worker files resolve normally.
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
}
