"""What a reader sees (issue 21): one set of numbers on every page, the edition and its headline in
the first screen of a phone, maps' legends on screen, charts and tables on paper, readers' words and
GOV.UK formats, a finder for people, a light first visit.

Screenshots and the printed PDF go to test-artifacts/ (look at them)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.test_site import (
    ARTIFACTS,
    EDITIONS,
    PageVisit,
)
from tests.conftest import ROOT, need

ALL_EDITIONS = EDITIONS + ("2018-19",)
PHONE = (390, 844)


def _text(page, selector: str = "main") -> str:
    return " ".join(page.locator(selector).inner_text().split())


def _plain(markdown: str) -> str:
    return " ".join(markdown.replace("**", "").replace("*", "").split())


def _registry():
    from opencyber.inputs.registry import load_registry

    return load_registry()


# --------------------------------------------------------------------------- one set of numbers


@pytest.mark.parametrize("edition", ["2022-23", "2021-22", "2020-21"])
def test_each_comparison_gives_the_same_figures_on_every_page_with_its_base(browser, server, build_dir, edition):
    """The change since the previous edition: one definition (the edition's trusts_followed.csv), the
    same sentence with its base on the edition page, the trends page and (latest edition) the home
    page; the same rows in trends_trusts.csv; the headline's shares."""
    from opencyber.analysis import trends
    from opencyber.report import narrative

    reg = _registry()
    ed = reg[edition]
    followed = trends.read_followed(build_dir / edition / "trusts_followed.csv")
    c = trends.comparison(followed)
    prev = reg[c.previous]
    assert c.previous == ed.previous and c.total == len(followed) and c.compared == c.improved + c.declined + c.same
    sentence = _plain(narrative.change_sentence(c, prev.label, ed.label))
    assert "followed into" in sentence and f"the {c.compared:,} NHS trusts of {prev.label}" in sentence  # its base
    pages = [edition, "trends"] + (["index"] if edition == EDITIONS[0] else [])
    for name in pages:
        visit = PageVisit(browser, server, name, load_maps=False)
        text = _text(visit.page)
        visit.page.close()
        assert sentence in text, name
    # the headline of the edition page: the same shares, on the same base
    visit = PageVisit(browser, server, edition, load_maps=False)
    headline = _text(visit.page, ".oc-headline")
    visit.page.close()
    assert f"{c.share_before:.1f}% met the standard in {prev.label} and {c.share_now:.1f}% in {ed.label}" in headline
    assert f"{abs(c.change_points):.1f} percentage points" in headline
    # the download across editions holds the same trusts
    across = pd.read_csv(build_dir / "all-editions" / "trends_trusts.csv", dtype=str, keep_default_na=False)
    own = pd.read_csv(build_dir / edition / "trusts_followed.csv", dtype=str, keep_default_na=False)
    pair = across[(across["previous_edition"] == c.previous) & (across["edition"] == edition)].reset_index(drop=True)
    pd.testing.assert_frame_equal(pair, own)


def test_the_methodology_tables_the_differences_from_the_original_and_offers_them_as_csv(browser, server, build_dir):
    diff = pd.read_csv(build_dir / "all-editions" / "differences.csv", dtype=str, keep_default_na=False)
    assert ("2022/23", "NHS trusts in scope", "211", "210") in set(
        zip(diff["edition"], diff["figure"], diff["original"], diff["this_report"])
    )
    visit = PageVisit(browser, server, "methodology", load_maps=False)
    table = visit.page.locator(
        "table.oc-table", has=visit.page.locator("caption", has_text="Differences from the original publication")
    )
    assert visit.page.locator("#differences").count() == 1 and table.locator("tbody tr").count() == len(diff)
    assert [h.strip().rstrip("↕↑↓ ").strip() for h in table.locator("thead th").all_inner_texts()] == [
        "Edition",
        "Figure",
        "Original publication",
        "This report",
        "Reason",
    ]
    href = visit.page.locator("a[href$='differences.csv']").first.get_attribute("href")
    assert visit.page.request.get(f"{server}/{href}").ok
    visit.page.close()


def test_the_share_that_met_the_standard_is_the_same_on_home_trends_and_edition_pages(browser, server, build_dir):
    met = pd.read_csv(build_dir / "all-editions" / "trends_share_met.csv", keep_default_na=False)
    trusts = met[met["sector"] == "NHS Trust"]
    texts = {}
    for name in ("index", "trends") + ALL_EDITIONS:
        visit = PageVisit(browser, server, name, load_maps=False)
        texts[name] = _text(visit.page)
        visit.page.close()
    for r in trusts.itertuples():
        ct = pd.read_csv(build_dir / r.edition / "crosstab.csv", keep_default_na=False)
        sub = ct[ct["sector"] == "NHS Trust"]
        good = int(sub[sub["status"].isin(["Standards Met", "Standards Exceeded"])]["n"].sum())
        assert (good, int(sub["n"].sum())) == (r.met_or_exceeded, r.total)
        share = f"{100 * good / r.total:.1f}%"
        assert f"{good:,} of {r.total:,} NHS trusts ({share})" in texts[r.edition]  # the key point
        assert f"| {r.label} |" not in texts["index"]  # (a rendered table, not Markdown)
        for name in ("index", "trends"):
            assert re.search(rf"{re.escape(r.label)} [^|]*?{re.escape(share)}", texts[name]), (name, r.label, share)
    latest = _registry()[EDITIONS[0]]
    row = trusts[trusts["edition"] == latest.id].iloc[0]
    for name in ("index", latest.id):
        visit = PageVisit(browser, server, name, load_maps=False)
        figure = _text(visit.page, ".oc-headline-figure")
        visit.page.close()
        assert figure.startswith(
            f"{100 * row.met_or_exceeded / row.total:.1f}% of NHS trusts met or exceeded the {latest.label} standard"
        )


# --------------------------------------------------------------------------- the first screen


@pytest.mark.parametrize("edition", ALL_EDITIONS)
def test_the_first_screen_of_a_phone_names_the_edition_and_gives_the_headline(browser, server, edition):
    ed = _registry()[edition]
    visit = PageVisit(browser, server, edition, PHONE, touch=True, load_maps=False)
    page = visit.page
    h1 = page.locator("main h1")
    assert h1.count() == 1 and ed.label in h1.inner_text()
    figure = page.locator(".oc-headline-figure")
    box = figure.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE[1], box  # in the first screen
    assert re.match(r"\d+\.\d% of NHS trusts met or exceeded", _text(page, ".oc-headline-figure"))
    dates = page.locator("ul.oc-dates").inner_text()
    for label in ("Data snapshot", "Next update", "Contact"):
        assert label in dates
    assert "Comparability:" in _text(page)
    assert page.locator("main a[href='methodology.html#differences']").count() >= 1  # the differences from the original
    page.screenshot(path=str(ARTIFACTS / f"first-screen-{edition}-390.png"))
    page.close()


def test_on_a_phone_the_navigation_is_a_menu(browser, server):
    visit = PageVisit(browser, server, "2022-23", PHONE, touch=True, load_maps=False)
    page = visit.page
    nav, button = page.locator("#oc-nav"), page.locator(".oc-menu-button")
    expect(button).to_be_visible()
    expect(nav).to_be_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    header = page.locator(".oc-header").bounding_box()
    assert header["height"] <= 0.15 * PHONE[1], header  # the header no longer takes a quarter of the screen
    button.click()
    expect(nav).to_be_visible()
    assert button.get_attribute("aria-expanded") == "true"
    # an edition is a menu of its three pages, opened by its name
    edition = nav.locator("summary", has_text="2021/22")
    expect(edition).to_be_visible()
    expect(nav.locator("a", has_text="2021/22 edition")).to_be_hidden()
    edition.click()
    expect(nav.locator("a", has_text="2021/22 edition")).to_be_visible()
    page.close()
    desktop = PageVisit(browser, server, "2022-23-scoring", (1366, 900), load_maps=False)
    page = desktop.page
    expect(page.locator("#oc-nav")).to_be_visible()
    expect(page.locator(".oc-menu-button")).to_be_hidden()
    # on a wide screen too, as Quarto's navigation: the current page's edition is marked; its menu
    # opens with the keyboard, over the page, and Escape closes it and returns to its name
    header = page.locator(".oc-header").bounding_box()
    assert header["height"] <= 100, header  # one line of navigation, however many editions
    current = page.locator("#oc-nav li.oc-menu.oc-current summary")
    expect(current).to_have_text("2022/23")
    current.focus()
    page.keyboard.press("Enter")
    scored = page.locator("#oc-nav a[aria-current=page]")
    expect(scored).to_be_visible()
    expect(scored).to_have_text("How scored")
    page.keyboard.press("Escape")
    expect(scored).to_be_hidden()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.close()


def test_the_every_edition_table_of_the_home_page_fits_a_phone(browser, server):
    visit = PageVisit(browser, server, "index", PHONE, touch=True, load_maps=False)
    fits = visit.page.evaluate("""() => [...document.querySelectorAll("main table")].map(t => {
      const wrap = t.closest(".oc-table-wrap") || t.parentElement;
      return {cut: t.getBoundingClientRect().right > wrap.getBoundingClientRect().right + 1, head: t.rows[0].innerText};
    })""")
    visit.page.close()
    assert fits and [f for f in fits if f["cut"]] == [], fits


# --------------------------------------------------------------------------- maps and charts


def _legends_on_screen(page) -> list[dict]:
    """Each map legend scrolled to: its box, whether it is in the viewport, and whether the browser
    shows it there (the element at its centre is the legend: not hidden by the map's box)."""
    out = []
    for i in range(page.locator(".oc-legend").count()):
        legend = page.locator(".oc-legend").nth(i)
        legend.scroll_into_view_if_needed()
        out.append(
            legend.evaluate("""l => {
          const r = l.getBoundingClientRect(), vw = document.documentElement.clientWidth, vh = window.innerHeight;
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
          return {w: r.width, h: r.height, inside: r.left >= 0 && r.right <= vw + 0.5 && r.top >= 0 && r.bottom <= vh + 0.5,
                  shown: !!hit && l.contains(hit), title: l.querySelector(".oc-legend-title").textContent};
        }""")
        )
    return out


@pytest.mark.parametrize("edition", EDITIONS)
def test_legends_are_on_screen_at_390_px_also_after_a_resize_and_a_rotation(browser, server, edition):
    visit = PageVisit(browser, server, edition, PHONE, touch=True)
    page = visit.page
    page.wait_for_selector(".leaflet-container[data-oc-fitted] path.oc-trust", timeout=30_000)
    for when, viewport in (
        ("at 390 px", PHONE),
        ("after a resize to 1366 px and back", (1366, 900)),
        ("", PHONE),
        ("turned to landscape", (844, 390)),
    ):
        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        page.wait_for_timeout(400)
        if not when:
            continue
        legends = _legends_on_screen(page)
        assert len(legends) == 3, (when, legends)
        for legend in legends:
            assert legend["w"] > 80 and legend["h"] > 60 and legend["inside"] and legend["shown"], (when, legend)
    page.screenshot(path=str(ARTIFACTS / f"legends-{edition}-landscape.png"))
    page.close()


@pytest.mark.parametrize("edition", EDITIONS)
def test_composite_shares_have_a_bar_per_area_readable_on_a_phone(browser, server, build_dir, edition):
    areas = len(pd.read_csv(build_dir / edition / "area_scores.csv"))
    visit = PageVisit(browser, server, edition, PHONE, touch=True, load_maps=False)
    table = visit.page.locator("table.oc-table", has=visit.page.locator("th.oc-bar-col"))
    assert table.locator("tbody tr").count() == areas
    bars = table.locator("td.oc-bar-col .oc-bar")
    assert bars.count() == areas
    bars.first.scroll_into_view_if_needed()
    box = bars.first.bounding_box()
    assert box["width"] >= 80 and box["x"] + box["width"] <= PHONE[0], box  # on screen without scrolling sideways
    widths = bars.evaluate_all("bs => bs.map(b => [...b.children].reduce((s, c) => s + parseFloat(c.style.width), 0))")
    assert all(abs(w - 100) < 0.1 for w in widths), widths  # each bar is its area's trusts, all of them
    visit.page.close()


def test_home_and_trends_pages_draw_the_share_that_met_the_standard_edition_by_edition(browser, server, build_dir):
    met = pd.read_csv(build_dir / "all-editions" / "trends_share_met.csv", keep_default_na=False)
    for name in ("index", "trends"):
        visit = PageVisit(browser, server, name, load_maps=False)
        chart = visit.page.locator("#oc-share-met-chart")
        chart.locator(".main-svg").first.wait_for(timeout=30_000)
        assert chart.locator(".scatterlayer .trace").count() == met["sector"].nunique()
        figure = visit.page.locator("figure.oc-chart", has=chart)
        assert "NHS trusts" in figure.locator(".oc-chart-legend").inner_text()
        assert "Comparability:" in _text(visit.page) and "8 February 2022" in _text(visit.page)
        visit.page.close()


def _pdf_pages_with(pdf: bytes, tmp_path, needle: str) -> list[int]:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    pages = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        ).group(1)
    )
    found = []
    for i in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(path), "-"], capture_output=True, text=True
        ).stdout
        if needle in " ".join(text.split()):
            found.append(i)
    return found


