"""The built 2022/23 site in headless Chromium, served on 127.0.0.1 with every other host blocked.

Screenshots of every page go to test-artifacts/ (look at them).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, need

ARTIFACTS = ROOT / "test-artifacts"
TILE_HOSTS = ("tile.openstreetmap.org",)


class PageVisit:
    """A page opened with every non-local request blocked and recorded."""

    def __init__(
        self,
        browser,
        base: str,
        name: str,
        viewport: tuple[int, int] = (1280, 900),
        touch: bool = False,
        load_maps: bool = True,
    ):
        self.page = browser.new_page(
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=touch, is_mobile=touch
        )
        self.external: list[str] = []
        self.failed_local: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

        def route(r):
            if r.request.url.startswith(base):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.failed_local.append(f"{r.status} {r.url}"))
        self.page.goto(f"{base}/{name}.html")
        self.page.wait_for_load_state("networkidle")
        if load_maps:  # the maps load when the reader comes near them; the tests ask for them at once
            self.load_maps()

    def load_maps(self) -> None:
        self.page.evaluate("() => window.OpenCyber && window.OpenCyber.loadAll && window.OpenCyber.loadAll()")

    def non_tile_external(self) -> list[str]:
        return [u for u in self.external if not any(h in u for h in TILE_HOSTS)]

    def unexplained_console_errors(self) -> list[str]:
        # Blocked tile requests log "Failed to load resource"; nothing else may be logged.
        return [e for e in self.console_errors if not e.startswith("Failed to load resource: net::ERR_FAILED")]

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def edition_page(browser, server):
    visit = PageVisit(browser, server, "2022-23")
    visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    visit.screenshot("2022-23")
    yield visit
    visit.page.close()


def test_status_map_draws_42_icbs_210_trusts_and_7_regions(edition_page):
    status_map = edition_page.page.locator(".leaflet-container").nth(0)
    assert status_map.locator("path.oc-area").count() == 42
    assert status_map.locator("path.oc-trust").count() == 210  # RA4 closed before the snapshot
    assert status_map.locator("path.oc-region").count() == 7


def test_composite_map_draws_42_icbs(edition_page):
    composite = edition_page.page.locator(".leaflet-container").nth(1)
    assert composite.locator("path.oc-area").count() == 42
    assert composite.locator("path.oc-trust").count() == 0


def test_legends_name_every_status_in_order(edition_page):
    legends = edition_page.page.locator(".oc-map-legends .oc-legend")
    assert legends.count() == 3  # status map; composite map: scores and trust pies
    assert edition_page.page.locator(".leaflet-container .oc-legend").count() == 0  # under the maps, not in them
    assert [t for t in legends.nth(0).inner_text().split("\n") if t.strip()] == [
        "DSPT status",
        "Standards Exceeded",
        "Standards Met",
        "Approaching Standards",
        "Standards Not Met",
        "Not Published",
    ]
    titles = sorted(legends.nth(i).inner_text().split("\n")[0] for i in (1, 2))
    assert titles == ["Composite score", "Trusts (pies)"]


def test_layers_control_toggles_the_trust_markers(edition_page):
    page = edition_page.page
    status_map = page.locator(".leaflet-container").nth(0)
    box = status_map.locator(".leaflet-control-layers label", has_text="NHS trusts by status").locator("input")
    box.uncheck()
    assert status_map.locator("path.oc-trust").count() == 0
    box.check()
    assert status_map.locator("path.oc-trust").count() == 210


def test_tooltip_shows_code_name_and_status(edition_page):
    page = edition_page.page
    status_map = page.locator(".leaflet-container").nth(0)
    status_map.scroll_into_view_if_needed()
    status_map.locator("path.oc-area").first.hover(force=True)
    tip = page.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=5_000)
    lines = tip.inner_text().split("\n")
    # code, readable name, region, status
    assert lines[0].startswith("ICB Q") and lines[1].startswith("NHS ") and lines[1] != lines[1].upper()
    assert lines[2] and not lines[2].startswith("Status") and lines[3].startswith("Status: ")


def test_bar_chart_is_drawn_with_every_bar(edition_page):
    chart = edition_page.page.locator("#chart-status-by-sector")
    assert chart.locator(".main-svg").count() >= 1
    assert chart.locator(".barlayer .point").count() == 15  # 3 sectors x 5 statuses
    figure = edition_page.page.locator("figure.oc-chart", has=chart)
    assert "Standards Met" in figure.locator(".oc-chart-legend").text_content()
    assert figure.locator(".oc-chart-title").text_content().endswith("met or exceeded the 2022/23 standard")


def test_edition_page_makes_no_request_but_tiles_and_logs_no_error(edition_page):
    assert edition_page.non_tile_external() == []
    assert edition_page.failed_local == []
    assert edition_page.page_errors == []
    assert edition_page.unexplained_console_errors() == []


@pytest.mark.parametrize(
    "edition, newer, ccgs, trusts", [("2021-22", "2022-23", 106, 212), ("2020-21", "2021-22", 135, 216)]
)
def test_ccg_era_page_draws_ccgs_42_ics_and_trusts(browser, server, edition, newer, ccgs, trusts):
    visit = PageVisit(browser, server, edition)
    visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    visit.screenshot(edition)
    status_map = visit.page.locator(".leaflet-container").nth(0)
    assert status_map.locator("path.oc-area").count() == ccgs
    assert status_map.locator("path.oc-area-outline").count() == 42
    assert status_map.locator("path.oc-trust").count() == trusts
    composite = visit.page.locator(".leaflet-container").nth(1)
    assert composite.locator("path.oc-area").count() == 42
    assert visit.non_tile_external() == [] and visit.failed_local == [] and visit.page_errors == []
    assert visit.unexplained_console_errors() == []
    # the newer edition links back to this one
    visit.page.goto(visit.page.url.replace(f"{edition}.html", f"{newer}.html"))
    assert visit.page.locator(f"main a[href='{edition}.html']").count() == 1
    visit.page.close()


EDITIONS = ("2022-23", "2021-22", "2020-21")  # the editions with maps
UNMAPPED = ("2018-19",)  # no geography of its year in the data: tables only
NARRATIVE = ("index", "finder", "trends", "sectors", "methodology", "data", "accessibility")
ALL_PAGES = (
    NARRATIVE + EDITIONS + UNMAPPED + tuple(f"{e}-{p}" for e in EDITIONS + UNMAPPED for p in ("curation", "scoring"))
)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize(
    "name", NARRATIVE + UNMAPPED + tuple(f"{e}-{p}" for e in EDITIONS + UNMAPPED for p in ("curation", "scoring"))
)
def test_other_pages_load_cleanly(browser, server, name):
    visit = PageVisit(browser, server, name)
    visit.screenshot(name)
    assert visit.non_tile_external() == [] and visit.failed_local == [] and visit.page_errors == []
    assert visit.unexplained_console_errors() == []
    assert visit.page.locator("main h1").count() >= 1
    visit.page.close()


@pytest.mark.parametrize("edition", ["2022-23", "2021-22", "2020-21"])
def test_composite_map_has_a_trust_pie_per_area(browser, server, build_dir, edition):
    from opencyber.analysis.scoring import read_organisations

    orgs = read_organisations(build_dir / edition / "organisations.csv")
    trusts = orgs[orgs["in_scope"] & (orgs["sector"] == "NHS Trust")]
    wedges = trusts.groupby(["area_code", "status"]).ngroups  # one wedge per area and status present
    visit = PageVisit(browser, server, edition)
    composite = visit.page.locator(".leaflet-container").nth(1)
    composite.locator("path.oc-pie").first.wait_for(timeout=30_000)
    assert wedges > 42 and composite.locator("path.oc-pie").count() == wedges
    box = composite.locator(".leaflet-control-layers label", has_text="(pies)").locator("input")
    box.uncheck()
    expect(composite.locator("path.oc-pie")).to_have_count(0)
    box.check()
    expect(composite.locator("path.oc-pie")).to_have_count(wedges)
    composite.scroll_into_view_if_needed()
    composite.locator("path.oc-pie").first.hover(force=True)
    tip = visit.page.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=5_000)
    assert " trusts (" in tip.inner_text() and "%)" in tip.inner_text()
    visit.page.close()


def serious_axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on ``page``, one line each."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run()).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}): ${v.nodes[0].target.join(" ")}`)"""
    )


