"""GeoJSON boundaries and points (EPSG:4326), every feature checked; the build's cache keeps them as plain data and WKB."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from opencyber import cache
from opencyber.errors import InputError
from opencyber.inputs import schemas as v

GEOMETRY_TYPES = {"area": ("Polygon", "MultiPolygon"), "point": ("Point",)}


def geojson_schema(kind: str):
    allowed = GEOMETRY_TYPES[kind]
    return v.schema(
        {
            "code": v.code_column(unique=kind == "area"),
            "geometry_problem": v.text(
                v.rule("the geometry cannot be read", "GeoJSON coordinates: pairs of numbers", lambda s: s.eq(""))
            ),
            "geometry_type": v.text(v.rule("wrong geometry type", " or ".join(allowed), lambda s: s.isin(allowed))),
            "in_degrees": v.text(
                v.rule(
                    "coordinates are not longitude/latitude degrees (a projected CRS such as British National Grid?)",
                    "WGS84 longitude -180..180 and latitude -90..90 (EPSG:4326)",
                    lambda s: s.eq("yes"),
                )
            ),
            "validity": v.text(
                v.rule(
                    "invalid geometry",
                    "a valid geometry (rings closed, no self-intersection)",
                    lambda s: s.eq("Valid Geometry"),
                )
            ),
        },
        "GeoJSON features",
    )


def read_geojson(path: Path, code_property: str, kind: str = "area"):
    """Read a GeoJSON FeatureCollection (EPSG:4326) as a GeoDataFrame with a ``code`` column.

    ``kind`` is ``"area"`` (polygons, one per code) or ``"point"``. Every feature is checked: a code,
    readable numeric coordinates, the geometry type, degrees (not a projected CRS), validity.
    The build's cache keeps the checked features as plain data (properties and WKB), never the
    GeoDataFrame itself: WKB round-trips every coordinate exactly.
    """
    import geopandas as gpd
    import shapely

    properties, wkb = _geojson_features(path, code_property, kind)
    return gpd.GeoDataFrame(properties, geometry=shapely.from_wkb(wkb), crs="EPSG:4326")


@cache.of_file("inputs")
def _geojson_features(path: Path, code_property: str, kind: str) -> tuple[pd.DataFrame, list[bytes]]:
    """The checked features of a GeoJSON file: their properties (and ``code``) and geometries as WKB."""
    import shapely
    from shapely.geometry import shape

    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid GeoJSON: {exc}", expected="a GeoJSON FeatureCollection") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise InputError(path, "not a GeoJSON FeatureCollection", expected='"type": "FeatureCollection"')
    crs = (raw.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not re.search(r"(EPSG::?4326|CRS84)$", crs):
        raise InputError(path, "coordinates are not WGS84 longitude/latitude", value=crs, expected="EPSG:4326")
    features = raw.get("features") or []
    if not features:
        raise InputError(path, "the FeatureCollection has no features", expected="a feature per area")
    rows, geoms = [], []
    for n, feat in enumerate(features, start=1):
        props = (feat or {}).get("properties") or {}
        row = {
            "code": str(props.get(code_property) or "").strip().upper(),
            "line": n,
            "geometry_problem": "",
            "geometry_type": "",
            "in_degrees": "yes",
            "validity": "Valid Geometry",
        }
        geom = None
        try:
            geom = shape((feat or {}).get("geometry"))
            xmin, ymin, xmax, ymax = geom.bounds
        except Exception as exc:  # shapely raises several kinds for unreadable coordinates
            row["geometry_problem"] = f"{type(exc).__name__}: {exc}"[:120]
        else:
            row["geometry_type"] = geom.geom_type
            if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
                row["in_degrees"] = f"bounds {xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}"
            row["validity"] = shapely.is_valid_reason(geom)
        rows.append(row)
        geoms.append(geom)
    table = pd.DataFrame(rows)
    labels = {
        "code": code_property,
        **dict.fromkeys(("geometry_problem", "geometry_type", "in_degrees", "validity"), "geometry"),
    }
    v.validate(table, geojson_schema(kind), path, labels, features=True)
    properties = pd.DataFrame([{**((f or {}).get("properties") or {})} for f in features])
    properties["code"] = table["code"].values
    return properties, list(shapely.to_wkb(geoms))