def _row_counts(pdf_path, page: int, colour: str, tolerance: int) -> list[int]:
    """Per pixel row of a PDF page drawn at 72 dpi, how many pixels are within ``tolerance`` of ``colour``."""
    root = pdf_path.with_name(f"page-{page}")
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(pdf_path), str(root)],
        capture_output=True,
        check=True,
    )
    ppm = root.with_suffix(".ppm").read_bytes()
    head = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    w, h = int(head.group(1)), int(head.group(2))
    px = ppm[head.end() :]
    want = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    counts = []
    for y in range(h):
        row = px[3 * w * y : 3 * w * (y + 1)]
        counts.append(
            sum(
                1
                for x in range(0, len(row), 3)
                if abs(row[x] - want[0]) + abs(row[x + 1] - want[1]) + abs(row[x + 2] - want[2]) <= tolerance
            )
        )
    return counts


def test_printed_from_a_1366_px_window_the_2022_23_page_keeps_every_bar_and_segment(browser, server, tmp_path):
    """Printing redraws the chart for the paper, not the window: on A4 every bar and every segment
    is there (the trusts' Approaching Standards, the CSUs' bar); each map is a note naming its
    tables; tables in readable case without sort arrows; a reasonable number of A4 pages."""
    need(
        "poppler-utils (pdftoppm, pdftotext), to read the printed PDF",
        bool(shutil.which("pdftoppm") and shutil.which("pdftotext")),
    )
    visit = PageVisit(browser, server, "2022-23", (1366, 900), load_maps=False)
    page = visit.page
    page.wait_for_selector("#chart-status-by-sector .main-svg", timeout=30_000)
    page.emulate_media(media="print")
    page.wait_for_timeout(800)
    drawn = page.evaluate("""() => {
      const svg = document.querySelector("#chart-status-by-sector .main-svg"), box = svg.getBoundingClientRect();
      const points = [...document.querySelectorAll("#chart-status-by-sector .barlayer .point path")].map(p => p.getBoundingClientRect());
      return {width: box.width, bars: points.length, outside: points.filter(r => r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5)).length,
              notes: [...document.querySelectorAll(".oc-print-note")].filter(n => n.getClientRects().length).map(n => n.textContent),
              maps: [...document.querySelectorAll(".leaflet-container, .jupyter-widgets")].filter(m => m.getClientRects().length).length,
              arrows: [...document.querySelectorAll(".oc-sort")].map(b => getComputedStyle(b, "::after").content).filter(c => c && c !== "none" && c !== '""').length};
    }""")
    pdf = page.pdf(format="A4")
    (ARTIFACTS / "2022-23-print-1366.pdf").write_bytes(pdf)
    page.close()
    assert drawn["bars"] == 15 and drawn["width"] <= 718 and drawn["outside"] == 0, drawn  # A4 inside the margins
    assert drawn["maps"] == 0 and len(drawn["notes"]) == 2 and all("NHS trusts" in n for n in drawn["notes"]), drawn
    assert drawn["arrows"] == 0, drawn
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    pages = _pdf_pages_with(pdf, tmp_path, "of NHS trusts met or exceeded the 2022/23 standard Share of organisations")
    assert len(pages) == 1, pages
    text = subprocess.run(
        ["pdftotext", "-f", str(pages[0]), "-l", str(pages[0]), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
    ).stdout
    for label in ("NHS trusts (210)", "66%", "27%", "CSUs (5)", "80%", "20%", "ICBs (42)", "81%"):
        assert label in text, label  # every segment's label, on the paper
    approaching = max(_row_counts(path, pages[0], "#5AA9A0", 60))  # the trusts' Approaching Standards
    csu_exceeded = max(_row_counts(path, pages[0], "#0B2E4F", 40))  # the CSUs' bar, 80% Standards Exceeded
    assert approaching >= 60 and csu_exceeded >= 150, (approaching, csu_exceeded)
    everything = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert (
        "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST" not in everything
        and "Manchester University NHS Foundation Trust" in everything
    )
    assert "↕" not in everything
    n_pages = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        ).group(1)
    )
    assert n_pages <= 16, n_pages