@pytest.mark.parametrize("name", ALL_PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, server, name):
    need("axe-core (installed by `npm ci` from package-lock.json)", AXE.is_file())
    visit = PageVisit(browser, server, name)
    if name in EDITIONS:
        visit.page.wait_for_selector("path.oc-trust", timeout=30_000)
    violations = serious_axe_violations(visit.page)
    visit.page.close()
    assert violations == []


def test_every_internal_link_resolves(site):
    import re

    pages = sorted(site.glob("*.html"))
    assert {p.stem for p in pages} == set(ALL_PAGES)
    broken = []
    for page in pages:
        for href in re.findall(r'href="([^"#]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "data:", "mailto:")):
                continue
            if not (site / href).is_file():
                broken.append(f"{page.name} -> {href}")
    assert broken == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_map_table_alternatives_have_one_row_per_area(browser, server, build_dir, edition):
    import pandas as pd

    areas = len(pd.read_csv(build_dir / edition / "area_scores.csv"))
    visit = PageVisit(browser, server, edition)
    table = visit.page.locator("table.oc-table", has=visit.page.locator("caption", has_text="and composite score"))
    assert table.locator("tbody tr").count() == areas == 42
    trusts = visit.page.locator(
        "table.oc-table", has=visit.page.locator("caption", has_text="NHS trusts and their DSPT status")
    )
    orgs = pd.read_csv(build_dir / edition / "organisations.csv", keep_default_na=False)
    in_scope_trusts = int(((orgs["in_scope"].astype(str) == "True") & (orgs["sector"] == "NHS Trust")).sum())
    assert trusts.locator("tbody tr").count() == in_scope_trusts
    # sortable: the score column sorts ascending then descending
    header = table.locator("th", has_text="Composite score").locator("button")
    header.click()
    assert table.locator("th", has_text="Composite score").get_attribute("aria-sort") == "ascending"
    headers = [h.strip().rstrip("↕↑↓ ").strip() for h in table.locator("thead th").all_inner_texts()]
    column = headers.index("Composite score") + 1
    values = [float(t.replace("−", "-")) for t in table.locator(f"tbody tr td:nth-child({column})").all_inner_texts()]
    assert values == sorted(values)
    visit.page.close()


# --- Reading on a phone and on a desktop (issue 12) ------------------------------------------------

WIDTHS = [(390, 844), (1366, 900)]

LAYOUT = """() => {
  const vw = document.documentElement.clientWidth;
  const overflow = [...document.querySelectorAll("main *, header *, footer *")]
    .filter(e => e.getBoundingClientRect().right > vw + 1 && e.getClientRects().length)
    .filter(e => !e.closest(".oc-table-wrap[role=region][tabindex='0'][aria-label]") && !e.closest(".leaflet-container"))
    .map(e => e.tagName.toLowerCase() + "." + String(e.className.baseVal ?? e.className).split(" ")[0]);
  const focusable = [...document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")]
    .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== "hidden");
  const plot = document.querySelector(".oc-plotly .nsewdrag");
  const maps = [...document.querySelectorAll(".leaflet-container")].map(m => {
    const box = m.getBoundingClientRect();
    const out = [...m.querySelectorAll("path.oc-area")].filter(a => {
      const r = a.getBoundingClientRect();
      return r.left < box.left - 2 || r.right > box.right + 2 || r.top < box.top - 2 || r.bottom > box.bottom + 2;
    }).length;
    return {fitted: m.dataset.ocFitted === "1", outside: out, label: m.getAttribute("aria-label") || ""};
  });
  return {overflow: [...new Set(overflow)].slice(0, 8), tabs: focusable.length, plot: plot ? plot.getBoundingClientRect().width : null, maps};
}"""


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: f"{v[0]}px")
@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_page_reads_on_a_phone_and_a_desktop(browser, server, name, viewport):
    need("axe-core (installed by `npm ci` from package-lock.json)", AXE.is_file())
    visit = PageVisit(browser, server, name, viewport, touch=viewport[0] < 500)
    if name in EDITIONS:
        visit.page.wait_for_selector(".leaflet-container[data-oc-fitted] path.oc-trust", timeout=30_000)
        visit.page.wait_for_timeout(400)
    visit.screenshot(f"{name}-{viewport[0]}px")
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
            assert (
                m["fitted"]
                and m["outside"] == 0
                and m["label"].endswith("the same information is in the tables below)")
            ), m
    if name in UNMAPPED:
        assert layout["maps"] == [] and layout["tabs"] <= 80, layout
        assert layout["plot"] is not None and layout["plot"] >= min(300, viewport[0] - 60), layout["plot"]


