"""The methodology page's figures (pages/methodology.ipynb): the score of each status, the worked
examples of the composite score, the table of the differences from the original publication, and
the overrides and caveats of each edition. The rules themselves are told in the notebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.analysis import scoring as score
from opencyber.report import method, narrative
from opencyber.report.pages.common import ACROSS, Site, _across
from opencyber.report.publication import long_date
from opencyber.status import SCORES


def score_table() -> str:
    """Each status and its score (Markdown)."""
    return "\n".join(["| status | score |", "|---|---:|", *[f"| {s} | {v:+d} |" for s, v in SCORES.items()]]) + "\n"


def worked_examples(site: Site) -> str:
    """A composite score worked through, for the newest edition of each era (Markdown)."""
    lines = []
    for era in ("icb", "ccg"):
        ed = next((e for e in site.editions if e.era == era), None)
        if ed is None:
            continue
        orgs = score.read_organisations(Path(site.build_dir) / ed.id / "organisations.csv")
        scores = pd.read_csv(Path(site.build_dir) / ed.id / "area_scores.csv", keep_default_na=False)
        lines += [
            method.worked_example(orgs, scores, ed).replace(
                "**Worked example, ", f"**Worked example ({ed.label} data), ", 1
            ),
            "",
        ]
    return "\n".join(lines)


def differences(site: Site) -> str:
    """The table of the figures that differ from the original publication (``differences.csv``),
    or the sentence that none does (HTML)."""
    from opencyber.report.tables import table_html

    diff = _across(site.build_dir, "differences.csv")
    if diff.empty:
        return "<p>Every figure of the editions shown follows the original publication's.</p>"
    return table_html(
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
    )


def overrides_and_caveats(site: Site) -> str:
    """Each edition's overrides (decisions that depart from the rules) and caveats (Markdown)."""
    lines = []
    for ed in site.editions:
        lines += [f"### {ed.label} (snapshot {long_date(ed.snapshot)})", ""]
        ov = pd.read_csv(Path(site.build_dir) / ed.id / "overrides.csv", keep_default_na=False)
        if ov.empty:
            lines.append("- No override: every figure follows the rules.")
        for o in ov.itertuples():
            lines.append(f"- {narrative.override_line(o)}")
        lines += [f"- {c}" for c in ed.caveats]
        lines.append("")
    return "\n".join(lines)
