"""The boundaries of an edition: the polygons that cover its areas (one per area in scope, checked),
simplified for the maps as a coverage (neighbours keep one shared border)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from opencyber.errors import InputError
from opencyber.inputs import geojson
from opencyber.inputs.registry import Edition


def simplify(gdf: gpd.GeoDataFrame, tolerance: float = 0.01, digits: int = 4) -> gpd.GeoDataFrame:
    """Simplify polygons as a coverage (neighbours keep one shared border) and round coordinates.

    ``tolerance`` is in degrees (``shapely.coverage_simplify``); 4 digits is about 10 m.
    """
    out = gdf.copy()
    geoms = shapely.coverage_simplify(out.geometry.values, tolerance)
    out["geometry"] = shapely.set_precision(geoms, 10**-digits, mode="pointwise")
    return out


def vertex_count(gdf: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(gdf.geometry.values).sum())


def covering_polygons(edition: Edition, data_dir: Path, role: str, code_col: str, expected: set[str], what: str):
    """The polygons of boundary input ``role``: exactly one per code of ``expected``, else an InputError."""
    path = edition.input_path(role, data_dir)
    polys = geojson.read_geojson(path, code_col)
    missing = sorted(expected - set(polys["code"]))
    if missing:
        raise InputError(
            path,
            f"no polygon for {len(missing)} {what}(s) in scope: {', '.join(missing)}",
            column=code_col,
            expected=f"one feature per {what}",
        )
    extra = sorted(set(polys["code"]) - expected)
    if extra:
        raise InputError(path, f"polygons for {what}s the edition does not list: {', '.join(extra)}", column=code_col)
    return polys


def simplified_polygons(
    edition: Edition, data_dir: Path, role: str, code_col: str, expected: set[str], tolerance: float, what: str
):
    """The covering polygons simplified for the map, with their vertex counts before and after.
    Simplified on every run (25 ms for the 42 ICBs), not kept in the build's cache: the precision
    grid that :func:`simplify` sets does not survive a pickle, and the points derived from the
    polygons (the pies' centres) moved when they came from the cache."""
    polys = covering_polygons(edition, data_dir, role, code_col, expected, what)
    before = vertex_count(polys)
    polys = simplify(polys, tolerance).sort_values("code").reset_index(drop=True)
    return polys, before, vertex_count(polys)
