// Browser checks for the web book, run by tests/web/test_web.py.
//
// Loads every page of a locally served build in Debian's Chromium (driven by
// playwright-core; no browser is downloaded) and records, per page:
//   - axe-core violations (WCAG 2.0/2.1/2.2 A and AA, and best practice),
//     in the light and the dark theme, at desktop width and at 320 px;
//   - horizontal scrolling at 320 px, and with WCAG 1.4.12 text spacing;
//   - text cut off by its box with that text spacing;
//   - every request that leaves the site (blocked, and reported);
//   - console errors;
//   - the review dates, leaflet link and "report an error" link;
//   - what printing shows (print media), and a PDF of the printed page;
//   - the bar of buttons: how many rows, and whether Menu shows beside the
//     contents column, at each width;
//   - the keyboard, at 390 and 1280 px: every Tab stop (is it a control, is
//     its focus ring drawn around it), the bar's stops in visual order, and
//     each panel (Menu, On this page) opened with its button and closed with
//     Escape and with its Close button (where the focus lands).
//   - at 320, 390 and 1280 px: tables (sideways scrolling, cells narrower
//     than 12 characters, headers over two lines, captions, the table in
//     the accessibility tree), headings, empty lists.
// Plus, once: the menu, search and dark-mode buttons work.
//
// Usage: node browser_checks.mjs CONFIG.json
//   CONFIG = {"base": "http://127.0.0.1:PORT/", "pages": ["index.html", ...],
//             "sitePath": "/en/latest/", "out": "results.json", "pdfDir": "dir",
//             "screenshotDir": "dir or null",
//             "chrome": "/usr/bin/chromium"}

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
export const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "320px", width: 320, height: 640 },
];
export const THEMES = ["light", "dark"];
export const KEYBOARD_VIEWPORTS = [
  { name: "390px", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
];
// More stops than any page has: a walk that reaches it never came round.
const MAX_TAB_STOPS = 2000;
// Where the structure of every page is checked (light theme).
export const STRUCTURE_WIDTHS = [320, 390, 1280];

// WCAG 1.4.12 text spacing, as in the W3C's own test bookmarklet.
const TEXT_SPACING_CSS = `
  * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
  p { margin-bottom: 2em !important; }
`;

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const origin = new URL(config.base).origin;
// Pages checked at the same time, each in browser windows of its own. One:
// two at a time end a little sooner on their own (142 s against 160 s here)
// but take 16% more processor time (263 s against 226 s), and under `make
// test` the walk shares the processors with every other test.
const PAGES_AT_ONCE = config.pagesAtOnce || 1;

function isLocal(url) {
  if (/^(data|blob|about|chrome|chrome-extension|devtools):/.test(url)) return true;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

// Runs in the page: a short description of an element for reports.
const DESCRIBE = `(el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  if (el.classList.length) s += "." + Array.from(el.classList).slice(0, 3).join(".");
  const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  return text ? s + ' "' + text + '"' : s;
}`;

async function horizontalOverflow(page) {
  return page.evaluate(`(() => {
    const describe = ${DESCRIBE};
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const result = { scrollWidth: doc.scrollWidth, clientWidth: width, offenders: [] };
    if (doc.scrollWidth <= width) return result;
    const inScroller = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll") return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== "fixed" && !inScroller(el)) {
        // Skip descendants of something already listed.
        if (result.offenders.some((o) => o.el.contains(el))) continue;
        result.offenders.push({ el, right: Math.round(r.right) });
      }
      if (result.offenders.length >= 8) break;
    }
    result.offenders = result.offenders.map((o) => describe(o.el) + " (right edge " + o.right + "px)");
    return result;
  })()`);
}

async function clippedText(page) {
  return page.evaluate(`(() => {
    const describe = ${DESCRIBE};
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      const cs = getComputedStyle(el);
      if (cs.display === "none" || cs.visibility === "hidden") continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 2 || r.height <= 2) continue;  // visually hidden, screen-reader-only text
      const clipX = cs.overflowX === "hidden" || cs.overflowX === "clip";
      const clipY = cs.overflowY === "hidden" || cs.overflowY === "clip";
      const overX = clipX && el.scrollWidth > el.clientWidth + 1;
      const overY = clipY && el.scrollHeight > el.clientHeight + 1;
      // A sticky or fixed bar whose content spills out of it covers the page.
      const pinned = cs.position === "sticky" || cs.position === "fixed";
      if (pinned && cs.overflowY === "visible" && el.scrollHeight > el.clientHeight + 1) {
        out.push(describe(el) + " spills out of its " + cs.position + " box");
        continue;
      }
      if (!(overX || overY)) continue;
      if (!(el.innerText || "").trim()) continue;   // only text matters here
      out.push(describe(el) + (overX ? " cut off at the side" : " cut off at the bottom"));
    }
    return out;
  })()`);
}

// Controls above the top of the page, or past its left edge, cannot be reached
// (the bug this catches: a bar of buttons spilling out of its fixed height).
async function unreachableControls(page) {
  return page.evaluate(`(() => {
    const describe = ${DESCRIBE};
    window.scrollTo(0, 0);
    return Array.from(document.querySelectorAll("a[href], button, input, summary"))
      .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
      .filter((el) => { const r = el.getBoundingClientRect(); return r.top < -1 || r.left < -1; })
      .filter((el) => !el.closest(".skip-link"))
      .filter((el) => {
        // Inside a panel that scrolls on its own (the contents column), the
        // reader can scroll the panel to reach it.
        for (let p = el.parentElement; p; p = p.parentElement) {
          const cs = getComputedStyle(p);
          if (/(auto|scroll)/.test(cs.overflowY + cs.overflowX) && (p.scrollTop > 0 || p.scrollLeft > 0)) return false;
        }
        return true;
      })
      .map(describe);
  })()`);
}

// The bar above the page: its buttons' rows, and Menu against the contents column.
async function headerLayout(page) {
  return page.evaluate(() => {
    const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const buttons = Array.from(document.querySelectorAll(".bd-header-article button")).filter(shown);
    const rows = [];
    for (const r of buttons.map((b) => b.getBoundingClientRect())) {
      if (!rows.some((row) => r.top < row.bottom && r.bottom > row.top)) rows.push(r);
    }
    const sidebar = document.getElementById("pst-primary-sidebar");
    const box = sidebar && sidebar.getBoundingClientRect();
    return {
      buttons: buttons.map((b) => b.innerText.trim()),
      rows: rows.length,
      menuShown: shown(document.querySelector(".bd-header-article .primary-toggle")),
      contentsShown: shown(sidebar) && box.right > 0 && box.width > 0,
    };
  });
}

// Runs in the page: what has the focus now, and how its focus ring is drawn.
const FOCUS_STOP = `(() => {
  const describe = ${DESCRIBE};
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const CONTROL_TAGS = ["A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"];
  const CONTROL_ROLES = ["button", "link", "checkbox", "radio", "switch", "tab", "menuitem", "option",
    "textbox", "searchbox", "combobox", "slider", "spinbutton"];
  // A box whose content scrolls must take a stop, or the keyboard could not
  // scroll it (WCAG 2.1.1); only while it does scroll.
  const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
  const control = (CONTROL_TAGS.includes(el.tagName) && !(el.tagName === "A" && !el.hasAttribute("href")))
    || CONTROL_ROLES.includes(el.getAttribute("role"));
  const ringOf = (node) => {
    const cs = getComputedStyle(node);
    const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0
      && !/rgba\(.*,\s*0\)$|transparent/.test(cs.outlineColor);
    if (outline) {
      const grow = parseFloat(cs.outlineWidth) + parseFloat(cs.outlineOffset || 0);
      return { by: "outline", grow };
    }
    if (cs.boxShadow && cs.boxShadow !== "none") return { by: "box-shadow", grow: 0 };
    return null;
  };
  // The ring is on the control, or on the part of it the theme draws it on.
  let ringElement = el;
  let ring = ringOf(el);
  if (!ring) {
    for (const child of el.querySelectorAll("*")) {
      if ((ring = ringOf(child))) { ringElement = child; break; }
    }
  }
  const r = el.getBoundingClientRect();
  const parts = [r, ...Array.from(el.querySelectorAll("*")).map((c) => c.getBoundingClientRect())]
    .filter((b) => b.width > 0 && b.height > 0);
  const box = ringElement.getBoundingClientRect();
  const ringBox = ring && { left: box.left - ring.grow, right: box.right + ring.grow,
    top: box.top - ring.grow, bottom: box.bottom + ring.grow };
  const overlaps = !!ringBox && parts.some((b) => b.left < ringBox.right && b.right > ringBox.left
    && b.top < ringBox.bottom && b.bottom > ringBox.top);
  // A column that scrolls cuts off what is drawn past its edges, rings too.
  let clippedBy = null;
  for (let a = ringElement.parentElement; ringBox && a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a);
    if (o.overflowX === "visible" && o.overflowY === "visible") continue;
    const c = a.getBoundingClientRect();
    const left = c.left + a.clientLeft, top = c.top + a.clientTop;
    if (ringBox.left < left - 0.5 || ringBox.right > left + a.clientWidth + 0.5
        || ringBox.top < top - 0.5 || ringBox.bottom > top + a.clientHeight + 0.5) {
      clippedBy = describe(a).slice(0, 60);
    }
    break;
  }
  return {
    element: describe(el),
    control,
    scrollRegion: !control && el.tabIndex >= 0 && scrolls,
    inHeader: !!el.closest(".bd-header-article"),
    inDialog: el.closest("dialog[open]") ? el.closest("dialog[open]").id : null,
    isDialog: el.tagName === "DIALOG",
    ring: ring ? ring.by : null,
    ringSize: [Math.round(box.width), Math.round(box.height)],
    ringOverlaps: overlaps,
    ringClippedBy: clippedBy,
    rect: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
  };
})()`;

// Tab from where the focus is until it comes round to the first stop again.
// After the last stop the focus goes to the browser's own bar once (no
// element has it); what takes a stop after that is part of the round too
// (an open panel did, itself).
//
// Each press's stop is recorded in the page when the key comes up, after the
// page's own focus handlers have run (no element: the browser's bar), and the
// Tab presses go to the browser in batches without waiting for each one: a
// press Playwright waits for costs more than ten times as much, and a page has
// hundreds of stops.
const TAB_BATCH = 40;
const TAB_DOWN = { type: "rawKeyDown", key: "Tab", code: "Tab", windowsVirtualKeyCode: 9 };
const TAB_UP = { type: "keyUp", key: "Tab", code: "Tab", windowsVirtualKeyCode: 9 };

async function tabWalk(page, limit = MAX_TAB_STOPS) {
  await page.evaluate(`(() => {
    window.bookStops = [];
    if (window.bookStopsRecorded) return;
    window.bookStopsRecorded = true;
    window.addEventListener("keyup", (event) => {
      if (event.key !== "Tab") return;
      try {
        window.bookStops.push(${FOCUS_STOP});
      } catch (error) {
        window.bookStops.push({ error: String(error) });
      }
    }, true);
  })()`);
  const cdp = await page.context().newCDPSession(page);
  const stops = [];
  let first = null;
  let outside = 0;
  let read = 0;
  let pressed = 0;
  try {
    walking: while (pressed < limit) {
      const batch = Math.min(TAB_BATCH, limit - pressed);
      const sent = [];
      for (let i = 0; i < batch; i++) sent.push(cdp.send("Input.dispatchKeyEvent", TAB_DOWN), cdp.send("Input.dispatchKeyEvent", TAB_UP));
      await Promise.all(sent);
      pressed += batch;
      const recorded = await page.evaluate((from) => window.bookStops.slice(from), read);
      read += recorded.length;
      if (recorded.length !== batch) throw new Error(`${batch} Tab presses, ${recorded.length} recorded on ${page.url()}`);
      for (const stop of recorded) {
        if (stop && stop.error) throw new Error(`recording a Tab stop on ${page.url()}: ${stop.error}`);
        if (!stop) {
          if (++outside > 1) break walking;
          continue;
        }
        if (first === null) first = stop.element;
        else if (stop.element === first) break walking;
        stops.push(stop);
      }
    }
  } finally {
    await cdp.detach();
  }
  return stops;
}

// Each panel's button: open with the keyboard, close with Escape; open with
// a click, close with its Close button. Where is the focus each time?
async function panelFocus(page) {
  const out = [];
  for (const [selector, dialogId] of [[".primary-toggle", "pst-primary-sidebar-modal"],
                                       [".secondary-toggle", "pst-secondary-sidebar-modal"]]) {
    const button = page.locator(".bd-header-article " + selector);
    if (!(await button.count()) || !(await button.isVisible())) continue;
    const result = { button: selector };
    // The focus moves when the panel's close event runs, a moment after it shuts.
    const focusIsOnOpener = () => page.waitForFunction(
      (s) => document.activeElement === document.querySelector(".bd-header-article " + s), selector, { timeout: 10000 },
    ).then(() => true, () => false);
    const dialogOpen = () => page.evaluate((id) => document.getElementById(id).open, dialogId);
    await button.focus();
    await page.keyboard.press("Enter");
    result.opensWithKeyboard = await dialogOpen();
    // The panel slides in: its stops are read once it stands still.
    await page.evaluate((id) => Promise.race([
      Promise.all(document.getElementById(id).getAnimations({ subtree: true }).map((a) => a.finished)),
      new Promise((done) => setTimeout(done, 2000)),
    ]), dialogId);
    result.panelStops = await tabWalk(page, 200);
    // The walk may end with the focus gone to the browser's own bar.
    await page.locator(`#${dialogId} .book-close-dialog`).focus();
    await page.keyboard.press("Escape");
    result.closedByEscape = !(await dialogOpen());
    result.focusAfterEscape = await focusIsOnOpener();
    await button.click();
    result.opensWithClick = await dialogOpen();
    await page.locator(`#${dialogId} .book-close-dialog`).click();
    result.closedByButton = !(await dialogOpen());
    result.focusAfterClose = await focusIsOnOpener();
    out.push(result);
  }
  return out;
}

async function checkKeyboard(windows, name, structure) {
  const runs = [];
  for (const viewport of KEYBOARD_VIEWPORTS) {
    const record = { viewport: viewport.name, foreignRequests: [], fontRequests: [], consoleErrors: [] };
    // The desktop light window still shows this page as it came (the spacing
    // styles taken out, printing over): its walk starts there, without a sixth load.
    const window = windows[`${viewport.name}-light`];
    const page = window.shown === config.base + name ? window.carryOn(record) : await window.visit(config.base + name, record);
    if (STRUCTURE_WIDTHS.includes(viewport.width) && !structure[viewport.width]) {
      structure[viewport.width] = await pageStructure(page);
    }
    record.header = await headerLayout(page);
    record.stops = await tabWalk(page);
    record.panels = await panelFocus(page);
    runs.push(record);
  }
  return runs;
}

// What a page's structure gives a phone and a screen reader: tables that
// neither scroll sideways nor squeeze a cell under 12 characters of its own
// text, each with a caption, the table still a table with that name in the
// accessibility tree; the headings; lists with nothing in them.
async function pageStructure(page) {
  const found = await page.evaluate(`(() => {
    const describe = ${DESCRIBE};
    const measure = document.createElement("canvas").getContext("2d");
    const tables = Array.from(document.querySelectorAll("main table")).map((table) => {
      const wrapper = table.parentElement;
      const narrow = [];
      for (const cell of table.querySelectorAll("td, th")) {
        if (!cell.getClientRects().length || cell.closest("thead") && getComputedStyle(cell.closest("thead")).position === "absolute") continue;
        const cs = getComputedStyle(cell);
        // Body text: the cell's font at its normal weight (a header is bold).
        measure.font = [cs.fontStyle, "400", cs.fontSize, cs.fontFamily].join(" ");
        const twelve = measure.measureText("0".repeat(12)).width;
        const width = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        if (width + 0.5 < twelve) narrow.push(describe(cell) + " is " + Math.round(width) + "px, 12 characters are " + Math.round(twelve) + "px");
      }
      const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight) || 1.2 * parseFloat(getComputedStyle(el).fontSize);
      const tallHeaders = Array.from(table.querySelectorAll("thead th"))
        .filter((th) => getComputedStyle(table.tHead).position !== "absolute")
        .map((th) => ({ th, lines: Math.round(Array.from(th.children).reduce((h, c) => h + c.getBoundingClientRect().height, 0) / lineHeight(th)) }))
        .filter(({ lines }) => lines > 2).map(({ th, lines }) => describe(th) + " on " + lines + " lines");
      return {
        caption: table.caption ? table.caption.innerText.trim() : "",
        scrolls: [table, wrapper].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => describe(el) + " " + el.scrollWidth + "px in " + el.clientWidth + "px"),
        narrow, tallHeaders,
      };
    });
    const headings = Array.from(document.querySelectorAll("article :is(h1, h2, h3, h4, h5, h6)"))
      .map((h) => ({ level: +h.tagName[1], text: h.innerText.trim() }));
    const emptyLists = Array.from(document.querySelectorAll("ul, ol")).filter((l) => !l.querySelector("li")).map(describe);
    return { tables, headings, emptyLists };
  })()`);
  // What a screen reader gets: the accessibility tree of each table.
  const tables = page.locator("main table");
  for (let i = 0; i < found.tables.length; i++) {
    found.tables[i].aria = await tables.nth(i).ariaSnapshot();
  }
  return found;
}

async function runAxe(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    AXE_TAGS,
  );
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    count: v.nodes.length,
  }));
}

