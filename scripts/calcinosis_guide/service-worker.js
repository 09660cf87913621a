/* The book's offline copy (calcinosis_guide.offline writes BOOK_VERSION and
   BOOK_FILES above this line).

   Installed: saves every file in BOOK_FILES. Then, for every request inside
   the book: the network first (a page is never older than the host's), the
   answer saved for next time; with no network, the saved copy. A page shown
   from a saved copy carries the date it was saved (data-book-saved-on on
   <html>), which the page's script turns into a notice. */
"use strict";

/* One book's caches: other books or versions on the same host (Read the
   Docs' /en/latest/ and /en/stable/) keep theirs. */
const PREFIX = "calcinosis-offline " + self.registration.scope + " ";
const CACHE = PREFIX + BOOK_VERSION;
const SAVED_ON = "X-Book-Saved-On";

async function save(cache, request, response) {
  const headers = new Headers(response.headers);
  /* The saved body is the decoded one, of its own length. */
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  headers.set(SAVED_ON, new Date().toISOString());
  const body = await response.blob();
  await cache.put(request, new Response(body, { status: response.status, statusText: response.statusText, headers }));
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    /* One by one: a file the host lacks (a leaflet of a build without
       leaflets) must not keep the rest from being saved. */
    await Promise.all(BOOK_FILES.map(async (name) => {
      const url = new URL(name, self.location);
      try {
        const response = await fetch(url, { cache: "reload" });
        if (response.ok) await save(cache, url, response);
      } catch (error) {
        /* Saved the next time it is opened online. */
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function savedCopy(request) {
  const cache = await caches.open(CACHE);
  /* A style or script saved under another ?v= is better than nothing. */
  const response = (await cache.match(request)) || (await cache.match(request, { ignoreSearch: true }));
  if (!response || request.mode !== "navigate") return response;
  const savedOn = response.headers.get(SAVED_ON) || "";
  const html = (await response.text()).replace("<html", `<html data-book-saved-on="${savedOn}"`);
  return new Response(html, { status: response.status, headers: response.headers });
}

async function networkFirst(event) {
  const request = event.request;
  const page = request.mode === "navigate";
  try {
    /* Pages: asked of the host again even when the browser holds a copy,
       so a changed page shows at once. */
    const response = await (page ? fetch(request.url, { cache: "no-cache", redirect: "manual", credentials: "same-origin" })
                                 : fetch(request));
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => save(cache, request.url, copy)));
    }
    return response;
  } catch (error) {
    const saved = await savedCopy(request);
    if (saved) return saved;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(networkFirst(event));
});
