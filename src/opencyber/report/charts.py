"""Charts: plotly figures, shown with an HTML output that works without a CDN.

plotly 7 in a papermill kernel emits only ``application/vnd.plotly.v1+json``, which neither Quarto
nor nbconvert displays. :func:`show` emits that and a ``text/html`` output: a div with a stable id,
the figure as JSON, and a call to ``Plotly.newPlot`` (plotly.js is loaded once per page by the
site, from ``assets/``).
"""

from __future__ import annotations

import html
import json
import textwrap

import pandas as pd
import plotly.graph_objects as go
from IPython.display import display

from opencyber.status import STATUSES

#: Status colours, best status darkest: their CIELAB lightness rises with the status order (18, 43,
#: 64, 74, 88), so the order reads in greyscale and under every colour-vision deficiency (the
#: closest pair is CAM02-UCS Delta E 20 under simulated deuteranopia, protanopia and tritanopia;
#: tests/unit/test_palette.py). Five steps in lightness order cannot also differ from each other by
#: a contrast ratio of 3:1, so colour is never the only cue: each status also has a pattern
#: (STATUS_PATTERNS, on chart bars, map areas, map markers and every legend swatch), and
#: legends, tooltips and tables name it.
STATUS_COLOURS = {
    "Standards Exceeded": "#0B2E4F",  # navy
    "Standards Met": "#1B6E8A",  # dark teal-blue
    "Approaching Standards": "#5AA9A0",  # sea green
    "Standards Not Met": "#F0A45D",  # light orange
    "Not Published": "#D9DCDE",  # pale grey
}
#: The second cue: a pattern per status, as plotly's bar pattern shapes; the site draws the same
#: patterns on maps and legend swatches (static/site.css, static/opencyber.js: ``oc-st-<slug>``).
STATUS_PATTERNS = {
    "Standards Exceeded": "|",  # vertical stripes
    "Standards Met": "",  # solid
    "Approaching Standards": "/",  # diagonal stripes
    "Standards Not Met": "x",  # cross-hatch
    "Not Published": ".",  # dots
}


def status_slug(status: str) -> str:
    """``Standards Not Met`` -> ``not-met``: the CSS class suffix of a status (``oc-st-not-met``)."""
    return "-".join(w for w in status.lower().split() if w != "standards")


def text_colour(fill: str) -> str:
    """White or near-black, whichever is more legible on ``fill``."""
    return "#ffffff" if contrast_ratio(fill, "#ffffff") >= contrast_ratio(fill, "#0b0c0c") else "#0b0c0c"


def status_marker(status: str) -> dict:
    """The plotly bar marker of a status: its colour and pattern, outlined so that the palest
    status stays visible on a white page."""
    fill = STATUS_COLOURS[status]
    return dict(
        color=fill,
        line=dict(color="#505a5f", width=0.5),
        pattern=dict(shape=STATUS_PATTERNS[status], fgcolor=text_colour(fill), fgopacity=0.45, size=7, solidity=0.15),
    )


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: short sector names for chart labels (the table beside the chart gives the full names)
SHORT_SECTORS = {
    "NHS Trust": "NHS trusts",
    "Integrated Care Board (ICB)": "ICBs",
    "Clinical Commissioning Group (CCG)": "CCGs",
    "Commissioning Support Unit (CSU)": "CSUs",
}


