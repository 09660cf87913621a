"""`make bench`: how long the build and the leaflets take, and how much memory.

A benchmark, not a test: it prints a table and writes
``_build/bench/results.json``; it judges against the targets but is never
part of ``make test``. Every figure is measured here, on this machine, from
whole processes (wall clock, and the CPU time and peak memory the operating
system accounts to finished child processes), except the leaflet's stages
and the floor, which are timed inside one warm process.

The floor is WeasyPrint alone laying out and writing the final leaflet HTML:
no build, no template, no checks. A batch's marginal cost per leaflet is set
against it, so the ratio says how much the project adds to WeasyPrint.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from calcinosis_guide import render
from calcinosis_guide.outputs import leaflet_content_path

# Targets from the project's issue on the leaflet at scale.
MAX_RATIO_TO_FLOOR = 1.15
MIN_SPEEDUP = 1.8
MAX_STANDARD_PDF_BYTES = 250_000
MAX_NOOP_MAKE_SECONDS = 1.0
MAX_ONE_PAGE_EDIT_SECONDS = 4.0

CLINIC = 'name = "Clinic {n}"\nphone = "020 7946 {n:04d}"\nhours = "Monday to Friday, 9am to 5pm"\n' \
         'urgent_help = "Out of hours, call the ward on 020 7946 0999."\n'


# Runs a command and reports what the kernel accounted to it and its descendants
# alone, so one measurement's peak memory is not another's.
ACCOUNTANT = """
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]), file=sys.stderr)
"""


def run(command: list[str], **kwargs) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak memory (KiB) of one whole command."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", ACCOUNTANT, *map(str, command)],
                            capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    code, cpu, peak = json.loads(result.stderr.strip().splitlines()[-1])
    if code != 0:
        raise SystemExit(f"bench: {' '.join(map(str, command))} failed:\n{result.stderr[-2000:]}")
    return wall, cpu, peak


def median_of(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def make_figures(work: Path, runs: int) -> dict:
    docs = work / "docs"
    shutil.copytree("docs", docs, ignore=shutil.ignore_patterns("_build"))
    build = work / "build"
    make = ["make", f"SOURCEDIR={docs}", f"BUILDDIR={build}"]
    clean = run(make)[0]
    noop = median_of(runs, lambda: run(make)[0])
    page = docs / "what-it-is.md"
    original = page.read_text(encoding="utf-8")

    stamp = build / "leaflet" / ".inputs-en.sha256"

    def edit(marker: str, leaflets_change: bool) -> float:
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(marker, marker + " again", 1) if marker + " again" not in text
                        else text.replace(marker + " again", marker, 1), encoding="utf-8")
        before = stamp.read_text()
        seconds = run(make)[0]
        if (stamp.read_text() != before) != leaflets_change:
            raise SystemExit(f"bench: editing {marker!r} in {page} should {'' if leaflets_change else 'not '}"
                             "make the leaflets again; pick another phrase")
        return seconds

    figures = {}
    # A phrase of a leaflet passage (the book and every default leaflet are made
    # again), and one of the page only (the book alone).
    for key, marker, leaflets_change in (("one_page_edit_make_s", "a cancer has spread. A blood problem", True),
                                         ("one_page_edit_book_only_make_s", "in skin that was healthy before", False)):
        if marker not in original:
            raise SystemExit(f"bench: {page} no longer says {marker!r}; pick another phrase")
        figures[key] = median_of(runs, lambda: edit(marker, leaflets_change))
        page.write_text(original, encoding="utf-8")
        run(make)
    return {"clean_make_s": clean, "noop_make_s": noop, **figures, "build": build}


def stage_figures(build: Path, runs: int) -> dict:
    """One A4 leaflet in its stages, and the floor, each the median of warm runs."""
    import weasyprint

    timings: dict[str, list[float]] = {k: [] for k in ("read_handover", "template", "layout", "write", "floor",
                                                       "floor_cpu")}
    out = build / "bench-stage.pdf"
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        t0 = time.perf_counter()
        content = render.read_handover(leaflet_content_path(build, "en"))
        t1 = time.perf_counter()
        html = render.render_html(content, "a4", False, None)
        t2 = time.perf_counter()
        document = weasyprint.HTML(string=html, base_url=str(render.LEAFLET_DIR) + "/",
                                   url_fetcher=render.project_only_fetcher()).render(pdf_variant="pdf/ua-1")
        t3 = time.perf_counter()
        document.write_pdf(out, pdf_variant="pdf/ua-1", pdf_identifier=render.stable_identifier(html))
        t4 = time.perf_counter()
        cpu = time.process_time()
        weasyprint.HTML(string=html, base_url=str(render.LEAFLET_DIR) + "/").write_pdf(
            build / "bench-floor.pdf", pdf_variant="pdf/ua-1")
        t5 = time.perf_counter()
        timings["floor_cpu"].append(time.process_time() - cpu)
        for key, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            timings[key].append(seconds)
    figures = {f"stage_{key}_s": statistics.median(values[1:]) for key, values in timings.items()
               if not key.startswith("floor")}
    figures["floor_s"] = statistics.median(timings["floor"][1:])
    # The batch's cost is CPU time, so it is held against the floor's CPU time.
    figures["floor_cpu_s"] = statistics.median(timings["floor_cpu"][1:])
    figures["standard_pdf_bytes"] = (build / "leaflet" / "calcinosis-leaflet-en-a4.pdf").stat().st_size
    return figures


def batch(build: Path, work: Path, clinics: int, jobs: int, name: str) -> tuple[float, float, int]:
    folder = work / f"clinics-{name}"
    folder.mkdir()
    for n in range(clinics):
        (folder / f"clinic-{n:04d}.toml").write_text(CLINIC.format(n=n), encoding="utf-8")
    command = [sys.executable, "scripts/build_leaflet.py", "--build-dir", str(build), "--clinics", str(folder),
               "--paper", "a4", "--jobs", str(jobs), "--output", str(work / f"out-{name}")]
    figures = run(command)
    shutil.rmtree(work / f"out-{name}")
    return figures


def batch_figures(build: Path, work: Path, small: int, large: int, memory_sizes: list[int]) -> dict:
    cores = os.cpu_count() or 1
    wall_small, cpu_small, _ = batch(build, work, small, cores, "small")
    wall_large, cpu_large, _ = batch(build, work, large, cores, "large")
    wall_one, _, _ = batch(build, work, large, 1, "one-worker")
    figures = {
        "batch_cores": cores,
        "batch_leaflets": large,
        "batch_wall_s": wall_large,
        "batch_marginal_cpu_s_per_leaflet": (cpu_large - cpu_small) / (large - small),
        "batch_one_worker_wall_s": wall_one,
        "speedup_all_cores_over_one": wall_one / wall_large,
    }
    for size in memory_sizes:
        _, _, peak = batch(build, work, size, cores, f"memory-{size}")
        figures[f"peak_memory_mib_at_{size}_clinics"] = peak / 1024
    return figures


def versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("weasyprint", "sphinx", "sphinx-book-theme", "pydata-sphinx-theme")}


def verdicts(results: dict) -> list[tuple[str, str, bool]]:
    ratio = results["batch_marginal_cpu_s_per_leaflet"] / results["floor_cpu_s"]
    results["ratio_to_floor"] = ratio
    return [
        ("no-op make", f"{results['noop_make_s']:.2f} s (at most {MAX_NOOP_MAKE_SECONDS:g})",
         results["noop_make_s"] <= MAX_NOOP_MAKE_SECONDS),
        ("make after a one-page edit of a leaflet passage",
         f"{results['one_page_edit_make_s']:.2f} s (at most {MAX_ONE_PAGE_EDIT_SECONDS:g})",
         results["one_page_edit_make_s"] <= MAX_ONE_PAGE_EDIT_SECONDS),
        ("batch cost / floor", f"{ratio:.2f} (at most {MAX_RATIO_TO_FLOOR:g})", ratio <= MAX_RATIO_TO_FLOOR),
        (f"speed-up, {results['batch_cores']} workers over 1", f"{results['speedup_all_cores_over_one']:.2f} "
         f"(at least {MIN_SPEEDUP:g} on 2 cores)", results["speedup_all_cores_over_one"] >= MIN_SPEEDUP),
        ("standard A4 PDF", f"{results['standard_pdf_bytes'] / 1000:.1f} KB (at most {MAX_STANDARD_PDF_BYTES / 1000:g})",
         results["standard_pdf_bytes"] <= MAX_STANDARD_PDF_BYTES),
    ]


def table(results: dict, checks: list[tuple[str, str, bool]]) -> str:
    rows = [("figure", "value")]
    for key, value in results.items():
        if isinstance(value, float):
            rows.append((key, f"{value:.3f}"))
        elif isinstance(value, (int, str)):
            rows.append((key, str(value)))
    rows += [(f"target: {name}", f"{text} {'met' if ok else 'MISSED'}") for name, text, ok in checks]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"| {a.ljust(width)} | {b} |" for a, b in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the build and the leaflets (make bench).")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"))
    parser.add_argument("--runs", type=int, default=3, help="repeats for the medians (default 3)")
    parser.add_argument("--batch", type=int, default=40, help="clinics in the timed batch (default 40)")
    parser.add_argument("--memory-sizes", default="200,1000",
                        help="batch sizes whose peak memory is measured (default 200,1000)")
    args = parser.parse_args(argv)
    results: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     "machine": f"{platform.platform()}, {os.cpu_count()} cores",
                     "python": platform.python_version(), **versions()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        made = make_figures(work, args.runs)
        build = made.pop("build")
        results.update(made)
        results.update(stage_figures(build, args.runs))
        sizes = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
        results.update(batch_figures(build, work, max(4, args.batch // 10), args.batch, sizes))
    checks = verdicts(results)
    out = args.build_dir / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "targets": [
        {"target": name, "value": text, "met": ok} for name, text, ok in checks]}, indent=1) + "\n")
    print(table(results, checks))
    print(f"\nwritten to {out}")
    return 0 if all(ok for *_, ok in checks) else 1
