"""A readable check of what the project sets on each map (per layer, feature and property, geometries rounded as drawn), printed under each map in the executed notebook so that the regression tests catch a change that only a map shows; the site drops it."""

from __future__ import annotations

import hashlib
import json

import ipyleaflet as L

from opencyber.report.outputs import MAP_CHECK_MIME

#: decimals of the coordinates drawn (``simplify`` rounds to 4: about 10 m)
DRAWN_DIGITS = 4


def _geometry_line(geometry: dict) -> str:
    """A geometry as its type, its number of points and a short hash of its coordinates, rounded to
    the precision drawn and written in a fixed format (the same on every platform)."""
    coords: list[str] = []

    def walk(c: float | list) -> None:
        if isinstance(c, (int, float)):
            coords.append(f"{float(c):.{DRAWN_DIGITS}f}")
        else:
            for x in c:
                walk(x)
            coords.append("|")

    walk(geometry.get("coordinates", []))
    digest = hashlib.sha256(",".join(coords).encode()).hexdigest()[:12]
    n_points = sum(1 for c in coords if c != "|") // 2
    return f"{geometry.get('type')} of {n_points} points, coordinates {digest}"


def _flat(prefix: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [kv for k in sorted(value) for kv in _flat(f"{prefix}.{k}" if prefix else str(k), value[k])]
    if isinstance(value, (list, tuple)):
        return [(prefix, " / ".join(str(v) for v in value))]
    return [(prefix, json.dumps(value) if not isinstance(value, str) else value)]


def map_check(m: L.Map, name: str) -> str:
    """What a map draws that the project sets, one line per property, each line naming the map, the
    layer, the feature and the property: ``status map | ICBs by status | QE1 | style.fillColor = #1B6E8A``.

    Only what this module sets is listed (view, layer styles, each feature's properties and geometry,
    the controls); library defaults such as ipyleaflet's ``modisdate`` or the basemap's URL are not,
    so that a new library version or a new day changes nothing here. A regression test compares the
    lines, and its failure shows the lines that changed.
    """
    lines = [f"{name} | view | center = {m.center[0]:.4f}, {m.center[1]:.4f}", f"{name} | view | zoom = {m.zoom}"]
    lines.append(f"{name} | view | layout.height = {m.layout.height}")
    for layer in m.layers:
        if not isinstance(layer, L.GeoJSON):
            continue
        where = f"{name} | {layer.name}"
        for trait in ("style", "point_style", "hover_style"):
            for key, value in _flat(trait, getattr(layer, trait) or {}):
                lines.append(f"{where} | (layer) | {key} = {value}")
        features = layer.data.get("features", [])
        codes = [f.get("properties", {}).get("code") for f in features]
        repeated = len(set(codes)) < len(codes)  # e.g. the pies: a wedge per area and status
        for feature in features:
            props = feature.get("properties", {})
            fid = str(props.get("code", "?")) + (f" {props.get('status', '')}" if repeated else "")
            layer_style = {
                f"style.{k}": str(v) if isinstance(v, str) else json.dumps(v) for k, v in (layer.style or {}).items()
            }
            for key, value in _flat("", {k: v for k, v in props.items() if k != "code"}):
                if layer_style.get(key) != value:  # ipyleaflet copies the layer's style into each feature
                    lines.append(f"{where} | {fid} | {key} = {value}")
            lines.append(f"{where} | {fid} | geometry = {_geometry_line(feature.get('geometry') or {})}")
    for control in m.controls:
        kind = type(control).__name__
        if isinstance(control, L.WidgetControl):
            lines.append(f"{name} | control {kind} {control.position} | html = {control.widget.value}")
        elif isinstance(control, L.LayersControl):
            lines.append(f"{name} | control {kind} | position = {control.position}, collapsed = {control.collapsed}")
    for legend in getattr(m, "oc_legends", []):
        lines.append(f"{name} | legend | html = {legend}")
    return "\n".join(lines) + "\n"


def show_check(m: L.Map, name: str) -> None:
    """Output a map's regression check (:func:`map_check`) in the notebook, for nbval only."""
    from IPython.display import display

    display({MAP_CHECK_MIME: map_check(m, name)}, raw=True)
