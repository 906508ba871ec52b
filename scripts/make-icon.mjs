// Renders electron/assets/icon.svg to the 512×512 PNG electron-builder turns into each platform's icon
// (icns, ico, the Linux sizes). Uses Debian's Chromium through playwright-core; run after changing the SVG.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('electron/assets/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.screenshot({ path: 'electron/assets/icon.png', omitBackground: true, clip: { x: 0, y: 0, width: 512, height: 512 } });
await browser.close();
