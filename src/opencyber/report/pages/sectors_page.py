"""The all-sectors page's figures (pages/sectors.ipynb): each full DSPT export's sectors and statuses,
its GP practices and their map, and how the sector names of the exports align."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.report import narrative
from opencyber.report.pages.common import ACROSS, Site, _across
from opencyber.report.pages.downloads import download_link
from opencyber.report.publication import long_date
from opencyber.report.tables import readable_name as readable
from opencyber.report.tables import show_markdown


def export_dates(site: Site) -> list[str]:
    """The dates of the full exports among the site's editions, oldest first."""
    totals = _across(site.build_dir, "sectors_totals.csv")
    return [] if totals.empty else sorted(totals["export_date"].unique())


def exports_list(site: Site) -> str:
    """The full exports of the site's editions, with their organisations and sectors (Markdown)."""
    totals = _across(site.build_dir, "sectors_totals.csv")
    dates = export_dates(site)
    if not dates:
        return "None of the built editions has a full DSPT export (one with sectors beyond the NHS ones).\n"
    by_date = {e.snapshot.isoformat(): e for e in site.editions}
    return (
        f"The data hold {len(dates)} full export{'s' if len(dates) != 1 else ''} of the DSPT, every organisation that "
        "has a DSPT account: "
        + ", ".join(
            f"[{by_date[d].label}]({by_date[d].id}.html) ({long_date(d)}, "
            f"{int(totals[totals['export_date'] == d]['organisations'].sum()):,} organisations, "
            f"{int((totals['export_date'] == d).sum())} sectors)"
            for d in dates
            if d in by_date
        )
        + "."
        + (
            " The sectors were renamed between the exports: the [alignment table](#sector-alignment) reads the "
            "older names in the later vocabulary."
            if len(dates) > 1
            else ""
        )
        + "\n"
    )


def show_export(site: Site, date: str) -> None:
    """Everything of one full export: its sectors, their statuses (a chart and tables), its GP
    practices by commissioner and, for the newest export, the map of GP practices by ICB."""
    from opencyber.report import charts
    from opencyber.report.tables import md_text, show_html, table_html

    build_dir = site.build_dir
    status = _across(build_dir, "sectors_status.csv")
    totals = _across(build_dir, "sectors_totals.csv")
    gp = _across(build_dir, "sectors_gp_areas.csv")
    gp_ccgs = _across(build_dir, "sectors_gp_ccgs.csv")
    coverage = _across(build_dir, "sectors_gp_coverage.csv")
    ed = next((e for e in site.editions if e.snapshot.isoformat() == date), None)
    t = totals[totals["export_date"] == date]
    st = status[status["export_date"] == date]
    label = ed.label if ed else date
    dspt = st["dspt_edition"].iloc[0]
    lines = [
        f'<h2 id="sectors-{date}">{label}: the export of {long_date(date)}</h2>',
        "",
        narrative.sectors_sentence(t, date),
        "",
        f"### Organisations by sector, {label}",
        "",
        "| sector | organisations | latest status Met or Exceeded (any edition) | with an area (commissioner) |",
        "|---|---:|---:|---:|",
    ]
    for r in t.itertuples():
        lines.append(
            f"| {md_text(r.sector)} | {int(r.organisations):,} | {int(r.latest_met_or_exceeded):,} | {int(r.with_area):,} |"
        )
    lines.append(
        f"| **all sectors** | **{int(t['organisations'].sum()):,}** | {int(t['latest_met_or_exceeded'].sum()):,} | {int(t['with_area'].sum()):,} |"
    )
    none = sorted(t[t["with_area"] == 0]["sector"])
    lines += [
        "",
        f"**{len(none)} of the {len(t)} sectors have no area in the export** (no organisation of them has a "
        f"commissioner): {', '.join(md_text(x) for x in none)}.",
        "",
        f"### Status by sector, {label}",
        "",
        f"Each sector's organisations by latest status: the {dspt} outcomes, *Another edition* (a latest status "
        f"of an older or newer edition) and *Blank* (no status)."
        + (
            ""
            if not (ed and ed.status_aliases)
            else " This export's older words are read as: "
            + "; ".join(f"*{md_text(a)}* as *{md_text(b)}*" for a, b in ed.status_aliases.items())
            + " (a documented assumption, see the methodology)."
        ),
        "",
    ]
    show_markdown("\n".join(lines))
    charts.show(
        _sectors_chart(st, t, date, label),
        f"oc-sectors-chart-{date}",
        f"Organisations of each sector by latest DSPT status, {label} export (the table below gives the numbers).",
        f"downloads/{ACROSS}/sectors_status.csv",
    )
    wide = _across(build_dir, f"sectors_status_wide_{date}.csv")
    if not wide.empty:
        show_html(
            table_html(
                wide,
                f"Organisations of each sector by latest DSPT status, {label} export",
                download=f"downloads/{ACROSS}/sectors_status_wide_{date}.csv",
            )
        )
    lines = [
        '<details class="oc-details"><summary>Every sector and status as the export writes it (table)</summary>',
        "",
        "| sector | status | organisations |",
        "|---|---|---:|",
    ]
    for r in st.itertuples():
        lines.append(f"| {md_text(r.sector)} | {md_text(r.status)} | {int(r.n):,} |")
    lines += [
        "",
        "</details>",
        "",
        f"Download: {download_link('sectors_status.csv')}, {download_link('sectors_totals.csv')}.",
        "",
    ]
    show_markdown("\n".join(lines))
    _show_gp_sections(
        gp[gp["export_date"] == date] if not gp.empty else gp,
        gp_ccgs[gp_ccgs["export_date"] == date] if not gp_ccgs.empty else gp_ccgs,
        coverage[coverage["export_date"] == date] if not coverage.empty else coverage,
        label,
    )
    if not gp.empty and date == gp["export_date"].max():
        _show_gp_map(build_dir, label)