// A browser window of one size and theme, kept from page to page: opening a
// window costs a second and a half of processor time here (a new renderer
// process), going to the next page in it half a second. Each visit starts
// afresh all the same: nothing stored (the theme's choice is set again as the
// page loads), the screen media, and a record of its own for the requests
// and errors seen. ``keepStorage``: what a page stores stays for the next
// (a reader's choice of theme after a reload).
class BrowserWindow {
  constructor(browser, viewport, theme, { keepStorage = false } = {}) {
    Object.assign(this, { browser, viewport, theme, keepStorage, page: null, record: null, shown: null, status: null });
  }

  async visit(url, record) {
    if (!this.page) await this.open();
    // What the last page still sends (an error as it unloads) stays in its own record.
    else await this.page.goto("about:blank");
    this.shown = null;
    this.record = record;
    const response = await this.page.goto(url, { waitUntil: "load" });
    record.status = this.status = response ? response.status() : null;
    await scriptsLoaded(this.page);
    await this.page.evaluate(() => document.fonts.ready);
    this.shown = url;
    return this.page;
  }

  // The page already open here, from now on with ``record`` for what it sends.
  carryOn(record) {
    this.record = record;
    record.status = this.status;
    this.shown = null;  // once: what the walk does to it is not "as it came"
    return this.page;
  }

