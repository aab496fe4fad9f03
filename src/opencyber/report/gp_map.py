"""The map of the share of GP practices meeting the standard by area (the all-sectors page)."""

from __future__ import annotations

import ipyleaflet as L

from opencyber.report.maps import (
    base_map,
    legend_html,
    set_legends,
    tooltip_lines,
)
from opencyber.report.tables import readable_name

#: classes of the share of GP practices that met the standard, and their colours (ColorBrewer Blues, 5)
GP_SHARE_BINS = [(0, 80), (80, 85), (85, 90), (90, 95), (95, 100)]


GP_SHARE_COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]


def gp_share_class(share: float) -> int:
    for i, (_lo, hi) in enumerate(GP_SHARE_BINS):
        if share < hi or i == len(GP_SHARE_BINS) - 1:
            return i
    raise AssertionError  # unreachable


def gp_share_map(areas: dict, *, area_label: str = "ICB") -> L.Map:
    """The share of each area's GP practices whose latest status met or exceeded the standard, as a
    choropleth (``areas``: the GeoJSON that :func:`opencyber.analysis.sectors.write_gp_map_areas` writes)."""
    import copy

    data = copy.deepcopy(areas)
    for f in data["features"]:
        p = f["properties"]
        p["tooltip"] = tooltip_lines(
            f"{area_label} {p['code']}",
            readable_name(p["name"]),
            f"{p['met_or_exceeded']} of {p['practices']} GP practices ({p['share']:.1f}%) met or exceeded {p['dspt_edition']}",
        )
        p["style"] = {"fillColor": GP_SHARE_COLOURS[gp_share_class(p["share"])], "className": "oc-area"}
    layer = L.GeoJSON(
        data=data,
        name=f"GP practices that met the standard, by {area_label}",
        style={"color": "#505a5f", "weight": 1, "fillOpacity": 0.9},
    )
    lons = [c[0] for f in data["features"] for c in _coords(f["geometry"])]
    lats = [c[1] for f in data["features"] for c in _coords(f["geometry"])]
    m = base_map((min(lons), min(lats), max(lons), max(lats)))
    m.add(layer)
    set_legends(m, [gp_share_legend(layer.name)])
    return m


def gp_share_legend(layer_name: str) -> str:
    labels = [
        f"{lo}% to under {hi}%" if i < len(GP_SHARE_BINS) - 1 else f"{lo}% to {hi}%"
        for i, (lo, hi) in enumerate(GP_SHARE_BINS)
    ]
    return legend_html(
        "GP practices met or exceeded", list(reversed(list(zip(labels, GP_SHARE_COLOURS)))), [layer_name]
    )


def _coords(geometry: dict):
    """Every (lon, lat) of a Polygon or MultiPolygon."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        for ring in poly:
            yield from ring