# --------------------------------------------------------------------------- readers' words and formats

READER_TEXT = (ROOT / "tests" / "browser" / "reader_text.js").read_text(encoding="utf-8")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
NOT_FOR_READERS = {
    "a registry key or an implementation word": r"\b(?:keep_in_scope|status_aliases|export_sector_aliases|export_sectors|"
    r"export_code_patterns|unprefixed_statuses|successor_links|area_sector|commissioner_sector|reference_columns|"
    r"set_status|rows_in|out_of_scope)\b|editions\.toml|data README|stop the build|\(\(unknown\)\)",
    "a file or module name": r"\b[\w-]+\.(?:csv|xlsx|geojson|toml|py|json|ipynb)\b|\bopencyber\.\w+",
    "a date not written '16 November 2023'": rf"\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b|\b\d{{4}}-\d\d-\d\d\b|\b0\d (?:{MONTHS}) \d{{4}}",
}


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()


@pytest.mark.parametrize(
    "name",
    [
        "index",
        "finder",
        "trends",
        "sectors",
        "methodology",
        "data",
        "accessibility",
        *ALL_EDITIONS,
        *(f"{e}-{k}" for e in ALL_EDITIONS for k in ("curation", "scoring")),
    ],
)
def test_no_reader_text_names_a_key_file_or_commit_and_dates_and_numbers_are_gov_uk(browser, server, name):
    """Reader text (every page but its 'For analysts' parts): no registry key, file or module name or
    commit hash; dates as '16 November 2023'; numbers of 4 digits or more with a thousands separator
    (years and figures inside names excepted)."""
    visit = PageVisit(browser, server, name, load_maps=False)
    if name == "finder":
        visit.page.fill("#oc-q", "yeovil")
        expect(visit.page.locator("#oc-status")).to_contain_text("found")
        visit.page.goto(visit.page.url + "#org=RA4")
        expect(visit.page.locator("#oc-org-title")).to_contain_text("RA4")
    text, numbers = visit.page.evaluate(READER_TEXT)
    visit.page.close()
    found = {what: re.findall(pattern, text)[:5] for what, pattern in NOT_FOR_READERS.items()}
    commit = _commit()
    found["a commit hash"] = [m for m in re.findall(r"\b[0-9a-f]{7,40}\b", text) if commit and m.startswith(commit[:7])]
    found["a number without a thousands separator"] = [
        n for n in re.findall(r"(?<![\w.,/−-])\d{4,}(?![\w.,/])", numbers) if not 1900 <= int(n) <= 2099
    ][:5]
    assert {k: v for k, v in found.items() if v} == {}