def test_an_edition_without_geography_says_so_once_and_leaves_out_the_empty_sections(browser, server, build_dir):
    import pandas as pd

    visit = PageVisit(browser, server, "2018-19")
    visit.page.wait_for_selector("#chart-status-by-sector .main-svg, .oc-plotly .main-svg", timeout=30_000)
    visit.screenshot("2018-19")
    main = visit.page.locator("main")
    expect(main).to_contain_text("the data hold no geography of this edition's year, so the page has no maps")
    headings = [h.strip() for h in main.locator("h2").all_inner_texts()]
    # no section whose only content would be "no map" or "no table by ICS", and no map instructions
    assert not [h for h in headings if h.startswith(("Map", "Trusts by status in each", "The same figures"))], headings
    assert "Organisations and their status" in headings
    text = main.inner_text()
    assert "layers control" not in text and "No map for" not in text and "no table by" not in text
    assert visit.page.locator(".leaflet-container, .jupyter-widgets").count() == 0
    orgs = pd.read_csv(build_dir / "2018-19" / "organisations.csv", keep_default_na=False)
    scoped = orgs[orgs["in_scope"].astype(str) == "True"].groupby("sector").size()
    for caption, sector in (
        ("CCGs and their DSPT status", "Clinical Commissioning Group (CCG)"),
        ("NHS trusts and their DSPT status", "NHS Trust"),
    ):
        table = visit.page.locator("table.oc-table", has=visit.page.locator("caption", has_text=caption))
        assert table.locator("tbody tr").count() == scoped[sector]
    assert (scoped["Clinical Commissioning Group (CCG)"], scoped["NHS Trust"]) == (197, 228)
    assert visit.page.locator(".oc-chart .barlayer .point, .oc-plotly .barlayer .point").count() == 15  # 3 sectors x 5
    assert visit.non_tile_external() == [] and visit.failed_local == [] and visit.page_errors == []
    # the next edition links back to it
    visit.page.goto(visit.page.url.replace("2018-19.html", "2020-21.html"))
    assert visit.page.locator("main a[href='2018-19.html']").count() == 1
    visit.page.close()