def status_share_chart(
    crosstab_long: pd.DataFrame,
    title: str,
    subtitle: str,
    source: str,
    order: list[str] | None = None,
    groups: dict[str, dict] | None = None,
) -> go.Figure:
    """One horizontal bar per sector, split into the share of its organisations in each status (best
    first, left to right), so that small sectors read as well as the large one. The sector's name and
    size sit above its bar, so the bars keep the width of the screen; the legend is below.

    ``order``: the bars from the top (default: the largest sector at the top). ``groups``: the
    segments in order, each name with its plotly marker and a CSS slug for its legend swatch
    (default: the five statuses)."""
    if groups is None:
        groups = {s: {"marker": status_marker(s), "slug": status_slug(s)} for s in STATUSES}
    totals = crosstab_long.groupby("sector")["n"].sum().sort_values(kind="stable")  # largest at the top
    if order is not None:
        totals = totals.reindex(list(reversed(order)))  # plotly draws the first category at the bottom
    sectors = list(totals.index)
    labels = [f"{SHORT_SECTORS.get(s, s)} ({int(totals[s]):,})" for s in sectors]
    fig = go.Figure()
    for status, group in groups.items():
        sub = crosstab_long[crosstab_long["status"] == status].set_index("sector")["n"].reindex(sectors, fill_value=0)
        shares = [100 * int(n) / int(totals[s]) if totals[s] else 0 for s, n in sub.items()]
        fig.add_bar(
            name=status,
            orientation="h",
            y=labels,
            x=shares,
            customdata=[[int(n), int(totals[s])] for s, n in sub.items()],
            marker=group["marker"],
            text=[f"{v:.0f}%" if v >= 12 else "" for v in shares],  # a label only where it fits a phone
            textangle=0,
            textposition="inside",
            insidetextanchor="middle",
            textfont=dict(color=text_colour(group["marker"]["color"])),
            hovertemplate="%{y}<br>" + status + ": %{customdata[0]} of %{customdata[1]} (%{x:.1f}%)<extra></extra>",
        )
    # each bar's name sits on it, on two lines when long, so that it fits a phone's width
    annotations = [
        dict(
            text="<br>".join(textwrap.wrap(label, 40)),
            x=0,
            xref="paper",
            y=label,
            yref="y",
            yshift=18,
            xanchor="left",
            yanchor="bottom",
            align="left",
            showarrow=False,
            font=dict(size=14),
        )
        for label in labels
    ]
    fig.update_layout(
        barmode="stack",
        bargap=0.58,
        template="simple_white",
        height=40 + 78 * len(sectors),
        margin=dict(l=4, r=4, t=28, b=8),
        xaxis=dict(range=[0, 100], visible=False, fixedrange=True),
        yaxis=dict(showticklabels=False, showline=False, ticks="", fixedrange=True),
        showlegend=False,
        font=dict(family="Arial, Helvetica, sans-serif", size=14, color="#212b32"),
        annotations=annotations,
        # the title, subtitle, source and legend are written as HTML around the chart (figure_html):
        # they wrap on a narrow screen, and a screen reader reads them as text
        meta={
            "title": title,
            "subtitle": subtitle,
            "source": source,
            "legend": [[g, v["marker"]["color"], v["slug"]] for g, v in groups.items()],
        },
    )
    return fig


#: the sectors' lines on the chart of the share that met the standard: a colour and a marker symbol
#: each (colour is never the only cue: the symbols differ, and each line is named at its last point)
SECTOR_LINES = {
    "NHS Trust": ("#003087", "circle"),
    "Integrated Care Board (ICB)": ("#1B6E8A", "square"),
    "Clinical Commissioning Group (CCG)": ("#8A5A00", "diamond"),
    "Commissioning Support Unit (CSU)": ("#4c6272", "triangle-up"),
}


