"""The site's narrative pages (Markdown, computed from build/ and the registry, never typed):
home, methodology, data and downloads, accessibility statement."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import narrative, score
from .registry import PROJECT_ROOT, Edition
from .status import SCORES

GOOD = ("Standards Met", "Standards Exceeded")


def _crosstab(build_dir: Path, ed: Edition) -> pd.DataFrame:
    return pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)


def _good_share(ct: pd.DataFrame) -> tuple[int, int]:
    return int(ct[ct["status"].isin(GOOD)]["n"].sum()), int(ct["n"].sum())


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
                narrative.transitions(
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
    lines = [
        "# Data and downloads",
        "",
        "All figures on this site are computed from public data published under the Open Government "
        "Licence v3.0; the boundaries carry the attribution \"Source: Office for National Statistics "
        "licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database "
        "right\". The output tables below are free to reuse under the same licence.",
        "",
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