@pytest.mark.parametrize("edition", EDITIONS)
def test_key_points_and_status_meanings_match_the_csvs(browser, server, build_dir, edition):
    import pandas as pd

    from opencyber.report import narrative

    ct = pd.read_csv(build_dir / edition / "crosstab.csv", keep_default_na=False)
    visit = PageVisit(browser, server, edition)
    text = " ".join(visit.page.locator("main").inner_text().split())
    visit.page.close()
    for sentence in narrative.sector_sentences(ct):  # "N of M NHS trusts (x%) met or exceeded ..."
        assert " ".join(sentence.replace("**", "").split()) in text
    assert int(ct["n"].sum()) and f"status of {int(ct['n'].sum())} NHS organisations in scope" in text
    for status, _ in narrative.STATUS_SHORT:
        assert f"{status}:" in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_edition_page_gives_its_dates_and_every_page_its_publisher(browser, server, edition):
    from opencyber.inputs.registry import load_registry
    from opencyber.report.publication import edition_dates, load_publisher

    ed = load_registry()[edition]
    expected = edition_dates(ed)
    visit = PageVisit(browser, server, edition)
    dates = visit.page.locator("ul.oc-dates li").all_inner_texts()
    after_title = visit.page.evaluate("() => document.querySelector('h1').nextElementSibling.className")
    footer = " ".join(visit.page.locator("footer.oc-footer").inner_text().split())
    visit.page.close()
    # CI runs in a git clone: the GOV.UK release elements, then the contact
    assert [label for label, _ in expected] == ["Data snapshot", "First published", "Last updated", "Next update"]
    assert dates[:4] == [f"{label}: {value}" for label, value in expected] and dates[4].startswith("Contact: ")
    assert after_title == "oc-dates"
    assert "not official statistics and not an NHS England publication" in footer
    pub = load_publisher()
    assert (pub.contact or "no contact address yet") in footer and "Last updated " in footer
    assert "For analysts: this copy of the report" in footer  # the commit, kept for analysts