def share_met_chart(share: pd.DataFrame, title: str, subtitle: str, source: str) -> go.Figure:
    """A line per sector of the share (%) of its organisations that met or exceeded the standard,
    edition by edition (``share``: ``label, sector, met_or_exceeded, total, share``, editions oldest
    first). The x axis is the editions in order (a sector missing from an edition has no point there)."""
    labels = list(dict.fromkeys(share["label"]))
    fig = go.Figure()
    sectors = sorted(
        share["sector"].unique(), key=lambda s: (list(SECTOR_LINES).index(s) if s in SECTOR_LINES else 99, s)
    )
    for sector in sectors:
        sub = share[share["sector"] == sector].set_index("label").reindex(labels)
        colour, symbol = SECTOR_LINES.get(sector, ("#505a5f", "x"))
        name = SHORT_SECTORS.get(sector, sector)
        fig.add_scatter(
            x=labels,
            y=sub["share"].round(1).tolist(),
            name=name,
            mode="lines+markers+text",
            line=dict(color=colour, width=3),
            marker=dict(symbol=symbol, size=10, color=colour, line=dict(color="#ffffff", width=1)),
            text=[f"{v:.0f}%" if sector == "NHS Trust" and v == v else "" for v in sub["share"]],
            textposition="bottom center",
            textfont=dict(color=colour, size=13),
            customdata=[
                [int(m) if m == m else 0, int(t) if t == t else 0] for m, t in zip(sub["met_or_exceeded"], sub["total"])
            ],
            hovertemplate=name + ", %{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
            connectgaps=False,
        )
    fig.update_layout(
        template="simple_white",
        height=340,
        margin=dict(l=44, r=12, t=16, b=36),
        xaxis=dict(type="category", fixedrange=True, tickfont=dict(size=13)),
        yaxis=dict(range=[0, 102], ticksuffix="%", fixedrange=True, dtick=25, gridcolor="#e8edee", showgrid=True),
        showlegend=False,
        font=dict(family="Arial, Helvetica, sans-serif", size=14, color="#212b32"),
        meta={
            "title": title,
            "subtitle": subtitle,
            "source": source,
            "legend": [[SHORT_SECTORS.get(s, s), SECTOR_LINES.get(s, ("#505a5f",))[0], "line"] for s in sectors],
        },
    )
    return fig


def swatch(colour: str, slug: str = "") -> str:
    """A legend swatch: the colour, and the status's pattern when ``slug`` names one (site.css)."""
    cls = f"oc-swatch oc-st-{html.escape(slug)}" if slug else "oc-swatch"
    return f'<span class="{cls}" style="background-color:{html.escape(colour)}" aria-hidden="true"></span>'


def figure_html(fig: go.Figure, div_id: str, alt: str, data_csv: str | None = None) -> str:
    """The HTML of a chart: a div, the figure JSON (safe inside <script>), the call that draws it,
    and with ``data_csv`` a link to download the chart's numbers."""
    payload = fig.to_json(engine="json", pretty=False).replace("</", "<\\/")
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    head = ""
    if meta.get("title"):
        head += f'<p class="oc-chart-title">{html.escape(meta["title"])}</p>'
    if meta.get("subtitle"):
        head += f'<p class="oc-chart-subtitle">{html.escape(meta["subtitle"])}</p>'
    foot = ""
    if meta.get("legend"):
        items = "".join(f"<li>{swatch(c, *slug)}{html.escape(t)}</li>" for t, c, *slug in meta["legend"])
        foot += f'<ul class="oc-chart-legend" aria-label="Colours of the chart">{items}</ul>'
    if meta.get("source"):
        foot += f'<p class="oc-chart-source">{html.escape(meta["source"])}</p>'
    if data_csv:
        foot += f'<p class="oc-download"><a href="{html.escape(data_csv)}" download>Download the chart\'s data (CSV)</a></p>'
    height = fig.layout.height or 450
    return (
        f'<figure class="oc-chart">{head}<div id="{html.escape(div_id)}" class="oc-plotly" '
        f'style="min-height:{int(height)}px" data-oc-height="{int(height)}"></div>{foot}'
        f'<script type="application/json" id="{html.escape(div_id)}-data">{payload}</script>'
        "<script>(function(){var id=" + json.dumps(div_id) + ";"
        "function draw(){var f=JSON.parse(document.getElementById(id+'-data').textContent);"
        "window.Plotly.newPlot(id,f.data,f.layout,{responsive:true,displaylogo:false,displayModeBar:false});}"
        "if(window.Plotly){draw();}else{window.addEventListener('load',function(){if(window.Plotly)draw();});}"
        "})();</script>"
        f"<figcaption>{html.escape(alt)}</figcaption></figure>"
    )


def show(fig: go.Figure, div_id: str, alt: str, data_csv: str | None = None) -> None:
    """Display a figure in a notebook with both the plotly mimetype and our offline HTML;
    ``data_csv``: the download of its numbers (what :func:`opencyber.report.tables.show_table` returns)."""
    display(
        {
            "application/vnd.plotly.v1+json": json.loads(fig.to_json(engine="json")),
            "text/html": figure_html(fig, div_id, alt, data_csv),
            "text/plain": f"[chart {div_id}: {alt}]",
        },
        raw=True,
    )
