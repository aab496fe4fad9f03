"""The trends page's figures (pages/trends.ipynb), and the share-met chart and table that the home
page shows too: each ``show_*`` function displays its part of the page in the notebook (text,
chart and table); the words that do not depend on the data are in the notebooks."""

from __future__ import annotations

import html

import pandas as pd

from opencyber.analysis import trends
from opencyber.report import narrative
from opencyber.report.pages.common import ACROSS, Site, _across
from opencyber.report.pages.downloads import download_link
from opencyber.report.publication import long_date
from opencyber.report.tables import readable_name as readable
from opencyber.report.tables import show_markdown


def show_share_met(site: Site) -> None:
    """The line chart of the share of each sector that met the standard, edition by edition, with
    its base, the comparability statement and a table of the same figures (home and trends pages)."""
    from opencyber.report import charts
    from opencyber.report.charts import SHORT_SECTORS, share_met_chart

    editions = site.editions
    met = _across(site.build_dir, "trends_share_met.csv")
    if met.empty:
        show_markdown("No edition is built: nothing to show.")
        return
    order = [e.label for e in reversed(editions)]
    met = (
        met.assign(_o=met["label"].map({label: i for i, label in enumerate(order)}))
        .sort_values(["_o", "sector"])
        .drop(columns="_o")
    )
    trusts = met[met["sector"] == "NHS Trust"]
    title = "Share of each sector's organisations that met or exceeded the standard"
    if len(trusts) >= 2:
        first, last = trusts.iloc[0], trusts.iloc[-1]
        title = (
            f"{float(last.share):.1f}% of NHS trusts met or exceeded the standard in {last.label}, "
            f"against {float(first.share):.1f}% in {first.label}"
        )
    fig = share_met_chart(
        met,
        title,
        "Share of each sector's organisations in scope that met or exceeded the "
        "standard of each edition (each edition's own organisations and standard: see Comparability below)",
        "Source: NHS England, DSPT exports; Open Cyber analysis",
    )
    dates = "; ".join(f"{e.label} on {long_date(e.snapshot)}" for e in reversed(editions))
    sectors = [
        s
        for s in (
            "NHS Trust",
            "Integrated Care Board (ICB)",
            "Clinical Commissioning Group (CCG)",
            "Commissioning Support Unit (CSU)",
        )
        if s in set(met["sector"])
    ]
    sectors += sorted(set(met["sector"]) - set(sectors))
    charts.show(
        fig,
        "oc-share-met-chart",
        "Line chart of the share of each sector's organisations that met or "
        "exceeded the standard, edition by edition (the table below gives the figures).",
        f"downloads/{ACROSS}/trends_share_met.csv",
    )
    lines = [
        f"**Comparability:** the toolkit's standards change from one year to the next, and the snapshots were taken on "
        f"different dates ({dates}: each edition's page says what its snapshot covers). Each point "
        "is the share of that edition's own organisations; the change for the same trusts, followed from one edition "
        "to the next, is on the [trends page](trends.html#followed).",
        "",
        "| edition | " + " | ".join(SHORT_SECTORS.get(s, s) for s in sectors) + " |",
        "|---|" + "---:|" * len(sectors),
    ]
    for label in order:
        row = met[met["label"] == label].set_index("sector")
        cells = [f"{float(row.at[s, 'share']):.1f}%" if s in row.index else "—" for s in sectors]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Each share is of the sector's organisations in scope in that edition; the counts are in the "
        f"download: [the share that met the standard, by sector and edition (CSV)](downloads/{ACROSS}/trends_share_met.csv).",
        "",
    ]
    show_markdown("\n".join(lines))


def _show_trend_chart(shares: pd.DataFrame) -> None:
    """The trends chart: one bar per sector and edition (a sector's editions together, oldest first),
    as the edition pages' chart, so that it reads on a phone."""
    from opencyber.report import charts
    from opencyber.report.charts import SHORT_SECTORS, status_share_chart

    s = shares.copy()
    s["bar"] = s["sector"].map(lambda x: SHORT_SECTORS.get(x, x)) + ", " + s["label"]
    sizes = s.groupby("sector")["total"].max().sort_values(ascending=False, kind="stable")
    order = [b for sector in sizes.index for b in dict.fromkeys(s[s["sector"] == sector].sort_values("edition")["bar"])]
    fig = status_share_chart(
        s[["bar", "status", "n"]].rename(columns={"bar": "sector"}),
        "Share of each sector's organisations in each DSPT status, edition by edition",
        "Share of each sector's organisations in each DSPT status, edition by edition",
        "Source: NHS England, DSPT exports; Open Cyber analysis",
        order=order,
    )
    charts.show(
        fig,
        "oc-trends-chart",
        "Share of each sector in each DSPT status, by edition (the table below gives the numbers).",
        f"downloads/{ACROSS}/trends_status_share.csv",
    )


