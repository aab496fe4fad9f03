"""The site's narrative pages (Markdown, computed from build/ and the registry, never typed):
home, methodology, data and downloads, accessibility statement."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from opencyber.analysis import scoring as score
from opencyber.analysis import trends
from opencyber.inputs.registry import Edition
from opencyber.report import method, narrative
from opencyber.report.publication import long_date
from opencyber.report.tables import readable_name as readable
from opencyber.settings import PROJECT_ROOT
from opencyber.stages import ACROSS_DIR
from opencyber.status import MEETS, SCORES


def _crosstab(build_dir: Path, ed: Edition) -> pd.DataFrame:
    return pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)


def _good_share(ct: pd.DataFrame) -> tuple[int, int]:
    return int(ct[ct["status"].isin(MEETS)]["n"].sum()), int(ct["n"].sum())


def _doc_body(path: Path) -> str:
    """A Markdown document without its first-level title (the page has its own)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("# ")).strip()


def _comparison(editions: list[Edition], build_dir: Path, ed: Edition):
    """(previous edition's label, the :class:`opencyber.analysis.trends.Comparison` with it) from the edition's
    trusts_followed.csv (the one definition), or None."""
    c = trends.edition_comparison(Path(build_dir) / ed.id)
    if c is None:
        return None
    label = next((e.label for e in editions if e.id == c.previous), c.previous)
    return label, c


#: plotly.js, loaded by assets/opencyber.js after the page's text (as the edition pages' charts)
LAZY_PLOTLY = '<script type="application/json" class="oc-lazy">{"charts": ["assets/plotly.min.js"]}</script>'


def share_met_section(editions: list[Edition], build_dir: Path, heading: str = "##") -> list[str]:
    """The line chart of the share of each sector that met the standard, edition by edition, with
    its base, the comparability statement and a table of the same figures (home and trends pages)."""
    from opencyber.report.charts import SHORT_SECTORS, figure_html, share_met_chart

    met = _across(build_dir, "trends_share_met.csv")
    if met.empty:
        return []
    order = [e.label for e in reversed(editions)]
    met = (
        met.assign(_o=met["label"].map({label: i for i, label in enumerate(order)}))
        .sort_values(["_o", "sector"])
        .drop(columns="_o")
    )
    trusts = met[met["sector"] == "NHS Trust"]
    title = "Share of each sector's organisations that met or exceeded the standard"
    if len(trusts) >= 2:
        first, last = trusts.iloc[0], trusts.iloc[-1]
        title = (
            f"{float(last.share):.1f}% of NHS trusts met or exceeded the standard in {last.label}, "
            f"against {float(first.share):.1f}% in {first.label}"
        )
    fig = share_met_chart(
        met,
        title,
        "Share of each sector's organisations in scope that met or exceeded the "
        "standard of each edition (each edition's own organisations and standard: see Comparability below)",
        "Source: NHS England, DSPT exports; Open Cyber analysis",
    )
    dates = "; ".join(f"{e.label} on {long_date(e.snapshot)}" for e in reversed(editions))
    sectors = [
        s
        for s in (
            "NHS Trust",
            "Integrated Care Board (ICB)",
            "Clinical Commissioning Group (CCG)",
            "Commissioning Support Unit (CSU)",
        )
        if s in set(met["sector"])
    ]
    sectors += sorted(set(met["sector"]) - set(sectors))
    lines = [
        f"{heading} The share that met the standard, edition by edition",
        "",
        LAZY_PLOTLY,
        "",
        figure_html(
            fig,
            "oc-share-met-chart",
            "Line chart of the share of each sector's organisations that met or "
            "exceeded the standard, edition by edition (the table below gives the figures).",
            f"downloads/{ACROSS}/trends_share_met.csv",
        ),
        "",
        f"**Comparability:** the toolkit's standards change from one year to the next, and the snapshots were taken on "
        f"different dates ({dates}; the 2020/21 figures were downloaded after the edition year had ended). Each point "
        "is the share of that edition's own organisations; the change for the same trusts, followed from one edition "
        "to the next, is on the [trends page](trends.html#followed).",
        "",
        "| edition | " + " | ".join(SHORT_SECTORS.get(s, s) for s in sectors) + " |",
        "|---|" + "---:|" * len(sectors),
    ]
    for label in order:
        row = met[met["label"] == label].set_index("sector")
        cells = [f"{float(row.at[s, 'share']):.1f}%" if s in row.index else "—" for s in sectors]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Each share is of the sector's organisations in scope in that edition; the counts are in the "
        f"download: [the share that met the standard, by sector and edition (CSV)](downloads/{ACROSS}/trends_share_met.csv).",
        "",
    ]
    return lines


def home_markdown(editions: list[Edition], build_dir: Path) -> str:
    """What the site shows, the latest edition's headline and the change since the previous one."""
    latest = editions[0]
    ct = _crosstab(build_dir, latest)
    good, n = _good_share(ct)
    previous = _comparison(editions, build_dir, latest)
    lines = [
        "# NHS cyber security compliance: the Data Security and Protection Toolkit",
        "",
        "Every NHS organisation assesses itself each year against the National Data Guardian's data security "
        "standards in the **Data Security and Protection Toolkit (DSPT)** and publishes its status. This site "
        "shows the statuses of NHS trusts, integrated care boards (and before July 2022 clinical commissioning "
        "groups) and commissioning support units, scores them, and maps them by area.",
        "",
        f"## Latest edition: {latest.label}",
        "",
        narrative.headline_html(latest, ct, previous[1] if previous else None, previous[0] if previous else ""),
        "",
        f"On **{long_date(latest.snapshot)}**, **{good:,} of {n:,}** NHS organisations in scope "
        f"(**{100 * good / n:.1f}%**) had met or exceeded the {latest.label} standard. "
        f"[Read the {latest.label} report]({latest.id}.html).",
        "",
    ]
    if previous is not None:
        lines += [narrative.change_sentence(previous[1], previous[0], latest.label), ""]
    lines += [narrative.about_sentence(), ""]
    lines += share_met_section(editions, build_dir)
    lines += [
        "## Every edition",
        "",
        "| edition | snapshot | in scope | met or exceeded |",
        "|---|---|---:|---:|",
    ]
    for ed in editions:
        g, t = _good_share(_crosstab(build_dir, ed))
        lines.append(f"| [{ed.label}]({ed.id}.html) | {long_date(ed.snapshot)} | {t:,} | {g:,} ({100 * g / t:.1f}%) |")
    return "\n".join(lines) + "\n"


