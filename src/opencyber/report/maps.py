"""Maps: ipyleaflet maps of area status, trust markers, region boundaries and composite scores.

Geometry is simplified as a coverage (shared borders stay shared) and rounded before it goes into
the widget state. Every feature carries a ``tooltip`` property (code, name, status or score) that
the site's script binds as a Leaflet tooltip, written as text, never as HTML; and a ``className``
(``oc-area``, ``oc-trust``, ``oc-region``) that the browser tests count."""

from __future__ import annotations

import html
import itertools
import json
import math

import geopandas as gpd
import ipyleaflet as L
import pandas as pd
import shapely
from ipywidgets import Layout, Widget

from opencyber.report.charts import STATUS_COLOURS, status_slug, swatch
from opencyber.report.map_check import show_check
from opencyber.report.tables import minus, readable_name
from opencyber.status import STATUSES


def _stable_model_id(widget: Widget) -> None:
    """Give each widget a model id from a counter instead of a random uuid4, so that the executed
    notebooks (and the pages made from them) are the same on every run. Each notebook runs in a new
    kernel, so the sequence restarts there; ids only need to be unique within one page."""
    if widget._model_id is None:
        widget._model_id = f"{next(_WIDGET_IDS):032x}"  # the shape of uuid4().hex


_WIDGET_IDS = itertools.count(1)


Widget.on_widget_constructed(_stable_model_id)


ENGLAND_CENTRE = (52.9, -1.5)


#: a fixed value for ipyleaflet's ``Map.modisdate`` (see :func:`base_map`)
MODIS_DATE = "2000-01-01"


#: Composite classes on the fixed scale [-3, 3] and their diverging colours (ColorBrewer RdBu, 6).
COMPOSITE_BINS = [(-3, -2), (-2, -1), (-1, 0), (0, 1), (1, 2), (2, 3)]


COMPOSITE_COLOURS = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]


def _features(gdf: gpd.GeoDataFrame, props: list[dict]) -> dict:
    feats = []
    for geom, p in zip(gdf.geometry.values, props):
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": p})
    # round-trip through JSON: tuples become lists, so the widget state is plain and stable
    return json.loads(json.dumps({"type": "FeatureCollection", "features": feats}))


def tooltip_lines(*lines: str) -> list[str]:
    return [str(x) for x in lines if x]


def composite_class(value: float) -> int:
    """Index of the composite class of a value on [-3, 3]."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("a composite score is missing")
    for i, (_lo, hi) in enumerate(COMPOSITE_BINS):
        if value < hi or i == len(COMPOSITE_BINS) - 1:
            return i
    raise AssertionError  # unreachable


def composite_label(i: int) -> str:
    lo, hi = COMPOSITE_BINS[i]
    sign = lambda v: f"{v:+d}" if v else "0"  # noqa: E731
    return f"{sign(lo)} to {sign(hi)}" if i == len(COMPOSITE_BINS) - 1 else f"{sign(lo)} to under {sign(hi)}"


def legend_html(title: str, items: list[tuple[str, ...]], layers: list[str] | None = None) -> str:
    """A map legend in a fixed order: a swatch and the label text for each item (colour never alone).
    An item is ``(label, colour)`` or ``(label, colour, status slug)``: a status swatch shows its
    pattern too. ``layers``: the map layers it explains (the site's script hides it while they are
    all turned off)."""
    rows = "".join(f"<li>{swatch(colour, *slug)}{html.escape(label)}</li>" for label, colour, *slug in items)
    follows = f' data-oc-layers="{html.escape(json.dumps(layers))}"' if layers else ""
    return (
        f'<div class="oc-legend" role="group" aria-label="{html.escape(title)}"{follows}>'
        f'<p class="oc-legend-title">{html.escape(title)}</p><ul>{rows}</ul></div>'
    )


def legends_html(legends: list[str]) -> str:
    """A map's legends as the block under it: part of the page, not of the map, so that no width,
    resize, rotation or print can hide them in the map's box (the site's script pairs the block with
    the map just before it)."""
    return f'<div class="oc-map-legends">{"".join(legends)}</div>' if legends else ""


def set_legends(m: L.Map, legends: list[str]) -> None:
    """Keep a map's legends (HTML) with it, for :func:`show` (a plain attribute, not widget state)."""
    m.oc_legends = legends


