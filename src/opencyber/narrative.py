"""Sentences for readers, computed from the analysis outputs: an edition's key points, the change
since the previous edition on a comparable basis, and what each DSPT status means.

Rules live in ``curate`` and ``score`` and return tables; this module only reads them and writes
plain English, so that the words can change without touching a rule.
"""

from __future__ import annotations

import pandas as pd

from . import trends
from .registry import TRUST_SECTOR, Edition
from .status import MEETS
from .tables import md_text, minus

DSPT_URL = "https://www.dsptoolkit.nhs.uk/"
ORIGINAL_URL = "https://github.com/nhsx/open-cyber"

#: what each status means, from the DSPT's own guidance, in the order of the report's palette
STATUS_MEANINGS = (
    ("Standards Exceeded", "the organisation met all the mandatory standards and also holds Cyber Essentials Plus (an independently tested certificate of basic cyber security controls)."),
    ("Standards Met", "the organisation published an assessment showing it met all the mandatory standards of the toolkit for the year."),
    ("Approaching Standards", "the organisation published an assessment that does not yet meet every mandatory standard, with an improvement plan agreed with NHS England."),
    ("Standards Not Met", "the organisation published an assessment that does not meet the mandatory standards, without an agreed plan."),
    ("Not Published", "no assessment for this year had been published by the snapshot date (or the latest one published is from another year)."),
)

SECTOR_PLURALS = {
    TRUST_SECTOR: "NHS trusts",
    "Integrated Care Board (ICB)": "integrated care boards (ICBs)",
    "Clinical Commissioning Group (CCG)": "clinical commissioning groups (CCGs)",
    "Commissioning Support Unit (CSU)": "commissioning support units (CSUs)",
}


def _plural(sector: str) -> str:
    return SECTOR_PLURALS.get(sector, sector)


def signed(value: float) -> str:
    """A score with its sign, written with a true minus sign: +2.00, −0.10."""
    return minus(f"{value:+.2f}")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def sector_sentences(crosstab: pd.DataFrame) -> list[str]:
    """One sentence per sector: how many met or exceeded the standard (largest sector first)."""
    out = []
    totals = crosstab.groupby("sector")["n"].sum().sort_values(ascending=False, kind="stable")
    for sector, total in totals.items():
        sub = crosstab[crosstab["sector"] == sector].set_index("status")["n"]
        met = int(sub.reindex(list(MEETS), fill_value=0).sum())
        exceeded = int(sub.get("Standards Exceeded", 0))
        out.append(
            f"**{met} of {int(total)} {_plural(sector)} ({_pct(met, int(total))})** met or exceeded the standard"
            + (f" ({exceeded} exceeded it)." if exceeded else ".")
        )
    return out


def change_sentence(t: trends.Transitions, previous_label: str, current_label: str = "this edition") -> str:
    if not t.compared:
        return f"No {_plural(t.sector)} can be compared with {previous_label}."
    return (
        f"Of the **{t.compared} {_plural(t.sector)}** in both {previous_label} and {current_label}, "
        f"**{t.met_now} ({_pct(t.met_now, t.compared)})** met or exceeded the standard, against "
        f"{t.met_before} ({_pct(t.met_before, t.compared)}) in {previous_label}: "
        f"{t.improved} improved their status, {t.declined} declined and {t.same} stayed the same."
    )


def area_sentence(edition: Edition, area_scores: pd.DataFrame) -> str:
    """The areas at the top and the bottom of the composite score."""
    s = area_scores.sort_values(["composite", "area_code"], ascending=[False, True])
    top, bottom = s.iloc[0], s.iloc[-1]
    return (
        f"Of the {len(s)} {edition.area_label}s, **{md_text(top['area_name'])}** had the highest composite score "
        f"({signed(top['composite'])} on a scale of −3 to +3) and **{md_text(bottom['area_name'])}** the lowest "
        f"({signed(bottom['composite'])})."
    )


def key_points(
    edition: Edition,
    crosstab: pd.DataFrame,
    area_scores: pd.DataFrame,
    organisations: pd.DataFrame,
    previous: tuple[Edition, pd.DataFrame] | None = None,
) -> str:
    """Markdown: the edition's key points, 3 to 6 plain sentences computed from its outputs."""
    n = int(crosstab["n"].sum())
    lines = [
        "## Key points",
        "",
        f"On **{edition.snapshot:%d %B %Y}**, the DSPT showed the {edition.label} status of **{n}** NHS organisations in scope.",
        "",
    ]
    lines += [f"- {s}" for s in sector_sentences(crosstab)]
    if previous is not None:
        prev_edition, prev_orgs = previous
        lines.append(f"- {change_sentence(trends.transitions(prev_orgs, organisations), prev_edition.label)}")
        if prev_edition.commissioner_sector != edition.commissioner_sector:
            lines.append(
                f"- The {edition.commissioner_label}s cannot be compared with {prev_edition.label}: "
                f"{prev_edition.commissioner_label}s were replaced by {edition.commissioner_label}s in July 2022."
            )
    if len(area_scores):
        lines.append(f"- {area_sentence(edition, area_scores)}")
    else:
        lines.append(f"- No {edition.area_label} composite score: the data hold no geography of this edition's year "
                     "(see the map sections below).")
    return "\n".join(lines) + "\n"


