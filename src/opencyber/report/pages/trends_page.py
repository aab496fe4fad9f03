"""The trends page (trends.html), and the share-met section that the home page shows too."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from opencyber.analysis import trends
from opencyber.inputs.registry import Edition
from opencyber.report import narrative
from opencyber.report.pages.common import ACROSS, LAZY_PLOTLY, _across
from opencyber.report.pages.downloads import _download
from opencyber.report.publication import long_date
from opencyber.report.tables import readable_name as readable


def share_met_section(editions: list[Edition], build_dir: Path, heading: str = "##") -> list[str]:
    """The line chart of the share of each sector that met the standard, edition by edition, with
    its base, the comparability statement and a table of the same figures (home and trends pages)."""
    from opencyber.report.charts import SHORT_SECTORS, figure_html, share_met_chart

    met = _across(build_dir, "trends_share_met.csv")
    if met.empty:
        return []
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
    lines = [
        f"{heading} The share that met the standard, edition by edition",
        "",
        LAZY_PLOTLY,
        "",
        figure_html(
            fig,
            "oc-share-met-chart",
            "Line chart of the share of each sector's organisations that met or "
            "exceeded the standard, edition by edition (the table below gives the figures).",
            f"downloads/{ACROSS}/trends_share_met.csv",
        ),
        "",
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
    return lines


def _trend_chart(shares: pd.DataFrame) -> str:
    """The trends chart: one bar per sector and edition (a sector's editions together, oldest first),
    as the edition pages' chart, so that it reads on a phone."""
    from opencyber.report.charts import SHORT_SECTORS, figure_html, status_share_chart

    s = shares.copy()
    s["bar"] = s["sector"].map(lambda x: SHORT_SECTORS.get(x, x)) + ", " + s["label"]
    sizes = s.groupby("sector")["total"].max().sort_values(ascending=False, kind="stable")
    editions = list(dict.fromkeys(s.sort_values("edition")["label"]))
    order = [b for sector in sizes.index for b in dict.fromkeys(s[s["sector"] == sector].sort_values("edition")["bar"])]
    fig = status_share_chart(
        s[["bar", "status", "n"]].rename(columns={"bar": "sector"}),
        _trend_title(s, editions),
        "Share of each sector's organisations in each DSPT status, edition by edition",
        "Source: NHS England, DSPT exports; Open Cyber analysis",
        order=order,
    )
    return figure_html(
        fig,
        "oc-trends-chart",
        "Share of each sector in each DSPT status, by edition (the table below gives the numbers).",
        "downloads/all-editions/trends_status_share.csv",
    )


def _trend_title(s: pd.DataFrame, editions: list[str]) -> str:
    """The bar chart's title (the line chart above it gives the finding, with its comparability)."""
    return "Share of each sector's organisations in each DSPT status, edition by edition"


def trends_markdown(editions: list[Edition], build_dir: Path) -> str:
    from opencyber.report.tables import md_text

    shares = _across(build_dir, "trends_status_share.csv")
    changes = _across(build_dir, "trends_trusts.csv")
    areas = _across(build_dir, "trends_areas.csv")
    lines = ["# Trends across editions", ""]
    lines += [
        "Each edition's report has its own set of organisations (its curation page says which): the sectors "
        "change too (CCGs until 2021/22, ICBs from 2022/23), so compare sector by sector.",
        "",
        "| edition | snapshot | organisations in scope |",
        "|---|---|---|",
    ]
    for ed in reversed(editions):
        sub = shares[shares["edition"] == ed.id].drop_duplicates("sector")
        sets = "; ".join(f"{md_text(r.sector)} {int(r.total):,}" for r in sub.itertuples())
        lines.append(
            f"| [{ed.label}]({ed.id}.html) | {long_date(ed.snapshot)} | {sets} ([how chosen]({ed.id}-curation.html)) |"
        )
    lines.append("")
    lines += share_met_section(editions, build_dir)
    lines += ["## Share in each status, by sector and edition", ""]
    if not shares.empty and len(editions) > 0:
        lines += [LAZY_PLOTLY, "", _trend_chart(shares), ""]
        from opencyber.analysis.trends import sector_anchor

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
        lines += [f"Download: {_download('trends_status_share.csv')}.", ""]
    lines += ['<h2 id="followed">NHS trusts followed from edition to edition</h2>', ""]
    if changes.empty:
        lines += ["Only one edition is built: nothing to follow.", ""]
    else:
        by_id = {e.id: e for e in editions}
        found = trends.comparisons(changes)
        lines += [
            "Each NHS trust in scope in an edition is followed into the next by its ODS code, or, if it merged, "
            "to the trust that took it over (several successors: the mean of their scores). A trust *improved* when "
            "its score (Exceeded +3, Met +1, Approaching −1, Not Met and Not Published −3) went up. These are the "
            "figures the edition pages and the home page give.",
            "",
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
        lines += [f"Every trust, changed or not: {_download('trends_trusts.csv')}.", ""]
    lines += ["## Areas across editions", ""]
    if not areas.empty:
        for era in sorted(areas["era"].unique()):
            era_eds = [e for e in reversed(editions) if e.era == era and e.has_areas]
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
        lines += [f"Download: {_download('trends_areas.csv')}.", ""]
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return narrative.signed(float(value))