def view_of(
    bounds: tuple[float, float, float, float], width_px: int = 760, height_px: int = 620
) -> tuple[tuple[float, float], int]:
    """Centre (lat, lon) and the largest whole zoom at which ``bounds`` (minx, miny, maxx, maxy, in
    degrees) fit a map of about ``width_px`` x ``height_px`` (Web Mercator tiles of 256 px).

    Computed here because a static page cannot run ipyleaflet's ``fit_bounds``; England gives zoom 6.
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zx = math.log2(width_px * 360 / (256 * max(maxx - minx, 1e-6)))
    zy = math.log2(height_px * 2 * math.pi / (256 * max(merc(maxy) - merc(miny), 1e-9)))
    centre_lat = math.degrees(math.atan(math.sinh((merc(maxy) + merc(miny)) / 2)))
    return (round(centre_lat, 4), round((minx + maxx) / 2, 4)), max(1, min(12, math.floor(min(zx, zy))))


def base_map(bounds: tuple[float, float, float, float] | None = None) -> L.Map:
    centre, zoom = view_of(bounds) if bounds is not None else (ENGLAND_CENTRE, 6)
    m = L.Map(
        center=centre,
        zoom=zoom,
        scroll_wheel_zoom=False,
        layout=Layout(height="620px", width="100%"),
        # ipyleaflet's default is the day before the map was made (for NASA's MODIS basemaps, which
        # these maps do not use): left alone, every map's saved state changes every day
        modisdate=MODIS_DATE,
    )
    m.attribution_control = True
    return m


def region_layer(regions: gpd.GeoDataFrame | L.GeoJSON, name_col: str) -> L.GeoJSON:
    """The NHS England region boundaries. Pass the layer itself to several maps to carry the
    boundaries once in the page (a widget can be shown by several maps)."""
    if isinstance(regions, L.GeoJSON):
        return regions
    props = [
        {"code": c, "name": n, "style": {"className": "oc-region"}} for c, n in zip(regions["code"], regions[name_col])
    ]
    return L.GeoJSON(
        data=_features(regions, props),
        name="NHS England regions",
        style={"color": "#231f20", "weight": 2, "fill": False, "interactive": False},
    )


def area_outline_layer(areas: gpd.GeoDataFrame, area_label: str) -> L.GeoJSON:
    props = [
        {
            "code": c,
            "name": n,
            "tooltip": tooltip_lines(f"{area_label} {c}", n),
            "style": {"className": "oc-area-outline"},
        }
        for c, n in zip(areas["code"], areas["name"])
    ]
    return L.GeoJSON(
        data=_features(areas, props),
        name=f"{area_label} boundaries",
        style={"color": "#425563", "weight": 2, "dashArray": "4 3", "fill": False},
    )


def status_map(
    areas: gpd.GeoDataFrame,
    trusts: pd.DataFrame,
    regions: gpd.GeoDataFrame,
    *,
    area_label: str,
    region_name_col: str,
    outlines: gpd.GeoDataFrame | None = None,
    outline_label: str = "",
) -> L.Map:
    """Commissioners (ICBs, or CCGs) coloured by status, trust markers by status, toggleable regions.

    ``areas``: code, name, status, geometry. ``trusts``: code, name, status, lon, lat.
    ``outlines``: the areas the commissioners belong to (ICSs in the CCG era), drawn as a layer.
    """
    area_props = [
        {
            "code": c,
            "name": n,
            "status": s,
            "tooltip": tooltip_lines(f"{area_label} {c}", readable_name(n), r, f"Status: {s}"),
            "style": {"fillColor": STATUS_COLOURS[s], "className": f"oc-area oc-st-{status_slug(s)}"},
        }
        for c, n, s, r in zip(areas["code"], areas["name"], areas["status"], areas.get("region", [""] * len(areas)))
    ]
    area_layer = L.GeoJSON(
        data=_features(areas, area_props),
        name=f"{area_label}s by status",
        style={"color": "#ffffff", "weight": 1, "fillOpacity": 0.75},
    )
    points = gpd.GeoDataFrame(trusts, geometry=gpd.points_from_xy(trusts["lon"], trusts["lat"]), crs="EPSG:4326")
    trust_props = [
        {
            "code": c,
            "name": n,
            "status": s,
            "tooltip": tooltip_lines(f"NHS trust {c}", readable_name(n), r, f"Status: {s}"),
            "style": {"fillColor": STATUS_COLOURS[s], "className": f"oc-trust oc-st-{status_slug(s)}"},
        }
        for c, n, s, r in zip(
            points["code"], points["name"], points["status"], points.get("region", [""] * len(points))
        )
    ]
    trust_layer = L.GeoJSON(
        data=_features(points, trust_props),
        name="NHS trusts by status",
        point_style={
            "radius": 6,
            "color": "#ffffff",
            "weight": 2.5,
            "fillOpacity": 1,
        },  # a white ring: stands out on any area
    )
    m = base_map(tuple(areas.total_bounds))
    layers = [area_layer]
    if outlines is not None:
        layers.append(area_outline_layer(outlines, outline_label))
    for layer in (*layers, region_layer(regions, region_name_col), trust_layer):
        m.add(layer)
    m.add(L.LayersControl(position="topright", collapsed=False))
    set_legends(
        m,
        [
            legend_html(
                "DSPT status",
                [(s, STATUS_COLOURS[s], status_slug(s)) for s in STATUSES],
                [area_layer.name, trust_layer.name],
            )
        ],
    )
    return m


def _wedge(lon: float, lat: float, radius: float, start: float, end: float) -> shapely.Polygon:
    """A pie wedge (angles in degrees clockwise from north) of ``radius`` degrees of latitude."""
    kx = 1 / math.cos(math.radians(lat))  # keep the pie round on the map
    steps = max(2, math.ceil((end - start) / 10))
    arc = [
        (lon + radius * kx * math.sin(math.radians(a)), lat + radius * math.cos(math.radians(a)))
        for a in (start + (end - start) * i / steps for i in range(steps + 1))
    ]
    ring = arc if end - start >= 360 else [(lon, lat), *arc]
    return shapely.Polygon(ring)


def trust_pie_layer(
    areas: gpd.GeoDataFrame, counts: pd.DataFrame, *, area_label: str, radius: float = 0.09
) -> L.GeoJSON:
    """A pie per area of the share of its trusts in each status (the original's ICS pies).

    ``counts``: one row per area code (index), one column per status. Each wedge's tooltip gives the
    area, the status and the count and share, as text.
    """
    geoms, props = [], []
    for code, name, geom in zip(areas["code"], areas["name"], areas.geometry.values):
        if code not in counts.index:
            continue
        row = counts.loc[code]
        total = int(row.sum())
        if not total:
            continue
        centre = geom.representative_point()
        angle = 0.0
        for status in STATUSES:
            n = int(row.get(status, 0))
            if not n:
                continue
            sweep = 360.0 * n / total
            geoms.append(_wedge(centre.x, centre.y, radius, angle, angle + sweep))
            angle += sweep
            props.append(
                {
                    "code": code,
                    "status": status,
                    "n": n,
                    "tooltip": tooltip_lines(
                        f"{area_label} {code}",
                        readable_name(name),
                        f"{status}: {n} of {total} trusts ({100 * n / total:.0f}%)",
                    ),
                    "style": {"fillColor": STATUS_COLOURS[status], "className": f"oc-pie oc-st-{status_slug(status)}"},
                }
            )
    wedges = gpd.GeoDataFrame(geometry=shapely.set_precision(geoms, 1e-4, mode="pointwise"), crs="EPSG:4326")
    return L.GeoJSON(
        data=_features(wedges, props),
        name=f"Trusts by status in each {area_label} (pies)",
        style={"color": "#ffffff", "weight": 1, "fillOpacity": 1},
    )


def composite_map(
    areas: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    area_label: str,
    region_name_col: str,
    trust_counts: pd.DataFrame | None = None,
) -> L.Map:
    """Choropleth of the composite score on the fixed scale [-3, 3]. ``areas``: code, name, composite.

    With ``trust_counts`` (area x status), a pie per area shows the share of its trusts in each status.
    """
    props = []
    extra = areas.reindex(columns=["region", "own_score", "trust_mean", "n_trusts"])
    for c, n, v, r, own, tm, nt in zip(
        areas["code"],
        areas["name"],
        areas["composite"],
        extra["region"].fillna(""),
        extra["own_score"],
        extra["trust_mean"],
        extra["n_trusts"].fillna(0).astype(int),
    ):
        k = composite_class(v)
        props.append(
            {
                "code": c,
                "name": n,
                "composite": round(float(v), 2),
                "tooltip": tooltip_lines(
                    f"{area_label} {c}",
                    readable_name(n),
                    r,
                    minus(f"Composite score: {v:.2f}"),
                    minus(f"Own score: {own:.2f}"),
                    minus(f"Mean trust score: {tm:.2f} ({nt} trusts)") if nt else "No trusts",
                ),
                "style": {"fillColor": COMPOSITE_COLOURS[k], "className": "oc-area"},
            }
        )
    layer = L.GeoJSON(
        data=_features(areas, props),
        name=f"{area_label} composite score",
        style={"color": "#ffffff", "weight": 1, "fillOpacity": 0.85},
    )
    m = base_map(tuple(areas.total_bounds))
    m.add(layer)
    m.add(region_layer(regions, region_name_col))
    if trust_counts is not None:
        m.add(trust_pie_layer(areas, trust_counts, area_label=area_label))
    m.add(L.LayersControl(position="topright", collapsed=False))
    legends = [
        legend_html(
            "Composite score",
            [(composite_label(i), col) for i, col in reversed(list(enumerate(COMPOSITE_COLOURS)))],
            [layer.name],
        )
    ]
    if trust_counts is not None:
        legends.append(
            legend_html(
                "Trusts (pies)",
                [(s, STATUS_COLOURS[s], status_slug(s)) for s in STATUSES],
                [f"Trusts by status in each {area_label} (pies)"],
            )
        )
    set_legends(m, legends)
    return m


NOSCRIPT = (
    '<noscript><p class="oc-noscript">This map needs JavaScript, which is off in this browser. '
    "The same information is in the tables {where} it.</p></noscript>"
)


def print_note(tables: list[str], where: str = "below") -> str:
    """HTML shown only on paper, in place of a map (which is not printed): the tables with its figures."""
    names = " and ".join(f"“{html.escape(t)}”" for t in tables)
    return (
        f'<p class="oc-print-note">The interactive map is not printed: its figures are in the '
        f"table{'s' if len(tables) > 1 else ''} {names} {where}.</p>"
    )


def show(m: L.Map, name: str, tables: list[str] | None = None, where: str = "below") -> None:
    """Display a map in a notebook: its regression check (for nbval only), a message for browsers
    without JavaScript, the map itself, its legends (part of the page, under the map) and, for
    print, a note naming the ``tables`` that give its figures (``where`` they are: below or above)."""
    from IPython.display import display

    show_check(m, name)
    display({"text/html": NOSCRIPT.format(where=where), "text/plain": ""}, raw=True)
    display(m)
    after = legends_html(getattr(m, "oc_legends", [])) + (print_note(tables, where) if tables else "")
    if after:
        display({"text/html": after, "text/plain": ""}, raw=True)
