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


def _wire_bytes(page, url: str, block: bool = True) -> tuple[int, list[str]]:
    """Bytes received over the network (CDP encodedDataLength) while loading ``url``, and the hosts of
    the requests that were blocked (everything not on 127.0.0.1). Playwright turns the HTTP cache off
    while requests are routed, so a cached (repeat) visit is measured with ``block=False`` (this
    machine has no network: outside requests fail by themselves)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(int(e.get("encodedDataLength", 0))))
    external: set[str] = set()

    def route(r):
        if r.request.url.startswith("http://127.0.0.1"):
            r.continue_()
        else:
            external.add(r.request.url.split("/")[2])
            r.abort()

    if block:
        page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    if block:
        page.unroute("**/*")
    cdp.detach()
    return sum(received), sorted(external)


def page_weights(site: Path, pages: list[str], repeat_after: str) -> list[tuple[str, int, int, int, list[str]]]:
    """(page, HTML bytes, first-visit bytes, repeat-visit bytes, blocked hosts) for each page.

    First visit: a fresh browser profile. Repeat visit: the page opened after ``repeat_after`` in
    the same profile, so the shared assets (scripts, styles) come from the browser cache.
    """
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
            first, external = _wire_bytes(ctx.new_page(), f"{base}/{name}.html")
            ctx.close()
            ctx = browser.new_context()
            _wire_bytes(ctx.new_page(), f"{base}/{repeat_after}.html", block=False)
            repeat, _ = _wire_bytes(ctx.new_page(), f"{base}/{name}.html", block=False)
            ctx.close()
            rows.append((name, (site / f"{name}.html").stat().st_size, first, repeat, external))
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
        latest = result.editions[0].id
        print(f"\n## Pages (bytes over the wire; repeat visit = after opening {latest}.html in the same browser)\n")
        print("| page | HTML bytes | first visit | repeat visit | external requests (blocked) |\n|---|---:|---:|---:|---|")
        for name, html_b, first, repeat, ext in page_weights(site, pages, latest):
            print(f"| {name} | {html_b:,} | {first:,} | {repeat:,} | {', '.join(ext) or 'none'} |")


if __name__ == "__main__":
    main()