def methodology_markdown(editions: list[Edition], build_dir: Path) -> str:
    """How statuses are scored and combined, the successor rule, overrides and caveats per edition."""
    lines = [
        "# Methodology",
        "",
        "## In brief",
        "",
        "- **What is counted.** For each edition, the DSPT status that NHS trusts, commissioners (ICBs, or "
        "CCGs before July 2022) and commissioning support units had published by the day the DSPT list was "
        "downloaded (the *snapshot*). Only assessments of that year count.",
        "- **Who is counted.** The organisations open on that day, from the NHS's official organisation lists "
        "(ODS). An organisation that closed before it is not counted: the organisation that took it over "
        "carries the status. One that merged and has no status of its own takes its successor's.",
        "- **How areas are compared.** Each status has a score, from +3 (Standards Exceeded) to −3 (Standards "
        "Not Met or Not Published). An area's composite score is half the score of its commissioner (the ICB; "
        "before July 2022 the mean of the area's CCGs) and half the mean of its trusts' scores.",
        "- **Where this report differs from the original.** Every figure that differs from the NHSX open-cyber "
        "report is in the table [Differences from the original publication](#differences) below, with the reason.",
        "- **Comparing editions.** The change since the previous edition is counted for the same NHS trusts: "
        "those of the earlier edition, followed into the later one by their code or, if they merged, to the "
        "trust that took them over. The edition pages, the home page and the trends page all give this one "
        "figure.",
        "",
        narrative.status_meanings(short=False),
        "## Statuses and scores",
        "",
        "Each organisation publishes a DSPT assessment once a year; the DSPT export gives its *latest* "
        "status, written with the edition it belongs to (`22/23 Standards Met`). A report of one edition "
        "counts only statuses of that edition: a status of an older or a newer edition, a blank status, or "
        "no row in the export all count as **Not Published**, the same score as Standards Not Met. "
        "*Not Published* therefore means that no assessment of the edition had been published by the "
        "snapshot date.",
        "",
        "| status | score |",
        "|---|---:|",
        *[f"| {s} | {v:+d} |" for s, v in SCORES.items()],
        "",
        "## Successors",
        "",
        "An organisation without a status of the edition takes its ODS successor's status if that is of the "
        "edition; otherwise it is Not Published. Successors with different statuses are resolved by a "
        "documented decision (an override). Organisations closed before the edition's scope date (the snapshot "
        "date, or for 2020/21 the end of the edition year) are out of scope: the organisation that took them "
        "over carries the status.",
        "",
        "## Composite area scores",
        "",
        "- **ICB era (from July 2022):** an ICB's composite = 0.5 × the ICB's own score + 0.5 × the simple "
        "mean of the scores of its in-scope trusts (trust to ICB by the ODS *High Level Health Geography*).",
        "- **CCG era (to June 2022):** an ICS's composite = 0.5 × the mean score of its CCGs, weighted by "
        "population (GP-registered patients) when the edition has a population file, else equally, + 0.5 × "
        "the mean score of its trusts (simple, or weighted by EPRR risk tier in the original's variant when "
        "a trust-weights file is given). The data have neither, so the pages use equal weights and say so.",
        "",
    ]
    for era in ("icb", "ccg"):
        ed = next((e for e in editions if e.era == era), None)
        if ed is None:
            continue
        orgs = score.read_organisations(Path(build_dir) / ed.id / "organisations.csv")
        scores = pd.read_csv(Path(build_dir) / ed.id / "area_scores.csv", keep_default_na=False)
        lines += [
            method.worked_example(orgs, scores, ed).replace(
                "**Worked example, ", f"**Worked example ({ed.label} data), ", 1
            ),
            "",
        ]
    lines += differences_section(editions, build_dir)
    lines += ["## Overrides and caveats, edition by edition", ""]
    for ed in editions:
        lines += [f"### {ed.label} (snapshot {long_date(ed.snapshot)})", ""]
        ov = pd.read_csv(Path(build_dir) / ed.id / "overrides.csv", keep_default_na=False)
        if ov.empty:
            lines.append("- No override: every figure follows the rules.")
        for o in ov.itertuples():
            lines.append(f"- {narrative.override_line(o)}")
        lines += [f"- {c}" for c in ed.caveats]
        lines.append("")
    lines += [
        "## For analysts: the assumptions and caveats log",
        "",
        _doc_body(PROJECT_ROOT / "docs" / "assumptions-and-caveats.md").replace("\n## ", "\n### "),
        "",
    ]
    return "\n".join(lines) + "\n"


