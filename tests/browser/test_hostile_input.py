"""Hostile organisation names are shown as text everywhere and never run as script.

The synthetic edition (tests/synthetic.py) is written with names containing HTML, script, quotes,
a very long name and right-to-left text, in the ODS file, the export and the ONS lookup; the site is
built from it and every page is opened in headless Chromium.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from opencyber.pipeline.build import build
from tests.browser.conftest import _Quiet

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
QUOTES = 'St John\'s "Hospital" & <b>Care</b>'
LONG = "A VERY LONG NAME " * 30
RTL = "مستشفى الاختبار NHS TRUST"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from tests.synthetic import write_edition, write_registry

    tmp = tmp_path_factory.mktemp("hostile")
    data = write_edition(tmp / "data")
    d = data / "23_24"
    etr = d / "etr.csv"
    etr.write_text(
        etr.read_text()
        .replace('"ALPHA HOSPITAL NHS TRUST"', f'"{IMG}"')
        .replace('"ALPHA COMMUNITY NHS TRUST"', '"' + QUOTES.replace('"', '""') + '"')
        .replace('"BETA HOSPITAL NHS TRUST"', f'"{LONG}"')
        .replace('"SILENT NHS TRUST"', f'"{RTL}"')
    )
    export = d / "dspt_export.csv"
    export.write_text(export.read_text().replace("A GP PRACTICE", '"' + SCRIPT + '"'))
    lookup = d / "lookup.csv"
    lookup.write_text(
        lookup.read_text().replace("NHS Alpha Integrated Care Board", '"NHS <script>alert(3)</script> Alpha ICB"')
    )
    registry = write_registry(tmp / "editions.toml")
    mp = pytest.MonkeyPatch()
    mp.setenv("OPEN_CYBER_REGISTRY", str(registry))
    try:
        build(data, build_dir=tmp / "build", site_dir=tmp / "site", renderer="nbconvert")
    finally:
        mp.undo()
    return tmp / "site"


PAGES = ["index", "methodology", "data", "accessibility", "2023-24", "2023-24-curation", "2023-24-scoring"]


@pytest.fixture(scope="module")
def hostile_pages(hostile_site, browser):
    """The hostile site served on 127.0.0.1, with the session's browser (a second Playwright in the
    same thread would fail while the first runs)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(hostile_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield browser, base
    httpd.shutdown()


@pytest.mark.parametrize("name", PAGES)
def test_no_script_runs_from_a_name(hostile_pages, name):
    browser, base = hostile_pages
    page = browser.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    page.goto(f"{base}/{name}.html")
    page.wait_for_load_state("networkidle")
    if name == "2023-24":  # the maps load when the reader comes near them: ask for them
        page.evaluate("() => window.OpenCyber.loadAll()")
        page.wait_for_selector("path.oc-trust", timeout=30_000)
    assert dialogs == []
    assert errors == []
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("main script", has_text="alert(").count() == 0
    page.close()


def test_hostile_names_show_as_text_in_tables_and_tooltips(hostile_pages):
    browser, base = hostile_pages
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    page.goto(f"{base}/2023-24.html")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.OpenCyber.loadAll()")
    page.wait_for_selector("path.oc-trust", timeout=30_000)
    text = page.locator("main").text_content()
    from opencyber.report.tables import readable_name

    # names as the tables show them: in readable case (the RTL name ends in ODS capitals "NHS TRUST")
    for name in (IMG, QUOTES, readable_name(RTL), "NHS <script>alert(3)</script> Alpha ICB"):
        assert name in text, name
    status_map = page.locator(".leaflet-container").nth(0)
    status_map.scroll_into_view_if_needed()
    page.wait_for_selector(".leaflet-container[data-oc-fitted]", timeout=30_000)  # fitted to its areas
    page.wait_for_timeout(500)
    assert status_map.locator("path.oc-trust").count() == 5
    tips = []
    for i in range(status_map.locator("path.oc-trust").count()):
        status_map.locator("path.oc-trust").nth(i).hover(force=True)
        tips.append(page.locator(".leaflet-tooltip").last.inner_text())
    page.wait_for_timeout(300)
    assert dialogs == []  # hovering a hostile name ran no script
    from opencyber.report.tables import (
        readable_name,  # names in ODS capitals are shown in readable case
    )

    assert any(IMG in t for t in tips) and any(readable_name(RTL) in t for t in tips), tips
    page.close()