  async open() {
    this.context = await this.browser.newContext({
      viewport: { width: this.viewport.width, height: this.viewport.height },
      colorScheme: this.theme,
      deviceScaleFactor: 1,
      // A first visit: no offline copy. Otherwise every page opened here would
      // install the service worker, which saves the whole book and its leaflets
      // in the background (tests/web/test_offline.py checks that worker).
      serviceWorkers: "block",
    });
    // Before the page's own scripts: what the last page stored goes (the
    // theme keeps the sidebar's scroll position, for one), and the theme the
    // reader chose last time is set (unless they have chosen since).
    await this.context.addInitScript(([t, keep]) => {
      if (!location.protocol.startsWith("http")) return;  // about:blank between pages has no storage
      if (!keep) {
        localStorage.clear();
        sessionStorage.clear();
      }
      if (!localStorage.getItem("mode")) {
        localStorage.setItem("mode", t);
        localStorage.setItem("theme", t);
      }
    }, [this.theme, this.keepStorage]);
    // axe-core, in every page of the window: sent to the browser once, not
    // with each page (half a second of processor time each).
    await this.context.addInitScript({ content: AXE_SOURCE });
    await this.context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      this.record.foreignRequests.push(url);
      return route.abort("blockedbyclient");
    });
    const page = (this.page = await this.context.newPage());
    page.on("request", (req) => {
      const u = req.url();
      if (!isLocal(u) && !this.record.foreignRequests.includes(u)) this.record.foreignRequests.push(u);
      if (/\.(woff2?|ttf|otf)(\?|$)/.test(u)) this.record.fontRequests.push(u);
    });
    page.on("console", (msg) => {
      if (msg.type() === "error") this.record.consoleErrors.push(msg.text());
    });
    page.on("pageerror", (err) => this.record.consoleErrors.push(String(err)));
  }

  async close() {
    if (this.context) await this.context.close();
  }
}