def test_each_map_has_a_link_that_skips_it_to_its_tables(edition_page):
    page = edition_page.page
    skips = page.evaluate("""() => [...document.querySelectorAll("a.oc-skip-map")].map(a => {
      const map = a.nextElementSibling, target = document.querySelector(a.getAttribute("href"));
      return {map: !!(map && map.classList.contains("leaflet-container")), target: !!target,
              after: !!(target && map && (map.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING)),
              table: !!(target && target.querySelector("table"))};
    })""")
    assert skips == [{"map": True, "target": True, "after": True, "table": True}] * 2
    first = page.locator("a.oc-skip-map").first
    first.focus()
    box = first.bounding_box()
    assert box and box["x"] >= 0 and box["width"] > 50  # on screen while it has the focus


def test_map_shapes_carry_their_status_pattern(edition_page):
    fills = edition_page.page.evaluate("""() => {
      const out = {};
      document.querySelectorAll(".leaflet-container path[class*='oc-st-']").forEach(p => {
        const st = [...p.classList].find(c => c.startsWith("oc-st-"));
        out[st] = getComputedStyle(p).fill;
      });
      return {fills: out, patterns: [...document.querySelectorAll("#oc-patterns pattern")].map(p => p.id)};
    }""")
    assert fills["patterns"] == ["oc-pat-exceeded", "oc-pat-approaching", "oc-pat-not-met", "oc-pat-not-published"]
    for st, fill in fills["fills"].items():
        if st == "oc-st-met":
            assert fill.startswith("rgb("), fill  # solid
        else:
            assert fill.startswith('url("') and f"#oc-pat-{st[6:]}" in fill, (st, fill)
    assert {"oc-st-met", "oc-st-exceeded", "oc-st-approaching"} <= set(fills["fills"])


def test_a_table_heading_row_is_one_tab_stop_moved_with_the_arrow_keys(browser, server):
    visit = PageVisit(browser, server, "2022-23", (1366, 900))
    page = visit.page
    table = page.locator("table.oc-table", has=page.locator("caption", has_text="and composite score"))
    buttons = table.locator("thead button.oc-sort")
    n = buttons.count()
    assert n >= 5
    assert [buttons.nth(i).get_attribute("tabindex") for i in range(n)] == ["0"] + ["-1"] * (n - 1)
    buttons.first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == buttons.nth(2).text_content()
    assert buttons.nth(2).get_attribute("tabindex") == "0" and buttons.first.get_attribute("tabindex") == "-1"
    page.keyboard.press("Enter")  # sorts by that column
    assert table.locator("thead th").nth(2).get_attribute("aria-sort") == "ascending"
    page.keyboard.press("End")
    assert page.evaluate("() => document.activeElement.textContent") == buttons.nth(n - 1).text_content()
    hint = page.evaluate(
        "() => document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent"
    )
    assert "arrow keys" in hint
    visit.page.close()