def test_downloads_are_rounded_as_shown_and_share_one_sector_vocabulary(site):
    """CSV downloads: values rounded to what the pages show (full precision only in each edition's
    area_scores.csv, as the data dictionary says), and the report's sectors named one way."""
    long_decimals = {}
    for csv in sorted((site / "downloads").rglob("*.csv")):
        if csv.name == "area_scores.csv":
            continue
        hits = re.findall(r"(?<![\w.])-?\d+\.\d{3,}\b", csv.read_text(encoding="utf-8"))
        if hits:
            long_decimals[str(csv.relative_to(site))] = hits[:3]
    assert long_decimals == {}
    from opencyber.report.charts import SHORT_SECTORS

    for csv in sorted((site / "downloads").rglob("*.csv")):
        df = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for col in (c for c in df.columns if c.lower() in ("sector", "later_sector")):
            assert not set(df[col]) & set(SHORT_SECTORS.values()), (csv, col)


# --------------------------------------------------------------------------- the finder


def test_the_finder_finds_yeovil_when_misspelt_and_says_so(browser, server):
    visit = PageVisit(browser, server, "finder", load_maps=False)
    visit.page.fill("#oc-q", "Yeovill")
    status = visit.page.locator("#oc-status")
    expect(status).to_contain_text("close spelling")
    row = visit.page.locator("#oc-results tbody tr", has=visit.page.locator("a", has_text="RA4")).first
    expect(row).to_contain_text("Yeovil District Hospital NHS Foundation Trust")
    visit.page.close()


