"""The site's narrative pages (Markdown, computed from build/ and the registry, never typed):
home, methodology, data and downloads, accessibility statement."""

from __future__ import annotations

import html
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
        "## Downloads",
        "",
        "| edition | file | rows | bytes |",
        "|---|---|---:|---:|",
    ]
    for ed in editions:
        for csv in sorted((Path(build_dir) / ed.id).glob("*.csv")):
            rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
            lines.append(
                f"| {ed.label} | [{csv.name}](downloads/{ed.id}/{csv.name}) | {rows:,} | {csv.stat().st_size:,} |"
            )
    for csv in sorted((Path(build_dir) / "all-editions").glob("*.csv")):
        rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
        lines.append(f"| all editions | [{csv.name}](downloads/all-editions/{csv.name}) | {rows:,} | {csv.stat().st_size:,} |")
    lines += [
        "",
        "## Data dictionary",
        "",
        _doc_body(PROJECT_ROOT / "docs" / "data-dictionary.md").replace("\n## ", "\n### "),
        "",
        "## Inputs: sources, licence and how to obtain them",
        "",
        _doc_body(PROJECT_ROOT / "data" / "README.md").replace("\n## ", "\n### "),
        "",
    ]
    return "\n".join(lines) + "\n"


def accessibility_markdown() -> str:
    return """# Accessibility statement

This website is run by the Open Cyber project. We want as many people as possible to be able to use
it. This statement says what we have done for that and what we know does not work yet.

## What we have done

- Every map has a table alternative with the same information (each page's *as tables* sections);
  every column of every table can be sorted with its heading button.
- Status is never shown by colour alone: the legends, the tooltips and the tables name it.
- The status colours are the Government Analysis Function categorical palette in its own order, so
  each status's colour differs from the next by a contrast ratio of at least 3:1.
- Each chart has a text description and its numbers are in a table above it.
- Pages have a skip link, headings in order, a language (`en-GB`) and visible focus.
- Pages work offline: scripts, styles and data are served by the site itself; only the background
  map tiles come from OpenStreetMap, and the maps work without them.
- Every page is checked automatically with axe-core in a headless browser; serious and critical
  violations fail the build's tests.

## Known limitations

- The map shapes cannot be reached one by one with the keyboard; use the tables instead.
- The composite score choropleth uses a diverging colour scale whose neighbouring classes differ by
  less than 3:1; the class is written in the legend, the tooltip and the table.
- The background map tiles are not accessible to screen readers.

## Feedback

If you find a problem, please open an issue in the project's repository with the page and what you
were trying to do.

This statement was prepared on 22 November 2026.
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
    import plotly.graph_objects as go

    from .charts import STATUS_COLOURS, figure_html
    from .status import STATUSES

    fig = go.Figure()
    for status in STATUSES:
        sub = shares[shares["status"] == status]
        fig.add_bar(name=status, x=[sub["sector"].tolist(), sub["label"].tolist()], y=sub["share"].round(1).tolist(),
                    marker_color=STATUS_COLOURS[status], hovertemplate="%{x}<br>" + status + ": %{y:.1f}%<extra></extra>")
    fig.update_layout(barmode="stack", template="simple_white", height=480, margin=dict(l=60, r=20, t=40, b=120),
                      yaxis_title="Share of the sector (%)", legend_title_text="DSPT status",
                      font=dict(family="Arial, Helvetica, sans-serif", size=13))
    return figure_html(fig, "oc-trends-chart", "Share of each sector in each DSPT status, by edition (the table below gives the numbers).")


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
    import plotly.graph_objects as go

    from .charts import STATUS_COLOURS, figure_html
    from .sectors import GROUPS, status_groups

    s = status.copy()
    dspt = s["dspt_edition"].iloc[0]
    s["group"] = status_groups(s, dspt)
    order = list(totals["sector"])
    colours = {**STATUS_COLOURS, "Entry Level": "#768692", "Another edition": "#aeb7bd", "Blank": "#d8dde0"}
    fig = go.Figure()
    for grp in GROUPS:
        sub = s[s["group"] == grp].groupby("sector")["n"].sum().reindex(order, fill_value=0)
        if sub.sum() == 0:
            continue
        fig.add_bar(name=grp if grp in ("Another edition", "Blank", "Not Published") else f"{dspt} {grp}", y=order, x=sub.tolist(),
                    orientation="h", marker_color=colours.get(grp, "#768692"), hovertemplate="%{y}: %{x:,}<extra>" + grp + "</extra>")
    fig.update_layout(barmode="stack", template="simple_white", height=max(420, 26 * len(order) + 140),
                      margin=dict(l=20, r=20, t=30, b=60),
                      xaxis_title="Organisations", yaxis=dict(autorange="reversed", automargin=True), legend_title_text="Latest status",
                      font=dict(family="Arial, Helvetica, sans-serif", size=13))
    return figure_html(fig, f"oc-sectors-chart-{date}",
                       f"Organisations of each sector by latest DSPT status, {label} export (the table below gives the numbers).")