def differences_section(editions: list[Edition], build_dir: Path) -> list[str]:
    """The table of the figures that differ from the original publication (``differences.csv``)."""
    from opencyber.report.tables import table_html

    diff = _across(build_dir, "differences.csv")
    lines = ['<h2 id="differences">Differences from the original publication</h2>', ""]
    if diff.empty:
        return lines + ["Every figure of the editions shown follows the original publication's.", ""]
    lines += [
        "Where a figure of this report differs from what the original NHSX open-cyber project published, and why. "
        "This report follows the rules the original stated (for example, only organisations open on the snapshot "
        "date are counted) even where the original's own figures did not.",
        "",
        table_html(
            diff.rename(
                columns={
                    "edition": "Edition",
                    "figure": "Figure",
                    "original": "Original publication",
                    "this_report": "This report",
                    "reason": "Reason",
                }
            ),
            "Differences from the original publication",
            download=f"downloads/{ACROSS}/differences.csv",
            stack=True,
        ),
        "",
    ]
    return lines


#: what each output file holds, in a reader's words (the data dictionary gives the columns)
DOWNLOADS = {
    "organisations.csv": "Every organisation the edition's inputs name, with its DSPT status, score, area and whether it is in scope",
    "crosstab.csv": "How many organisations of each sector had each status",
    "area_scores.csv": "Each area's own score, the mean score of its trusts and its composite score",
    "areas.csv": "The areas and the NHS England region of each",
    "reconciliation.csv": "The count of organisations at each step, so that none is dropped unseen",
    "overrides.csv": "Decisions that depart from the rules, with the reason and the effect of each",
    "finder_organisations.csv": "Every NHS organisation of every edition, with its status and area (the organisation finder)",
    "trends_status_share.csv": "The share of each sector in each status, edition by edition",
    "trends_trusts.csv": "NHS trusts followed from one edition to the next: improved, declined or stayed",
    "trends_areas.csv": "Each area's composite score across the editions where areas are comparable",
    "sectors_status.csv": "Every sector of the full DSPT exports by status",
    "sectors_totals.csv": "The number of organisations in each sector of the full exports",
    "sectors_gp_areas.csv": "GP practices by area, with how many met or exceeded the standard",
}


def download_description(name: str) -> str:
    """What a downloadable CSV holds: in :data:`DOWNLOADS`, else a table of a page (``table-*``), else
    the words of its heading in docs/data-dictionary.md."""
    if name in DOWNLOADS:
        return DOWNLOADS[name]
    if name.startswith("table-"):
        words = name[len("table-") :].removesuffix(".csv").split("-")
        acronyms = {"nhs", "dspt", "icb", "ics", "ccg", "csu", "icbs", "icss", "ccgs", "csus"}
        words = [w.upper() if w in acronyms else w for w in words]
        words = [w[:-1].upper() + "s" if w.endswith("S") and w.lower() in acronyms else w for w in words]
        text = " ".join(words)
        return f"The table “{text[0].upper() + text[1:]}” of the edition page, as shown there"
    for line in (PROJECT_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"#+\s*`?" + re.escape(name) + r"`?\s*:\s*(.+)$", line)
        if m and not m.group(1).startswith("`"):
            text = m.group(1).strip()
            return text[0].upper() + text[1:]
    return "See the data dictionary below"


