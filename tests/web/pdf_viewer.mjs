// Opens PDFs in Chromium's own PDF viewer (headless) and screenshots the page
// asked for: node pdf_viewer.mjs config.json. The config names the browser,
// the PDFs' addresses and where each screenshot goes; it writes what the
// viewer loaded as JSON to config.out.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The new headless mode is the whole browser, with its PDF viewer extension.
const browser = await chromium.launch({ executablePath: config.chrome, headless: true, args: ['--headless=new'] });
const results = [];
try {
  for (const { url, screenshot } of config.pdfs) {
    const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
    await page.goto(url, { waitUntil: 'load' });
    // The viewer draws the pages asynchronously and says nothing to the page when done.
    await page.waitForTimeout(config.settleMs);
    const viewer = page.frames().some((frame) => frame.url().startsWith('chrome-extension://'));
    await page.screenshot({ path: screenshot });
    results.push({ url, viewer });
    await page.close();
  }
} finally {
  await browser.close();
}
writeFileSync(config.out, JSON.stringify(results));
