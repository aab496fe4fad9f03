"""What every browser test shares: Debian's headless Chromium driven by Playwright (skipped on a
developer machine without it, a failure in CI), and one build of the real site (the four editions,
nbconvert renderer) served on 127.0.0.1, made once per test run for every module that reads it."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.conftest import chromium_path, need

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    need("headless Chromium (Debian package chromium)", path is not None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site(data_dir, tmp_path_factory):
    from opencyber.pipeline.build import build

    tmp = tmp_path_factory.mktemp("site")
    build(
        data_dir,
        ["2022-23", "2021-22", "2020-21", "2018-19"],
        build_dir=tmp / "build",
        site_dir=tmp / "_site",
        renderer="nbconvert",
    )
    return tmp / "_site"


@pytest.fixture(scope="session")
def build_dir(site):
    return site.parent / "build"


@pytest.fixture(scope="session")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def sample_sites(tmp_path_factory):
    """The sample edition's site rendered by Quarto and by the built-in renderer (Quarto's tests)."""
    from opencyber.pipeline.build import build
    from opencyber.settings import SAMPLE_DATA

    tmp = tmp_path_factory.mktemp("quarto-sample")
    build(SAMPLE_DATA, build_dir=tmp / "build", site_dir=tmp / "quarto", renderer="quarto")
    build(SAMPLE_DATA, build_dir=tmp / "build", site_dir=tmp / "nbconvert", renderer="nbconvert")
    return tmp / "quarto", tmp / "nbconvert"
