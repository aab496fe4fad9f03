"""Measure the build and the pages, side by side in one run (median of ``--repeat`` runs each).

    python scripts/benchmark.py [--data DIR] [--repeat 3] [--edition ID ...] [--skip-growth | --growth-repeat N]
    python scripts/benchmark.py --site _site [--throttled] [--repeat 3]   # (f) and (t) only, of a built site

The editions measured are every edition the data hold (the four real ones: 2018/19 to 2022/23)
unless ``--edition`` names others.

(a) floor: 3 x (editions) sequential papermill runs of a notebook that only imports the library's
    report modules (kernel start + imports), i.e. what the notebooks would cost if each paid for
    every import;
(b) cold sequential build of the editions (``build --force --jobs 1``, nbconvert renderer, a new
    build folder: its cache is empty);
(c) cold parallel build (``--jobs 2``);
(d) a build after editing 03_report.ipynb (a copy of notebooks/ is edited: the build's
    ``NOTEBOOKS`` is pointed at it, the checkout is never modified);
(e) a build with nothing changed;
(f) page weights: every file a page loads from the site (listed with the Chrome DevTools Protocol),
    raw and ``gzip -9``, on a first visit (the page opened and left alone: the maps, loaded when the
    reader comes near them, are not), with the maps (after scrolling to them), and for a further
    edition page after the first;
(t) throttled first visits of the edition pages (``--throttled``): 1.6 Mbit/s down, 750 kbit/s up,
    150 ms round trip (Chrome DevTools' network emulation) and a CPU slowed 4 times
    (``Emulation.setCPUThrottlingRate``), a fresh profile each run, the site served gzip-compressed
    as static hosts serve it: when the headline is painted (Element Timing), when the chart is drawn
    (the page's ``oc-chart-drawn`` mark), the load event, and the bytes transferred;
(g) growth: a synthetic registry of 10 editions built cold, then an 11th edition added.

Every build runs in a fresh Python process (``python -m opencyber build`` plus the patch of
``NOTEBOOKS``), so interpreter start and imports are counted as a user sees them. Prints Markdown:
paste it into docs/performance.md with the date. Timings on a shared machine are noisy: compare
within one run (the ratios), not across runs. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402 (the browser tests' flags: one list for both)

#: what a build subprocess runs: the CLI's build with the notebooks folder patched; prints the
#: result as one JSON line at the end
_RUNNER = r"""
import json, sys, time
from pathlib import Path
t = time.perf_counter()
import opencyber.pipeline.build as b
import opencyber.stages
opencyber.stages.NOTEBOOKS = Path(sys.argv[1])
args = json.loads(sys.argv[2])
r = b.build(**args)
print("BENCH " + json.dumps({"executed": r.executed, "seconds": r.seconds, "inproc": time.perf_counter() - t}))
"""

FLOOR_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "imports",
            "metadata": {},
            "outputs": [],
            "source": "import opencyber.report.edition_page, opencyber.report.maps, opencyber.report.charts, opencyber.report.tables",
        },
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def run_build(notebooks: Path, env: dict | None = None, **kwargs) -> tuple[float, dict]:
    """Wall seconds of one build in a new process, and what it reported."""
    kwargs.setdefault("renderer", "nbconvert")
    args = {k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()}
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(notebooks), json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"build failed:\n{proc.stdout}\n{proc.stderr}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH "))
    return wall, json.loads(line[6:])


def floor_seconds(tmp: Path, n: int) -> float:
    """n sequential papermill runs of the imports-only notebook, as the build runs them."""
    import papermill as pm

    from opencyber.stages import KERNEL_ARGUMENTS, NOTEBOOKS

    src = tmp / "floor.ipynb"
    src.write_text(json.dumps(FLOOR_NOTEBOOK))
    t = time.perf_counter()
    for i in range(n):
        pm.execute_notebook(
            str(src),
            str(tmp / f"floor-out-{i}.ipynb"),
            cwd=str(NOTEBOOKS),
            progress_bar=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
        )
    return time.perf_counter() - t


def median(xs):
    return statistics.median(xs)


def fmt(xs) -> str:
    return f"{median(xs):.1f} ({', '.join(f'{x:.1f}' for x in xs)})"


def edit_report(notebooks: Path, k: int) -> None:
    """Change 03_report.ipynb of the copy: one more Markdown cell at the end (a real edit: its page changes)."""
    path = notebooks / "03_report.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append(
        {"cell_type": "markdown", "id": f"bench-edit-{k}", "metadata": {}, "source": f"Benchmark edit {k}."}
    )
    path.write_text(json.dumps(nb, indent=1) + "\n")


# ---------------------------------------------------------------- page weights


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Gzip(_Quiet):
    """A static host as the site will have one: text files sent gzip-compressed when the browser
    accepts it (GitHub Pages, Netlify and the NHS's web servers all do)."""

    _cache: ClassVar[dict[Path, bytes]] = {}
    TEXT: ClassVar[set[str]] = {".html", ".js", ".css", ".json", ".csv", ".svg", ".geojson"}

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in self.TEXT and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = self._cache.get(path)
            if body is None:
                body = self._cache[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def _loaded_files(page, base: str, site: Path, url: str, maps: bool = True) -> tuple[list[Path], list[str]]:
    """The site's files a page loads (every response of a local URL, via CDP), and the hosts of the
    outside requests, which are blocked (only basemap tiles should be there). ``maps``: also what
    the page loads when the reader comes to its maps (``OpenCyber.loadAll``); else the page is
    opened and left alone (its charts load after the text; its maps only near the screen)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: list[str] = []
    cdp.on("Network.responseReceived", lambda e: urls.append(e["response"]["url"]))
    external: set[str] = set()

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            external.add(urlparse(r.request.url).hostname or r.request.url[:40])
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # the charts' script is asked for when the browser is idle after the load
    page.wait_for_load_state("networkidle")
    if maps:
        # the maps' and charts' scripts are loaded after the page (assets/opencyber.js): load and wait for them
        page.evaluate("() => window.OpenCyber && window.OpenCyber.loadAll && window.OpenCyber.loadAll()")
        page.wait_for_function(
            "() => !document.querySelector('script.oc-lazy') || document.documentElement.dataset.ocLazy === 'done'",
            timeout=60_000,
        )
        page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.unroute("**/*")
    cdp.detach()
    files = []
    for u in urls:
        if u.startswith(base):
            f = site / unquote(urlparse(u).path).lstrip("/")
            if f.is_file() and f not in files:
                files.append(f)
    return files, sorted(external)


_GZ: dict[Path, int] = {}


def weigh(files) -> tuple[int, int]:
    raw = gz = 0
    for f in files:
        data = f.read_bytes()
        raw += len(data)
        if f not in _GZ:
            _GZ[f] = len(gzip.compress(data, 9, mtime=0))
        gz += _GZ[f]
    return raw, gz


def page_weights(site: Path, editions: list[str]):
    """For each page: its first visit (fresh profile), raw and gzip, the scripts it loads, outside
    hosts. For each edition page also a further visit: opened after another edition page in the
    same profile, so only files that page did not load count (the rest is in the browser cache)."""
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        for html in sorted(site.glob("*.html")):
            name = html.stem
            ctx = browser.new_context()
            first, _ = _loaded_files(ctx.new_page(), base, site, base + html.name, maps=False)
            ctx.close()
            ctx = browser.new_context()
            files, external = _loaded_files(ctx.new_page(), base, site, base + html.name)
            ctx.close()
            further = None
            if name in editions:
                before = editions[1] if name == editions[0] else editions[0]
                ctx = browser.new_context()
                seen, _ = _loaded_files(ctx.new_page(), base, site, f"{base}{before}.html")
                again, _ = _loaded_files(ctx.new_page(), base, site, base + html.name)
                ctx.close()
                further = (before, weigh([f for f in again if f not in seen]))
            scripts = sorted(f.name for f in files if f.suffix == ".js" and f.parent.name != "maps")
            rows.append((name, weigh(first), weigh(files), further, scripts, external))
        browser.close()
    httpd.shutdown()
    return rows


# ---------------------------------------------------------------- throttled first visits

#: the profile of issue 21: a slow mobile connection and a slow phone
THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4

#: records paint and element timings from the start of the page (Element Timing: the headline's
#: paragraph carries elementtiming="oc-headline")
_PERF_INIT = """
window.__oc = {};
try {
  new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) {
    if (e.identifier) { window.__oc[e.identifier] = e.renderTime || e.loadTime; }
  }); }).observe({ type: "element", buffered: true });
  new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { window.__oc[e.name] = e.startTime; }); })
    .observe({ type: "paint", buffered: true });
} catch (e) {}
"""


def throttled_visits(site: Path, pages: list[str], repeat: int, compressed: bool = True) -> list[tuple]:
    """Each page opened ``repeat`` times, each in a fresh profile, throttled (:data:`THROTTLE`,
    :data:`CPU_SLOWDOWN`), from the gzip-serving host: (page, [runs]) with, per run, milliseconds
    from the start of navigation to the first paint, the headline painted, the load event and the
    chart drawn, and the bytes transferred (compressed) until the chart is drawn."""
    from playwright.sync_api import sync_playwright

    handler = _Gzip if compressed else _Quiet
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name in pages:
            runs = []
            for _ in range(repeat):
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                ctx.add_init_script(_PERF_INIT)
                page = ctx.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                cdp = ctx.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", THROTTLE)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                sizes: dict[str, int] = {}
                cdp.on(
                    "Network.loadingFinished",
                    lambda e, sizes=sizes: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
                )
                page.goto(base + f"{name}.html", wait_until="load", timeout=120_000)
                page.wait_for_function(
                    "() => performance.getEntriesByType('mark').some(m => m.name.startsWith('oc-chart-drawn'))",
                    timeout=120_000,
                    polling=100,
                )
                t = page.evaluate("""() => ({
                  fcp: window.__oc["first-contentful-paint"] || null,
                  headline: window.__oc["oc-headline"] || null,
                  load: performance.getEntriesByType("navigation")[0].loadEventEnd,
                  chart: Math.min(...performance.getEntriesByType("mark").filter(m => m.name.startsWith("oc-chart-drawn")).map(m => m.startTime)),
                })""")
                t["bytes"] = sum(sizes.values())
                runs.append(t)
                cdp.detach()
                ctx.close()
            out.append((name, runs))
        browser.close()
    httpd.shutdown()
    return out


def print_page_weights(site: Path, editions: list[str]) -> None:
    print("\n## Pages (files loaded from the site; bytes raw / gzip -9)\n")
    print(
        "First visit: the page opened and left alone (its charts load after its text; its maps only when "
        "the reader comes near them). With the maps: after scrolling to them.\n"
    )
    print(
        "| page | first visit raw | first visit gzip | with the maps raw | with the maps gzip | further edition page (after) raw | gzip | scripts loaded | outside requests (blocked) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for name, (raw1, gz1), (raw, gz), further, scripts, external in page_weights(site, editions):
        f = f"{further[1][0]:,} (after {further[0]}) | {further[1][1]:,}" if further else "- | -"
        print(
            f"| {name} | {raw1:,} | {gz1:,} | {raw:,} | {gz:,} | {f} | {', '.join(scripts)} | {', '.join(external) or 'none'} |"
        )


def print_throttled(site: Path, editions: list[str], repeat: int) -> None:
    for compressed in (True, False):
        host = (
            "a host that compresses (gzip), as static hosts do"
            if compressed
            else "a host that does not compress (python -m http.server)"
        )
        print(
            f"\n## Throttled first visits at 390 × 844 (1.6 Mbit/s, 150 ms, CPU × {CPU_SLOWDOWN}), {host}; "
            f"milliseconds from navigation, median of {repeat} (the runs)\n"
        )
        print("| page | first paint | headline painted | load event | chart drawn | bytes transferred |")
        print("|---|---:|---:|---:|---:|---:|")
        _print_throttled_rows(site, editions, repeat, compressed)


def _print_throttled_rows(site: Path, editions: list[str], repeat: int, compressed: bool) -> None:

    def ms(runs, key):
        xs = [r[key] for r in runs if r[key] is not None]
        return f"{median(xs):,.0f} ({', '.join(f'{x:,.0f}' for x in xs)})" if xs else "-"

    for name, runs in throttled_visits(site, editions, repeat, compressed):
        print(
            f"| {name} | {ms(runs, 'fcp')} | {ms(runs, 'headline')} | {ms(runs, 'load')} | {ms(runs, 'chart')} | "
            f"{median([r['bytes'] for r in runs]):,.0f} |"
        )


# ---------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("OPEN_CYBER_DATA"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-growth", action="store_true")
    ap.add_argument("--growth-repeat", type=int, default=None, help="runs of the growth step (default: --repeat)")
    ap.add_argument(
        "--edition", action="append", help="an edition to build (repeatable; default: every edition the data hold)"
    )
    ap.add_argument("--site", help="measure this built site's pages only (f, and t with --throttled): no builds")
    ap.add_argument("--throttled", action="store_true", help="also (t): throttled first visits of the edition pages")
    args = ap.parse_args()
    from opencyber.inputs.locations import resolve_data_dir
    from opencyber.inputs.registry import load_registry

    if args.site:
        site = Path(args.site).resolve()
        editions = [e for e in load_registry(data_dir=args.data) if (site / f"{e}.html").is_file()]
        print_page_weights(site, editions)
        if args.throttled:
            print_throttled(site, editions, args.repeat)
        return

    data = resolve_data_dir(args.data).resolve()
    n = args.repeat
    wanted = args.edition or [e.id for e in load_registry(data_dir=data).values() if not e.missing_inputs(data)]
    n_notebooks = 3 * len(wanted)
    with tempfile.TemporaryDirectory(prefix="opencyber-bench-") as tmp:
        tmp = Path(tmp)
        notebooks = tmp / "notebooks"
        shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        res: dict[str, list[float]] = {k: [] for k in "abcde"}
        executed: dict[str, int] = {}
        for i in range(n):  # interleaved, so that a slow spell of the machine touches every kind
            res["a"].append(floor_seconds(tmp, n_notebooks))
            for key, jobs in (("b", 1), ("c", 2)):
                dirs = tmp / f"{key}{i}"
                wall, out = run_build(
                    notebooks,
                    data_dir=data,
                    build_dir=dirs / "build",
                    site_dir=dirs / "site",
                    force=True,
                    jobs=jobs,
                    editions=wanted,
                )
                res[key].append(wall)
                executed[key] = len(out["executed"])
        work = tmp / "c0"  # built by (c) from the copy of the notebooks
        for i in range(n):
            edit_report(notebooks, i)
            wall, out = run_build(
                notebooks, data_dir=data, build_dir=work / "build", site_dir=work / "site", editions=wanted
            )
            res["d"].append(wall)
            executed["d"] = len(out["executed"])
        for _ in range(n):
            wall, out = run_build(
                notebooks, data_dir=data, build_dir=work / "build", site_dir=work / "site", editions=wanted
            )
            res["e"].append(wall)
            executed["e"] = len(out["executed"])

        floor = median(res["a"])
        print(f"\n## Build ({', '.join(wanted)}; seconds, median of {n} (the runs); ratio = median / floor)\n")
        print("| measure | notebooks executed | seconds | ÷ floor |\n|---|---:|---:|---:|")
        labels = {
            "a": f"(a) floor: {n_notebooks} papermill runs of an imports-only notebook",
            "b": "(b) cold build, --jobs 1",
            "c": "(c) cold build, --jobs 2",
            "d": "(d) after editing 03_report.ipynb",
            "e": "(e) nothing changed",
        }
        for k, label in labels.items():
            print(f"| {label} | {executed.get(k, n_notebooks)} | {fmt(res[k])} | {median(res[k]) / floor:.2f} |")

        site = tmp / "c0" / "site"  # every edition measured
        editions = [e for e in load_registry(data_dir=data) if (site / f"{e}.html").is_file()]
        print_page_weights(site, editions)
        if args.throttled:
            print_throttled(site, editions, n)

        if args.skip_growth:
            return
        from tests.synthetic import write_edition, write_registry_of

        syn = tmp / "synthetic"
        write_edition(syn)
        reg10, reg11 = write_registry_of(tmp / "ten.toml", 10), write_registry_of(tmp / "eleven.toml", 11)
        cold, add, added = [], [], 0
        for i in range(args.growth_repeat or n):
            dirs = tmp / f"g{i}"
            wall, out = run_build(
                notebooks,
                env={"OPEN_CYBER_REGISTRY": str(reg10)},
                data_dir=syn,
                build_dir=dirs / "build",
                site_dir=dirs / "site",
            )
            cold.append(wall)
            ten = len(out["executed"])
            wall, out = run_build(
                notebooks,
                env={"OPEN_CYBER_REGISTRY": str(reg11)},
                data_dir=syn,
                build_dir=dirs / "build",
                site_dir=dirs / "site",
            )
            add.append(wall)
            added = len(out["executed"])
        print("\n## Growth (synthetic editions, default --jobs)\n")
        print("| measure | notebooks executed | seconds | seconds per edition |\n|---|---:|---:|---:|")
        print(f"| 10 editions, cold | {ten} | {fmt(cold)} | {median(cold) / 10:.2f} |")
        print(f"| add an 11th edition | {added} | {fmt(add)} | {median(add):.2f} |")


if __name__ == "__main__":
    main()
