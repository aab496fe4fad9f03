"""The site rendered by Quarto (``--renderer quarto``) in headless Chromium: the same pages as the
nbconvert renderer's, both maps and the chart drawn, nothing requested but tiles, no console error.

Quarto cannot be pip-installed, so this module is skipped where ``quarto`` is not on PATH (as in CI).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from tests.browser.conftest import _Quiet
from tests.browser.test_site import (
    ALL_PAGES,
    AXE,
    EDITIONS,
    LAYOUT,
    WIDTHS,
    PageVisit,
    serious_axe_violations,
)
from tests.conftest import need, real_data_dir

pytestmark = pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")

NARRATIVE = ("index", "methodology", "data", "accessibility")


def _serve(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _site_files(site):
    return sorted(
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.is_file() and ((p.suffix == ".html" and p.parent == site) or p.parts[len(site.parts)] == "downloads")
    )


@pytest.fixture(scope="module")
def sample_server(sample_sites):
    httpd, base = _serve(sample_sites[0])
    yield base
    httpd.shutdown()


def test_quarto_site_has_the_nbconvert_sites_pages_and_downloads(sample_sites):
    quarto, nbconvert = sample_sites
    assert _site_files(quarto) == _site_files(nbconvert)
    for name in ("assets/site.css", "assets/opencyber.js", "assets/widgets.js", "assets/widgets.css"):
        assert (quarto / name).is_file(), name
    for page in quarto.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in html and "jquery" not in html.lower(), page.name
        assert html.count("<title>") == 1
        assert ("assets/plotly.min.js" in html) == ('class="oc-plotly"' in html), page.name  # only where a chart is
        assert ("assets/plotly.min.js" in html) == (
            page.name in ("sample.html", "index.html", "trends.html", "sectors.html")
        ), page.name
        ours = (nbconvert / page.name).read_text(encoding="utf-8")
        assert (
            html[html.index("<title>") : html.index("</title>")] == ours[ours.index("<title>") : ours.index("</title>")]
        )


def test_quarto_sample_page_draws_both_maps_and_the_chart_offline(browser, sample_server):
    visit = PageVisit(browser, sample_server, "sample")
    visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    visit.screenshot("quarto-sample")
    page = visit.page
    assert page.locator("p.oc-banner").inner_text().startswith("Sample data:")
    status_map, composite_map = (page.locator(".leaflet-container").nth(i) for i in (0, 1))
    assert status_map.locator("path.oc-area").count() == 5
    assert status_map.locator("path.oc-trust").count() == 16
    assert composite_map.locator("path.oc-area").count() == 5
    assert len(status_map.locator("path.oc-area").first.get_attribute("d") or "") > 50
    assert page.locator(".oc-chart .main-svg").count() >= 1
    # the maps' data are kept apart from the page, loaded with the maps (render.externalise_map_state)
    assert page.locator("script#oc-geometries").count() == 0
    assert "/assets/maps/sample.js" in page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name).join(' ')"
    )
    assert visit.non_tile_external() == [] and visit.failed_local == []
    assert visit.unexplained_console_errors() == [] and visit.page_errors == []
    page.close()


@pytest.mark.parametrize("name", NARRATIVE + ("sample-curation", "sample-scoring"))
def test_quarto_other_sample_pages_load_cleanly(browser, sample_server, name):
    visit = PageVisit(browser, sample_server, name)
    assert visit.external == [] and visit.failed_local == [] and visit.page_errors == []
    assert visit.unexplained_console_errors() == []
    assert visit.page.locator("main h1").count() == 1
    visit.page.close()


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    from opencyber.pipeline.build import build

    data = real_data_dir()
    need("the real data pack (OPEN_CYBER_DATA)", data is not None)  # fails in CI
    tmp = tmp_path_factory.mktemp("quarto-real")
    build(data, ["2022-23", "2021-22", "2020-21"], build_dir=tmp / "build", site_dir=tmp / "_site", renderer="quarto")
    httpd, base = _serve(tmp / "_site")
    yield base
    httpd.shutdown()


def test_quarto_real_edition_page_draws_every_area_and_bar_offline(browser, real_server):
    visit = PageVisit(browser, real_server, "2022-23")
    visit.page.wait_for_selector("path.oc-trust", timeout=60_000)
    visit.screenshot("quarto-2022-23")
    page = visit.page
    status_map = page.locator(".leaflet-container").nth(0)
    assert status_map.locator("path.oc-area").count() == 42
    assert status_map.locator("path.oc-trust").count() == 210  # RA4 closed before the snapshot
    assert status_map.locator("path.oc-region").count() == 7
    assert page.locator(".leaflet-container").nth(1).locator("path.oc-area").count() == 42
    assert page.locator("#chart-status-by-sector .barlayer .point").count() == 15
    # the previous edition (Quarto's script makes a page's links absolute once it has loaded)
    assert page.eval_on_selector_all("main nav.oc-around a[rel=prev]", "a => a.map(e => e.href)") == [
        f"{real_server}/2021-22.html"
    ]
    assert visit.non_tile_external() == [] and visit.failed_local == []
    assert visit.unexplained_console_errors() == [] and visit.page_errors == []
    page.close()


@pytest.mark.parametrize("name", NARRATIVE + ("sample", "sample-curation", "sample-scoring"))
def test_quarto_sample_pages_are_axe_clean(browser, sample_server, name):
    assert AXE.is_file(), "axe-core is installed by `npm ci`"
    visit = PageVisit(browser, sample_server, name)
    if name == "sample":
        visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    violations = serious_axe_violations(visit.page)
    visit.page.close()
    assert violations == []


def test_every_internal_link_of_the_quarto_site_resolves(sample_sites):
    import re

    quarto, _ = sample_sites
    broken = []
    for page in sorted(quarto.glob("*.html")):
        for href in re.findall(r'href="([^"#:?]+)(?:[#?][^"]*)?"', page.read_text(encoding="utf-8")):
            if not href.startswith("//") and not (quarto / href).exists():
                broken.append((page.name, href))
    assert broken == []


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: f"{v[0]}px")
@pytest.mark.parametrize("name", ALL_PAGES)
def test_quarto_every_real_page_reads_on_a_phone_and_a_desktop(browser, real_server, name, viewport):
    """The width checks of the built-in renderer's site (test_site.py), on the Quarto site."""
    need("axe-core (installed by `npm ci` from package-lock.json)", AXE.is_file())
    visit = PageVisit(browser, real_server, name, viewport, touch=viewport[0] < 500)
    if name in EDITIONS:
        visit.page.wait_for_selector(".leaflet-container[data-oc-fitted] path.oc-trust", timeout=60_000)
        visit.page.wait_for_timeout(400)
    visit.screenshot(f"quarto-{name}-{viewport[0]}px")
    layout = visit.page.evaluate(LAYOUT)
    violations = serious_axe_violations(visit.page)
    visit.page.close()
    assert layout["overflow"] == [], "wider than the screen, outside a labelled scroll region"
    assert violations == []
    if name in EDITIONS:
        assert layout["tabs"] <= 80, layout["tabs"]
        assert layout["plot"] is not None and layout["plot"] >= min(300, viewport[0] - 60), layout["plot"]
        assert len(layout["maps"]) == 2
        for m in layout["maps"]:
            assert m["fitted"] and m["outside"] == 0, m


