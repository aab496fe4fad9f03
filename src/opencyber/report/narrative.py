"""Sentences for readers, computed from the analysis outputs: an edition's key points, the change
since the previous edition on a comparable basis, and what each DSPT status means.

Rules live in ``analysis.curation`` and ``analysis.scoring`` and return tables; this module only reads them and writes
plain English, so that the words can change without touching a rule.
"""

from __future__ import annotations

import pandas as pd

from opencyber.analysis import trends
from opencyber.inputs.registry import TRUST_SECTOR, Edition
from opencyber.report.publication import long_date
from opencyber.report.tables import md_text, minus
from opencyber.status import MEETS

DSPT_URL = "https://www.dsptoolkit.nhs.uk/"
ORIGINAL_URL = "https://github.com/nhsx/open-cyber"

#: what each status means, from the DSPT's own guidance, in the order of the report's palette
STATUS_MEANINGS = (
    (
        "Standards Exceeded",
        "the organisation met all the mandatory standards and also holds Cyber Essentials Plus (an independently tested certificate of basic cyber security controls).",
    ),
    (
        "Standards Met",
        "the organisation published an assessment showing it met all the mandatory standards of the toolkit for the year.",
    ),
    (
        "Approaching Standards",
        "the organisation published an assessment that does not yet meet every mandatory standard, with an improvement plan agreed with NHS England.",
    ),
    (
        "Standards Not Met",
        "the organisation published an assessment that does not meet the mandatory standards, without an agreed plan.",
    ),
    (
        "Not Published",
        "no assessment for this year had been published by the snapshot date (or the latest one published is from another year).",
    ),
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
            f"**{met:,} of {int(total):,} {_plural(sector)} ({_pct(met, int(total))})** met or exceeded the standard"
            + (f" ({exceeded:,} exceeded it)." if exceeded else ".")
        )
    return out


def points(value: float) -> str:
    """A change in percentage points, signed with a true minus sign: +4.7, −1.2, 0.0."""
    return "0.0" if round(value, 1) == 0 else minus(f"{value:+.1f}")


def comparison_base(c: trends.Comparison, previous_label: str, current_label: str) -> str:
    """What a comparison counts, said beside its figures: the one base of every "change since"."""
    merged = f"; {c.by_successor} of them through a merger, to the trust that took them over" if c.by_successor else ""
    return f"the {c.compared:,} NHS trusts of {previous_label} followed into {current_label} (by their code{merged})"


def change_sentence(c: trends.Comparison, previous_label: str, current_label: str) -> str:
    """The change since the previous edition, with its base (:class:`opencyber.analysis.trends.Comparison`):
    the same sentence on the edition page, the home page and the trends page."""
    if not c.compared:
        return f"No NHS trust of {previous_label} can be followed into {current_label}."
    text = (
        f"**Compared with {previous_label}**, for {comparison_base(c, previous_label, current_label)}: "
        f"**{c.met_now:,} ({c.share_now:.1f}%)** met or exceeded the standard in {current_label}, against "
        f"{c.met_before:,} ({c.share_before:.1f}%) in {previous_label}, a change of "
        f"**{points(c.change_points)} percentage points**; {c.improved:,} improved their status, "
        f"{c.declined:,} declined and {c.same:,} stayed the same."
    )
    if c.not_followed:
        text += (
            f" {c.not_followed:,} of the {c.total:,} trusts of {previous_label} could not be followed "
            "(no successor known) and are not counted."
        )
    return text


def comparability(edition: Edition) -> str:
    """Markdown: why editions compare only with care (the GOV.UK comparability statement)."""
    return (
        f"**Comparability:** the toolkit's standards change from one year to the next, and each edition's "
        f"figures are those published by the day its snapshot was taken ({long_date(edition.snapshot)} for "
        f"{edition.label}), so compare editions with care. Changes are given for the same trusts, followed "
        "from one edition to the next."
    )


