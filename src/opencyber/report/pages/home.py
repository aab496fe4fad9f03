"""The home page (index.html): what the site shows, the latest edition's headline and every edition."""

from __future__ import annotations

from pathlib import Path

from opencyber.inputs.registry import Edition
from opencyber.report import narrative
from opencyber.report.pages.common import _comparison, _crosstab, _good_share
from opencyber.report.pages.trends_page import share_met_section
from opencyber.report.publication import long_date


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
