"""The site's narrative pages (Markdown, computed from build/ and the registry, never typed):
home, methodology, data and downloads, accessibility statement."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from . import across, narrative, score, trends
from .registry import PROJECT_ROOT, Edition
from .status import MEETS, SCORES



def _crosstab(build_dir: Path, ed: Edition) -> pd.DataFrame:
    return pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)


def _good_share(ct: pd.DataFrame) -> tuple[int, int]:
    return int(ct[ct["status"].isin(MEETS)]["n"].sum()), int(ct["n"].sum())


def _doc_body(path: Path) -> str:
    """A Markdown document without its first-level title (the page has its own)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("# ")).strip()


def home_markdown(editions: list[Edition], build_dir: Path) -> str:
    """What the site shows, the latest edition's headline and the change since the previous one."""
    latest = editions[0]
    ct = _crosstab(build_dir, latest)
    good, n = _good_share(ct)
    lines = [
        "# NHS cyber security compliance: the Data Security and Protection Toolkit",
        "",
        "Every NHS organisation assesses itself each year against the National Data Guardian's data security "
        "standards in the **Data Security and Protection Toolkit (DSPT)** and publishes its status. This site "
        "shows the statuses of NHS trusts, integrated care boards (and before July 2022 clinical commissioning "
        "groups) and commissioning support units, scores them, and maps them by area.",
        "",
        narrative.about_sentence(),
        "",
        f"## Latest edition: {latest.label}",
        "",
        f"On **{latest.snapshot:%d %B %Y}**, **{good} of {n}** NHS organisations in scope "
        f"(**{100 * good / n:.1f}%**) had met or exceeded the {latest.label} standards. "
        f"[Read the {latest.label} report]({latest.id}.html).",
        "",
    ]
    if len(editions) > 1:
        prev = editions[1]
        pct = _crosstab(build_dir, prev)
        lines += [
            narrative.change_sentence(
                trends.transitions(
                    score.read_organisations(Path(build_dir) / prev.id / "organisations.csv"),
                    score.read_organisations(Path(build_dir) / latest.id / "organisations.csv"),
                ),
                prev.label,
                latest.label,
            ),
            "",
            "The sectors differ between editions (ICBs replaced CCGs in July 2022), so compare sector by sector:",
            "",
            f"| sector | {prev.label}: met or exceeded | {latest.label}: met or exceeded | change (points) |",
            "|---|---:|---:|---:|",
        ]
        for sector in sorted(set(ct["sector"]) | set(pct["sector"])):
            now = ct[ct["sector"] == sector]
            before = pct[pct["sector"] == sector]
            cells = []
            shares = []
            for frame in (before, now):
                if frame.empty:
                    cells.append("not in this edition")
                    shares.append(None)
                else:
                    g, t = _good_share(frame)
                    cells.append(f"{g} of {t} ({100 * g / t:.1f}%)")
                    shares.append(100 * g / t)
            change = f"{shares[1] - shares[0]:+.1f}" if None not in shares else ""
            lines.append(f"| {sector} | {cells[0]} | {cells[1]} | {change} |")
        lines.append("")
    lines += [
        "## Every edition",
        "",
        "| edition | snapshot date | organisations | Standards Met or Exceeded |",
        "|---|---|---:|---:|",
    ]
    for ed in editions:
        g, t = _good_share(_crosstab(build_dir, ed))
        lines.append(f"| [{ed.label}]({ed.id}.html) | {ed.snapshot:%d %B %Y} | {t} | {g} ({100 * g / t:.1f}%) |")
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
        "(ODS); an organisation that merged into another and has no status of its own takes its successor's.",
        "- **How areas are compared.** Each status has a score, from +3 (Standards Exceeded) to −3 (Standards "
        "Not Met or Not Published). An area's composite score is half the score of its commissioner (the ICB; "
        "before July 2022 the mean of the area's CCGs) and half the mean of its trusts' scores.",
        "- **Where this report differs from the original.** Every difference from the NHSX open-cyber report "
        "is listed, edition by edition, under *Overrides and caveats* below.",
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
        "edition; otherwise it is Not Published. Successors that disagree stop the build until an override "
        "decides. Organisations closed before the edition's scope date (the snapshot date unless the "
        "registry says otherwise) are out of scope.",
        "",
        "## Composite area scores",
        "",
        "- **ICB era (from July 2022):** an ICB's composite = 0.5 × the ICB's own score + 0.5 × the simple "
        "mean of the scores of its in-scope trusts (trust to ICB by the ODS *High Level Health Geography*).",
        "- **CCG era (to June 2022):** an ICS's composite = 0.5 × the mean score of its CCGs, weighted by "
        "population (GP-registered patients) when the edition has a population file, else equally, + 0.5 × "
        "the mean score of its trusts (simple, or weighted by EPRR risk tier in the original's variant when "
        "a trust-weights file is given). The data pack has neither file, so the pages use equal weights and "
        "say so.",
        "",
    ]
    for era in ("icb", "ccg"):
        ed = next((e for e in editions if e.era == era), None)
        if ed is None:
            continue
        orgs = score.read_organisations(Path(build_dir) / ed.id / "organisations.csv")
        scores = pd.read_csv(Path(build_dir) / ed.id / "area_scores.csv", keep_default_na=False)
        lines += [score.worked_example(orgs, scores, ed).replace("**Worked example, ", f"**Worked example ({ed.label} data), ", 1), ""]
    lines += ["## Overrides and caveats, edition by edition", ""]
    for ed in editions:
        lines += [f"### {ed.label} (snapshot {ed.snapshot:%d %B %Y})", ""]
        ov = pd.read_csv(Path(build_dir) / ed.id / "overrides.csv", keep_default_na=False)
        if ov.empty:
            lines.append("- No override: every figure follows the rules.")
        for o in ov.itertuples():
            lines.append(f"- **Override {o.code} ({o.action}).** {o.reason} *Effect:* {o.effect}.")
        lines += [f"- {c}" for c in ed.caveats]
        lines.append("")
    lines += [
        "## Assumptions and caveats log",
        "",
        _doc_body(PROJECT_ROOT / "docs" / "assumptions-and-caveats.md"),
        "",
    ]
    return "\n".join(lines) + "\n"


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
        return "A table of the edition page, as shown there"
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
            "Licence v3.0; the boundaries carry the attribution \"Source: Office for National Statistics "
            "licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database "
            "right\". The output tables below are free to reuse under the same licence.",
            "",
        ]
    lines += [
        "## What you can download",
        "",
        "Every figure on this site is in a CSV file (comma-separated values: it opens in a spreadsheet). "
        "Each edition has its own files; the files *across editions* hold the organisation finder, the trends "
        "and the all-sectors figures. The sections under *For analysts* below describe every column.",
        "",
    ]
    groups = [(ed.label, ed.id, Path(build_dir) / ed.id) for ed in editions]
    groups.append(("across editions", "all-editions", Path(build_dir) / "all-editions"))
    for label, folder, path in groups:
        files = sorted(path.glob("*.csv"))
        if not files:
            continue
        lines += [f"### {label[0].upper() + label[1:]}", "", "| file and what it holds | rows | size |", "|---|---:|---:|"]
        for csv in files:
            rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
            lines.append(
                f"| [{csv.name}](downloads/{folder}/{csv.name})<br>{download_description(csv.name)} | {rows:,} | {_kb(csv)} |"
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
    from .publication import contact_sentence, load_publisher, long_date

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
- print an edition page with every bar of its chart and every column of its tables.

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
1366 pixels wide, every page is checked with axe-core (no serious or critical violation may remain),
for content wider than the screen, for the number of tab stops, for maps that fit their box and
charts wide enough to read, and that an edition page prints every bar and table column.

## Preparation of this statement

This statement was prepared on {long_date(pub.statement_prepared)}. It was last reviewed on
{long_date(pub.statement_reviewed)}. The website is tested automatically on every change, as above;
it has not yet been tested by people who use assistive technologies.
"""


# ---------------------------------------------------------------------------------------------
# pages across editions: the organisation finder, trends, all sectors (data in build/all-editions)

ACROSS = across.DIR  # build/all-editions: the outputs across editions


def _across(build_dir: Path, name: str) -> pd.DataFrame:
    path = Path(build_dir) / ACROSS / name
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"area_code": str, "code": str}, keep_default_na=False)


def _download(name: str) -> str:
    return f"[{name}](downloads/{ACROSS}/{name})"


def finder_markdown(editions: list[Edition], build_dir: Path) -> str:
    """The organisation finder: a form that assets/finder.js fills from assets/data/finder_nhs.json."""
    import json

    def read(name: str, empty: dict) -> dict:
        path = Path(build_dir) / ACROSS / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else empty

    nhs = read("finder_nhs.json", {"orgs": []})
    full = read("finder_all.json", {"exports": []})["exports"]
    labels = ", ".join(e.label for e in editions)
    full_text = "; ".join(f"{x['n']:,} organisations of the full DSPT export of {x['snapshot']}" for x in full)
    lines = [
        "# Find an organisation",
        "",
        f"Search the **{len(nhs['orgs'])} NHS organisations** of the {labels} editions (NHS trusts, ICBs, CCGs and "
        "sub-ICB locations, CSUs; in scope or not, with the reason) by ODS code or name, and see each one's status, "
        "sector and area in every edition, and its predecessors and successors. Each organisation has a permanent "
        "link (`finder.html#org=RA4`)."
        + (f" Tick the box to search also the {full_text} (fetched only then)." if full else ""),
        "",
        f"Without JavaScript, the same data are in the download {_download('finder_organisations.csv')}.",
        "",
        '<link rel="stylesheet" href="assets/finder.css">',
        '<p id="oc-loading">Loading the finder…</p>',
        '<form id="oc-finder" class="oc-finder" role="search" aria-label="Organisations" hidden>',
        '<div><label for="oc-q">Code or name</label><input type="search" id="oc-q" name="q" autocomplete="off" '
        'spellcheck="false" placeholder="e.g. RA4 or yeovil"></div>',
        '<div><label for="oc-f-sector">Sector</label><select id="oc-f-sector"><option value="">any</option></select></div>',
        '<div><label for="oc-f-area">Area</label><select id="oc-f-area"><option value="">any</option></select></div>',
        '<div><label for="oc-f-status">Status</label><select id="oc-f-status"><option value="">any</option></select></div>',
        '<div><label for="oc-f-edition">In edition</label><select id="oc-f-edition"><option value="">any</option></select></div>',
        ('<div class="oc-check"><input type="checkbox" id="oc-f-all"> <label for="oc-f-all">Also search the other '
         f'organisations of the full export ({full[0]["n"]:,}, about {_size_mb(build_dir)} MB to fetch)</label></div>'
         if full else '<input type="checkbox" id="oc-f-all" hidden>'),
        "</form>",
        '<p id="oc-status" role="status" aria-live="polite"></p>',
        '<div id="oc-results"></div>',
        '<section id="oc-org" aria-labelledby="oc-org-title" hidden></section>',
        '<script src="assets/finder.js"></script>',
        "",
        "Names are shown in readable case (the ODS writes them in capitals); the search ignores case and punctuation, "
        "and reads *NHS Foundation Trust* and *NHS FT* as the same. A status is the one the edition's report counts "
        "(*Not Published* when none of that edition was published); *out of scope* organisations are listed with the "
        "reason. Successors come from ODS successor data where an edition's inputs have them (the 2020/21 reference "
        "file) and, for CCGs, from the ONS lookup of sub-ICB locations to ICBs; elsewhere they are unknown.",
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
    from .charts import SHORT_SECTORS, figure_html, status_share_chart

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
    return figure_html(fig, "oc-trends-chart", "Share of each sector in each DSPT status, by edition (the table below gives the numbers).",
                       "downloads/all-editions/trends_status_share.csv")


def _trend_title(s: pd.DataFrame, editions: list[str]) -> str:
    """The finding: the share of NHS trusts that met the standard, first edition against the last."""
    trusts = s[s["sector"] == "NHS Trust"]
    if trusts.empty or len(editions) < 2:
        return "Share of each sector in each DSPT status"
    met = trusts[trusts["status"].isin(MEETS)].groupby("label")["share"].sum()
    first, last = editions[0], editions[-1]
    if first not in met or last not in met:
        return "Share of each sector in each DSPT status"
    return f"{met[last]:.1f}% of NHS trusts met or exceeded the standard in {last}, against {met[first]:.1f}% in {first}"


def trends_markdown(editions: list[Edition], build_dir: Path) -> str:
    from .tables import md_text

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
        sets = "; ".join(f"{md_text(r.sector)} {int(r.total)}" for r in sub.itertuples())
        lines.append(f"| [{ed.label}]({ed.id}.html) | {ed.snapshot:%d %B %Y} | {sets} ([how chosen]({ed.id}-curation.html)) |")
    lines += ["", "## Share in each status, by sector and edition", ""]
    if not shares.empty and len(editions) > 0:
        lines += ['<script src="assets/plotly.min.js"></script>', _trend_chart(shares), ""]
        from .trends import sector_anchor

        for sector, sub in shares.groupby("sector", sort=True):
            eds = sub.drop_duplicates("edition")
            lines += [f'<h3 id="{sector_anchor(sector)}">{html.escape(sector)}</h3>', "",
                      f"In {len(eds)} edition{'s' if len(eds) != 1 else ''}: " + ", ".join(
                          f"[{r.label}]({r.edition}.html) ({int(r.total)})" for r in eds.itertuples()) + ".", "",
                      "| edition | status | organisations | share |", "|---|---|---:|---:|"]
            for r in sub.itertuples():
                lines.append(f"| {r.label} | {r.status} | {int(r.n)} of {int(r.total)} | {float(r.share):.1f}% |")
            lines.append("")
        lines += [f"Download: {_download('trends_status_share.csv')}.", ""]
    lines += ["## NHS trusts followed from edition to edition", ""]
    if changes.empty:
        lines += ["Only one edition is built: nothing to follow.", ""]
    else:
        from .trends import change_counts

        by_id = {e.id: e for e in editions}
        counts = change_counts(changes)
        lines += [
            "Each NHS trust in scope in an edition is followed into the next by its ODS code, or, if it merged, "
            "to its ODS successor (several successors: the mean of their scores). A trust *improved* when its score "
            "(Exceeded +3, Met +1, Approaching −1, Not Met and Not Published −3) went up.",
            "",
            "| from | to | trusts compared | improved | declined | stayed the same | not followed |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in counts.itertuples():
            lines.append(f"| {by_id[r.previous_edition].label} | {by_id[r.edition].label} | {r.compared} | {r.improved} | "
                         f"{r.declined} | {r.same} | {r.not_followed} |")
        lines.append("")
        for r in counts.to_dict("records"):
            lines += [narrative.follow_sentence(r, by_id[r["previous_edition"]].label, by_id[r["edition"]].label), ""]
        for r in counts.itertuples():
            sub = changes[(changes["previous_edition"] == r.previous_edition) & (changes["edition"] == r.edition)]
            title = f"{by_id[r.previous_edition].label} to {by_id[r.edition].label}"
            lines += [f'<details class="oc-details"><summary>The trusts that changed, {title}</summary>', ""]
            lines += ["| trust | before | after | change |", "|---|---|---|---|"]
            for c in sub[sub["change"] != "same"].itertuples():
                via = f" (via {c.matched_code})" if c.matched_by == "ODS successor" else ""
                lines.append(f"| [{md_text(c.name)} ({c.code})](finder.html#org={c.code}) | {c.status_before} | "
                             f"{c.status_now or '—'}{via} | {c.change} |")
            lines += ["", "</details>", ""]
        lines += [f"Every trust, changed or not: {_download('trends_trusts.csv')}.", ""]
    lines += ["## Areas across editions", ""]
    if not areas.empty:
        for era in sorted(areas["era"].unique()):
            era_eds = [e for e in reversed(editions) if e.era == era and e.has_areas]
            label = era_eds[0].area_label
            if len(era_eds) < 2:
                lines += [f"The {label}s ({', '.join(e.label for e in era_eds)}) are in one edition only: no trend yet; "
                          f"they are not comparable with the areas of the other editions (a different geography).", ""]
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
    from .tables import md_text, table_html

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
        "has a DSPT account: " + ", ".join(
            f"[{by_date[d].label}]({by_date[d].id}.html) ({pd.Timestamp(d):%d %B %Y}, "
            f"{int(totals[totals['export_date'] == d]['organisations'].sum()):,} organisations, "
            f"{int((totals['export_date'] == d).sum())} sectors)" for d in dates if d in by_date) + ". "
        "Statuses are as the export gives them: the latest assessment of each organisation, of whatever edition; "
        "the sector is the one the organisation declared. The sectors were renamed between the exports: the "
        "[alignment table](#sector-alignment) reads the older names in the later vocabulary.",
        "",
        '<script src="assets/plotly.min.js"></script>',
        "",
    ]
    for date in dates:
        t = totals[totals["export_date"] == date]
        st = status[status["export_date"] == date]
        ed = by_date.get(date)
        label = ed.label if ed else date
        dspt = st["dspt_edition"].iloc[0]
        lines += [f'<h2 id="sectors-{date}">{label}: the export of {pd.Timestamp(date):%d %B %Y}</h2>', "",
                  narrative.sectors_sentence(t, date), "",
                  f"### Organisations by sector, {label}", "",
                  "| sector | organisations | latest status Met or Exceeded (any edition) | with an area (commissioner) |",
                  "|---|---:|---:|---:|"]
        for r in t.itertuples():
            lines.append(f"| {md_text(r.sector)} | {int(r.organisations):,} | {int(r.latest_met_or_exceeded):,} | {int(r.with_area):,} |")
        lines.append(f"| **all sectors** | **{int(t['organisations'].sum()):,}** | {int(t['latest_met_or_exceeded'].sum()):,} | {int(t['with_area'].sum()):,} |")
        none = sorted(t[t["with_area"] == 0]["sector"])
        lines += ["", f"**{len(none)} of the {len(t)} sectors have no area in the export** (no organisation of them has a "
                  f"commissioner): {', '.join(md_text(x) for x in none)}.", ""]
        lines += [f"### Status by sector, {label}", "",
                  f"Each sector's organisations by latest status: the {dspt} outcomes, *Another edition* (a latest status "
                  f"of an older or newer edition) and *Blank* (no status)."
                  + ("" if not (ed and ed.status_aliases) else " This export's older words are read as: " + "; ".join(
                      f"*{md_text(a)}* as *{md_text(b)}*" for a, b in ed.status_aliases.items())
                     + " (the registry's status_aliases, a documented assumption)."), "",
                  _sectors_chart(st, t, date, label), ""]
        wide = _across(build_dir, f"sectors_status_wide_{date}.csv")
        if not wide.empty:
            lines += [table_html(wide, f"Organisations of each sector by latest DSPT status, {label} export",
                                 download=f"downloads/{ACROSS}/sectors_status_wide_{date}.csv"), ""]
        lines += ['<details class="oc-details"><summary>Every sector and status as the export writes it (table)</summary>', "",
                  "| sector | status | organisations |", "|---|---|---:|"]
        for r in st.itertuples():
            lines.append(f"| {md_text(r.sector)} | {md_text(r.status)} | {int(r.n):,} |")
        lines += ["", "</details>", "", f"Download: {_download('sectors_status.csv')}, {_download('sectors_totals.csv')}.", ""]
        lines += _gp_sections(gp[gp["export_date"] == date] if not gp.empty else gp,
                              gp_ccgs[gp_ccgs["export_date"] == date] if not gp_ccgs.empty else gp_ccgs,
                              coverage[coverage["export_date"] == date] if not coverage.empty else coverage, label)
        if not gp.empty and date == gp["export_date"].max():
            lines += _gp_map_section(build_dir, label)
    if not alignment.empty:
        lines += _alignment_section(alignment, by_date, totals)
    return "\n".join(lines) + "\n"


def _gp_sections(gp: pd.DataFrame, gp_ccgs: pd.DataFrame, coverage: pd.DataFrame, label: str) -> list[str]:
    from .tables import md_text, table_html

    lines: list[str] = []
    if not coverage.empty:
        c = coverage.iloc[0]
        pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "—"  # noqa: E731
        lines += [f"### GP practices that published, {label}", "",
                  f"Of the **{int(c.open_practices):,} GP practices open on {pd.Timestamp(c.open_at):%d %B %Y}** (the "
                  f"practices of edition {c.dspt_edition} in `gp_practices_editions.csv`: the denominator), "
                  f"**{int(c.published_edition):,} ({pct(c.published_edition, c.open_practices)})** had published a "
                  f"{c.dspt_edition} assessment by the export date, {int(c.met_or_exceeded):,} "
                  f"({pct(c.met_or_exceeded, c.open_practices)}) Standards Met or Exceeded; "
                  f"{int(c.in_export):,} are in the export at all ({int(c.in_export_gp_sector):,} in its GP sector). "
                  f"The export's GP sector has {int(c.export_gp_rows):,} rows, {int(c.export_gp_rows_not_open):,} of "
                  "them not on the list of open practices (closed or not a practice), so a share of the export's own "
                  "GP rows would have another denominator.", "",
                  f"Download: {_download('sectors_gp_coverage.csv')}.", ""]
    if not gp_ccgs.empty:
        ed = gp_ccgs["dspt_edition"].iloc[0]
        t = gp_ccgs.drop(columns=["export_date", "dspt_edition"]).rename(columns={
            "commissioner_code": "CCG code", "commissioner": "CCG (as the export names it)", "practices": "GP practices",
            "met_or_exceeded": f"{ed} Met or Exceeded", "other_status": "other status", "share": "% Met or Exceeded"})
        lines += [f"### GP practices by CCG, {label}", "",
                  f"The export names each GP practice's CCG (by name; the code is that of the export's own CCG row of the "
                  f"same name). No CCG boundaries of that year are in the data, so there is no map. A practice counts as "
                  f"*Met or Exceeded* when its latest status is {ed} Standards Met or Exceeded; the denominator is the "
                  "CCG's GP practices in the export.", "",
                  table_html(t, f"GP practices of each CCG by status, {label} export", digits=1, collapsed=True,
                             download=f"downloads/{ACROSS}/sectors_gp_ccgs.csv"), ""]
    if not gp.empty:
        ed = gp["dspt_edition"].iloc[0]
        lines += [f"### GP practices by ICB, {label}", "",
                  f"The export names each GP practice's sub-ICB location (its former CCG); the ONS lookup of sub-ICB locations "
                  f"to ICBs gives its ICB. A practice counts as *met or exceeded* when its latest status is {ed} Standards Met "
                  "or Exceeded; the denominator is the ICB's GP practices in the export.", "",
                  "| ICB | practices | met or exceeded | other status | share |", "|---|---:|---:|---:|---:|"]
        for r in gp.itertuples():
            lines.append(f"| {md_text(r.area_name)} ({r.area_code}) | {int(r.practices)} | {int(r.met_or_exceeded)} | {int(r.other_status)} | {float(r.share):.1f}% |")
        lines += ["", f"Download: {_download('sectors_gp_areas.csv')}.", ""]
    return lines


def _gp_map_section(build_dir: Path, label: str) -> list[str]:
    """The GP-practices map of the newest export, when the across outputs hold its areas."""
    from .sectors import GP_MAP_AREAS

    if not (Path(build_dir) / ACROSS / GP_MAP_AREAS).is_file():
        return []
    return [
        f"#### Map: GP practices that met the standard, by ICB, {label}", "",
        "Each ICB is coloured by the share of its GP practices in the export whose latest status met or exceeded "
        "the standard; hover over or tap an ICB for its figures. The table above gives the same numbers.", "",
        "<!-- oc-widget:gp-map -->", "",
    ]


def gp_map_widget(build_dir: Path):
    """The GP-practices map as an embedded widget (output, widget state) for the all-sectors page."""
    import json

    from . import maps
    from .sectors import GP_MAP_AREAS

    areas = json.loads((Path(build_dir) / ACROSS / GP_MAP_AREAS).read_text(encoding="utf-8"))
    maps.fresh_widget_ids(0x6F63_0000)  # the page's own numbering: the same ids on every build
    return maps.embed(maps.gp_share_map(areas))


#: widgets that narrative pages embed (``<!-- oc-widget:NAME -->`` in their Markdown)
PAGE_WIDGETS = {"gp-map": gp_map_widget}


def _alignment_section(alignment: pd.DataFrame, by_date: dict, totals: pd.DataFrame) -> list[str]:
    from .tables import table_html

    lines = ['<h2 id="sector-alignment">Sector names across the exports</h2>', ""]
    for (old, new), a in alignment.groupby(["export_date", "later_export_date"]):
        o, n = by_date.get(old), by_date.get(new)
        ol, nl = (o.label if o else old), (n.label if n else new)
        kept = int(a["in_later_sector"].sum())
        found = int(a["found_by_code"].sum())
        lines += [
            f"The {ol} export ({pd.Timestamp(old):%d/%m/%Y}) has {len(a)} sectors and the {nl} export "
            f"({pd.Timestamp(new):%d/%m/%Y}) {int((totals['export_date'] == new).sum())}; the {len(a)} are read as "
            f"{a['later_sector'].nunique()} of them. Each older sector is read as the later sector that most of its organisations, found by "
            f"code in the later export, declared there (a documented choice in the registry, `export_sector_aliases`). "
            f"Of the {found:,} organisations found by code, {kept:,} ({100 * kept / found:.1f}%) are in the aligned "
            "sector; the last column says how well each line holds. Several older sectors can share one later sector, "
            "whose count is then repeated.",
            "",
            table_html(a.drop(columns=["export_date", "later_export_date"]).rename(columns={
                "sector": f"{ol} sector", "organisations": f"{ol} organisations", "later_sector": f"{nl} sector",
                "later_organisations": f"{nl} organisations", "found_by_code": f"found in {nl} by code",
                "in_later_sector": f"of them in the {nl} sector"}),
                f"The {ol} sectors and the {nl} sectors they are read as",
                download=f"downloads/{ACROSS}/sectors_alignment.csv"),
            "",
        ]
    return lines


def _sectors_chart(status: pd.DataFrame, totals: pd.DataFrame, date: str, label: str) -> str:
    """Status by sector of a full export: the share of each sector's organisations in each group, one
    bar per sector (largest first), as the edition pages' chart, so that every sector reads on a phone."""
    from .charts import figure_html, status_marker, status_share_chart, status_slug
    from .publication import long_date
    from .sectors import GROUPS, status_groups

    s = status.copy()
    dspt = s["dspt_edition"].iloc[0]
    s["group"] = status_groups(s, dspt)
    # the statuses as everywhere (colour and pattern); the export's other groups in colours and
    # patterns of their own, none of which a status uses
    outline = dict(color="#505a5f", width=0.5)
    others = {
        "Entry Level": dict(color="#6F5E8C", line=outline, pattern=dict(shape="-", fgcolor="#ffffff", fgopacity=0.5, size=7)),
        "Another edition": dict(color="#A7A9AC", line=outline, pattern=dict(shape="+", fgcolor="#0b0c0c", fgopacity=0.45, size=7)),
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
    return figure_html(fig, f"oc-sectors-chart-{date}",
                       f"Organisations of each sector by latest DSPT status, {label} export (the table below gives the numbers).",
                       f"downloads/{ACROSS}/sectors_status.csv")