def headline_html(
    edition: Edition, crosstab: pd.DataFrame, c: trends.Comparison | None, previous_label: str = ""
) -> str:
    """The first screen of an edition page: the share of NHS trusts that met the standard, and its
    change on a comparable basis (the same trusts in both editions), as HTML."""
    import html as h

    sub = crosstab[crosstab["sector"] == TRUST_SECTOR].set_index("status")["n"]
    n = int(sub.sum())
    met = int(sub.reindex(list(MEETS), fill_value=0).sum())
    parts = [
        '<section class="oc-headline" aria-label="Headline figure">',
        f'<p class="oc-headline-figure" elementtiming="oc-headline"><strong class="oc-big">{_pct(met, n)}</strong> of NHS trusts met or exceeded '
        f"the {h.escape(edition.label)} standard</p>",
        f"<p>{met:,} of the {n:,} NHS trusts in scope on {long_date(edition.snapshot)}.</p>",
    ]
    if c is not None and c.compared:
        direction = "up" if c.change_points > 0 else "down" if c.change_points < 0 else "no change"
        amount = f"{abs(c.change_points):.1f} percentage points" if direction != "no change" else ""
        parts.append(
            f'<p class="oc-headline-change"><strong>{direction.capitalize()}{" " + amount if amount else ""}</strong> '
            f"on {h.escape(previous_label)} for the same trusts: of "
            f"{h.escape(comparison_base(c, previous_label, edition.label))}, {c.share_before:.1f}% met the standard in "
            f"{h.escape(previous_label)} and {c.share_now:.1f}% in {h.escape(edition.label)}.</p>"
        )
    elif c is None:
        parts.append("<p>No earlier edition of this report to compare with.</p>")
    parts.append("</section>")
    return "".join(parts)


