// The offline copy, run by tests/web/test_offline.py.
//
// The book is served under a path (like Read the Docs' /en/latest/). One
// visit online; once the service worker is ready, the browser goes offline
// and opens other pages and a leaflet; then, online again, a page changed on
// the host must show changed. Records what it saw as JSON.
//
// Usage: node offline_checks.mjs CONFIG.json
//   CONFIG = {"base": "http://127.0.0.1:PORT/x/en/latest/", "first": "index.html",
//             "offline": ["medicines.html", ...], "leaflet": "leaflet/....pdf",
//             "changed": {"page": "medicines.html", "file": "/tmp/.../medicines.html"},
//             "expectWorker": true, "out": "results.json", "chrome": "/usr/bin/chromium"}

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const origin = new URL(config.base).origin;

// What a reader sees of a page: the notice, whether the book's styles apply.
async function looksOf(page) {
  return page.evaluate(() => {
    const notice = document.querySelector(".book-offline-notice");
    return {
      title: document.title,
      notice: notice && !notice.hidden && notice.getClientRects().length ? notice.innerText : null,
      // Only the book's stylesheet gives its buttons a 44px height.
      styled: getComputedStyle(document.querySelector(".book-button")).minHeight === "44px",
      marker: !!document.getElementById("changed-on-the-host"),
    };
  });
}

async function visit(page, name) {
  const response = await page.goto(config.base + name, { waitUntil: "load" }).catch((e) => ({ error: String(e) }));
  if (response.error) return { page: name, error: response.error };
  // The scripts come after the first paint (book-scripts.html); the offline
  // notice and the worker's registration are theirs.
  await page.waitForFunction(() => document.documentElement.dataset.bookScripts === "loaded", null, { timeout: 15000 })
    .catch(() => {});
  return { page: name, status: response.status(), ...(await looksOf(page)) };
}

const browser = await chromium.launch({
  executablePath: config.chrome || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  headless: true,
});
const out = { foreignRequests: [], consoleErrors: [] };
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
  context.on("request", (req) => {
    if (!req.url().startsWith(origin) && !/^(data|blob|about):/.test(req.url())) out.foreignRequests.push(req.url());
  });
  const page = await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error") out.consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => out.consoleErrors.push(String(err)));
  page.on("requestfailed", (req) => out.consoleErrors.push(`${req.failure().errorText}: ${req.url()}`));

  out.first = await visit(page, config.first);
  if (config.expectWorker) {
    // null if no worker is ready within 20 s (the book saved in far less).
    out.scope = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then((registration) => registration.scope),
      new Promise((resolve) => setTimeout(() => resolve(null), 20000)),
    ]));
  } else {
    // Long enough for a registration after the load event to have happened.
    await page.waitForTimeout(1500);
    out.registrations = await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);
  }
  out.workerFetched = await page.evaluate(async () => (await fetch("service-worker.js")).status);

  if (config.expectWorker && out.scope) {
    await context.setOffline(true);
    out.offline = [];
    for (const name of config.offline) out.offline.push(await visit(page, name));
    out.leaflet = await page.evaluate(async (url) => {
      try {
        const response = await fetch(url);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, start: String.fromCharCode(...bytes.slice(0, 4)), size: bytes.length };
      } catch (e) {
        return { error: String(e) };
      }
    }, new URL(config.leaflet, config.base).href);

    await context.setOffline(false);
    out.onlineAgain = await visit(page, config.changed.page);
    const html = readFileSync(config.changed.file, "utf8");
    writeFileSync(config.changed.file, html.replace(/<body([^>]*)>/, '<body$1><p id="changed-on-the-host">Changed</p>'));
    out.changed = await visit(page, config.changed.page);
  }
  await context.close();
  writeFileSync(config.out, JSON.stringify(out, null, 2));
} finally {
  await browser.close();
}