def test_the_finder_finds_a_code_of_the_full_export_without_ticking_anything(browser, server):
    visit = PageVisit(browser, server, "finder", load_maps=False)
    requested = []
    visit.page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    assert not visit.page.locator("#oc-f-all").is_checked()
    visit.page.fill("#oc-q", "B81002")
    results = visit.page.locator("#oc-results")
    expect(results).to_contain_text("City Health Practice Limited (Bransholme)", timeout=15_000)
    assert "finder_all.json" not in requested and [r for r in requested if r.startswith("finder_codes_")]
    visit.page.goto(visit.page.url.split("#")[0] + "#org=B81002")
    title = visit.page.locator("#oc-org-title")
    expect(title).to_have_text("City Health Practice Limited (Bransholme) (B81002)")  # the code once
    visit.page.close()


def test_yeovil_is_out_of_scope_in_2022_23_and_taken_over_by_somerset(browser, server):
    visit = PageVisit(browser, server, "finder", load_maps=False)
    visit.page.goto(visit.page.url + "#org=RA4")
    org = visit.page.locator("#oc-org")
    expect(org.locator("tbody tr").first).to_contain_text("no: closed on 31 March 2023")
    expect(org).to_contain_text("Somerset NHS Foundation Trust (RH5)")
    assert "None known" not in org.locator("ul").first.inner_text()
    visit.page.close()