#: what a reader sees of a page's look: the header, the type, the column, the links, the banner and
#: the footer (computed styles and boxes)
LOOK = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {x: Math.round(r.x), w: Math.round(r.width), top: Math.round(r.top), bottom: Math.round(r.bottom)}; };
  const style = (sel, props) => { const e = document.querySelector(sel); if (!e) return null;
    const s = getComputedStyle(e); return Object.assign(Object.fromEntries(props.map(p => [p, s[p]])), {box: box(e)}); };
  const header = document.querySelector('body > header');
  const search = document.querySelector('form.oc-search');
  return {
    header: style('body > header', ['color']), header_colour: getComputedStyle(header.querySelector('nav') || header).backgroundColor === 'rgba(0, 0, 0, 0)' ? getComputedStyle(header).backgroundColor : getComputedStyle(header.querySelector('nav') || header).backgroundColor,
    brand: style('body > header a', ['fontWeight', 'fontSize', 'color', 'fontFamily']),
    tagline: style('body > header .oc-tagline', ['fontSize', 'color', 'fontFamily']), tagline_text: document.querySelector('body > header .oc-tagline')?.textContent,
    search_in_header: !!search && header.contains(search),
    h1: style('main h1', ['fontWeight', 'fontSize', 'fontFamily', 'color']),
    h2: style('main h2', ['fontWeight', 'fontSize']),
    text: style('main p', ['fontSize', 'lineHeight', 'color']),
    link: style('main p a', ['color']),
    banner: style('.oc-banner', ['backgroundColor', 'fontFamily', 'fontWeight']),
    footer: style('.oc-footer', ['backgroundColor', 'color', 'fontSize', 'fontFamily']),
  };
}"""


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: f"{v[0]}px")
@pytest.mark.parametrize("name", ("index", "sample", "methodology"))
def test_quarto_and_the_built_in_renderer_give_pages_of_one_look(browser, sample_sites, name, viewport):
    """The same header (the site's blue, the brand, the search box in it), type, column, links,
    banner and footer on both renderers' pages, at a phone's width and a desktop's."""
    looks = []
    for site in sample_sites:
        httpd, base = _serve(site)
        try:
            visit = PageVisit(browser, base, name, viewport)
            visit.screenshot(f"look-{site.name}-{name}-{viewport[0]}px")
            looks.append(visit.page.evaluate(LOOK))
            visit.page.close()
        finally:
            httpd.shutdown()
    quarto, ours = looks
    width = viewport[0]
    assert quarto["header_colour"] == ours["header_colour"] == "rgb(0, 94, 184)"
    assert quarto["search_in_header"] and ours["search_in_header"]
    assert quarto["tagline_text"] == ours["tagline_text"] == "NHS cyber security compliance (DSPT), an open report"
    for part in ("brand", "tagline", "h1", "h2", "text", "link", "banner", "footer"):
        q, o = dict(quarto[part]), dict(ours[part])
        qbox, obox = q.pop("box"), o.pop("box")
        if part in ("h1", "h2"):  # JupyterLab's stack names three emoji fonts more; the same text font
            q["fontFamily" if "fontFamily" in q else "fontSize"] = q.get("fontFamily", q["fontSize"]).split(', "Apple')[
                0
            ]
            o["fontFamily" if "fontFamily" in o else "fontSize"] = o.get("fontFamily", o["fontSize"]).split(', "Apple')[
                0
            ]
        assert q == o, part
        if part in ("banner", "footer"):
            assert qbox["x"] == obox["x"] == 0 and qbox["w"] == obox["w"] == width, part  # across the page
        if part in ("h1", "text"):  # the same column: the text starts where it does on ours, and ends
            # within the 20 px that JupyterLab keeps right of a Markdown cell's text but not of an output's
            # on a phone (the built-in renderer's pages differ by that much between the two)
            assert abs(qbox["x"] - obox["x"]) <= 1 and abs(qbox["w"] - obox["w"]) <= 20, (part, qbox, obox)
    # the banner right under the header, on both
    assert abs(quarto["banner"]["box"]["top"] - quarto["header"]["box"]["bottom"]) <= 2
    assert abs(ours["banner"]["box"]["top"] - ours["header"]["box"]["bottom"]) <= 2


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: f"{v[0]}px")
def test_the_keyboard_meets_the_skip_link_then_the_site_then_the_search_on_both_renderers(
    browser, sample_sites, viewport
):
    """The first stops of the keyboard are the same on both renderers' pages: the skip link (which
    takes the focus past the header), the site's name, the search box (the accessibility statement
    says: the third stop)."""
    for site in sample_sites:
        httpd, base = _serve(site)
        try:
            visit = PageVisit(browser, base, "index", viewport, touch=viewport[0] < 500)
            stops = []
            for _ in range(3):
                visit.page.keyboard.press("Tab")
                stops.append(visit.page.evaluate("() => document.activeElement.className || document.activeElement.id"))
            assert stops[0] == "oc-skip" and stops[2] == "oc-q", (site.name, stops)
            assert visit.page.locator("a.oc-skip").inner_text() == "Skip to main content"
            visit.page.close()
        finally:
            httpd.shutdown()
