"""The maps' geometries in a page, written compactly and losslessly: a geometry that several layers draw carried once, and each ring as the differences between its points; assets/opencyber.js restores both before the maps are drawn."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


GEOMETRY_REF = "OcGeometryRef"


def share_repeated_geometries(nb) -> dict[str, dict]:
    """Carry a geometry drawn by several map layers once in the page.

    The status map and the composite map draw the same area polygons with different colours; each
    layer is a widget with its own copy of the geometry. Every geometry that occurs more than once in
    the notebook's widget state is moved to a store (returned, key -> geometry) and replaced by
    ``{"type": "OcGeometryRef", "ref": key}``; ``assets/opencyber.js`` puts it back before the widget
    manager reads the state. Keys are content hashes, so pages stay the same from build to build.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    features = [
        f
        for model in state.values()
        if model.get("model_name") == "LeafletGeoJSONModel"
        for f in (model.get("state", {}).get("data") or {}).get("features", [])
        if isinstance(f, dict) and isinstance(f.get("geometry"), dict)
    ]
    keyed = []
    for f in features:
        text = json.dumps(f["geometry"], sort_keys=True, separators=(",", ":"))
        keyed.append((f, hashlib.sha256(text.encode()).hexdigest()[:16]))
    counts = Counter(k for _, k in keyed)
    store = {}
    for f, k in keyed:
        if counts[k] > 1:
            store[k] = f["geometry"]
            f["geometry"] = {"type": GEOMETRY_REF, "ref": k}
    return dict(sorted(store.items()))


GEOMETRY_DELTA = "OcDelta"


#: how deep the rings are in each kind of geometry's coordinates (a ring: a list of [x, y])
_RING_DEPTH = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def _delta_ring(ring: list, scale: int) -> list[int] | None:
    out, px, py = [], 0, 0
    for point in ring:
        if len(point) != 2:
            return None
        x, y = (round(v * scale) for v in point)
        if x / scale != point[0] or y / scale != point[1]:  # not exact at this scale
            return None
        out += [x - px, y - py]
        px, py = x, y
    return out


def delta_geometry(geometry: dict) -> dict:
    """A line or polygon geometry written compactly and losslessly: each ring as the differences
    between its successive points in units of 10^-k degrees (the smallest k, up to 7, at which every
    coordinate is exact), ``{"type": "OcDelta", "of": "Polygon", "scale": 10000, "d": [...]}``;
    ``assets/opencyber.js`` turns it back into the same numbers before the maps are drawn. The
    maps' polygons have 4 decimals, so this makes the rings' numbers small (gzip: a third smaller).
    Any other geometry, or one no scale is exact for, is returned as it is."""
    depth = _RING_DEPTH.get(str(geometry.get("type")))
    if depth is None or set(geometry) != {"type", "coordinates"}:
        return geometry

    def encode(coords, level, scale):
        if level == 0:
            return _delta_ring(coords, scale)
        parts = [encode(c, level - 1, scale) for c in coords]
        return None if any(p is None for p in parts) else parts

    for k in range(8):
        d = encode(geometry["coordinates"], depth, 10**k)
        if d is not None:
            return {"type": GEOMETRY_DELTA, "of": geometry["type"], "scale": 10**k, "d": d}
    return geometry


def delta_geometries(nb, store: dict) -> None:
    """Write every line and polygon of the page's maps (in the widget state and in the shared store)
    with :func:`delta_geometry`."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model in state.values():
        if model.get("model_name") == "LeafletGeoJSONModel":
            for f in (model.get("state", {}).get("data") or {}).get("features", []):
                if isinstance(f, dict) and isinstance(f.get("geometry"), dict):
                    f["geometry"] = delta_geometry(f["geometry"])
    for key, geometry in store.items():
        store[key] = delta_geometry(geometry)