@pytest.mark.parametrize("viewport", [(1366, 900), PHONE], ids=["1366px", "390px"])
def test_the_search_box_is_at_most_three_tabs_away_on_every_page(browser, server, viewport):
    for name in ("finder", "index", "2022-23"):
        visit = PageVisit(browser, server, name, viewport, touch=viewport[0] < 500, load_maps=False)
        for _ in range(3):
            visit.page.keyboard.press("Tab")
            if visit.page.evaluate("() => document.activeElement.id") == "oc-q":
                break
        assert visit.page.evaluate("() => document.activeElement.id") == "oc-q", name
        visit.page.close()
    # a search from another page opens the finder with the results
    visit = PageVisit(browser, server, "index", viewport, load_maps=False)
    visit.page.fill("#oc-q", "somerset")
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**/finder.html?q=somerset")
    expect(visit.page.locator("#oc-results")).to_contain_text("RH5")
    visit.page.close()


def test_every_control_shows_a_focus_ring_of_at_least_3_px(browser, server):
    visit = PageVisit(browser, server, "finder", load_maps=False)
    page = visit.page
    page.fill("#oc-q", "nhs")
    expect(page.locator("#oc-status")).to_contain_text("found")
    rings = page.evaluate("""() => [...document.querySelectorAll("input, select, button, a[href], summary, [tabindex='0']")]
      .filter(e => e.getClientRects().length && e.checkVisibility() && getComputedStyle(e).visibility !== "hidden" && e.tabIndex >= 0)
      .map(e => { e.focus(); const s = getComputedStyle(e);
        return {el: e.tagName + "#" + (e.id || e.className), outline: parseFloat(s.outlineWidth) * (s.outlineStyle === "none" ? 0 : 1),
                shadow: s.boxShadow !== "none"}; })""")
    page.close()
    assert len(rings) > 10
    assert [r for r in rings if r["outline"] < 3 and not r["shadow"]] == []


# --------------------------------------------------------------------------- faster text and chart


def test_an_edition_page_reserves_its_charts_space_and_blocks_on_small_stylesheets_only(browser, server, site):
    head_css = []
    for edition in ALL_EDITIONS:
        html = (site / f"{edition}.html").read_text(encoding="utf-8")
        head = html.split("</head>", 1)[0]
        sheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', head)
        assert "assets/jupyter.css" not in sheets, sheets
        head_css.append(sum((site / s).stat().st_size for s in sheets))
    assert max(head_css) <= 40_000, head_css  # the site's styles and the part of JupyterLab's the text uses
    page = browser.new_page(viewport={"width": 390, "height": 844})
    held = []
    page.route(
        "**/*",
        lambda r: (
            held.append(r)
            if r.request.url.endswith("plotly.min.js")
            else (r.continue_() if r.request.url.startswith(server) else r.abort())
        ),
    )
    page.goto(f"{server}/2022-23.html", wait_until="load")
    before = page.evaluate(
        "() => [document.querySelector('#chart-status-by-sector').getBoundingClientRect().height, "
        "document.querySelector('.oc-chart-legend').getBoundingClientRect().top + window.scrollY]"
    )
    page.wait_for_timeout(500)
    for r in held:
        r.continue_()
    page.wait_for_selector("#chart-status-by-sector .main-svg", timeout=30_000)
    after = page.evaluate(
        "() => [document.querySelector('#chart-status-by-sector').getBoundingClientRect().height, "
        "document.querySelector('.oc-chart-legend').getBoundingClientRect().top + window.scrollY]"
    )
    page.close()
    assert before[0] >= 250 and abs(after[1] - before[1]) <= 2, (before, after)  # no jump when it arrives