def sector_alignment(site: Site) -> str:
    """How the older exports' sectors are read in the later vocabulary (HTML), or empty."""
    alignment = _across(site.build_dir, "sectors_alignment.csv")
    if alignment.empty:
        return ""
    by_date = {e.snapshot.isoformat(): e for e in site.editions}
    return _alignment_section(alignment, by_date, _across(site.build_dir, "sectors_totals.csv"))


def _show_gp_sections(gp: pd.DataFrame, gp_ccgs: pd.DataFrame, coverage: pd.DataFrame, label: str) -> None:
    from opencyber.report.tables import md_text, table_html

    lines: list[str] = []
    if not coverage.empty:
        c = coverage.iloc[0]
        pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "—"  # noqa: E731
        lines += [
            f"### GP practices that published, {label}",
            "",
            f"Of the **{int(c.open_practices):,} GP practices open on {long_date(c.open_at)}** (the "
            f"practices of edition {c.dspt_edition} in the NHS list of GP practices: the denominator), "
            f"**{int(c.published_edition):,} ({pct(c.published_edition, c.open_practices)})** had published a "
            f"{c.dspt_edition} assessment by the export date, {int(c.met_or_exceeded):,} "
            f"({pct(c.met_or_exceeded, c.open_practices)}) Standards Met or Exceeded; "
            f"{int(c.in_export):,} are in the export at all ({int(c.in_export_gp_sector):,} in its GP sector). "
            f"The export's GP sector has {int(c.export_gp_rows):,} rows, {int(c.export_gp_rows_not_open):,} of "
            "them not on the list of open practices (closed or not a practice), so a share of the export's own "
            "GP rows would have another denominator.",
            "",
            f"Download: {download_link('sectors_gp_coverage.csv')}.",
            "",
        ]
    if not gp_ccgs.empty:
        ed = gp_ccgs["dspt_edition"].iloc[0]
        t = gp_ccgs.drop(columns=["export_date", "dspt_edition"])
        t = t.assign(commissioner=t["commissioner"].map(readable)).rename(
            columns={
                "commissioner_code": "CCG code",
                "commissioner": "CCG (as the export names it)",
                "practices": "GP practices",
                "met_or_exceeded": f"{ed} Met or Exceeded",
                "other_status": "other status",
                "share": "% Met or Exceeded",
            }
        )
        lines += [
            f"### GP practices by CCG, {label}",
            "",
            f"The export names each GP practice's CCG (by name; the code is that of the export's own CCG row of the "
            f"same name). No CCG boundaries of that year are in the data, so there is no map. A practice counts as "
            f"*Met or Exceeded* when its latest status is {ed} Standards Met or Exceeded; the denominator is the "
            "CCG's GP practices in the export.",
            "",
            table_html(
                t,
                f"GP practices of each CCG by status, {label} export",
                digits=1,
                collapsed=True,
                download=f"downloads/{ACROSS}/sectors_gp_ccgs.csv",
            ),
            "",
        ]
    if not gp.empty:
        ed = gp["dspt_edition"].iloc[0]
        lines += [
            f"### GP practices by ICB, {label}",
            "",
            f"The export names each GP practice's sub-ICB location (its former CCG); the ONS lookup of sub-ICB locations "
            f"to ICBs gives its ICB. A practice counts as *met or exceeded* when its latest status is {ed} Standards Met "
            "or Exceeded; the denominator is the ICB's GP practices in the export.",
            "",
            "| ICB | practices | met or exceeded | other status | share |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in gp.itertuples():
            area = (
                f"{md_text(r.area_name)} ({r.area_code})"
                if r.area_code != "(unknown)"
                else "No ICB given in the export"
            )
            lines.append(
                f"| {area} | {int(r.practices):,} | {int(r.met_or_exceeded):,} | {int(r.other_status):,} | {float(r.share):.1f}% |"
            )
        lines += ["", f"Download: {download_link('sectors_gp_areas.csv')}.", ""]
    if lines:
        show_markdown("\n".join(lines))


def _show_gp_map(build_dir: Path, label: str) -> None:
    """The GP-practices map of the newest export, when the across outputs hold its areas."""
    import json

    from opencyber.analysis.sectors import GP_MAP_AREAS
    from opencyber.report import gp_map, maps

    path = Path(build_dir) / ACROSS / GP_MAP_AREAS
    if not path.is_file():
        return
    show_markdown(
        f"#### Map: GP practices that met the standard, by ICB, {label}\n\n"
        "Each ICB is coloured by the share of its GP practices in the export whose latest status met or exceeded "
        "the standard; hover over or tap an ICB for its figures. The table above gives the same numbers.\n"
    )
    areas = json.loads(path.read_text(encoding="utf-8"))
    maps.show(gp_map.gp_share_map(areas), "GP practices map", tables=[f"GP practices by ICB, {label}"], where="above")


def _alignment_section(alignment: pd.DataFrame, by_date: dict, totals: pd.DataFrame) -> str:
    from opencyber.report.tables import table_html

    lines = ['<h2 id="sector-alignment">Sector names across the exports</h2>', ""]
    for (old, new), a in alignment.groupby(["export_date", "later_export_date"]):
        o, n = by_date.get(old), by_date.get(new)
        ol, nl = (o.label if o else old), (n.label if n else new)
        kept = int(a["in_later_sector"].sum())
        found = int(a["found_by_code"].sum())
        lines += [
            f"The {ol} export ({long_date(old)}) has {len(a)} sectors and the {nl} export "
            f"({long_date(new)}) {int((totals['export_date'] == new).sum())}; the {len(a)} are read as "
            f"{a['later_sector'].nunique()} of them. Each older sector is read as the later sector that most of its organisations, found by "
            f"code in the later export, declared there (a documented choice, see the methodology). "
            f"Of the {found:,} organisations found by code, {kept:,} ({100 * kept / found:.1f}%) are in the aligned "
            "sector; the last column says how well each line holds. Several older sectors can share one later sector, "
            "whose count is then repeated.",
            "",
            table_html(
                a.drop(columns=["export_date", "later_export_date"]).rename(
                    columns={
                        "sector": f"{ol} sector",
                        "organisations": f"{ol} organisations",
                        "later_sector": f"{nl} sector",
                        "later_organisations": f"{nl} organisations",
                        "found_by_code": f"found in {nl} by code",
                        "in_later_sector": f"of them in the {nl} sector",
                    }
                ),
                f"The {ol} sectors and the {nl} sectors they are read as",
                download=f"downloads/{ACROSS}/sectors_alignment.csv",
            ),
            "",
        ]
    return "\n".join(lines)


def _sectors_chart(status: pd.DataFrame, totals: pd.DataFrame, date: str, label: str):
    """Status by sector of a full export: the share of each sector's organisations in each group, one
    bar per sector (largest first), as the edition pages' chart, so that every sector reads on a phone."""
    from opencyber.analysis.sectors import GROUPS, status_groups
    from opencyber.report.charts import (
        status_marker,
        status_share_chart,
        status_slug,
    )
    from opencyber.report.publication import long_date

    s = status.copy()
    dspt = s["dspt_edition"].iloc[0]
    s["group"] = status_groups(s, dspt)
    # the statuses as everywhere (colour and pattern); the export's other groups in colours and
    # patterns of their own, none of which a status uses
    outline = dict(color="#505a5f", width=0.5)
    others = {
        "Entry Level": dict(
            color="#6F5E8C", line=outline, pattern=dict(shape="-", fgcolor="#ffffff", fgopacity=0.5, size=7)
        ),
        "Another edition": dict(
            color="#A7A9AC", line=outline, pattern=dict(shape="+", fgcolor="#0b0c0c", fgopacity=0.45, size=7)
        ),
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
    return fig
