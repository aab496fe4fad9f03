"""The words of the method pages (how the organisations were chosen, how they were scored), from
the registry and the analysis's numbers and tables: the rules compute, this module says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.analysis.curation import Curated
from opencyber.inputs.registry import TRUST_SECTOR, Edition
from opencyber.report.publication import long_date
from opencyber.report.tables import md_text


def inputs_text(edition: Edition, data_dir: Path) -> str:
    """Markdown: the edition, its snapshot date and the input file of each role."""
    lines = [
        f"**Edition {edition.label}**, DSPT statuses as downloaded on **{long_date(edition.snapshot.isoformat())}**.",
        "",
        "| input | file |",
        "|---|---|",
    ]
    for role, value in edition.inputs.items():
        for name in value if isinstance(value, list) else [value]:
            lines.append(f"| {role.replace('_', ' ')} | `{name}` |")
    return "\n".join(lines)


def rules_text(edition: Edition) -> str:
    """Markdown: the curation rules as they apply to this edition."""
    ed = edition
    scope = long_date(ed.in_scope_date.isoformat()) + (
        " (the snapshot date)" if ed.in_scope_date == ed.snapshot else " (the end of the edition year)"
    )
    if ed.export_sectors:
        roles: dict[str, list[str]] = {}
        for sector, role in ed.export_sectors.items():
            roles.setdefault(role, []).append(f"*{sector}*")
        pattern = ed.export_code_patterns
        sources = (
            "- **No ODS organisation lists are in the data for this edition**, so the organisations are those of the "
            "DSPT export's own sectors: **NHS trusts** are the rows of the export sectors "
            + ", ".join(roles.get("trust", []))
            + (
                " whose code is an NHS trust or care-trust code (R or T followed by two letters or digits); the other rows of "
                "those sectors (private providers that chose the sector) are out of scope"
                if "trust" in pattern
                else ""
            )
            + f"; **{ed.commissioner_label}s** are the rows of "
            + ", ".join(roles.get("commissioner", []))
            + ".\n- **Commissioning support units** are the five CSUs of the curated list; the export's CSU sector also "
            "holds organisations that are not CSUs.\n"
            f"- **No areas:** no lookup or boundaries of this edition's year are in the data, so no {ed.commissioner_label} "
            "is placed in an area and no composite score is computed."
        )
    elif "reference" in ed.inputs:
        sources = (
            f"- **Organisations** (NHS trusts, {ed.commissioner_label}s, CSUs) come from the original's reference list "
            f"of the edition, with each one's {ed.area_label}, NHS organisation data (ODS) close date and successors."
        )
    else:
        sources = (
            "- **NHS trusts and care trusts** come from the NHS organisation data (ODS), and any list the original made by hand. "
            "Welsh trusts (ODS *National Grouping* `W00`) are out of scope.\n"
            + (
                f"- **{ed.area_label}s** come from the ONS lookup and score themselves; their sub-ICB locations are listed but not scored.\n"
                if ed.era == "icb"
                else f"- **{ed.commissioner_label}s** come from the ONS lookup, each within its {ed.area_label}.\n"
            )
            + "- **Commissioning support units** are the five CSUs of the curated list; the export's CSU sector also "
            "holds organisations that are not CSUs."
        )
    return "\n".join(
        [
            sources,
            f"- An organisation closed before **{scope}** is out of scope: the organisation that took it over carries the status.",
            "- **Statuses** come from the DSPT export, joined on the ODS code (never on names). Only a status of "
            f"edition {ed.dspt_edition} counts; a status of another edition, a blank status, or no row in the export "
            "counts as *Not Published*.",
            *([_vocabulary_rule(ed)] if ed.unprefixed_statuses or ed.status_aliases else []),
            f"- **Successors:** an organisation without a {ed.dspt_edition} status of its own takes its ODS "
            "successor's status if that is of the edition (where the inputs name successors).",
            "- **Overrides** are documented departures from these rules, listed below with their effect.",
        ]
    )


def _vocabulary_rule(ed: Edition) -> str:
    parts = []
    if ed.unprefixed_statuses:
        parts.append(
            f"this export writes statuses without an edition: they are counted as edition {ed.unprefixed_statuses}"
        )
    if ed.status_aliases:
        parts.append(
            "its older words are read as: " + "; ".join(f"*{old}* → *{new}*" for old, new in ed.status_aliases.items())
        )
    return "- **Status vocabulary (an assumption, see the caveats):** " + "; ".join(parts) + "."


def scope_text(cur: Curated) -> str:
    """Markdown: how many organisations the inputs name and how many are in scope, by sector."""
    orgs = cur.organisations
    scoped = orgs[orgs["in_scope"]].groupby("sector").size()
    parts = [f"{n:,} {sector}" for sector, n in scoped.items()]
    return (
        f"The inputs name **{len(orgs):,}** organisations; **{int(orgs['in_scope'].sum()):,}** are in scope: "
        + ", ".join(parts)
        + "."
    )


def composite_rule(edition, scores: pd.DataFrame) -> str:
    """Markdown: the composite rule of the edition's era and the weighting actually used."""
    if edition.era == "icb":
        return (
            "**ICB era:** composite = 0.5 × the ICB's own score + 0.5 × the simple mean of the scores of the "
            "in-scope trusts whose ODS *High Level Health Geography* is that ICB. The CSV keeps full "
            "precision; pages show two decimals."
        )
    weighting = scores["weighting"].iloc[0] if len(scores) else "equal"
    how = (
        "weighted by their population (the edition's population file)"
        if weighting == "population"
        else "**weighted equally: no population file was given** for this edition, so the published "
        "method's GP-registered-patient weights could not be applied"
    )
    trusts = (
        "the mean score of its in-scope trusts weighted by the edition's trust weights file (the "
        "original's EPRR-tier variant)"
        if len(scores) and scores["trust_weighting"].iloc[0] == "weights file"
        else "the simple mean of the scores of its in-scope trusts (no trust weights file, so not the "
        "original's EPRR-tier variant)"
    )
    return (
        f"**CCG era:** {edition.area_label} composite = 0.5 × the mean score of its "
        f"{edition.commissioner_label}s, {how}, + 0.5 × {trusts} (trust to area by the ODS *High Level "
        "Health Geography*). The CSV keeps full precision; pages show two decimals."
    )


def worked_example(organisations: pd.DataFrame, scores: pd.DataFrame, edition) -> str:
    """Markdown: the composite of the first area, computed in words, from the data."""
    if scores.empty:
        return "No areas."
    a = scores.iloc[0]
    scoped = organisations[organisations["in_scope"]]
    trusts = scoped[(scoped["sector"] == TRUST_SECTOR) & (scoped["area_code"] == a.area_code)]
    comms = scoped[(scoped["sector"] == edition.commissioner_sector) & (scoped["area_code"] == a.area_code)]
    listing = ", ".join(f"{t.code} {t.status} ({int(t.score):+d})" for t in trusts.itertuples())
    own = ", ".join(f"{c.code} {c.status} ({int(c.score):+d})" for c in comms.itertuples())
    return (
        f"**Worked example, {md_text(a.area_name)} ({a.area_code}).** {edition.commissioner_label}(s): {own}; "
        f"own score {a.own_score:.2f} ({a.weighting}). Its {int(a.n_trusts)} trusts: {listing}; mean "
        f"{a.trust_mean:.2f}. Composite = 0.5 × {a.own_score:.2f} + 0.5 × {a.trust_mean:.2f} = **{a.composite:.2f}**."
    )