def editions_in_scope(site: Site) -> str:
    """Each edition's snapshot and its organisations in scope, sector by sector (Markdown)."""
    from opencyber.report.tables import md_text

    shares = _across(site.build_dir, "trends_status_share.csv")
    lines = ["| edition | snapshot | organisations in scope |", "|---|---|---|"]
    for ed in reversed(site.editions):
        sub = shares[shares["edition"] == ed.id].drop_duplicates("sector") if not shares.empty else shares
        sets = "; ".join(f"{md_text(r.sector)} {int(r.total):,}" for r in sub.itertuples())
        lines.append(
            f"| [{ed.label}]({ed.id}.html) | {long_date(ed.snapshot)} | {sets} ([how chosen]({ed.id}-curation.html)) |"
        )
    return "\n".join(lines) + "\n"


def show_status_shares(site: Site) -> None:
    """The share of each sector in each status, edition by edition: the chart, then a table per sector."""
    from opencyber.analysis.trends import sector_anchor

    shares = _across(site.build_dir, "trends_status_share.csv")
    if shares.empty:
        show_markdown("No edition is built: nothing to show.")
        return
    _show_trend_chart(shares)
    lines: list[str] = []
    for sector, sub in shares.groupby("sector", sort=True):
        eds = sub.drop_duplicates("edition")
        lines += [
            f'<h3 id="{sector_anchor(sector)}">{html.escape(sector)}</h3>',
            "",
            f"In {len(eds)} edition{'s' if len(eds) != 1 else ''}: "
            + ", ".join(f"[{r.label}]({r.edition}.html) ({int(r.total):,})" for r in eds.itertuples())
            + ".",
            "",
            "| edition | status | organisations | share |",
            "|---|---|---:|---:|",
        ]
        for r in sub.itertuples():
            lines.append(f"| {r.label} | {r.status} | {int(r.n):,} of {int(r.total):,} | {float(r.share):.1f}% |")
        lines.append("")
    lines += [f"Download: {download_link('trends_status_share.csv')}.", ""]
    show_markdown("\n".join(lines))


def followed_trusts(site: Site) -> str:
    """The NHS trusts followed from each edition to the next: the counts, the sentence the edition
    pages give, and the trusts that changed (Markdown)."""
    from opencyber.report.tables import md_text

    changes = _across(site.build_dir, "trends_trusts.csv")
    if changes.empty:
        return "Only one edition is built: nothing to follow.\n"
    by_id = {e.id: e for e in site.editions}
    found = trends.comparisons(changes)
    lines = [
        "| from | to | trusts compared | met before | met after | improved | declined | stayed the same | not followed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in found:
        lines.append(
            f"| {by_id[c.previous].label} | {by_id[c.edition].label} | {c.compared:,} | "
            f"{c.met_before:,} ({c.share_before:.1f}%) | {c.met_now:,} ({c.share_now:.1f}%) | {c.improved:,} | "
            f"{c.declined:,} | {c.same:,} | {c.not_followed:,} |"
        )
    lines.append("")
    for c in found:
        lines += [narrative.change_sentence(c, by_id[c.previous].label, by_id[c.edition].label), ""]
    for c in found:
        sub = changes[(changes["previous_edition"] == c.previous) & (changes["edition"] == c.edition)]
        title = f"{by_id[c.previous].label} to {by_id[c.edition].label}"
        lines += [f'<details class="oc-details"><summary>The trusts that changed, {title}</summary>', ""]
        lines += ["| trust | before | after | change |", "|---|---|---|---|"]
        for r in sub[sub["change"] != "same"].itertuples():
            via = f" (through {r.matched_code}, which took it over)" if r.matched_by == "ODS successor" else ""
            lines.append(
                f"| [{md_text(readable(r.name))} ({r.code})](finder.html#org={r.code}) | {r.status_before} | "
                f"{r.status_now or '—'}{via} | {r.change} |"
            )
        lines += ["", "</details>", ""]
    lines += [f"Every trust, changed or not: {download_link('trends_trusts.csv')}.", ""]
    return "\n".join(lines)


def area_trends(site: Site) -> str:
    """Each area's composite score across the editions of one geography (Markdown)."""
    from opencyber.report.tables import md_text

    areas = _across(site.build_dir, "trends_areas.csv")
    if areas.empty:
        return "No edition with areas is built.\n"
    lines: list[str] = []
    for era in sorted(areas["era"].unique()):
        era_eds = [e for e in reversed(site.editions) if e.era == era and e.has_areas]
        label = era_eds[0].area_label
        if len(era_eds) < 2:
            lines += [
                f"The {label}s ({', '.join(e.label for e in era_eds)}) are in one edition only: no trend yet; "
                f"they are not comparable with the areas of the other editions (a different geography).",
                "",
            ]
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
    lines += [f"Download: {download_link('trends_areas.csv')}.", ""]
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return narrative.signed(float(value))
