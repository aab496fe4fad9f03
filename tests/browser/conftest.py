"""The browser every browser test shares: Debian's headless Chromium driven by Playwright (skipped on a
developer machine without it, a failure in CI)."""

from __future__ import annotations

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
