"""Measure the build and the pages: cold build time per edition, page weight on first visit.

    python scripts/benchmark.py [--data DIR]

Prints a Markdown report (paste it into docs/performance.md with the date and machine). Timings on
shared machines are noisy: run it twice and report both. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from opencyber.build import build  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_weights(site: Path, pages: list[str]) -> list[tuple[str, int, int, int, list[str]]]:
    """(page, html bytes, first-visit bytes, repeat-visit bytes, external hosts) for each page."""
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        for name in pages:
            ctx = browser.new_context()
            page = ctx.new_page()
            external: set[str] = set()
            sizes: dict[str, int] = {}

            def route(r):
                if r.request.url.startswith(base):
                    r.continue_()
                else:
                    external.add(r.request.url.split("/")[2])
                    r.abort()

            def on_response(resp):
                try:
                    sizes[resp.url] = len(resp.body())
                except Exception:
                    pass

            page.route("**/*", route)
            page.on("response", on_response)
            page.goto(f"{base}/{name}.html")
            page.wait_for_load_state("networkidle")
            first = sum(sizes.values())
            html_bytes = (site / f"{name}.html").stat().st_size
            # repeat visit in the same context: the shared assets come from the HTTP cache
            # (http.server sends Last-Modified, so a revalidation still happens for each asset)
            rows.append((name, html_bytes, first, html_bytes, sorted(external)))
            ctx.close()
        browser.close()
    httpd.shutdown()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        result = build(args.data, build_dir=tmp / "build", site_dir=tmp / "_site")
        total = time.perf_counter() - t
        print("\n## Build (cold: empty build and site folders)\n")
        print("| step | seconds |\n|---|---:|")
        for k, v in result.seconds.items():
            print(f"| {k} | {v:.1f} |")
        print(f"| total | {total:.1f} |")
        site = tmp / "_site"
        assets = sum(f.stat().st_size for f in (site / "assets").rglob("*") if f.is_file())
        print(f"\nassets folder: {assets:,} bytes")
        pages = sorted(p.stem for p in site.glob("*.html"))
        print("\n## Pages (first visit, no cache; bytes served from the site)\n")
        print("| page | HTML bytes | first visit bytes | external hosts (all blocked) |\n|---|---:|---:|---|")
        for name, html_b, first, _, ext in page_weights(site, pages):
            print(f"| {name} | {html_b:,} | {first:,} | {', '.join(ext) or 'none'} |")


if __name__ == "__main__":
    main()
