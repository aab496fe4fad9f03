"""The pages across editions in headless Chromium: the organisation finder (search, permanent links,
the full export on demand), trends and all sectors; axe-core clean at 1366 and 390 px.

Screenshots go to test-artifacts/ (look at them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_site import (
    AXE,
    PageVisit,
    serious_axe_violations,
)
from tests.conftest import need

WIDTHS = (1366, 390)


def visit(browser, server, name, width=1366, hash_=""):
    v = PageVisit(browser, server, name)
    v.page.set_viewport_size({"width": width, "height": 900})
    if hash_:
        v.page.goto(f"{server}/{name}.html{hash_}")
        v.page.wait_for_load_state("networkidle")
    return v


def _clean(v):
    assert v.non_tile_external() == [] and v.failed_local == [] and v.page_errors == []
    assert v.unexplained_console_errors() == []


@pytest.mark.parametrize(
    "query", ["RA4", "yeovil", "Yeovil District Hospital NHS FT", "YEOVIL DISTRICT HOSPITAL NHS FOUNDATION TRUST"]
)
def test_finder_finds_yeovil_with_its_status_in_every_edition(browser, server, query):
    v = visit(browser, server, "finder")
    v.page.fill("#oc-q", query)
    status = v.page.locator("#oc-status")
    expect(status).to_contain_text("found")
    assert status.get_attribute("aria-live") == "polite"
    row = v.page.locator("#oc-results tbody tr", has=v.page.locator("a", has_text="RA4")).first
    expect(row).to_contain_text("Yeovil District Hospital NHS Foundation Trust")
    cells = row.locator("td").all_inner_texts()
    # 2022/23 (closed before the snapshot), 2021/22, 2020/21, 2018/19 ("Standards not fully met (plan agreed)")
    assert cells[-4:] == ["out of scope", "Standards Met", "Standards Met", "Approaching Standards"]
    _clean(v)
    v.page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_permanent_link_opens_the_organisation(browser, server, width):
    v = visit(browser, server, "finder", width, "#org=RA4")
    title = v.page.locator("#oc-org-title")
    expect(title).to_have_text("Yeovil District Hospital NHS Foundation Trust (RA4)")
    history = v.page.locator("#oc-org table tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Not Published")  # as published; not scored: closed before the snapshot
    expect(history.nth(0)).to_contain_text("NHS Somerset Integrated Care Board")
    expect(v.page.locator("#oc-org")).to_contain_text("Taken over by (successors)")
    expect(v.page.locator("#oc-org")).to_contain_text("Somerset NHS Foundation Trust (RH5)")
    v.page.fill("#oc-q", "yeovil")
    expect(v.page.locator("#oc-status")).to_contain_text("1 NHS organisation found")
    v.screenshot(f"finder-RA4-{width}")
    _clean(v)
    v.page.close()


def test_a_ccg_links_to_its_icb(browser, server):
    v = visit(browser, server, "finder", 1366, "#org=00L")
    expect(v.page.locator("#oc-org")).to_contain_text("QHM")
    v.page.locator("#oc-org a", has_text="(QHM)").click()
    expect(v.page.locator("#oc-org-title")).to_contain_text("(QHM)")
    v.page.close()


def test_full_export_is_fetched_only_when_searched(browser, server):
    v = visit(browser, server, "finder")
    requested = []
    v.page.on("request", lambda r: requested.append(r.url))
    v.page.fill("#oc-q", "pricewaterhouse")
    expect(v.page.locator("#oc-status")).to_contain_text("0 NHS organisations found")
    assert not any("finder_all" in u for u in requested)
    v.page.check("#oc-f-all")
    expect(v.page.locator("#oc-results")).to_contain_text("8HY80", timeout=30_000)
    assert any("finder_all.json" in u for u in requested)
    _clean(v)
    v.page.close()


def test_trends_table_and_chart(browser, server):
    v = visit(browser, server, "trends")
    v.page.wait_for_selector("#oc-trends-chart .main-svg", timeout=30_000)
    assert v.page.locator("#oc-trends-chart .point").count() > 0 or v.page.locator("#oc-trends-chart path").count() > 0
    expect(v.page.locator("main table").first).to_contain_text("2022/23")
    expect(v.page.locator("main")).to_contain_text("trusts compared")
    _clean(v)
    v.page.close()


@pytest.mark.parametrize("name", ["finder", "trends", "sectors"])
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_clean_and_no_page_overflow(browser, server, name, width):
    need("axe-core (installed by `npm ci` from package-lock.json)", AXE.is_file())
    v = visit(browser, server, name, width)
    if name == "finder":
        v.page.fill("#oc-q", "nhs")
        expect(v.page.locator("#oc-status")).to_contain_text("found")
    else:
        v.page.wait_for_selector(".oc-plotly .main-svg", timeout=30_000)
    v.screenshot(f"{name}-{width}")
    violations = serious_axe_violations(v.page)
    overflow = v.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    v.page.close()
    assert violations == []
    assert overflow <= 1


def test_first_load_of_the_finder_is_at_most_150_kb_gzip(site):
    import gzip
    import re

    html = (site / "finder.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="(assets/[^"]+)"', html) + ["assets/data/finder_nhs.json"]
    total = len(gzip.compress(html.encode(), 9)) + sum(
        len(gzip.compress((site / r).read_bytes(), 9)) for r in set(refs)
    )
    assert "assets/data/finder_all.json" not in refs
    assert total <= 150_000, total


def test_sectors_page_has_both_full_exports_and_the_alignment(browser, server, build_dir):
    import pandas as pd

    v = visit(browser, server, "sectors")
    for date, label, sectors in (("2019-06-17", "2018/19", 26), ("2022-09-09", "2021/22", 14)):
        v.page.wait_for_selector(f"#oc-sectors-chart-{date} .main-svg", timeout=30_000)
        assert v.page.locator(f"#oc-sectors-chart-{date} .barlayer .point").count() > 0
        wide = pd.read_csv(build_dir / "all-editions" / f"sectors_status_wide_{date}.csv")
        table = v.page.locator(
            "table.oc-table",
            has=v.page.locator(
                "caption", has_text=f"Organisations of each sector by latest DSPT status, {label} export"
            ),
        )
        assert table.locator("tbody tr").count() == len(wide) == sectors
    align = v.page.locator("table.oc-table", has=v.page.locator("caption", has_text="sectors they are read as"))
    assert align.locator("tbody tr").count() == 26
    expect(v.page.locator("main")).to_contain_text("have no area in the export")
    expect(v.page.locator("main")).to_contain_text("7,246 GP practices open on 31 March 2019")
    ccgs = v.page.locator("table.oc-table", has=v.page.locator("caption", has_text="GP practices of each CCG"))
    assert ccgs.locator("tbody tr").count() == len(pd.read_csv(build_dir / "all-editions" / "sectors_gp_ccgs.csv"))
    for href in v.page.locator("main a[download]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert v.page.request.get(f"{server}/{href}").ok, href
    _clean(v)
    v.page.close()


@pytest.mark.parametrize("edition", ["2022-23", "2021-22", "2020-21", "2018-19"])
def test_edition_pages_link_to_the_trend_of_each_sector(browser, server, edition):
    v = visit(browser, server, edition)
    hrefs = v.page.locator("main a[href^='trends.html#']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == 3  # one per sector of the edition
    v.page.goto(f"{server}/trends.html")
    for href in hrefs:
        anchor = href.split("#", 1)[1]
        target = v.page.locator(f"[id='{anchor}']")
        assert target.count() == 1, href
        assert target.evaluate("e => e.tagName") == "H3"
        assert edition in target.locator("xpath=following-sibling::p[1]").inner_html()  # the section names the edition
    v.page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_sectors_page_maps_gp_practices_by_icb(browser, server, build_dir, width):
    import json

    import pandas as pd

    gp = pd.read_csv(build_dir / "all-editions" / "sectors_gp_areas.csv", keep_default_na=False)
    newest = gp[(gp["export_date"] == gp["export_date"].max()) & (gp["area_code"] != "(unknown)")]
    areas = json.loads((build_dir / "all-editions" / "sectors_gp_map.geojson").read_text(encoding="utf-8"))
    # the map's areas are the table's ICBs, with the same figures
    drawn = {f["properties"]["code"]: f["properties"] for f in areas["features"]}
    assert set(drawn) == set(newest["area_code"]) and len(drawn) == 42
    for r in newest.itertuples():
        assert (drawn[r.area_code]["practices"], drawn[r.area_code]["met_or_exceeded"]) == (
            r.practices,
            r.met_or_exceeded,
        )
    v = PageVisit(browser, server, "sectors", (width, 900), touch=width < 500)
    gp_map = v.page.locator(".leaflet-container")
    gp_map.scroll_into_view_if_needed()
    v.page.wait_for_selector(".leaflet-container[data-oc-fitted] path.oc-area", timeout=30_000)
    assert gp_map.count() == 1 and gp_map.locator("path.oc-area").count() == 42
    assert "GP practices that met the standard" in gp_map.get_attribute("aria-label")
    box = gp_map.bounding_box()
    outside = gp_map.locator("path.oc-area").evaluate_all(
        "(ps, b) => ps.filter(p => { const r = p.getBoundingClientRect(); return r.left < b.x - 2 || r.right > b.x + b.width + 2; }).length",
        box,
    )
    assert outside == 0
    legend = v.page.locator(".oc-legend", has_text="GP practices met or exceeded")
    assert legend.count() == 1 and legend.locator("li").count() == 5
    gp_map.locator("path.oc-area").first.hover(force=True)
    tip = v.page.locator(".oc-tooltip").first
    expect(tip).to_contain_text("GP practices")
    _clean(v)
    v.page.close()
