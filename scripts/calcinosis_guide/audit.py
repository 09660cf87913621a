"""Benchmark the web book: Lighthouse (mobile, default throttling) on every page.

Serves the built book (``BUILD_DIR/html``) from 127.0.0.1 with gzip, the way
a host would, and runs Lighthouse from ``node_modules`` in Debian's Chromium
(``CHROME_PATH``, default ``/usr/bin/chromium``; nothing is downloaded). For
every page it records the four category scores, the Largest Contentful Paint
and the bytes transferred on a first view, writes them to
``BUILD_DIR/audit/results.json``, prints a table, and exits with status 1 if
any page misses a target (standards W3):

    performance = accessibility = best practices = SEO = 100,
    largest contentful paint <= 1.2 s, first view <= 60 KB transferred.

The first view is what the page itself loads; what the offline service
worker saves in the background after the page has loaded is counted apart
(``background_bytes``), since no reader waits for it.

Usage: scripts/audit_web.py [--build-dir _build] [--runs 3] [--page index.html ...]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path.cwd()
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100}
MAX_BYTES = 60 * 1024
MAX_LCP_MS = 1200
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                "image/svg+xml", "application/ld+json")
# Flags for Debian's Chromium running as root in a container, with nothing
# phoning home (no component updates, no sync, no QUIC).
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage")


# --- A local host for the built site ------------------------------------------

class _GzipHandler(SimpleHTTPRequestHandler):
    """Serves files from ``directory`` with gzip, like a production host.

    Missing pages get the site's 404.html with status 404. Responses are
    cached in memory per file, so each file is compressed once.
    """

    protocol_version = "HTTP/1.1"
    _cache: dict[tuple[str, bool], tuple[bytes, str]] = {}
    _lock = threading.Lock()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - base-class name
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self._respond(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._respond(head=False)

    site_path = "/"

    def _respond(self, head: bool) -> None:
        root = Path(self.directory)
        path = unquote(urlsplit(self.path).path)
        # The book is also served under its path on the real host (e.g.
        # /en/latest/), which the 404 page's links use.
        if self.site_path != "/" and path.startswith(self.site_path):
            path = "/" + path[len(self.site_path):]
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        status = HTTPStatus.OK
        if root.resolve() not in target.parents or not target.is_file():
            status = HTTPStatus.NOT_FOUND
            target = root / "404.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        body, ctype = self._load(target, gzip_ok) if target.is_file() else (b"Not found", "text/plain")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Vary", "Accept-Encoding")
        if gzip_ok and ctype.startswith(COMPRESSIBLE):
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _load(self, target: Path, gzip_ok: bool) -> tuple[bytes, str]:
        key = (str(target), gzip_ok)
        with self._lock:
            if key not in self._cache:
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype == "application/javascript":
                    ctype += "; charset=utf-8"
                data = target.read_bytes()
                if gzip_ok and ctype.startswith(COMPRESSIBLE):
                    data = gzip.compress(data, compresslevel=9, mtime=0)
                self._cache[key] = (data, ctype)
            return self._cache[key]


def site_path(html_dir: str | Path) -> str:
    """The book's path on its host, e.g. /en/latest/, as the build gave it to the 404 page.

    That is ``notfound_urls_prefix``: the base address's path from
    docs/book.toml unless the build was given another with
    ``-D notfound_urls_prefix=...`` (as the GitHub Pages workflow does). The
    404 page's ``data-content_root`` holds it; "/" for a build without a 404 page.
    """
    from bs4 import BeautifulSoup

    page = Path(html_dir) / "404.html"
    if not page.is_file():
        return "/"
    root = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").html.get("data-content_root", "/")
    return root if root.startswith("/") else "/"


@contextlib.contextmanager
def serve(html_dir: str | Path) -> Iterator[str]:
    """Serve ``html_dir`` on 127.0.0.1 with gzip; yields the base URL (ends in /).

    The same files are also served under the book's path on its host
    (``site_path(html_dir)``, e.g. http://127.0.0.1:PORT/en/latest/); a
    missing address gets the book's 404.html with status 404, as on the host.
    """
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").is_file():
        raise FileNotFoundError(f"{html_dir}: no index.html; build the book first (make html)")
    handler = type("Handler", (_GzipHandler,), {"_cache": {}, "site_path": site_path(html_dir)})

    def make_handler(*args, **kwargs):
        return handler(*args, directory=str(html_dir), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def pages(html_dir: str | Path) -> list[str]:
    """Every HTML page of the book, as paths relative to ``html_dir``."""
    html_dir = Path(html_dir)
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith("_")
    )


# --- Lighthouse ---------------------------------------------------------------

def chrome_path() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: Chromium not found (Debian: apt-get install chromium; or set CHROME_PATH)")
    return path


def run_lighthouse(url: str, workdir: Path) -> dict:
    """One Lighthouse run (mobile, simulated throttling: the defaults); the parsed report."""
    report = workdir / "report.json"
    profile = workdir / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    flags = " ".join((*CHROME_FLAGS, f"--user-data-dir={profile}"))
    cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
           f"--chrome-flags={flags}", "--only-categories=" + ",".join(CATEGORIES)]
    env = dict(os.environ, CHROME_PATH=chrome_path())
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def summarise(page: str, report: dict) -> dict:
    audits = report["audits"]
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failing = sorted(
        f"{c}: {ref['id']}"
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if ref.get("weight", 0) > 0
        and audits[ref["id"]]["score"] is not None
        and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        and audits[ref["id"]]["score"] < (0.9 if c == "performance" else 1)
    )
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    page_requests = [r for r in requests if r.get("sessionTargetType", "page") != "worker"]
    return {
        "page": page,
        "scores": scores,
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "bytes": sum(r.get("transferSize", 0) for r in page_requests),
        "background_bytes": sum(r.get("transferSize", 0) for r in requests if r not in page_requests),
        "requests": len(page_requests),
        "below_target": failing,
    }


def misses(row: dict) -> list[str]:
    out = [f"{c} {row['scores'][c]} < {t}" for c, t in TARGETS.items() if row["scores"][c] < t]
    if row["lcp_ms"] > MAX_LCP_MS:
        out.append(f"LCP {row['lcp_ms']} ms > {MAX_LCP_MS} ms")
    if row["bytes"] > MAX_BYTES:
        out.append(f"first view {row['bytes'] / 1024:.1f} KB > {MAX_BYTES // 1024} KB")
    return out


def table(rows: list[dict]) -> str:
    w = max([len("page")] + [len(r["page"]) for r in rows])
    head = f"{'page':<{w}} {'perf':>4} {'a11y':>4} {'b-p':>4} {'seo':>4} {'LCP ms':>7} {'KB':>7} {'reqs':>4}  result"
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r["scores"]
        miss = misses(r)
        lines.append(
            f"{r['page']:<{w}} {s['performance']:>4} {s['accessibility']:>4} {s['best-practices']:>4} "
            f"{s['seo']:>4} {r['lcp_ms']:>7} {r['bytes'] / 1024:>7.1f} {r['requests']:>4}  "
            + ("ok" if not miss else "MISSED: " + "; ".join(miss))
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default="_build", help="build folder holding html/ (default _build)")
    parser.add_argument("--runs", type=int, default=1,
                        help="Lighthouse runs per page; with several, the median run by performance counts (default 1)")
    parser.add_argument("--page", action="append", help="audit only this page (repeatable), e.g. index.html")
    args = parser.parse_args(argv)

    build = Path(args.build_dir)
    html_dir = build / "html"
    if not LIGHTHOUSE.exists():
        print(f"error: {LIGHTHOUSE.relative_to(ROOT)} missing; run `npm ci` (or `make audit`)", file=sys.stderr)
        return 2
    try:
        chrome_path()
        todo = args.page or pages(html_dir)
        rows = []
        with serve(html_dir) as base, tempfile.TemporaryDirectory(prefix="audit-") as tmp:
            for page in todo:
                runs = [summarise(page, run_lighthouse(base + page, Path(tmp))) for _ in range(max(1, args.runs))]
                runs.sort(key=lambda r: r["scores"]["performance"])
                row = runs[len(runs) // 2]
                row["performance_runs"] = [r["scores"]["performance"] for r in runs]
                rows.append(row)
                print(f"  {page}: performance {row['performance_runs']}, {row['bytes'] / 1024:.1f} KB", flush=True)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    out = build / "audit" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "targets": {**TARGETS, "max_bytes": MAX_BYTES, "max_lcp_ms": MAX_LCP_MS},
        "lighthouse": json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())["version"],
        "settings": "mobile (Moto G Power emulation), simulated Slow 4G throttling, gzip from 127.0.0.1",
        "median_performance": statistics.median(r["scores"]["performance"] for r in rows),
        "pages": rows,
    }
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(rows))
    print(f"\nresults: {out}")
    missed = [r["page"] for r in rows if misses(r)]
    if missed:
        print(f"{len(missed)} page(s) missed a target: {', '.join(missed)}", file=sys.stderr)
        return 1
    print(f"all {len(rows)} pages meet the targets")
    return 0