def _kb(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


def data_markdown(editions: list[Edition], build_dir: Path) -> str:
    """Downloads of every output table of every edition, the data dictionary, and the inputs."""
    fictional = [e.label for e in editions if e.banner]
    real = [e for e in editions if not e.banner]
    lines = ["# Data and downloads", ""]
    if fictional:
        lines += [
            f"The figures of {', '.join(fictional)} are computed from **fictional sample data** (`data/sample`, "
            "made by `scripts/make_sample.py`) to show how the report works: they describe no real organisation.",
            "",
        ]
    if real:
        lines += [
            "The figures of the real editions are computed from public data published under the Open Government "
            'Licence v3.0; the boundaries carry the attribution "Source: Office for National Statistics '
            "licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database "
            'right". The output tables below are free to reuse under the same licence.',
            "",
        ]
    lines += [
        "## What you can download",
        "",
        "Every figure on this site is in a CSV file (comma-separated values: it opens in a spreadsheet). "
        "Each edition has its own files; the files *across editions* hold the organisation finder, the trends "
        "and the all-sectors figures. The files beside the tables hold the figures as the pages show them "
        "(shares to one decimal, scores to two); the scores file of each edition keeps full precision for "
        "analysts. The sections under *For analysts* below name every file and describe every column.",
        "",
    ]
    groups = [(ed.label, ed.id, Path(build_dir) / ed.id) for ed in editions]
    groups.append(("across editions", ACROSS_DIR, Path(build_dir) / ACROSS_DIR))
    for label, folder, path in groups:
        files = sorted(path.glob("*.csv"))
        if not files:
            continue
        lines += [
            f"### {label[0].upper() + label[1:]}",
            "",
            "| what the file holds (CSV) | rows | size |",
            "|---|---:|---:|",
        ]
        for csv in files:
            rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
            lines.append(
                f"| [{download_description(csv.name)}](downloads/{folder}/{csv.name}) | {rows:,} | {_kb(csv)} |"
            )
        lines.append("")
    lines += [
        "",
        "## For analysts: the data dictionary",
        "",
        _doc_body(PROJECT_ROOT / "docs" / "data-dictionary.md").replace("\n## ", "\n### "),
        "",
        "## For analysts: the inputs, their sources, licence and formats",
        "",
        _doc_body(PROJECT_ROOT / "data" / "README.md").replace("\n## ", "\n### "),
        "",
    ]
    return "\n".join(lines) + "\n"


def accessibility_markdown(editions: list[Edition] | None = None, build_dir: Path | None = None) -> str:
    """The accessibility statement, in the form of the GOV.UK model statement for public sector
    websites. Each claim is one the browser suite checks (tests/browser/test_site.py)."""
    from opencyber.report.publication import contact_sentence, load_publisher, long_date

    pub = load_publisher()
    return f"""# Accessibility statement for Open Cyber

This accessibility statement applies to this website, the Open Cyber report on NHS organisations'
Data Security and Protection Toolkit (DSPT) statuses. It is run by {pub.name}. We want as many
people as possible to be able to use it. For example, you should be able to:

- zoom in up to 300% without the text spilling off the screen, and read every page on a phone;
- move around every page using just a keyboard: each map is one stop, moved with the arrow keys and
  zoomed with + and −, and a link skips it to its table;
- use every page with a screen reader: each map and chart has a table with the same figures;
- read every status without telling colours apart: each status also has its own pattern, and
  legends, tooltips and tables name it;
- print an edition page, from a window of any width, with its chart drawn for the paper (every bar
  and every part of a bar) and every column of its tables; on paper each map is replaced by a note
  naming the tables that give its figures;
- find an organisation from the search box at the top of every page, the third stop of the
  keyboard, and see where the keyboard is on every link and control.

## How accessible this website is

We know some parts of this website are not fully accessible:

- a map's shapes (areas and trusts) cannot be reached one by one with the keyboard; their names and
  statuses are in the tables under each map;
- the tooltips of map shapes appear on hover or tap and cannot themselves be hovered;
- on the composite score map, neighbouring score classes differ in contrast by less than 3:1 and
  have no pattern; each area's class and score are in its tooltip and in the table;
- the five status colours cannot all differ from each other by a contrast ratio of 3:1 while their
  lightness follows the status order; each status has a pattern as well;
- the background map tiles, loaded from OpenStreetMap when you are online, are pictures with no
  text alternative; the maps work without them.

## Feedback and contact information

If you find a problem with this website or need information in a different format, let us know.
{contact_sentence(pub)} We will consider your request and reply as soon as we can.

## Reporting accessibility problems with this website

We are always looking to improve the accessibility of this website. If you find any problems not
listed on this page or think we are not meeting accessibility requirements, contact us as above.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies
(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "accessibility
regulations"). If you are not happy with how we respond to your complaint, contact the
[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).

## Technical information about this website's accessibility

We are committed to making this website accessible, in accordance with the accessibility
regulations. This report is independent and not published by a public sector body; we follow the
regulations because its readers are the NHS and the public.

### Compliance status

This website is partially compliant with the [Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/)
AA standard, due to the non-compliances listed below.

### Non-accessible content

The content listed below is non-accessible for the following reasons.

- Map shapes cannot be reached one by one with the keyboard (WCAG 2.1.1 Keyboard). The tables under
  each map give the same information.
- Map tooltips cannot be hovered (WCAG 1.4.13 Content on Hover or Focus).
- Neighbouring classes of the composite score map, and neighbouring status colours, differ by a
  contrast ratio of less than 3:1 (WCAG 1.4.11 Non-text Contrast). The statuses have patterns; the
  scores are written in the tooltips and tables.

## What we are doing to improve accessibility

Every change to the website is tested before it is published: in a headless browser at 390 and
1,366 pixels wide, every page is checked with axe-core (no serious or critical violation may remain),
for content wider than the screen, for the number of tab stops, for maps that fit their box and
legends on screen, charts wide enough to read, a visible focus on every control, and that an edition
page printed from a 1,366-pixel window keeps every bar of its chart and every table column.

## Preparation of this statement

This statement was prepared on {long_date(pub.statement_prepared)}. It was last reviewed on
{long_date(pub.statement_reviewed)}. The website is tested automatically on every change, as above;
it has not yet been tested by people who use assistive technologies.
"""


# ---------------------------------------------------------------------------------------------
# pages across editions: the organisation finder, trends, all sectors (data in build/all-editions)

ACROSS = ACROSS_DIR  # build/all-editions: the outputs across editions


def _across(build_dir: Path, name: str) -> pd.DataFrame:
    path = Path(build_dir) / ACROSS / name
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"area_code": str, "code": str}, keep_default_na=False)


def _download(name: str) -> str:
    """A link to a download across editions, named by what it holds (the file name is for analysts)."""
    text = download_description(name)
    return f"[{text[0].lower() + text[1:]} (CSV)](downloads/{ACROSS}/{name})"


