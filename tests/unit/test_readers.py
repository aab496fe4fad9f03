"""Readers on small files written here: header variants, tolerated quirks, and clear errors."""

import json

import pytest

from opencyber.errors import InputError
from opencyber.inputs import dspt_export, geojson, lists, ods
from tests.synthetic import ods_row

OLD_HEADER = "Code,Organisation Name,Latest Status,Date Of Publication,Primary Sector,Commissioner (From ODS)"
NEW_HEADER = 'Code,Organisation Name,Status,Date Of Publication,Primary Sector,"Integrated Care Board (where available, from ODS)"'


def write(tmp_path, text, name="export.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_export_old_header_variant(tmp_path):
    p = write(tmp_path, OLD_HEADER + "\nRAA,A TRUST,20/21 Standards Met,01/02/2021,Acute,\n")
    df = dspt_export.read_dspt_export(p)
    assert df.loc[0, ["code", "status_edition", "outcome", "export_sector"]].tolist() == [
        "RAA",
        "20/21",
        "Standards Met",
        "Acute",
    ]
    assert df.attrs["columns"]["status_raw"] == "Latest Status"


def test_export_new_header_bom_crlf_and_lower_case_code(tmp_path):
    p = write(tmp_path, "\ufeff" + NEW_HEADER + "\r\nraa,A TRUST,22/23 Standards Met,01/02/2023,NHS Trust,\r\n")
    df = dspt_export.read_dspt_export(p)
    assert df.loc[0, "code"] == "RAA"
    assert df.attrs["repairs"]["lower-case code upper-cased"] == 1


def test_export_windows_1252(tmp_path):
    p = write(
        tmp_path, NEW_HEADER + "\nRAA,ST JOHN’S TRUST,22/23 Standards Met,01/02/2023,NHS Trust,\n", encoding="cp1252"
    )
    df = dspt_export.read_dspt_export(p)
    assert df.loc[0, "name"] == "ST JOHN’S TRUST"
    assert df.attrs["repairs"]["read as windows-1252"] == 1


def test_export_unknown_status_names_file_line_column_value(tmp_path):
    p = write(tmp_path, NEW_HEADER + "\nRAA,A,22/23 Standards Met,,NHS Trust,\nRAB,B,22/23 Nearly There,,NHS Trust,\n")
    with pytest.raises(InputError) as e:
        dspt_export.read_dspt_export(p)
    assert str(e.value).startswith(f"{p}, line 3, column 'Status': not a DSPT status (found '22/23 Nearly There')")


def test_export_missing_status_column(tmp_path):
    p = write(
        tmp_path,
        "Code,Organisation Name,Date Of Publication,Primary Sector,Commissioner (From ODS)\nRAA,A,,NHS Trust,\n",
    )
    with pytest.raises(InputError, match=r"line 1: no status column .*expected one of 'Status', 'Latest Status'"):
        dspt_export.read_dspt_export(p)


def test_export_bad_code_names_the_file_column(tmp_path):
    p = write(tmp_path, NEW_HEADER + "\nRAA,A,22/23 Standards Met,,NHS Trust,\nR!,B,22/23 Standards Met,,NHS Trust,\n")
    with pytest.raises(InputError) as e:
        dspt_export.read_dspt_export(p)
    assert (
        str(e.value)
        == f"{p}, line 3, column 'Code': not an ODS code (found 'R!'); expected 3 to 30 letters, digits, hyphens or inner spaces"
    )


def test_export_bad_date(tmp_path):
    p = write(tmp_path, NEW_HEADER + "\nRAA,A,22/23 Standards Met,2023-02-01,NHS Trust,\n")
    with pytest.raises(InputError, match=r"line 2, column 'Date Of Publication': not a date \(found '2023-02-01'\)"):
        dspt_export.read_dspt_export(p)


def test_export_conflicting_duplicate_is_an_error(tmp_path):
    p = write(
        tmp_path,
        NEW_HEADER + "\nRAA,A,22/23 Standards Met,,NHS Trust,\nraa,A,22/23 Approaching Standards,,NHS Trust,\n",
    )
    with pytest.raises(InputError, match="code RAA appears on lines 2 and 3 with different values"):
        dspt_export.read_dspt_export(p)


def test_export_identical_duplicate_is_dropped_and_counted(tmp_path):
    p = write(tmp_path, NEW_HEADER + "\nRAA,A,22/23 Standards Met,,NHS Trust,\nRAA,A,22/23 Standards Met,,NHS Trust,\n")
    df = dspt_export.read_dspt_export(p)
    assert len(df) == 1 and df.attrs["repairs"]["identical duplicate row dropped"] == 1


def test_export_empty_and_header_only(tmp_path):
    with pytest.raises(InputError, match="the file is empty"):
        dspt_export.read_dspt_export(write(tmp_path, ""))
    with pytest.raises(InputError, match="header but no organisations"):
        dspt_export.read_dspt_export(write(tmp_path, NEW_HEADER + "\n"))


def test_ods_file(tmp_path):
    p = write(tmp_path, ods_row("raa", "A TRUST", "Y01", "QAA", close_date="20230331") + "\n", "etr.csv")
    df = ods.read_ods(p)
    assert df.loc[0, ["code", "national_grouping", "high_level_health_geography", "close_date"]].tolist() == [
        "RAA",
        "Y01",
        "QAA",
        "2023-03-31",
    ]


def test_ods_wrong_column_count(tmp_path):
    p = write(tmp_path, ods_row("RAA", "A", "Y01", "QAA") + "\n" + '"RAB","B","Y01"\n', "etr.csv")
    with pytest.raises(InputError, match=r"etr.csv, line 2: an ODS row has 3 columns; expected 27 columns"):
        ods.read_ods(p)


def test_ods_bad_close_date(tmp_path):
    p = write(tmp_path, ods_row("RAA", "A", "Y01", "QAA", close_date="31/03/2023") + "\n", "etr.csv")
    with pytest.raises(
        InputError,
        match=r"line 1, column '12 \(close date\)': not an ODS date \(found '31/03/2023'\); expected YYYYMMDD or empty",
    ):
        ods.read_ods(p)


def test_lookup_missing_column(tmp_path):
    p = write(tmp_path, "\ufeffA,B\n1,2\n", "lookup.csv")
    with pytest.raises(
        InputError,
        match=r"no area code column .*expected the column editions.toml names in \[edition.columns\] area_code: 'ICB23CDH'",
    ):
        lists.read_lookup(p, {"area_code": "ICB23CDH"})


def test_geojson_wrong_crs_and_missing_code(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [],
    }
    p = write(tmp_path, json.dumps(fc), "a.geojson")
    with pytest.raises(InputError, match="not WGS84"):
        geojson.read_geojson(p, "CODE")
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}}],
    }
    p = write(tmp_path, json.dumps(fc), "b.geojson")
    with pytest.raises(InputError, match="feature 1, property 'CODE': the code is empty"):
        geojson.read_geojson(p, "CODE")


def test_lookup_area_with_two_names_is_an_error(tmp_path, monkeypatch):
    from opencyber.analysis.curation import curate_edition
    from opencyber.inputs.registry import get_edition
    from tests.synthetic import write_edition, write_registry

    data = write_edition(tmp_path / "data")
    lookup = data / "23_24" / "lookup.csv"
    lookup.write_text(
        lookup.read_text().replace(
            "B2B,NHS Beta ICB - B2B,E54000902,QBB,NHS Beta Integrated Care Board",
            "B2B,NHS Beta ICB - B2B,E54000902,QBB,NHS Other Name ICB",
        )
    )
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(write_registry(tmp_path / "editions.toml")))
    with pytest.raises(InputError, match=r"lookup.csv, line 4, column 'ICB24NM': area QBB has more than one name"):
        curate_edition(get_edition("2023-24"), data)