// The windows one line of pages is checked in (see checkPage).
function windowsFor(browser) {
  const windows = {};
  for (const viewport of [...VIEWPORTS, ...KEYBOARD_VIEWPORTS]) {
    for (const theme of THEMES) windows[`${viewport.name}-${theme}`] ??= new BrowserWindow(browser, viewport, theme);
  }
  return windows;
}

// The page's scripts come after its first paint (book-scripts.html), which
// can be after the load event; the buttons work once they have run.
export async function scriptsLoaded(page) {
  await page.waitForFunction(() => document.documentElement.dataset.bookScripts === "loaded", null, { timeout: 30000 });
}

async function checkPage(windows, name) {
  const url = config.base + name;
  const result = { page: name, runs: [], print: null, banner: null, structure: {} };
  for (const viewport of VIEWPORTS) {
    for (const theme of THEMES) {
      const run = {
        viewport: viewport.name, theme, foreignRequests: [], fontRequests: [], consoleErrors: [],
      };
      const page = await windows[`${viewport.name}-${theme}`].visit(url, run);
      run.appliedTheme = await page.evaluate(() => document.documentElement.dataset.theme);
      run.paintAndScripts = await page.evaluate(() => ({
        firstText: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime ?? null,
        scripts: performance.getEntriesByType("resource")
          .filter((e) => e.initiatorType === "script")
          .map((e) => ({ url: e.name, start: e.startTime })),
      }));
      run.header = await headerLayout(page);
      if (config.screenshotDir) {
        await page.screenshot({
          path: join(config.screenshotDir, `${name.replace(".html", "").replace(/\//g, "--")}-${viewport.name}-${theme}.png`),
          fullPage: viewport.name === "320px",
        });
      }
      // The light theme's page at a structure width is that width's structure check,
      // before anything is added to the page.
      if (theme === "light" && STRUCTURE_WIDTHS.includes(viewport.width)) {
        result.structure[viewport.width] = await pageStructure(page);
      }
      run.violations = await runAxe(page);
      run.overflow = await horizontalOverflow(page);
      run.unreachable = await unreachableControls(page);
      run.clipped = await clippedText(page);
      const spacing = await page.addStyleTag({ content: TEXT_SPACING_CSS });
      await page.waitForTimeout(50);
      run.spacingOverflow = await horizontalOverflow(page);
      run.spacingClipped = await clippedText(page);
      if (config.screenshotDir && viewport.name === "320px" && theme === "light") {
        await page.screenshot({
          path: join(config.screenshotDir, `${name.replace(".html", "").replace(/\//g, "--")}-320px-spacing.png`),
          fullPage: true,
        });
      }
      // Printing last, on the page as it came (the spacing styles taken out again).
      if (theme === "light" && viewport.name === "desktop") {
        await spacing.evaluate((style) => style.remove());
        await bannerAndPrint(page, name, result, run);
      }
      result.runs.push(run);
    }
  }
  result.keyboard = await checkKeyboard(windows, name, result.structure);
  for (const width of STRUCTURE_WIDTHS) {
    if (!result.structure[width]) throw new Error(`no page was opened ${width} px wide for its structure check`);
  }
  return result;
}