# ---------------------------------------------------------------- text first, page weight (issue 14, 12.8)

WIDGET_SCRIPTS = (
    "widgets.js",
    "widgets.css",
    "widgets-jupyter.css",
    "plotly.min.js",
    "embed-amd.js",
    "require.js",
    "index.js",
)


def _requested(page) -> list[str]:
    return page.evaluate("() => performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)")


@pytest.mark.parametrize(
    "name", NARRATIVE + EDITIONS + tuple(f"{e}-{p}" for e in EDITIONS for p in ("curation", "scoring"))
)
def test_only_pages_with_maps_load_widget_scripts_and_jupyterlab_css(browser, server, name):
    visit = PageVisit(browser, server, name)
    with_maps = name in EDITIONS + ("sectors",)  # the all-sectors page maps GP practices by ICB
    if with_maps:
        visit.page.wait_for_selector("html[data-oc-lazy=done] path.oc-area", timeout=30_000)
    else:
        visit.page.wait_for_timeout(300)
    files = [p.rsplit("/", 1)[-1] for p in _requested(visit.page)]
    visit.page.close()
    charts = name in EDITIONS + ("index", "trends", "sectors")
    assert ("plotly.min.js" in files) == charts, files
    # JupyterLab's stylesheet is never loaded whole: its rules the text uses in <head>, the maps' with the maps
    assert "jupyter.css" not in files and "notebook.css" in files, files
    if with_maps:
        assert {"widgets.js", "widgets.css", "widgets-jupyter.css", f"{name}.js"} <= set(files)
    else:
        assert not set(files) & (set(WIDGET_SCRIPTS) - {"plotly.min.js"}), files
    assert not {"embed-amd.js", "require.js"} & set(files)  # the site's own bundle replaces them


@pytest.mark.parametrize("edition", EDITIONS)
def test_heading_key_points_and_tables_come_before_any_widget_script(browser, server, build_dir, edition):
    """The widgets' and charts' scripts are held back (never answered): the page still loads, with its
    heading, key points and tables on screen, and nothing has asked for them before the page loaded."""
    import pandas as pd

    from opencyber.report import narrative

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    held, errors = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda r: (
            held.append(r)
            if r.request.url.rsplit("/", 1)[-1] in WIDGET_SCRIPTS
            else (r.continue_() if r.request.url.startswith(server) else r.abort())
        ),
    )
    page.goto(f"{server}/{edition}.html", wait_until="load")
    early = [r.request.url for r in held]  # asked for before the load event: would have held up the text
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main h2", has_text="Key points")).to_be_visible()
    text = " ".join(page.locator("main").inner_text().split())
    ct = pd.read_csv(build_dir / edition / "crosstab.csv", keep_default_na=False)
    for sentence in narrative.sector_sentences(ct):
        assert " ".join(sentence.replace("**", "").split()) in text
    assert page.locator("main table.oc-table").count() >= 2 and page.locator("main table.oc-table").first.is_visible()
    assert page.locator(".leaflet-container").count() == 0 and page.locator(".oc-plotly .main-svg").count() == 0
    page.wait_for_timeout(500)
    asked = sorted({r.request.url.rsplit("/", 1)[-1] for r in held})
    for r in held:
        r.abort()
    page.close()
    # then the chart's script is asked for, after the load; the maps' only when the reader comes near them
    assert early == [] and asked == ["plotly.min.js"], asked
    assert errors == []