def finder_markdown(editions: list[Edition], build_dir: Path) -> str:
    """The organisation finder: the site's search box (in every page's header) and the filters here,
    which assets/finder.js fills from assets/data/finder_nhs.json."""
    import json

    def read(name: str, empty: dict) -> dict:
        path = Path(build_dir) / ACROSS / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else empty

    nhs = read("finder_nhs.json", {"orgs": []})
    full = read("finder_all.json", {"exports": []})["exports"]
    labels = ", ".join(e.label for e in editions)
    full_text = " and ".join(f"{x['n']:,} organisations on {long_date(x['snapshot'])}" for x in full)
    lines = [
        "# Find an organisation",
        "",
        f"Type a name or an ODS code in the search box at the top of the page (on every page). It finds the "
        f"**{len(nhs['orgs']):,} NHS organisations** of the {labels} editions, with each one's status in every edition"
        + (
            f", and any code of the full DSPT exports ({full_text}: GP practices, care homes, pharmacies and others)"
            if full
            else ""
        )
        + ". Close spellings are found too.",
        "",
        '<link rel="stylesheet" href="assets/finder.css">',
        '<p id="oc-loading">Loading the finder…</p>',
        '<form id="oc-finder" class="oc-finder" aria-label="Filters" hidden>',
        '<div><label for="oc-f-sector">Sector</label><select id="oc-f-sector"><option value="">any</option></select></div>',
        '<div><label for="oc-f-area">Area</label><select id="oc-f-area"><option value="">any</option></select></div>',
        '<div><label for="oc-f-status">Status</label><select id="oc-f-status"><option value="">any</option></select></div>',
        '<div><label for="oc-f-edition">In edition</label><select id="oc-f-edition"><option value="">any</option></select></div>',
        (
            '<div class="oc-check"><input type="checkbox" id="oc-f-all"> <label for="oc-f-all">Also search the names of the '
            f"other organisations of the full export ({full[0]['n']:,}; about {_size_mb(build_dir)} MB to fetch)</label></div>"
            if full
            else '<input type="checkbox" id="oc-f-all" hidden>'
        ),
        "</form>",
        '<p id="oc-status" role="status" aria-live="polite"></p>',
        '<div id="oc-results"></div>',
        '<section id="oc-org" aria-labelledby="oc-org-title" hidden></section>',
        '<script src="assets/finder.js"></script>',
        "",
        "The NHS organisations are NHS trusts, ICBs, CCGs and sub-ICB locations, and CSUs, in scope or not (with the "
        "reason), with their sector and area in every edition and the organisations they took over or were taken over by. "
        "Names are shown in readable case (the NHS lists write them in capitals); the search ignores case and punctuation, "
        "and reads *NHS Foundation Trust* and *NHS FT* as the same. Each organisation has a permanent link, which you can "
        "copy and share. A status is the one the edition's report counts (*Not Published* when none of that edition was "
        "published); *out of scope* organisations are listed with the reason. The organisations one took over, or was "
        "taken over by, are known where an edition's data name them (the 2020/21 reference list, the 2022/23 ICB "
        "partner mapping) and, for CCGs, from the ONS lookup of sub-ICB locations to ICBs.",
        "",
        f"Without JavaScript, the same data are in the download {_download('finder_organisations.csv')}.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _size_mb(build_dir: Path) -> str:
    path = Path(build_dir) / ACROSS / "finder_all.json"
    size = path.stat().st_size if path.is_file() else 0
    return f"{size / 1e6:.1f}"


def _trend_chart(shares: pd.DataFrame) -> str:
    """The trends chart: one bar per sector and edition (a sector's editions together, oldest first),
    as the edition pages' chart, so that it reads on a phone."""
    from opencyber.report.charts import SHORT_SECTORS, figure_html, status_share_chart

    s = shares.copy()
    s["bar"] = s["sector"].map(lambda x: SHORT_SECTORS.get(x, x)) + ", " + s["label"]
    sizes = s.groupby("sector")["total"].max().sort_values(ascending=False, kind="stable")
    editions = list(dict.fromkeys(s.sort_values("edition")["label"]))
    order = [b for sector in sizes.index for b in dict.fromkeys(s[s["sector"] == sector].sort_values("edition")["bar"])]
    fig = status_share_chart(
        s[["bar", "status", "n"]].rename(columns={"bar": "sector"}),
        _trend_title(s, editions),
        "Share of each sector's organisations in each DSPT status, edition by edition",
        "Source: NHS England, DSPT exports; Open Cyber analysis",
        order=order,
    )
    return figure_html(
        fig,
        "oc-trends-chart",
        "Share of each sector in each DSPT status, by edition (the table below gives the numbers).",
        "downloads/all-editions/trends_status_share.csv",
    )


def _trend_title(s: pd.DataFrame, editions: list[str]) -> str:
    """The bar chart's title (the line chart above it gives the finding, with its comparability)."""
    return "Share of each sector's organisations in each DSPT status, edition by edition"


def trends_markdown(editions: list[Edition], build_dir: Path) -> str:
    from opencyber.report.tables import md_text

    shares = _across(build_dir, "trends_status_share.csv")
    changes = _across(build_dir, "trends_trusts.csv")
    areas = _across(build_dir, "trends_areas.csv")
    lines = ["# Trends across editions", ""]
    lines += [
        "Each edition's report has its own set of organisations (its curation page says which): the sectors "
        "change too (CCGs until 2021/22, ICBs from 2022/23), so compare sector by sector.",
        "",
        "| edition | snapshot | organisations in scope |",
        "|---|---|---|",
    ]
    for ed in reversed(editions):
        sub = shares[shares["edition"] == ed.id].drop_duplicates("sector")
        sets = "; ".join(f"{md_text(r.sector)} {int(r.total):,}" for r in sub.itertuples())
        lines.append(
            f"| [{ed.label}]({ed.id}.html) | {long_date(ed.snapshot)} | {sets} ([how chosen]({ed.id}-curation.html)) |"
        )
    lines.append("")
    lines += share_met_section(editions, build_dir)
    lines += ["## Share in each status, by sector and edition", ""]
    if not shares.empty and len(editions) > 0:
        lines += [LAZY_PLOTLY, "", _trend_chart(shares), ""]
        from opencyber.analysis.trends import sector_anchor

        for sector, sub in shares.groupby("sector", sort=True):
            eds = sub.drop_duplicates("edition")
            lines += [
                f'<h3 id="{sector_anchor(sector)}">{html.escape(sector)}</h3>',
                "",
                f"In {len(eds)} edition{'s' if len(eds) != 1 else ''}: "
                + ", ".join(f"[{r.label}]({r.edition}.html) ({int(r.total):,})" for r in eds.itertuples())
                + ".",
                "",
                "| edition | status | organisations | share |",
                "|---|---|---:|---:|",
            ]
            for r in sub.itertuples():
                lines.append(f"| {r.label} | {r.status} | {int(r.n):,} of {int(r.total):,} | {float(r.share):.1f}% |")
            lines.append("")
        lines += [f"Download: {_download('trends_status_share.csv')}.", ""]
    lines += ['<h2 id="followed">NHS trusts followed from edition to edition</h2>', ""]
    if changes.empty:
        lines += ["Only one edition is built: nothing to follow.", ""]
    else:
        by_id = {e.id: e for e in editions}
        found = trends.comparisons(changes)
        lines += [
            "Each NHS trust in scope in an edition is followed into the next by its ODS code, or, if it merged, "
            "to the trust that took it over (several successors: the mean of their scores). A trust *improved* when "
            "its score (Exceeded +3, Met +1, Approaching −1, Not Met and Not Published −3) went up. These are the "
            "figures the edition pages and the home page give.",
            "",
            "| from | to | trusts compared | met before | met after | improved | declined | stayed the same | not followed |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for c in found:
            lines.append(
                f"| {by_id[c.previous].label} | {by_id[c.edition].label} | {c.compared:,} | "
                f"{c.met_before:,} ({c.share_before:.1f}%) | {c.met_now:,} ({c.share_now:.1f}%) | {c.improved:,} | "
                f"{c.declined:,} | {c.same:,} | {c.not_followed:,} |"
            )
        lines.append("")
        for c in found:
            lines += [narrative.change_sentence(c, by_id[c.previous].label, by_id[c.edition].label), ""]
        for c in found:
            sub = changes[(changes["previous_edition"] == c.previous) & (changes["edition"] == c.edition)]
            title = f"{by_id[c.previous].label} to {by_id[c.edition].label}"
            lines += [f'<details class="oc-details"><summary>The trusts that changed, {title}</summary>', ""]
            lines += ["| trust | before | after | change |", "|---|---|---|---|"]
            for r in sub[sub["change"] != "same"].itertuples():
                via = f" (through {r.matched_code}, which took it over)" if r.matched_by == "ODS successor" else ""
                lines.append(
                    f"| [{md_text(readable(r.name))} ({r.code})](finder.html#org={r.code}) | {r.status_before} | "
                    f"{r.status_now or '—'}{via} | {r.change} |"
                )
            lines += ["", "</details>", ""]
        lines += [f"Every trust, changed or not: {_download('trends_trusts.csv')}.", ""]
    lines += ["## Areas across editions", ""]
    if not areas.empty:
        for era in sorted(areas["era"].unique()):
            era_eds = [e for e in reversed(editions) if e.era == era and e.has_areas]
            label = era_eds[0].area_label
            if len(era_eds) < 2:
                lines += [
                    f"The {label}s ({', '.join(e.label for e in era_eds)}) are in one edition only: no trend yet; "
                    f"they are not comparable with the areas of the other editions (a different geography).",
                    "",
                ]
                continue
            sub = areas[areas["era"] == era]
            lines += [
                f"{label} composites of {' and '.join(e.label for e in era_eds)} (the same {len(sub)} {label} codes; "
                "the CCGs are weighted equally in both, see the editions' caveats). Not comparable with the ICB era.",
                "",
                f"| {label} | " + " | ".join(e.label for e in era_eds) + " | change |",
                "|---|" + "---:|" * (len(era_eds) + 1),
            ]
            for r in sub.itertuples():
                vals = " | ".join(_fmt(sub.loc[r.Index, e.id]) for e in era_eds)
                ch = sub.loc[r.Index, "change"]
                lines.append(f"| {md_text(r.area_name)} ({r.area_code}) | {vals} | {_fmt(ch)} |")
            lines.append("")
        lines += [f"Download: {_download('trends_areas.csv')}.", ""]
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return narrative.signed(float(value))


def sectors_markdown(editions: list[Edition], build_dir: Path) -> str:
    from opencyber.report.tables import md_text, table_html

    status = _across(build_dir, "sectors_status.csv")
    totals = _across(build_dir, "sectors_totals.csv")
    gp = _across(build_dir, "sectors_gp_areas.csv")
    gp_ccgs = _across(build_dir, "sectors_gp_ccgs.csv")
    coverage = _across(build_dir, "sectors_gp_coverage.csv")
    alignment = _across(build_dir, "sectors_alignment.csv")
    by_date = {e.snapshot.isoformat(): e for e in editions}
    lines = ["# All sectors of the full DSPT exports", ""]
    if totals.empty:
        lines += ["None of the built editions has a full DSPT export (one with sectors beyond the NHS ones).", ""]
        return "\n".join(lines) + "\n"
    dates = sorted(totals["export_date"].unique())
    lines += [
        f"The data hold {len(dates)} full export{'s' if len(dates) != 1 else ''} of the DSPT, every organisation that "
        "has a DSPT account: "
        + ", ".join(
            f"[{by_date[d].label}]({by_date[d].id}.html) ({long_date(d)}, "
            f"{int(totals[totals['export_date'] == d]['organisations'].sum()):,} organisations, "
            f"{int((totals['export_date'] == d).sum())} sectors)"
            for d in dates
            if d in by_date
        )
        + ". "
        "Statuses are as the export gives them: the latest assessment of each organisation, of whatever edition; "
        "the sector is the one the organisation declared. The sectors were renamed between the exports: the "
        "[alignment table](#sector-alignment) reads the older names in the later vocabulary.",
        "",
        LAZY_PLOTLY,
        "",
    ]
    for date in dates:
        t = totals[totals["export_date"] == date]
        st = status[status["export_date"] == date]
        ed = by_date.get(date)
        label = ed.label if ed else date
        dspt = st["dspt_edition"].iloc[0]
        lines += [
            f'<h2 id="sectors-{date}">{label}: the export of {long_date(date)}</h2>',
            "",
            narrative.sectors_sentence(t, date),
            "",
            f"### Organisations by sector, {label}",
            "",
            "| sector | organisations | latest status Met or Exceeded (any edition) | with an area (commissioner) |",
            "|---|---:|---:|---:|",
        ]
        for r in t.itertuples():
            lines.append(
                f"| {md_text(r.sector)} | {int(r.organisations):,} | {int(r.latest_met_or_exceeded):,} | {int(r.with_area):,} |"
            )
        lines.append(
            f"| **all sectors** | **{int(t['organisations'].sum()):,}** | {int(t['latest_met_or_exceeded'].sum()):,} | {int(t['with_area'].sum()):,} |"
        )
        none = sorted(t[t["with_area"] == 0]["sector"])
        lines += [
            "",
            f"**{len(none)} of the {len(t)} sectors have no area in the export** (no organisation of them has a "
            f"commissioner): {', '.join(md_text(x) for x in none)}.",
            "",
        ]
        lines += [
            f"### Status by sector, {label}",
            "",
            f"Each sector's organisations by latest status: the {dspt} outcomes, *Another edition* (a latest status "
            f"of an older or newer edition) and *Blank* (no status)."
            + (
                ""
                if not (ed and ed.status_aliases)
                else " This export's older words are read as: "
                + "; ".join(f"*{md_text(a)}* as *{md_text(b)}*" for a, b in ed.status_aliases.items())
                + " (a documented assumption, see the methodology)."
            ),
            "",
            _sectors_chart(st, t, date, label),
            "",
        ]
        wide = _across(build_dir, f"sectors_status_wide_{date}.csv")
        if not wide.empty:
            lines += [
                table_html(
                    wide,
                    f"Organisations of each sector by latest DSPT status, {label} export",
                    download=f"downloads/{ACROSS}/sectors_status_wide_{date}.csv",
                ),
                "",
            ]
        lines += [
            '<details class="oc-details"><summary>Every sector and status as the export writes it (table)</summary>',
            "",
            "| sector | status | organisations |",
            "|---|---|---:|",
        ]
        for r in st.itertuples():
            lines.append(f"| {md_text(r.sector)} | {md_text(r.status)} | {int(r.n):,} |")
        lines += [
            "",
            "</details>",
            "",
            f"Download: {_download('sectors_status.csv')}, {_download('sectors_totals.csv')}.",
            "",
        ]
        lines += _gp_sections(
            gp[gp["export_date"] == date] if not gp.empty else gp,
            gp_ccgs[gp_ccgs["export_date"] == date] if not gp_ccgs.empty else gp_ccgs,
            coverage[coverage["export_date"] == date] if not coverage.empty else coverage,
            label,
        )
        if not gp.empty and date == gp["export_date"].max():
            lines += _gp_map_section(build_dir, label)
    if not alignment.empty:
        lines += _alignment_section(alignment, by_date, totals)
    return "\n".join(lines) + "\n"


def _gp_sections(gp: pd.DataFrame, gp_ccgs: pd.DataFrame, coverage: pd.DataFrame, label: str) -> list[str]:
    from opencyber.report.tables import md_text, table_html

    lines: list[str] = []
    if not coverage.empty:
        c = coverage.iloc[0]
        pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "—"  # noqa: E731
        lines += [
            f"### GP practices that published, {label}",
            "",
            f"Of the **{int(c.open_practices):,} GP practices open on {long_date(c.open_at)}** (the "
            f"practices of edition {c.dspt_edition} in the NHS list of GP practices: the denominator), "
            f"**{int(c.published_edition):,} ({pct(c.published_edition, c.open_practices)})** had published a "
            f"{c.dspt_edition} assessment by the export date, {int(c.met_or_exceeded):,} "
            f"({pct(c.met_or_exceeded, c.open_practices)}) Standards Met or Exceeded; "
            f"{int(c.in_export):,} are in the export at all ({int(c.in_export_gp_sector):,} in its GP sector). "
            f"The export's GP sector has {int(c.export_gp_rows):,} rows, {int(c.export_gp_rows_not_open):,} of "
            "them not on the list of open practices (closed or not a practice), so a share of the export's own "
            "GP rows would have another denominator.",
            "",
            f"Download: {_download('sectors_gp_coverage.csv')}.",
            "",
        ]
    if not gp_ccgs.empty:
        ed = gp_ccgs["dspt_edition"].iloc[0]
        t = gp_ccgs.drop(columns=["export_date", "dspt_edition"])
        t = t.assign(commissioner=t["commissioner"].map(readable)).rename(
            columns={
                "commissioner_code": "CCG code",
                "commissioner": "CCG (as the export names it)",
                "practices": "GP practices",
                "met_or_exceeded": f"{ed} Met or Exceeded",
                "other_status": "other status",
                "share": "% Met or Exceeded",
            }
        )
        lines += [
            f"### GP practices by CCG, {label}",
            "",
            f"The export names each GP practice's CCG (by name; the code is that of the export's own CCG row of the "
            f"same name). No CCG boundaries of that year are in the data, so there is no map. A practice counts as "
            f"*Met or Exceeded* when its latest status is {ed} Standards Met or Exceeded; the denominator is the "
            "CCG's GP practices in the export.",
            "",
            table_html(
                t,
                f"GP practices of each CCG by status, {label} export",
                digits=1,
                collapsed=True,
                download=f"downloads/{ACROSS}/sectors_gp_ccgs.csv",
            ),
            "",
        ]
    if not gp.empty:
        ed = gp["dspt_edition"].iloc[0]
        lines += [
            f"### GP practices by ICB, {label}",
            "",
            f"The export names each GP practice's sub-ICB location (its former CCG); the ONS lookup of sub-ICB locations "
            f"to ICBs gives its ICB. A practice counts as *met or exceeded* when its latest status is {ed} Standards Met "
            "or Exceeded; the denominator is the ICB's GP practices in the export.",
            "",
            "| ICB | practices | met or exceeded | other status | share |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in gp.itertuples():
            area = (
                f"{md_text(r.area_name)} ({r.area_code})"
                if r.area_code != "(unknown)"
                else "No ICB given in the export"
            )
            lines.append(
                f"| {area} | {int(r.practices):,} | {int(r.met_or_exceeded):,} | {int(r.other_status):,} | {float(r.share):.1f}% |"
            )
        lines += ["", f"Download: {_download('sectors_gp_areas.csv')}.", ""]
    return lines


def _gp_map_section(build_dir: Path, label: str) -> list[str]:
    """The GP-practices map of the newest export, when the across outputs hold its areas."""
    from opencyber.analysis.sectors import GP_MAP_AREAS
    from opencyber.report import gp_map, maps

    if not (Path(build_dir) / ACROSS / GP_MAP_AREAS).is_file():
        return []
    return [
        f"#### Map: GP practices that met the standard, by ICB, {label}",
        "",
        "Each ICB is coloured by the share of its GP practices in the export whose latest status met or exceeded "
        "the standard; hover over or tap an ICB for its figures. The table above gives the same numbers.",
        "",
        "<!-- oc-widget:gp-map -->",
        "",
        maps.legends_html([gp_map.gp_share_legend("GP practices that met the standard, by ICB")])
        + maps.print_note([f"GP practices by ICB, {label}"], "above"),
        "",
    ]


def gp_map_widget(build_dir: Path):
    """The GP-practices map as an embedded widget (output, widget state) for the all-sectors page."""
    import json

    from opencyber.analysis.sectors import GP_MAP_AREAS
    from opencyber.report import gp_map, maps

    areas = json.loads((Path(build_dir) / ACROSS / GP_MAP_AREAS).read_text(encoding="utf-8"))
    with maps.numbered_widgets(0x6F63_0000):  # the page's own numbering: the same ids on every build
        return gp_map.embed(gp_map.gp_share_map(areas))


#: widgets that narrative pages embed (``<!-- oc-widget:NAME -->`` in their Markdown)
PAGE_WIDGETS = {"gp-map": gp_map_widget}


def _alignment_section(alignment: pd.DataFrame, by_date: dict, totals: pd.DataFrame) -> list[str]:
    from opencyber.report.tables import table_html

    lines = ['<h2 id="sector-alignment">Sector names across the exports</h2>', ""]
    for (old, new), a in alignment.groupby(["export_date", "later_export_date"]):
        o, n = by_date.get(old), by_date.get(new)
        ol, nl = (o.label if o else old), (n.label if n else new)
        kept = int(a["in_later_sector"].sum())
        found = int(a["found_by_code"].sum())
        lines += [
            f"The {ol} export ({long_date(old)}) has {len(a)} sectors and the {nl} export "
            f"({long_date(new)}) {int((totals['export_date'] == new).sum())}; the {len(a)} are read as "
            f"{a['later_sector'].nunique()} of them. Each older sector is read as the later sector that most of its organisations, found by "
            f"code in the later export, declared there (a documented choice, see the methodology). "
            f"Of the {found:,} organisations found by code, {kept:,} ({100 * kept / found:.1f}%) are in the aligned "
            "sector; the last column says how well each line holds. Several older sectors can share one later sector, "
            "whose count is then repeated.",
            "",
            table_html(
                a.drop(columns=["export_date", "later_export_date"]).rename(
                    columns={
                        "sector": f"{ol} sector",
                        "organisations": f"{ol} organisations",
                        "later_sector": f"{nl} sector",
                        "later_organisations": f"{nl} organisations",
                        "found_by_code": f"found in {nl} by code",
                        "in_later_sector": f"of them in the {nl} sector",
                    }
                ),
                f"The {ol} sectors and the {nl} sectors they are read as",
                download=f"downloads/{ACROSS}/sectors_alignment.csv",
            ),
            "",
        ]
    return lines


def _sectors_chart(status: pd.DataFrame, totals: pd.DataFrame, date: str, label: str) -> str:
    """Status by sector of a full export: the share of each sector's organisations in each group, one
    bar per sector (largest first), as the edition pages' chart, so that every sector reads on a phone."""
    from opencyber.analysis.sectors import GROUPS, status_groups
    from opencyber.report.charts import (
        figure_html,
        status_marker,
        status_share_chart,
        status_slug,
    )
    from opencyber.report.publication import long_date

    s = status.copy()
    dspt = s["dspt_edition"].iloc[0]
    s["group"] = status_groups(s, dspt)
    # the statuses as everywhere (colour and pattern); the export's other groups in colours and
    # patterns of their own, none of which a status uses
    outline = dict(color="#505a5f", width=0.5)
    others = {
        "Entry Level": dict(
            color="#6F5E8C", line=outline, pattern=dict(shape="-", fgcolor="#ffffff", fgopacity=0.5, size=7)
        ),
        "Another edition": dict(
            color="#A7A9AC", line=outline, pattern=dict(shape="+", fgcolor="#0b0c0c", fgopacity=0.45, size=7)
        ),
        "Blank": dict(color="#ffffff", line=dict(color="#505a5f", width=0.8)),
    }
    present = [g for g in GROUPS if s.loc[s["group"] == g, "n"].sum() > 0]
    groups = {g: {"marker": others[g] if g in others else status_marker(g), "slug": status_slug(g)} for g in present}
    long = s.groupby(["sector", "group"], as_index=False)["n"].sum().rename(columns={"group": "status"})
    top = totals.iloc[0]
    fig = status_share_chart(
        long,
        f"{label}: {int(top['latest_met_or_exceeded']) / int(top['organisations']):.0%} of the largest sector, "
        f"{top['sector']}, had a latest status of Met or Exceeded",
        f"Share of each sector's organisations by latest DSPT status (of {dspt} unless 'Another edition'), "
        f"export of {long_date(date)}",
        f"Source: NHS England, DSPT export of {long_date(date)}; Open Cyber analysis",
        order=list(totals["sector"]),
        groups=groups,
    )
    return figure_html(
        fig,
        f"oc-sectors-chart-{date}",
        f"Organisations of each sector by latest DSPT status, {label} export (the table below gives the numbers).",
        f"downloads/{ACROSS}/sectors_status.csv",
    )
