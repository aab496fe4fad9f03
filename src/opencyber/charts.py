"""Charts: plotly figures, shown with an HTML output that works without a CDN.

plotly 7 in a papermill kernel emits only ``application/vnd.plotly.v1+json``, which neither Quarto
nor nbconvert displays. :func:`show` emits that and a ``text/html`` output: a div with a stable id,
the figure as JSON, and a call to ``Plotly.newPlot`` (plotly.js is loaded once per page by the
site, from ``assets/``).
"""

from __future__ import annotations

import html
import json

import pandas as pd
import plotly.graph_objects as go
from IPython.display import display

from .status import STATUSES

#: Status colours: the Government Analysis Function categorical palette in its own order, so that
#: each status differs from the next in the legend by a contrast ratio of at least 3:1 (3.24, 3.83,
#: 3.23, 3.10; tests/unit/test_palette.py) and the set is colour-blind safe. Status is never shown by
#: colour alone: legends, tooltips and tables name it.
STATUS_COLOURS = {
    "Standards Exceeded": "#12436D",  # dark blue
    "Standards Met": "#28A197",  # turquoise
    "Approaching Standards": "#801650",  # dark pink
    "Standards Not Met": "#F46A25",  # orange
    "Not Published": "#3D3D3D",  # dark grey
}


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def status_bar_chart(crosstab_long: pd.DataFrame, title: str) -> go.Figure:
    """Grouped bars: organisations per sector (x) and status (colour)."""
    fig = go.Figure()
    sectors = sorted(crosstab_long["sector"].unique())
    for status in STATUSES:
        sub = crosstab_long[crosstab_long["status"] == status].set_index("sector").reindex(sectors)
        fig.add_bar(
            name=status,
            x=sectors,
            y=sub["n"].tolist(),
            marker_color=STATUS_COLOURS[status],
            text=sub["n"].tolist(),
            textposition="outside",
            hovertemplate="%{x}<br>" + status + ": %{y}<extra></extra>",
        )
    fig.update_layout(
        title=title,
        barmode="group",
        template="simple_white",
        height=460,
        margin=dict(l=60, r=20, t=60, b=60),
        yaxis_title="Organisations",
        legend_title_text="DSPT status",
        font=dict(family="Arial, Helvetica, sans-serif", size=14),
    )
    return fig


def figure_html(fig: go.Figure, div_id: str, alt: str) -> str:
    """The HTML of a chart: a div, the figure JSON (safe inside <script>), the call that draws it."""
    payload = fig.to_json(engine="json", pretty=False).replace("</", "<\\/")
    return (
        f'<figure class="oc-chart"><div id="{html.escape(div_id)}" class="oc-plotly"></div>'
        f'<script type="application/json" id="{html.escape(div_id)}-data">{payload}</script>'
        "<script>(function(){var id=" + json.dumps(div_id) + ";"
        "function draw(){var f=JSON.parse(document.getElementById(id+'-data').textContent);"
        "window.Plotly.newPlot(id,f.data,f.layout,{responsive:true,displaylogo:false});}"
        "if(window.Plotly){draw();}else{window.addEventListener('load',function(){if(window.Plotly)draw();});}"
        "})();</script>"
        f"<figcaption>{html.escape(alt)}</figcaption></figure>"
    )


def show(fig: go.Figure, div_id: str, alt: str) -> None:
    """Display a figure in a notebook with both the plotly mimetype and our offline HTML."""
    display(
        {
            "application/vnd.plotly.v1+json": json.loads(fig.to_json(engine="json")),
            "text/html": figure_html(fig, div_id, alt),
            "text/plain": f"[chart {div_id}: {alt}]",
        },
        raw=True,
    )