def _names(rows: pd.DataFrame) -> str:
    names = [f"**{md_text(n)}**" for n in rows["area_name"]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def area_sentence(edition: Edition, area_scores: pd.DataFrame) -> str:
    """The areas at the top and the bottom of the composite score (every area that shares the top or
    the bottom score, as the pages show it, to two decimals)."""
    s = area_scores.assign(_shown=area_scores["composite"].round(2)).sort_values(
        ["_shown", "area_code"], ascending=[False, True]
    )
    top, bottom = s[s["_shown"] == s["_shown"].max()], s[s["_shown"] == s["_shown"].min()]
    return (
        f"Of the {len(s)} {edition.area_label}s, {_names(top)} had the highest composite score "
        f"({signed(top['composite'].iloc[0])} on a scale of −3 to +3) and {_names(bottom)} the lowest "
        f"({signed(bottom['composite'].iloc[0])})."
    )


def key_points(
    edition: Edition,
    crosstab: pd.DataFrame,
    area_scores: pd.DataFrame,
    previous: tuple[Edition, trends.Comparison] | None = None,
) -> str:
    """Markdown: the edition's key points, 3 to 6 plain sentences computed from its outputs;
    ``previous``: the previous edition and the comparison with it (the edition's trusts_followed.csv)."""
    n = int(crosstab["n"].sum())
    lines = [
        "## Key points",
        "",
        f"On **{long_date(edition.snapshot)}**, the DSPT showed the {edition.label} status of **{n:,}** NHS organisations in scope.",
        "",
    ]
    lines += [f"- {s}" for s in sector_sentences(crosstab)]
    if previous is not None:
        prev_edition, c = previous
        lines.append(f"- {change_sentence(c, prev_edition.label, edition.label)}")
        if prev_edition.commissioner_sector != edition.commissioner_sector:
            lines.append(
                f"- The {edition.commissioner_label}s cannot be compared with {prev_edition.label}: "
                f"{prev_edition.commissioner_label}s were replaced by {edition.commissioner_label}s in July 2022."
            )
    if len(area_scores):
        lines.append(f"- {area_sentence(edition, area_scores)}")
    else:
        lines.append(
            f"- No {edition.area_label} composite score: the data hold no geography of this edition's "
            "year, so the page has no maps (the tables below give every organisation's status)."
        )
    return "\n".join(lines) + "\n"


def trend_links(crosstab: pd.DataFrame) -> str:
    """Markdown: a link to each sector's section on the trends page (the same figures across editions)."""
    links = [
        f"[{_plural(sec)}](trends.html#{trends.sector_anchor(sec)})" for sec in sorted(crosstab["sector"].unique())
    ]
    return "**Across editions:** how these shares changed for " + ", ".join(links) + " (the trends page)."


#: an override's action (the registry's key) in a reader's words
OVERRIDE_ACTIONS = {"keep_in_scope": "kept in scope", "exclude": "left out", "set_status": "status set"}


def override_action(action: str) -> str:
    """``keep_in_scope`` -> ``kept in scope``; ``set_status Standards Met`` -> ``status set to Standards Met``."""
    key, _, status = str(action).partition(" ")
    words = OVERRIDE_ACTIONS.get(key, key.replace("_", " "))
    return f"{words} to {status}" if status else words


def overrides_for_readers(effects: pd.DataFrame) -> pd.DataFrame:
    """The overrides table (``overrides.csv``) with each action in words."""
    return effects.assign(action=effects["action"].map(override_action))


def override_line(o) -> str:
    """Markdown: one override (a row of ``overrides.csv``) with its reason and effect."""
    return (
        f"**{md_text(o.code)}: {override_action(o.action)} by a documented override.** {o.reason} *Effect:* {o.effect}."
    )


def comparison_section(edition: Edition, previous: tuple[Edition, trends.Comparison] | None) -> str:
    """Markdown for the scoring page: how the change since the previous edition is counted."""
    lines = ["## Compared with the previous edition", ""]
    if previous is None:
        lines.append(
            f"{edition.label} is the first edition of this report: there is no earlier edition to compare with."
        )
        return "\n".join(lines) + "\n"
    prev, c = previous
    lines += [
        f"Each NHS trust in scope in {prev.label} is followed into {edition.label}: by its ODS code, or, if it merged "
        "into another trust, to the trust that took it over (several successors: the mean of their scores). A trust "
        "*improved* when its score went up. The edition page, the home page, the trends page and the downloads all "
        "give these figures.",
        "",
        change_sentence(c, prev.label, edition.label),
    ]
    return "\n".join(lines) + "\n"


def status_map_intro(edition: Edition) -> str:
    return (
        "## Map: areas and trusts by status\n\n"
        f"Each {edition.commissioner_label} is coloured by its own DSPT status; each circle is an NHS trust at its "
        "headquarters, coloured by its status. The layers control (top right) turns each layer on and off; hover over "
        "or tap an area or a trust for its code, name and status."
    )


def tables_intro(edition: Edition) -> str:
    if edition.has_maps:
        return "The same information as tables (select a column heading to sort):"
    return (
        "## Organisations and their status\n\n"
        f"Every {edition.commissioner_label} and NHS trust in scope, with its status (select a column heading to sort):"
    )


def composite_map_intro(edition: Edition) -> str:
    return (
        "## Map: composite score of each area\n\n"
        f"Each {edition.area_label}'s composite score combines its own score and the mean score of its NHS trusts (see "
        f"[how the scores were computed]({edition.id}-scoring.html)). The colour scale is fixed on −3 to +3 so that "
        "editions can be compared. Each pie shows the share of the area's NHS trusts in each status; the bars in the "
        "table below give the same shares, easier to read on a phone."
    )


def trusts_by_area_intro(edition: Edition) -> str:
    return (
        f"## Trusts by status in each {edition.area_label}\n\n"
        f"The share of each {edition.area_label}'s NHS trusts in each DSPT status (the original drew these as a pie per "
        "area), as a bar and in figures."
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
    subtitle = f"Share of organisations in each DSPT status, by sector, on {long_date(edition.snapshot)}"
    source = f"Source: NHS England, DSPT export of {long_date(edition.snapshot)}; Open Cyber analysis"
    return title, subtitle, source


def sectors_sentence(totals: pd.DataFrame, export_date: str) -> str:
    """The size of a full export and its largest sectors."""
    n = int(totals["organisations"].sum())
    top = totals.head(3)
    parts = ", ".join(f"{md_text(r.sector)} {int(r.organisations):,}" for r in top.itertuples())
    return (
        f"The full DSPT export of {long_date(export_date)} lists **{n:,} organisations** in **{len(totals)} sectors**; "
        f"the largest are {parts}. Most are not NHS bodies: care homes, pharmacies, dentists and companies "
        "that handle NHS data also complete the toolkit."
    )