def trend_links(crosstab: pd.DataFrame) -> str:
    """Markdown: a link to each sector's section on the trends page (the same figures across editions)."""
    links = [f"[{_plural(sec)}](trends.html#{trends.sector_anchor(sec)})" for sec in sorted(crosstab["sector"].unique())]
    return "**Across editions:** how these shares changed for " + ", ".join(links) + " (the trends page)."


def no_maps(edition: Edition) -> str:
    """Markdown: why an edition's page has no status map, and where the same facts are."""
    return (
        f"**No map for {edition.label}.** The data pack holds no boundaries of this edition's year "
        f"({edition.commissioner_label}s of {edition.snapshot:%Y}) and no NHS trust locations, so the page draws "
        f"no map; the {edition.commissioner_label}s and NHS trusts are in the tables below."
    )


def no_areas(edition: Edition, short: bool = False) -> str:
    """Markdown: why an edition has no composite area scores."""
    if short:
        return f"No {edition.area_label}s in this edition's data (see above): no table by {edition.area_label}."
    return (
        f"**No composite scores for {edition.label}.** The data pack holds no lookup from the "
        f"{edition.commissioner_label}s of {edition.snapshot:%Y} to their {edition.area_label}s and no boundaries of "
        f"that year, so no organisation is placed in an {edition.area_label} and no composite score is computed. "
        "The status of every organisation is in the tables above."
    )


#: one line per status, for the edition pages (the methodology page has the full text)
STATUS_SHORT = (
    ("Standards Exceeded", "met every mandatory standard and holds Cyber Essentials Plus."),
    ("Standards Met", "met every mandatory standard."),
    ("Approaching Standards", "not yet, with an improvement plan agreed."),
    ("Standards Not Met", "not met, without an agreed plan."),
    ("Not Published", "no assessment for the year published by the snapshot date."),
)


def status_meanings(short: bool = True) -> str:
    """Markdown: what each status means, with a link to the DSPT."""
    lines = [
        "## What the statuses mean",
        "",
        "Every NHS organisation assesses itself each year against the National Data Guardian's ten data "
        f"security standards in the [Data Security and Protection Toolkit (DSPT)]({DSPT_URL}) and must "
        "publish its assessment by the deadline of the year (30 June in recent years).",
        "",
    ]
    lines += [f"- **{status}**: {meaning}" for status, meaning in (STATUS_SHORT if short else STATUS_MEANINGS)]
    if short:
        lines += ["", "The [methodology](methodology.html) says more, and how each status is scored."]
    else:
        lines += [
            "",
            "This report counts only statuses of the edition it reports: a status of an older or a newer "
            "edition, a blank status, or no row in the export all count as *Not Published*.",
        ]
    return "\n".join(lines) + "\n"


def about_sentence() -> str:
    return (
        "*An independent, open report: not official statistics and not an NHS England publication.* "
        f"It succeeds the NHSX [open-cyber]({ORIGINAL_URL}) project; the [methodology](methodology.html) "
        "and every figure's [data](data.html) are on this site."
    )


def chart_title(crosstab: pd.DataFrame, edition: Edition) -> tuple[str, str, str]:
    """The status chart's title (its finding), subtitle and source line."""
    totals = crosstab.groupby("sector")["n"].sum().sort_values(ascending=False, kind="stable")
    largest = totals.index[0]
    sub = crosstab[crosstab["sector"] == largest].set_index("status")["n"]
    met = int(sub.reindex(list(MEETS), fill_value=0).sum())
    title = f"{_pct(met, int(totals.iloc[0]))} of {_plural(largest)} met or exceeded the {edition.label} standard"
    subtitle = f"Share of organisations in each DSPT status, by sector, on {edition.snapshot:%d %B %Y}"
    source = f"Source: NHS England, DSPT export of {edition.snapshot:%d/%m/%Y}; Open Cyber analysis"
    return title, subtitle, source


def follow_sentence(counts: dict, previous_label: str, current_label: str) -> str:
    """NHS trusts followed from one edition to the next (counts of :func:`opencyber.trends.change_counts`)."""
    text = (
        f"Of the **{counts['compared']} NHS trusts** of {previous_label} followed into {current_label}"
        + (f" ({counts['by_successor']} through their ODS successor)" if counts["by_successor"] else "")
        + f", **{counts['improved']} improved** their status, **{counts['declined']} declined** and "
        f"**{counts['same']} stayed the same**."
    )
    if counts["not_followed"]:
        text += (
            f" {counts['not_followed']} trust{'s' if counts['not_followed'] != 1 else ''} of {previous_label} "
            f"could not be followed (not in {current_label} and no successor known)."
        )
    return text


def sectors_sentence(totals: pd.DataFrame, export_date: str) -> str:
    """The size of a full export and its largest sectors."""
    n = int(totals["organisations"].sum())
    top = totals.head(3)
    parts = ", ".join(f"{md_text(r.sector)} {int(r.organisations):,}" for r in top.itertuples())
    return (
        f"The full DSPT export of {export_date} lists **{n:,} organisations** in **{len(totals)} sectors**; "
        f"the largest are {parts}. Most are not NHS bodies: care homes, pharmacies, dentists and companies "
        "that handle NHS data also complete the toolkit."
    )
