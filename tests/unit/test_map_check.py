"""The maps' regression check (map_check.map_check): it lists what the project sets, one line per
property naming map, layer, feature and property, and nothing that a library sets by default."""

import difflib

import geopandas as gpd
import pandas as pd
import shapely

from opencyber.report import charts, map_check, maps


def _map():
    areas = gpd.GeoDataFrame(
        {
            "code": ["QAA", "QBB"],
            "name": ["Alpha ICB", "Beta ICB"],
            "status": ["Standards Met", "Approaching Standards"],
        },
        geometry=[shapely.box(0, 50, 1, 51), shapely.box(1, 50, 2, 51)],
        crs="EPSG:4326",
    )
    regions = gpd.GeoDataFrame(
        {"code": ["Y01"], "name": ["Region"]}, geometry=[shapely.box(0, 50, 2, 51)], crs="EPSG:4326"
    )
    trusts = pd.DataFrame(
        {"code": ["RAA"], "name": ["Alpha Trust"], "status": ["Standards Exceeded"], "lon": [0.5], "lat": [50.5]}
    )
    return maps.status_map(areas, trusts, regions, area_label="ICB", region_name_col="name")


def _changed(before: str, after: str) -> list[str]:
    return [
        ln
        for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if ln[:1] in "+-" and ln[:3] not in ("+++", "---")
    ]


def test_one_line_per_property_naming_map_layer_and_feature():
    check = map_check.map_check(_map(), "status map")
    assert "status map | ICBs by status | QAA | style.fillColor = #1B6E8A" in check.splitlines()
    assert (
        "status map | ICBs by status | QBB | tooltip = ICB QBB / Beta ICB / Status: Approaching Standards"
        in check.splitlines()
    )
    assert "status map | NHS trusts by status | RAA | geometry = Point of 1 points, coordinates" in check
    assert "modisdate" not in check and "openstreetmap" not in check.lower()


def test_library_defaults_that_change_by_day_are_not_in_the_check():
    m = _map()
    assert m.modisdate == maps.MODIS_DATE  # set by the project: the saved state is the same every day
    before = map_check.map_check(m, "status map")
    m.modisdate = "2031-01-01"
    assert map_check.map_check(m, "status map") == before


def test_a_colour_change_names_the_map_layer_feature_and_property(monkeypatch):
    before = map_check.map_check(_map(), "status map")
    monkeypatch.setitem(charts.STATUS_COLOURS, "Standards Met", "#00FF00")
    monkeypatch.setattr(maps, "STATUS_COLOURS", charts.STATUS_COLOURS)
    changed = _changed(before, map_check.map_check(_map(), "status map"))
    assert "-status map | ICBs by status | QAA | style.fillColor = #1B6E8A" in changed
    assert "+status map | ICBs by status | QAA | style.fillColor = #00FF00" in changed


def test_a_tooltip_change_names_the_feature(monkeypatch):
    before = map_check.map_check(_map(), "status map")
    monkeypatch.setattr(maps, "tooltip_lines", lambda *lines: [str(x).upper() for x in lines if x])
    changed = _changed(before, map_check.map_check(_map(), "status map"))
    assert (
        "+status map | NHS trusts by status | RAA | tooltip = NHS TRUST RAA / ALPHA TRUST / STATUS: STANDARDS EXCEEDED"
        in changed
    )


def test_coordinates_are_compared_at_the_precision_drawn():
    feature = {"type": "Polygon", "coordinates": [[[0.00001, 50.0], [1.0, 50.0], [1.0, 51.0], [0.00001, 50.0]]]}
    same = {"type": "Polygon", "coordinates": [[[0.00002, 50.0], [1.0, 50.0], [1.0, 51.0], [0.00002, 50.0]]]}
    moved = {"type": "Polygon", "coordinates": [[[0.0002, 50.0], [1.0, 50.0], [1.0, 51.0], [0.0002, 50.0]]]}
    assert map_check._geometry_line(feature) == map_check._geometry_line(same)
    assert map_check._geometry_line(feature) != map_check._geometry_line(moved)
    assert map_check._geometry_line(feature).startswith("Polygon of 4 points")


def test_the_check_is_an_output_no_page_shows():
    value = "ok"
    import nbformat

    from opencyber.report.outputs import MAP_CHECK_MIME
    from opencyber.site.pages import drop_test_outputs

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={MAP_CHECK_MIME: value}),
        nbformat.v4.new_output("display_data", data={"text/plain": value}),
    ]
    assert [list(o.data) for o in drop_test_outputs(nb).cells[0].outputs] == [["text/plain"]]