// What every page must show, and what printing gives (light theme, desktop);
// the page is shown on screen again afterwards.
async function bannerAndPrint(page, name, result, record) {
  result.banner = await page.evaluate(() => {
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const main = document.querySelector("main");
    const links = Array.from(main ? main.querySelectorAll("a[href]") : []).filter(visible);
    const review = document.querySelector("p.review-dates");
    return {
      reviewDates: visible(review) ? review.innerText : null,
      footer: (document.querySelector(".book-footer") || {}).innerText || null,
      leafletLinks: links.filter((a) => /leaflet\/[^/]+\.pdf$/.test(a.getAttribute("href"))).map((a) => a.href),
      errorLinks: links.filter((a) => /report an error/i.test(a.innerText)).map((a) => a.href),
    };
  });
  await page.emulateMedia({ media: "print" });
  result.print = await page.evaluate(`(() => {
    const describe = ${DESCRIBE};
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
      && getComputedStyle(el).display !== "none";
    const chrome = Array.from(document.querySelectorAll(
      "nav, button, dialog, form, input, .bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area, .skip-link"))
      .filter(shown).map(describe);
    // Links to other sites, except those whose text is already the address.
    const external = Array.from(document.querySelectorAll(".bd-article a[href^='http']:not(.book-bare-url)")).filter(shown);
    const withAddress = external.filter((a) => getComputedStyle(a, "::after").content.includes("http"));
    const body = document.querySelector(".bd-article p");
    return {
      visibleChrome: chrome,
      externalLinks: external.length,
      externalLinksWithAddress: withAddress.length,
      bodyFontPx: body ? parseFloat(getComputedStyle(body).fontSize) : null,
    };
  })()`);
  if (config.pdfDir) {
    result.print.pdf = join(config.pdfDir, name.replace(".html", ".pdf").replace(/\//g, "--"));
    await page.pdf({ path: result.print.pdf, format: "A4", printBackground: false });
  }
  result.print.foreignRequests = [...record.foreignRequests];
  await page.emulateMedia({ media: "screen" });
}

// The buttons readers use: menu (320 px), search, dark mode.
async function checkInteractions(browser) {
  const record = { foreignRequests: [], fontRequests: [], consoleErrors: [] };
  const out = {};
  const window = new BrowserWindow(browser, VIEWPORTS[1], "light", { keepStorage: true });
  const page = await window.visit(config.base + "index.html", record);
  await page.getByRole("button", { name: "Menu" }).click();
  out.menuOpens = await page.evaluate(() => document.getElementById("pst-primary-sidebar-modal").open);
  out.menuHasLinks = await page.locator("#pst-primary-sidebar-modal nav a").count();
  await page.getByRole("button", { name: "Close menu" }).click();
  out.menuCloses = await page.evaluate(() => !document.getElementById("pst-primary-sidebar-modal").open);
  await page.getByRole("button", { name: "Menu" }).click();
  await page.keyboard.press("Escape");
  out.menuClosesWithEscape = await page.evaluate(() => !document.getElementById("pst-primary-sidebar-modal").open);

  const toggle = page.getByRole("button", { name: "Dark mode" }).first();
  out.darkBefore = await page.evaluate(() => document.documentElement.dataset.theme);
  await toggle.click();
  out.darkAfter = await page.evaluate(() => document.documentElement.dataset.theme);
  out.darkPressed = await toggle.getAttribute("aria-pressed");
  await page.reload();
  await scriptsLoaded(page);  // the Search button opens its dialog once the theme's script has run
  out.darkKept = await page.evaluate(() => document.documentElement.dataset.theme);

  await page.getByRole("button", { name: "Search", exact: true }).first().click();
  out.searchOpens = await page.evaluate(() => document.getElementById("pst-search-dialog").open);
  await page.getByRole("searchbox", { name: "Search this book" }).fill("phosphate");
  await page.keyboard.press("Enter");
  await page.waitForURL(/search\.html\?q=phosphate/);
  await page.waitForSelector("#search-results li", { timeout: 20000 }).catch(() => null);
  out.searchResults = await page.locator("#search-results li").count();
  out.foreignRequests = [...record.foreignRequests];
  out.consoleErrors = [...record.consoleErrors];

  // A missing address deep in the site gets the 404 page, fully styled.
  const failed = [];
  page.on("response", (r) => { if (r.status() >= 400) failed.push(r.status() + " " + r.url()); });
  const missing = origin + (config.sitePath || "/") + "no/such/page.html";
  const response = await page.goto(missing, { waitUntil: "load" });
  out.notFound = {
    url: missing,
    status: response.status(),
    title: await page.title(),
    styled: await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes("system-ui")
      || document.styleSheets.length > 3),
    failedRequests: failed.filter((f) => !f.endsWith(missing)),
    violations: await runAxe(page),
    foreignRequests: record.foreignRequests.filter((u) => !out.foreignRequests.includes(u)),
  };
  await window.close();
  return out;
}

// Playwright gives the browser a fresh temporary profile (user data dir).
const browser = await chromium.launch({
  executablePath: config.chrome || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ],
  headless: true,
});
try {
  if (config.pdfDir) mkdirSync(config.pdfDir, { recursive: true });
  if (config.screenshotDir) mkdirSync(config.screenshotDir, { recursive: true });
  const results = { axeTags: AXE_TAGS, axeVersion: JSON.parse(readFileSync(require.resolve("axe-core/package.json"), "utf8")).version, pages: {} };
  for (const name of config.pages) results.pages[name] = null;
  const waiting = [...config.pages];
  const checker = async () => {
    const windows = windowsFor(browser);
    for (let name; (name = waiting.shift()) !== undefined;) {
      results.pages[name] = await checkPage(windows, name);
      process.stderr.write(`checked ${name}\n`);
    }
    for (const window of Object.values(windows)) await window.close();
  };
  await Promise.all(Array.from({ length: PAGES_AT_ONCE }, checker));
  results.interactions = await checkInteractions(browser);
  writeFileSync(config.out, JSON.stringify(results, null, 2));
} finally {
  await browser.close();
}
