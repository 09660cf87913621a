// The leaflet maker page in Chromium, run by tests/web/test_maker.py:
// node maker_checks.mjs CONFIG.json. For each case of the config it opens the
// page, types the clinic's details, picks the paper, edition and lock, and
// either downloads the PDF and clinic.toml (good cases) or records what the
// page says about each field (bad cases). Every request the browser makes is
// recorded, with its body; none is allowed to leave 127.0.0.1 (each is
// aborted and reported). axe-core runs on the page with its errors showing.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const origin = new URL(config.base).origin;
const browser = await chromium.launch({ executablePath: config.chrome, headless: true });
const results = [];
try {
  for (const item of config.cases) {
    // No service worker: every request the page makes goes through the route below.
    const context = await browser.newContext({ acceptDownloads: true, serviceWorkers: 'block', viewport: item.viewport || { width: 1280, height: 900 },
                                               colorScheme: item.theme || 'light' });
    const requests = [];
    const errors = [];
    await context.route('**/*', (route) => {
      const request = route.request();
      requests.push({ url: request.url(), method: request.method(), body: request.postData() || '' });
      return new URL(request.url()).origin === origin ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await page.goto(config.base + 'clinic-leaflet.html', { waitUntil: 'load' });
    // The page's script comes after the first paint (book-scripts.html): the form works once it has run.
    await page.waitForFunction(() => document.documentElement.dataset.bookScripts === 'loaded', null, { timeout: 15000 });
    const scriptsBeforeSubmit = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    for (const [name, value] of Object.entries(item.values)) {
      // Typed key by key, as a person would, with the keyboard only.
      await page.focus(`#clinic-${name}`);
      await page.keyboard.type(value);
    }
    if (item.logo) await page.setInputFiles('#clinic-logo', item.logo);
    await page.check(`#clinic-paper-${item.paper}`);
    await page.check(`#clinic-edition-${item.edition}`);
    if (!item.lock) await page.uncheck('#clinic-lock');
    await page.focus('.maker-button');
    await page.keyboard.press('Enter');
    const result = { name: item.name, requests, errors, scriptsBeforeSubmit };
    if (item.pdf) {
      await page.waitForSelector('.maker-downloads:not([hidden])', { timeout: 60000 });
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('.maker-pdf')]);
      await pdf.saveAs(item.pdf);
      result.pdfName = pdf.suggestedFilename();
      const [toml] = await Promise.all([page.waitForEvent('download'), page.click('.maker-toml')]);
      await toml.saveAs(item.toml);
      result.status = await page.textContent('.maker-status');
    } else {
      await page.waitForSelector('.maker-summary:not([hidden])', { timeout: 10000 });
      await page.waitForTimeout(300);
      result.summary = await page.textContent('.maker-summary');
      result.downloadsHidden = await page.$eval('.maker-downloads', (el) => el.hidden);
      result.focused = await page.evaluate(() => document.activeElement.id);
      result.fields = await page.$$eval('.maker-field', (boxes) => boxes.map((box) => {
        const control = box.querySelector('input, textarea');
        const error = box.querySelector('.maker-error');
        const describedBy = (control.getAttribute('aria-describedby') || '').split(' ');
        return { field: box.dataset.field, invalid: control.getAttribute('aria-invalid'), error: error.hidden ? '' : error.textContent,
                 errorShown: !error.hidden && error.getBoundingClientRect().height > 0,
                 describedByError: describedBy.includes(error.id) };
      }));
      await page.addScriptTag({ content: AXE_SOURCE });
      result.axe = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }))), AXE_TAGS);
      result.scrollsSideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    }
    results.push(result);
    await context.close();
  }
} finally {
  await browser.close();
}
writeFileSync(config.out, JSON.stringify(results, null, 1));
