"""The methodology page (methodology.html), with its table of the differences from the original publication."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.analysis import scoring as score
from opencyber.inputs.registry import Edition
from opencyber.report import method, narrative
from opencyber.report.pages.common import ACROSS, _across, _doc_body
from opencyber.report.publication import long_date
from opencyber.settings import PROJECT_ROOT
from opencyber.status import SCORES


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
