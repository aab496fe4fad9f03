"""The bundled fictional sample edition's site in headless Chromium: it needs no data pack, so this
runs on every machine with Chromium. The banner says the data are fictional, both maps are drawn from
geometries the page carries once, and nothing but tiles is requested."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.browser.conftest import _Quiet
from tests.browser.test_site import AXE, PageVisit, serious_axe_violations
from tests.conftest import need


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory):
    from opencyber.pipeline.build import build
    from opencyber.settings import SAMPLE_DATA

    tmp = tmp_path_factory.mktemp("sample-site")
    build(SAMPLE_DATA, build_dir=tmp / "build", site_dir=tmp / "_site", renderer="nbconvert")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / "_site")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def sample_page(browser, sample_server):
    visit = PageVisit(browser, sample_server, "sample")
    visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    visit.screenshot("sample")
    yield visit
    visit.page.close()


def test_sample_page_says_it_is_fictional(sample_page):
    banner = sample_page.page.locator("p.oc-banner")
    assert banner.is_visible()
    assert banner.inner_text().startswith(
        "Sample data: every organisation, code, area and status on this page is fictional."
    )


def test_sample_maps_draw_every_area_from_the_shared_geometries(sample_page):
    status_map, composite_map = (sample_page.page.locator(".leaflet-container").nth(i) for i in (0, 1))
    assert status_map.locator("path.oc-area").count() == 5
    assert status_map.locator("path.oc-region").count() == 2
    assert status_map.locator("path.oc-trust").count() == 16
    assert composite_map.locator("path.oc-area").count() == 5
    # the polygons are really drawn (a geometry left as a reference would give an empty path)
    for m in (status_map, composite_map):
        d = m.locator("path.oc-area").first.get_attribute("d")
        assert d and len(d) > 50


def test_sample_page_makes_no_request_but_tiles_and_logs_no_error(sample_page):
    assert sample_page.non_tile_external() == []
    assert sample_page.failed_local == []
    assert sample_page.unexplained_console_errors() == []
    assert sample_page.page_errors == []


def test_sample_page_has_no_serious_accessibility_violation(browser, sample_server):
    need("axe-core (installed by `npm ci` from package-lock.json)", AXE.is_file())
    visit = PageVisit(browser, sample_server, "sample")
    visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    violations = serious_axe_violations(visit.page)
    visit.page.close()
    assert violations == []
