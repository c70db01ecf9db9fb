import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/**
 * The renderer build: dist/renderer, loaded from app://bundle in Electron and served by the daemon in browser
 * mode, so every URL is relative (base './'). Paths are relative to the repository root, where
 * scripts/build.mjs runs vite. No inline script or style may appear in the output (the CSP forbids them).
 */
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
})
