// Renders icon.svg (the one source) to the PNGs the shell and the installers use, with the system's Chromium
// (the same one the end-to-end tests use; nothing is downloaded): `node resources/icons/generate.mjs`.
// icon-<size>.png for windows and installers, tray-16/32.png for the tray (32 is the 2x variant).
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'

const here = dirname(fileURLToPath(import.meta.url))
const svg = await readFile(join(here, 'icon.svg'))
const source = `data:image/svg+xml;base64,${svg.toString('base64')}`
const outputs = [
  ...[16, 32, 48, 64, 128, 256, 512].map((size) => [`icon-${size}.png`, size]),
  ['tray-16.png', 16],
  ['tray-32.png', 32],
]

const browser = await chromium.launch({
  executablePath: process.env.ICN_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
})
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 })
  for (const [name, size] of outputs) {
    await page.setViewportSize({ width: size, height: size })
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img src="${source}" width="${size}" height="${size}"></body></html>`,
    )
    await page.locator('img').evaluate((img) => img.decode())
    await page.locator('img').screenshot({ path: join(here, name), omitBackground: true })
    console.log(`${name} (${size}×${size})`)
  }
} finally {
  await browser.close()
}
