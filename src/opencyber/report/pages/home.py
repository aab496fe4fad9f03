"""The home page's figures (pages/index.ipynb): the latest edition's headline and every edition."""

from __future__ import annotations

from opencyber.report import narrative
from opencyber.report.pages.common import Site, _comparison, _crosstab, _good_share
from opencyber.report.publication import long_date


def latest_edition(site: Site) -> str:
    """The latest edition's headline and the change since the previous one (Markdown)."""
    latest = site.editions[0]
    ct = _crosstab(site.build_dir, latest)
    good, n = _good_share(ct)
    previous = _comparison(site.editions, site.build_dir, latest)
    lines = [
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
    return "\n".join(lines)


def editions_table(site: Site) -> str:
    """Every edition: its snapshot, organisations in scope and how many met the standard (Markdown)."""
    lines = ["| edition | snapshot | in scope | met or exceeded |", "|---|---|---:|---:|"]
    for ed in site.editions:
        g, t = _good_share(_crosstab(site.build_dir, ed))
        lines.append(f"| [{ed.label}]({ed.id}.html) | {long_date(ed.snapshot)} | {t:,} | {g:,} ({100 * g / t:.1f}%) |")
    return "\n".join(lines) + "\n"