def _static_files(site, html_name: str) -> list:
    """The site's files a page asks for, read from its HTML: stylesheets, scripts, and the lists of
    what assets/opencyber.js loads after the text (the browser test below checks they are the same)."""
    import json
    import re

    html = (site / html_name).read_text(encoding="utf-8")
    urls = (
        [html_name]
        + re.findall(r'<link[^>]*href="(assets/[^"]+)"', html)
        + re.findall(r'<script[^>]*src="(assets/[^"]+)"', html)
    )
    for block in re.findall(
        r'<script\b(?=[^>]*\bclass="oc-lazy")(?=[^>]*\btype="application/json")[^>]*>(.*?)</script>', html, re.S
    ):
        urls += [u for group in json.loads(block).values() for u in group]
    return [site / u for u in dict.fromkeys(urls)]


def _gzip_size(files) -> int:
    import gzip

    return sum(len(gzip.compress(f.read_bytes(), 9, mtime=0)) for f in files)


def test_first_visit_of_an_edition_page_is_at_most_500_kb_gzip_and_a_further_one_120_kb(browser, server, site):
    """A first visit: the page opened and left alone (its chart loads after its text; its maps when
    the reader comes near them). The files the page lists are exactly those the browser loads."""
    for edition in EDITIONS:
        files = _static_files(site, f"{edition}.html")
        visit = PageVisit(browser, server, edition, load_maps=False)
        visit.page.wait_for_selector("#chart-status-by-sector .main-svg", timeout=30_000)
        visit.page.wait_for_timeout(500)
        first = {site / p.lstrip("/") for p in _requested(visit.page)} | {site / f"{edition}.html"}
        visit.load_maps()
        visit.page.wait_for_selector("html[data-oc-lazy=done] path.oc-trust", timeout=30_000)
        loaded = {site / p.lstrip("/") for p in _requested(visit.page)} | {site / f"{edition}.html"}
        visit.page.close()
        first, loaded = {f for f in first if f.is_file()}, {f for f in loaded if f.is_file()}
        assert loaded == set(files), sorted(str(f.relative_to(site)) for f in loaded ^ set(files))
        assert not {f.name for f in first} & {"widgets.js", "widgets.css", f"{edition}.js"}, sorted(
            f.name for f in first
        )
        assert _gzip_size(first) <= 500_000, (edition, _gzip_size(first))
        assert _gzip_size(files) <= 1_200_000, (edition, _gzip_size(files))
        other = EDITIONS[1] if edition == EDITIONS[0] else EDITIONS[0]
        further = _gzip_size([f for f in files if f not in set(_static_files(site, f"{other}.html"))])
        assert further <= 120_000, (edition, further)


def test_map_geometries_are_restored_exactly_as_the_notebook_drew_them(browser, server, build_dir):
    """Shared and delta-written geometries (opencyber.site.assemble) are, in the page, the notebook's own."""
    import nbformat

    from opencyber.site.geometry import WIDGET_STATE

    edition = "2020-21"
    nb = nbformat.read(build_dir / "pages" / f"{edition}.ipynb", as_version=4)

    def geometries(state):
        return {
            (mid, i): f["geometry"]
            for mid, m in state["state"].items()
            if m["model_name"] == "LeafletGeoJSONModel"
            for i, f in enumerate(m["state"]["data"]["features"])
        }

    visit = PageVisit(browser, server, edition)
    visit.page.wait_for_selector("html[data-oc-lazy=done] path.oc-trust", timeout=30_000)
    restored = visit.page.evaluate(
        """() => JSON.parse(document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]').textContent)"""
    )
    visit.page.close()
    want, got = geometries(nb.metadata.widgets[WIDGET_STATE]), geometries(restored)
    assert len(want) > 400 and got == want


def test_every_download_is_safe_to_open_in_a_spreadsheet(site):
    """No cell of any CSV the real site offers starts like a formula (OWASP CSV injection)."""
    from opencyber.site.downloads import unsafe_cells

    offered = sorted(site.rglob("*.csv"))
    assert len(offered) >= 20
    assert {str(p.relative_to(site)): unsafe_cells(p)[:3] for p in offered if unsafe_cells(p)} == {}
