"""A corpus of bad inputs: each case damages one file of a small synthetic edition (written by the
test, see tests/synthetic.py) and runs ``opencyber check`` on it, as an analyst would.

Every case asserts its exact outcome: the one-line error (file, line or feature, column, value, what
was expected; exit code 2, no traceback), or the repair it reports and that the figures are those of
the undamaged input. ``{d}`` in an expected message is the edition's data folder.
"""

from __future__ import annotations

import json

import pytest

from opencyber.cli import main

D = "23_24"
EXPORT = f"{D}/dspt_export.csv"


def run_check(data, capsys):
    rc = main(["check", "--data", str(data), "--edition", "2023-24"])
    out, err = capsys.readouterr()
    return rc, out, err


def edit(data, name, fn, *, binary=False):
    p = data / name
    if binary:
        p.write_bytes(fn(p.read_bytes()))
    else:
        p.write_text(fn(p.read_text(encoding="utf-8")), encoding="utf-8", newline="")


def geo(data, name, fn):
    p = data / D / name
    fc = json.loads(p.read_text())
    fn(fc)
    p.write_text(json.dumps(fc))


STATUS_EXPECTED = (
    "'<edition> Standards Met|Standards Exceeded|Approaching Standards|Standards Not Met|Entry Level' "
    "(e.g. '22/23 Standards Met') or 'Not Published'"
)

# ---------------------------------------------------------------------------------------------
# Cases that must stop with one clear message: (id, damage, expected stderr line)

ERRORS = [
    (
        "export: missing column",
        lambda d: _drop_export_column(d, 3),
        "{d}/dspt_export.csv, line 1: no publication date column (found ['Code', 'Organisation Name', 'Status', "
        "'Primary Sector', 'Integrated Care Board (where available, from ODS)']); expected one of 'Date Of Publication', "
        "'DateOfPublication'",
    ),
    (
        "export: renamed column",
        lambda d: edit(d, EXPORT, lambda t: t.replace("Organisation Name", "Org Name", 1)),
        "{d}/dspt_export.csv, line 1: no organisation name column (found ['Code', 'Org Name', 'Status', 'Date Of Publication', "
        "'Primary Sector', 'Integrated Care Board (where available, from ODS)']); expected one of 'Organisation Name', "
        "'OrganisationName'",
    ),
    (
        "export: empty file",
        lambda d: (d / EXPORT).write_text(""),
        "{d}/dspt_export.csv: the file is empty; expected a header row and data rows",
    ),
    (
        "export: blank lines only",
        lambda d: (d / EXPORT).write_text("\n\n  \n"),
        "{d}/dspt_export.csv: the file is empty; expected a header row and data rows",
    ),
    (
        "export: header only",
        lambda d: edit(d, EXPORT, lambda t: t.splitlines(keepends=True)[0]),
        "{d}/dspt_export.csv, line 1: the export has a header but no organisations; "
        "expected a row per organisation under the header",
    ),
    (
        "export: duplicate code with conflicting statuses",
        lambda d: edit(
            d, EXPORT, lambda t: t + "RAB,ALPHA COMMUNITY NHS TRUST,23/24 Standards Met,06/06/2024,NHS Trust,\n"
        ),
        "{d}/dspt_export.csv, line 12, column 'Status': code RAB appears on lines 8 and 12 with different values "
        "(Status '23/24 Approaching Standards' on line 8) (found '23/24 Standards Met'); expected one row per "
        "organisation (take the export from the original download)",
    ),
    (
        "export: unknown status",
        lambda d: edit(d, EXPORT, lambda t: t.replace("23/24 Approaching Standards", "23/24 Nearly There")),
        "{d}/dspt_export.csv, line 8, column 'Status': not a DSPT status (found '23/24 Nearly There'); expected "
        + STATUS_EXPECTED,
    ),
    (
        "export: an in-scope organisation with a status the report cannot score",
        lambda d: edit(d, EXPORT, lambda t: t.replace("23/24 Approaching Standards", "23/24 Entry Level")),
        "{d}/dspt_export.csv, line 8, column 'Status': RAB: no score is defined for status 'Entry Level' (scored: "
        "Standards Exceeded, Standards Met, Approaching Standards, Standards Not Met, Not Published) "
        "(found '23/24 Entry Level')",
    ),
    (
        "export: status without edition",
        lambda d: edit(d, EXPORT, lambda t: t.replace("23/24 Approaching Standards", "Approaching Standards")),
        "{d}/dspt_export.csv, line 8, column 'Status': not a DSPT status (found 'Approaching Standards'); expected "
        + STATUS_EXPECTED,
    ),
    (
        "export: impossible date, and a second bad row counted",
        lambda d: edit(d, EXPORT, lambda t: t.replace("06/06/2024", "31/02/2024").replace("07/06/2024", "2024-06-07")),
        "{d}/dspt_export.csv, line 8, column 'Date Of Publication': not a date (found '31/02/2024'); "
        "expected dd/mm/yyyy or empty (1 more problem in this file)",
    ),
    (
        "export: code that is not an ODS code",
        lambda d: edit(d, EXPORT, lambda t: t.replace("\nRAB,", "\nR@B,")),
        "{d}/dspt_export.csv, line 8, column 'Code': not an ODS code (found 'R@B'); "
        "expected 3 to 30 letters, digits, hyphens or inner spaces",
    ),
    (
        "export: empty code",
        lambda d: edit(d, EXPORT, lambda t: t.replace("\nRAB,", "\n,")),
        "{d}/dspt_export.csv, line 8, column 'Code': the code is empty (found ''); expected an ODS code",
    ),
    (
        "export: truncated inside a quoted field",
        lambda d: edit(d, EXPORT, lambda t: t + 'RAZ,"TRUNCATED NHS TRU'),
        "{d}/dspt_export.csv, line 12: the file ends inside a quoted field that opens on this line; expected a closing "
        "quote: the file looks cut short (a download that stopped early?) or a quote is not closed",
    ),
    (
        "export: a header with a column fewer than its rows",
        lambda d: edit(d, EXPORT, lambda t: t.replace(",Date Of Publication", "", 1)),
        "{d}/dspt_export.csv, line 2: the row has 6 fields, the header 5 (found ['0XA', 'ALPHA CSU', '23/24 Standards "
        "Exceeded', '01/06/2024', 'Commissioning Support Unit (CSU)', '']); expected 5 fields in every row (a field "
        "with a comma must be in quotes) (9 more problems in this file)",
    ),
    (
        "export: a short row in the middle (2 of 6 fields)",
        lambda d: edit(
            d,
            EXPORT,
            lambda t: t.replace(
                "RAC,BETA HOSPITAL NHS TRUST,23/24 Standards Exceeded,07/06/2024,NHS Trust,\n",
                "RAC,BETA HOSPITAL NHS TRUST\n",
            ),
        ),
        "{d}/dspt_export.csv, line 9: the row has 2 fields, the header 6 (found ['RAC', 'BETA HOSPITAL NHS TRUST']); "
        "expected 6 fields in every row (a field with a comma must be in quotes)",
    ),
    (
        "export: a long row (a comma in a name without quotes)",
        lambda d: edit(d, EXPORT, lambda t: t.replace("RAC,BETA HOSPITAL NHS TRUST,", "RAC,BETA HOSPITAL, NHS TRUST,")),
        "{d}/dspt_export.csv, line 9: the row has 7 fields, the header 6 (found ['RAC', 'BETA HOSPITAL', ' NHS TRUST', "
        "'23/24 Standards Exceeded', '07/06/2024', 'NHS Trust', '']); expected 6 fields in every row (a field with a "
        "comma must be in quotes)",
    ),
    (
        "export: cut in the middle of the last row (a download that stopped early)",
        lambda d: edit(
            d, EXPORT, lambda t: t[: t.index("TAA,BETA CARE TRUST,22/23") + len("TAA,BETA CARE TRUST,22/23")]
        ),
        "{d}/dspt_export.csv, line 11: the row has 3 fields, the header 6; the file looks cut short (a download that "
        "stopped early?) (found ['TAA', 'BETA CARE TRUST', '22/23']); expected 6 fields in every row",
    ),
    (
        "export: a NUL byte inside a name",
        lambda d: edit(d, EXPORT, lambda t: t.replace("BETA HOSPITAL NHS TRUST", "BETA HOSPITAL\x00 NHS TRUST")),
        "{d}/dspt_export.csv, line 9, column 'Organisation Name': the field holds a control character (U+0000) (found "
        "'BETA HOSPITAL\\x00 NHS TRUST'); expected text without control characters (a tab, a line break or a NUL byte "
        "inside a field means the file was damaged or saved by a program that added them)",
    ),
    (
        "export: a tab inside a name",
        lambda d: edit(d, EXPORT, lambda t: t.replace("BETA HOSPITAL NHS TRUST", "BETA HOSPITAL\tNHS TRUST")),
        "{d}/dspt_export.csv, line 9, column 'Organisation Name': the field holds a control character (U+0009) (found "
        "'BETA HOSPITAL\\tNHS TRUST'); expected text without control characters (a tab, a line break or a NUL byte "
        "inside a field means the file was damaged or saved by a program that added them)",
    ),
    (
        "export: a line break inside a quoted name",
        lambda d: edit(
            d, EXPORT, lambda t: t.replace("RAC,BETA HOSPITAL NHS TRUST,", 'RAC,"BETA HOSPITAL\nNHS TRUST",')
        ),
        "{d}/dspt_export.csv, line 9, column 'Organisation Name': the field holds a control character (U+000A) (found "
        "'BETA HOSPITAL\\nNHS TRUST'); expected text without control characters (a tab, a line break or a NUL byte "
        "inside a field means the file was damaged or saved by a program that added them)",
    ),
    (
        "export: a quote in the middle of a field",
        lambda d: edit(
            d, EXPORT, lambda t: t.replace("RAC,BETA HOSPITAL NHS TRUST,", 'RAC,"BETA" HOSPITAL NHS TRUST,')
        ),
        "{d}/dspt_export.csv, line 9: the CSV cannot be read: ',' expected after '\"'; expected fields separated by "
        "commas, quotes only around whole fields",
    ),
    (
        "export: the same code twice with different names",
        lambda d: edit(
            d,
            EXPORT,
            lambda t: t + "RAB,ALPHA COMMUNITY HEALTH NHS TRUST,23/24 Approaching Standards,06/06/2024,NHS Trust,\n",
        ),
        "{d}/dspt_export.csv, line 12, column 'Organisation Name': code RAB appears on lines 8 and 12 with different "
        "values (Organisation Name 'ALPHA COMMUNITY NHS TRUST' on line 8) (found 'ALPHA COMMUNITY HEALTH NHS TRUST'); "
        "expected one row per organisation (take the export from the original download)",
    ),
    (
        "export: an empty status where the export's format has none",
        lambda d: edit(
            d,
            EXPORT,
            lambda t: t.replace(
                "RAB,ALPHA COMMUNITY NHS TRUST,23/24 Approaching Standards,", "RAB,ALPHA COMMUNITY NHS TRUST,,"
            ),
        ),
        "{d}/dspt_export.csv, line 8, column 'Status': the status is empty (found ''); expected a DSPT status such as "
        "'22/23 Standards Met' or 'Not Published' (an empty status counts as Not Published only for an export whose "
        "format leaves it empty for unpublished organisations, as the 2019 export does: editions.toml key empty_status)",
    ),
    (
        "export: a column named twice in the header",
        lambda d: edit(d, EXPORT, lambda t: t.replace("Primary Sector", "Status", 1)),
        "{d}/dspt_export.csv, line 1: the header names column 'Status' twice (found ['Code', 'Organisation Name', "
        "'Status', 'Date Of Publication', 'Status', 'Integrated Care Board (where available, from ODS)']); expected "
        "each column once",
    ),
    (
        "ODS: a control character in a name",
        lambda d: edit(
            d, f"{D}/etr.csv", lambda t: t.replace('"BETA HOSPITAL NHS TRUST"', '"BETA HOSPITAL\x1b NHS TRUST"')
        ),
        "{d}/etr.csv, line 3, column '2': the field holds a control character (U+001B) (found 'BETA HOSPITAL\\x1b NHS "
        "TRUST'); expected text without control characters (a tab, a line break or a NUL byte inside a field means the "
        "file was damaged or saved by a program that added them)",
    ),
    (
        "lookup: a short row",
        lambda d: edit(d, f"{D}/lookup.csv", lambda t: t.replace(",E40000901,Y01,Testshire,2\n", "\n")),
        "{d}/lookup.csv, line 3: the row has 6 fields, the header 10 (found ['E38000902', 'B1B', 'NHS Beta ICB - B1B', "
        "'E54000902', 'QBB', 'NHS Beta Integrated Care Board']); expected 10 fields in every row (a field with a comma "
        "must be in quotes)",
    ),
    (
        "export: binary garbage",
        lambda d: (d / EXPORT).write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4),
        "{d}/dspt_export.csv: the file is binary, not text; expected a CSV text file",
    ),
    (
        "export: saved as an Excel workbook under a .csv name",
        lambda d: (d / EXPORT).write_bytes((d / D / "csus.xlsx").read_bytes()),
        "{d}/dspt_export.csv: the file is binary, not text; expected a CSV text file",
    ),
    (
        "export: code a spreadsheet turned into a number, not restorable (file not sorted)",
        lambda d: edit(
            d, EXPORT, lambda t: t + "16,A LOCAL AUTHORITY,23/24 Standards Met,01/06/2024,Local Authority,\n"
        ),
        "{d}/dspt_export.csv, line 12, column 'Code': the code looks damaged by a spreadsheet (leading zeros lost, "
        "or turned into a number or date) (found '16'); expected the code as ODS writes it (e.g. 016, APR03): take "
        "the file from the original download, not a copy saved by Excel",
    ),
    (
        "export: code in scientific notation",
        lambda d: edit(d, EXPORT, lambda t: t + "1.02E+05,A LOCAL AUTHORITY,Not Published,,Local Authority,\n"),
        "{d}/dspt_export.csv, line 12, column 'Code': the code looks damaged by a spreadsheet (leading zeros lost, "
        "or turned into a number or date) (found '1.02E+05'); expected the code as ODS writes it (e.g. 016, APR03): "
        "take the file from the original download, not a copy saved by Excel",
    ),
    (
        "ODS: wrong column count",
        lambda d: edit(d, f"{D}/etr.csv", lambda t: t.replace(',"ZZ1 1ZZ"', "", 2)),
        "{d}/etr.csv, line 1: an ODS row has 26 columns; expected 27 columns (standard ODS CSV layout, no header) "
        "(1 more problem in this file)",
    ),
    (
        "ODS: bad close date",
        lambda d: edit(d, f"{D}/etr.csv", lambda t: t.replace('"20240331"', '"31/03/2024"')),
        "{d}/etr.csv, line 5, column '12 (close date)': not an ODS date (found '31/03/2024'); expected YYYYMMDD or empty",
    ),
    (
        "ODS: duplicate code",
        lambda d: edit(d, f"{D}/etr.csv", lambda t: t + t.splitlines(keepends=True)[0]),
        "{d}/etr.csv, line 7, column '1 (code)': RAA appears twice (first on line 1) (found 'RAA'); expected one row per code",
    ),
    (
        "ODS: a header row added by hand",
        lambda d: edit(d, f"{D}/etr.csv", lambda t: ",".join(f'"Column {i}"' for i in range(1, 28)) + "\n" + t),
        "{d}/etr.csv, line 1, column '11 (open date)': not an ODS date (found 'Column 11'); expected YYYYMMDD or empty "
        "(1 more problem in this file)",
    ),
    (
        "ODS: trust in an area the lookup does not have",
        lambda d: edit(
            d,
            f"{D}/etr.csv",
            lambda t: t.replace(
                '"RAB","ALPHA COMMUNITY NHS TRUST","Y01","QAA"', '"RAB","ALPHA COMMUNITY NHS TRUST","Y01","QZZ"'
            ),
        ),
        "{d}/etr.csv, line 2, column '4 (High Level Health Geography)': trust RAB: High Level Health Geography 'QZZ' is "
        "not an area of 23_24/lookup.csv (found 'QZZ'); expected an ICB code of the lookup",
    ),
    (
        "ODS: an organisation in two reference lists",
        lambda d: edit(
            d, f"{D}/ect.csv", lambda t: t + t.replace('"TAA","BETA CARE TRUST"', '"RAB","ALPHA COMMUNITY NHS TRUST"')
        ),
        "23_24/ect.csv, line 2: code RAB is listed as NHS Trust here and as NHS Trust in 23_24/etr.csv; "
        "expected each organisation in one reference list",
    ),
    (
        "lookup: empty value",
        lambda d: edit(
            d, f"{D}/lookup.csv", lambda t: t.replace("NHS Beta Integrated Care Board,E40000901", ",E40000901", 1)
        ),
        "{d}/lookup.csv, line 3, column 'ICB24NM': empty value (found ''); expected a value",
    ),
    (
        "lookup: renamed column",
        lambda d: edit(d, f"{D}/lookup.csv", lambda t: t.replace("ICB24NM", "ICB_NAME")),
        "{d}/lookup.csv, line 1: no area name column (found ['SICBL24CD', 'SICBL24CDH', 'SICBL24NM', 'ICB24CD', "
        "'ICB24CDH', 'ICB_NAME', 'NHSER24CD', 'NHSER24CDH', 'NHSER24NM', 'ObjectId']); expected the column editions.toml "
        "names in [edition.columns] area_name: 'ICB24NM'",
    ),
    (
        "lookup: one area with two names",
        lambda d: edit(
            d,
            f"{D}/lookup.csv",
            lambda t: t.replace(
                "B2B,NHS Beta ICB - B2B,E54000902,QBB,NHS Beta Integrated Care Board",
                "B2B,NHS Beta ICB - B2B,E54000902,QBB,NHS Beta ICB",
            ),
        ),
        "{d}/lookup.csv, line 4, column 'ICB24NM': area QBB has more than one name",
    ),
    (
        "CSU list: not a workbook",
        lambda d: (d / D / "csus.xlsx").write_text("ODS Code,Organisation Name\n0XA,ALPHA\n"),
        "{d}/csus.xlsx: not an Excel workbook (the file is not an .xlsx zip archive); "
        "expected the .xlsx workbook itself (not a CSV or .xls renamed)",
    ),
    (
        "CSU list: a code that a spreadsheet stored as a number",
        lambda d: _csu_workbook(d, [["0XA", "ALPHA CSU"], [16, "SIXTEEN CSU"]]),
        "{d}/csus.xlsx, line 3, column 'ODS Code': the code looks damaged by a spreadsheet (leading zeros lost, or "
        "turned into a number or date) (found '16'); expected the code as ODS writes it (e.g. 016, APR03): take the "
        "file from the original download, not a copy saved by Excel",
    ),
    (
        "area boundaries: polygon missing for an area",
        lambda d: geo(d, "areas.geojson", lambda fc: fc["features"].pop()),
        "{d}/areas.geojson, column 'ICB24CDH': no polygon for 1 ICB(s) in scope: QBB; expected one feature per ICB",
    ),
    (
        "area boundaries: invalid geometry (a bow tie)",
        lambda d: geo(
            d,
            "areas.geojson",
            lambda fc: fc["features"][1].update(
                geometry={"type": "Polygon", "coordinates": [[[-1, 52], [0, 53], [0, 52], [-1, 53], [-1, 52]]]}
            ),
        ),
        "{d}/areas.geojson, feature 2, property 'geometry': invalid geometry (found 'Self-intersection[-0.5 52.5]'); "
        "expected a valid geometry (rings closed, no self-intersection)",
    ),
    (
        "area boundaries: non-numeric coordinate",
        lambda d: geo(
            d, "areas.geojson", lambda fc: fc["features"][0]["geometry"]["coordinates"][0][1].__setitem__(0, "-1.0W")
        ),
        "{d}/areas.geojson, feature 1, property 'geometry': the geometry cannot be read (found "
        "\"ValueError: could not convert string to float: '-1.0W'\"); expected GeoJSON coordinates: pairs of numbers",
    ),
    (
        "area boundaries: wrong CRS declared",
        lambda d: geo(
            d,
            "areas.geojson",
            lambda fc: fc.update(crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}),
        ),
        "{d}/areas.geojson: coordinates are not WGS84 longitude/latitude (found 'urn:ogc:def:crs:EPSG::27700'); expected EPSG:4326",
    ),
    (
        "area boundaries: projected coordinates, CRS not declared",
        lambda d: geo(
            d,
            "areas.geojson",
            lambda fc: fc["features"][0].update(
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[400000, 300000], [410000, 300000], [410000, 310000], [400000, 300000]]],
                }
            ),
        ),
        "{d}/areas.geojson, feature 1, property 'geometry': coordinates are not longitude/latitude degrees (a projected "
        "CRS such as British National Grid?) (found 'bounds 400000, 300000, 410000, 310000'); expected WGS84 longitude "
        "-180..180 and latitude -90..90 (EPSG:4326)",
    ),
    (
        "area boundaries: truncated GeoJSON",
        lambda d: (d / D / "areas.geojson").write_text((d / D / "areas.geojson").read_text()[:150]),
        "{d}/areas.geojson: not valid GeoJSON: Expecting ',' delimiter: line 1 column 151 (char 150); "
        "expected a GeoJSON FeatureCollection",
    ),
    (
        "area boundaries: a point where a polygon should be",
        lambda d: geo(
            d,
            "areas.geojson",
            lambda fc: fc["features"][0].update(geometry={"type": "Point", "coordinates": [-1.5, 52.5]}),
        ),
        "{d}/areas.geojson, feature 1, property 'geometry': wrong geometry type (found 'Point'); expected Polygon or MultiPolygon",
    ),
    (
        "area boundaries: two features with one code",
        lambda d: geo(d, "areas.geojson", lambda fc: fc["features"][1]["properties"].update(ICB24CDH="QAA")),
        "{d}/areas.geojson, feature 2, property 'ICB24CDH': QAA appears twice (first on feature 1) (found 'QAA'); "
        "expected one row per code",
    ),
    (
        "trust points: feature without a code",
        lambda d: geo(d, "trusts.geojson", lambda fc: fc["features"][2]["properties"].pop("code")),
        "{d}/trusts.geojson, feature 3, property 'code': the code is empty (found ''); expected an ODS code",
    ),
    (
        "registry: an input path that leaves the data directory",
        lambda d: _registry_edit(
            d, lambda t: t.replace('export = "23_24/dspt_export.csv"', 'export = "../../etc/passwd"')
        ),
        "edition 2023-24: input export = '../../etc/passwd' points outside the data directory {root} "
        "(a file kept elsewhere is named by its full path)",
    ),
]


def _drop_export_column(data, i):
    import csv
    import io

    rows = list(csv.reader(io.StringIO((data / EXPORT).read_text())))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:i] + r[i + 1 :] for r in rows])
    (data / EXPORT).write_text(buf.getvalue())


def _csu_workbook(data, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "ODS Code", " Organisation Name", "Sector"])
    for i, (code, name) in enumerate(rows, start=1):
        ws.append([i, code, name, "CSU"])
    wb.save(data / D / "csus.xlsx")


def _registry_edit(data, fn):
    import os
    from pathlib import Path

    p = Path(os.environ["OPEN_CYBER_REGISTRY"])
    p.write_text(fn(p.read_text()))


@pytest.mark.parametrize("damage, expected", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_bad_input_stops_with_one_clear_message(synthetic, capsys, damage, expected):
    """The check lists every problem, one line each: the expected first one, and as many more as the
    expectation counts ("(N more problems in this file)", which the build's one-line error adds)."""
    import re

    data, _ = synthetic
    damage(data)
    rc, out, err = run_check(data, capsys)
    message = expected.format(d=data / D, root=data.resolve())
    more = re.search(r" \((\d+) more problems? in this file\)$", message)
    first = message[: more.start()] if more else message
    assert rc == 2 and err.splitlines()[0] == f"error: {first}"
    assert len(err.splitlines()) == 1 + (int(more.group(1)) if more else 0), err
    assert "Traceback" not in out + err


# ---------------------------------------------------------------------------------------------
# Cases the check tolerates: (id, damage, the repairs it reports). The figures must be those of
# the undamaged input.

TOLERATED = [
    (
        "export: Windows-1252 encoding and CRLF line endings",
        lambda d: (d / EXPORT).write_bytes(
            (d / EXPORT).read_text().replace("\n", "\r\n").replace("BETA CSU", "BÉTA CSU").encode("cp1252")
        ),
        "23_24/dspt_export.csv: Windows line endings read 1; 23_24/dspt_export.csv: lower-case code upper-cased 1; "
        "23_24/dspt_export.csv: read as windows-1252 1",
    ),
    (
        "export: UTF-8 with a byte-order mark",
        lambda d: (d / EXPORT).write_bytes(b"\xef\xbb\xbf" + (d / EXPORT).read_bytes()),
        "23_24/dspt_export.csv: UTF-8 byte-order mark ignored 1; 23_24/dspt_export.csv: lower-case code upper-cased 1",
    ),
    (
        "export: surrounding spaces",
        lambda d: edit(
            d,
            EXPORT,
            lambda t: t.replace("\nRAB,", "\n  RAB ,").replace(
                "23/24 Standards Exceeded,07", " 23/24 Standards Exceeded ,07"
            ),
        ),
        "23_24/dspt_export.csv: lower-case code upper-cased 1; 23_24/dspt_export.csv: surrounding spaces trimmed 2",
    ),
    (
        "export: columns in another order",
        lambda d: _reorder_export(d),
        "23_24/dspt_export.csv: lower-case code upper-cased 1",
    ),
    (
        "export: the older 'Latest Status' header",
        lambda d: edit(d, EXPORT, lambda t: t.replace(",Status,", ",Latest Status,", 1)),
        "23_24/dspt_export.csv: lower-case code upper-cased 1",
    ),
    (
        "export: identical duplicate row",
        lambda d: edit(d, EXPORT, lambda t: t + t.splitlines(keepends=True)[7]),
        "23_24/dspt_export.csv: identical duplicate row dropped 1; 23_24/dspt_export.csv: lower-case code upper-cased 1",
    ),
    (
        "export: codes a spreadsheet damaged, restored from the sort order",
        lambda d: edit(
            d,
            EXPORT,
            lambda t: t.replace(
                "\n0XA,",
                "\n015,A LOCAL AUTHORITY,Not Published,,Local Authority,\n16,ANOTHER LOCAL AUTHORITY,Not Published,,Local Authority,\n0XA,",
            ).replace(
                "\nG99999,",
                "\nAPR02,A CARE HOME,Not Published,,Care Home,\nApr-03,ANOTHER CARE HOME,Not Published,,Care Home,\nG99999,",
            ),
        ),
        "23_24/dspt_export.csv: lower-case code upper-cased 1; 23_24/dspt_export.csv: spreadsheet date restored to a "
        "code 1; 23_24/dspt_export.csv: spreadsheet number: leading zeros restored 1",
    ),
    (
        "ODS: lower-case codes and surrounding spaces",
        lambda d: edit(d, f"{D}/etr.csv", lambda t: t.replace('"RAB","ALPHA', '"rab ","ALPHA')),
        "23_24/dspt_export.csv: lower-case code upper-cased 1; 23_24/etr.csv: lower-case code upper-cased 1; "
        "23_24/etr.csv: surrounding spaces trimmed 1",
    ),
]


def _reorder_export(data):
    import csv
    import io

    rows = list(csv.reader(io.StringIO((data / EXPORT).read_text())))
    order = [4, 2, 0, 5, 3, 1]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[r[i] for i in order] for r in rows])
    (data / EXPORT).write_text(buf.getvalue())


@pytest.fixture()
def undamaged(synthetic, capsys):
    data, _ = synthetic
    rc, out, err = run_check(data, capsys)
    assert (rc, err) == (0, "")
    return out


@pytest.mark.parametrize("damage, repairs", [c[1:] for c in TOLERATED], ids=[c[0] for c in TOLERATED])
def test_tolerated_input_is_repaired_and_reported(synthetic, capsys, damage, repairs):
    from opencyber.analysis.curation import curate_edition
    from opencyber.analysis.scoring import crosstab
    from opencyber.inputs.registry import get_edition

    data, _ = synthetic
    before = crosstab(curate_edition(get_edition("2023-24"), data).organisations)
    damage(data)
    rc, out, err = run_check(data, capsys)
    assert (rc, err) == (0, "")
    assert "Traceback" not in out
    assert out.rstrip("\n").split("; repairs: ", 1)[1] == repairs
    cur = curate_edition(get_edition("2023-24"), data)
    assert crosstab(cur.organisations).equals(before)  # same figures as the undamaged input
    recon = cur.reconciliation
    assert (recon["rows_in"] == recon["in_scope"] + recon["out_of_scope"]).all()


def test_the_corpus_has_at_least_45_distinct_cases():
    ids = [c[0] for c in ERRORS + TOLERATED + REFERENCE_ERRORS + XLSX_ERRORS]
    assert len(set(ids)) == len(ids) >= 45


# ---------------------------------------------------------------------------------------------
# The curated reference file of the CCG era (2020/21 ``dspt_metric`` layout, R write.csv)

REFERENCE_HEADER = '"","Code","Name","Close","Sector","STP20CDH","STP20NM","NHSER20CDH","NHSER20NM","STPCDH","Successor.Code","Successor.Status"'
REFERENCE_ROWS = [
    '"1","00A","NHS ALPHA CCG",,"CCG","QAA","Alpha ICS","Y01","Testshire",,,',
    '"2","RAA","ALPHA NHS TRUST",,"Trust",NA,NA,NA,NA,"QAA",,',
    '"3","0XA","ALPHA CSU",,"CSU",NA,NA,NA,NA,,,',
]
REFERENCE_ARGS = (
    {
        "code": "Code",
        "name": "Name",
        "sector": "Sector",
        "close_date": "Close",
        "successor_code": "Successor.Code",
        "successor_status": "Successor.Status",
        "trust_area_code": "STPCDH",
    },
    {"area_code": "STP20CDH", "area_name": "STP20NM", "region_code": "NHSER20CDH", "region_name": "NHSER20NM"},
    {"CCG": "commissioner", "Trust": "trust", "CSU": "csu"},
)

REFERENCE_ERRORS = [
    (
        "reference: unknown sector",
        {2: '"3","0XA","ALPHA CSU",,"Commissioning Support",NA,NA,NA,NA,,,'},
        "{p}, line 4, column 'Sector': unknown sector (found 'Commissioning Support'); expected one of 'CCG', 'Trust', 'CSU'",
    ),
    (
        "reference: close date in another format",
        {1: '"2","RAA","ALPHA NHS TRUST",31/03/2021,"Trust",NA,NA,NA,NA,"QAA",,'},
        "{p}, line 3, column 'Close': not a date (found '31/03/2021'); expected YYYY-MM-DD or empty",
    ),
    (
        "reference: successor status not a DSPT status",
        {1: '"2","RAA","ALPHA NHS TRUST",2021-03-01,"Trust",NA,NA,NA,NA,"QAA","RBB","Met"'},
        "{p}, line 3, column 'Successor.Status': not a DSPT status (found 'Met'); expected "
        + STATUS_EXPECTED
        + " or empty",
    ),
]


@pytest.mark.parametrize("rows, expected", [c[1:] for c in REFERENCE_ERRORS], ids=[c[0] for c in REFERENCE_ERRORS])
def test_bad_reference_file_stops_with_one_clear_message(tmp_path, rows, expected):
    from opencyber.errors import InputError
    from opencyber.inputs.reference_file import read_reference

    lines = [REFERENCE_HEADER] + [rows.get(i, r) for i, r in enumerate(REFERENCE_ROWS)]
    p = tmp_path / "dspt_metric.csv"
    p.write_text("\n".join(lines) + "\n")
    assert (
        len(
            read_reference(tmp_path / "ok.csv", *REFERENCE_ARGS)
            if (tmp_path / "ok.csv").write_text("\n".join([REFERENCE_HEADER, *REFERENCE_ROWS]) + "\n")
            else None
        )
        == 3
    )  # the undamaged file reads
    with pytest.raises(InputError) as e:
        read_reference(p, *REFERENCE_ARGS)
    assert str(e.value) == expected.format(p=p)


def test_check_reports_every_edition_not_just_the_first_failure(tmp_path, monkeypatch, capsys):
    from tests.synthetic import REGISTRY, write_edition

    data = write_edition(tmp_path / "data", "good")
    write_edition(tmp_path / "data", "bad")
    registry = tmp_path / "editions.toml"
    registry.write_text(
        REGISTRY.format(folder="good", overrides="")
        + REGISTRY.format(folder="bad", overrides="").replace('id = "2023-24"', 'id = "2023-25"')
    )
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(registry))
    edit(data, "bad/dspt_export.csv", lambda t: t.replace("23/24 Approaching Standards", "23/24 Nearly There"))
    rc = main(["check", "--data", str(data)])
    out, err = capsys.readouterr()
    assert rc == 2
    assert out.startswith("[2023-24] inputs OK: 15 organisations named, 9 in scope")
    assert err == (
        f"error: {data}/bad/dspt_export.csv, line 8, column 'Status': not a DSPT status (found "
        f"'23/24 Nearly There'); expected {STATUS_EXPECTED}\n"
    )


# ---------------------------------------------------------------------------------------------
# The 2019 export: an Excel workbook (OrganisationName, ODSCode, PublicationStatus, ...), read with the
# 2018/19 edition's options (statuses without an edition prefix; an empty status is Not Published)

XLSX_HEADER = [
    "OrganisationName",
    "ODSCode",
    "PublicationStatus",
    "DateOfPublication",
    "PrimarySector",
    "CCG (from ODS and CQC)",
]
XLSX_ROWS = [
    ["ALPHA NHS TRUST", "RAA", "Standards Met", "01/06/2019", "Acute", "NHS ALPHA CCG"],
    ["BETA NHS TRUST", "RBB", None, None, "Acute", "NHS ALPHA CCG"],
    ["A CARE HOME", "VAA1", "Entry Level", None, "Care Home", None],
]
XLSX_OPTIONS = {"unprefixed": "18/19", "empty_status": "Not Published"}


def _xlsx(path, rows, *, above=()):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in above:
        ws.append(r)
    ws.append(XLSX_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _xlsx_with_control_character(path):
    """A workbook with U+0007 in a cell, written as Excel writes it (``_x0007_``: openpyxl refuses it)."""
    import zipfile

    _xlsx(path, [XLSX_ROWS[0], ["BETA@BELL NHS TRUST", "RBB", None, None, "Acute", None]])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data.replace(b"@BELL", b"_x0007_"))
    return path


XLSX_ERRORS = [
    (
        "2019 xlsx: a title row above the header",
        lambda p: _xlsx(p, XLSX_ROWS, above=[["DSPT Progress as of 17/06/2019"]]),
        "{p}, line 1: the first row of the sheet is not a header (it has empty or repeated column names) (found "
        "['DSPT Progress as of 17/06/2019', '', '', '', '', '']); expected the header in the first row; it seems to be "
        "on row 2: delete the rows above it",
    ),
    (
        "2019 xlsx: a control character in a cell",
        lambda p: _xlsx_with_control_character(p),
        "{p}, line 3, column 'OrganisationName': the field holds a control character (U+0007) (found 'BETA\\x07 NHS "
        "TRUST'); expected text without control characters (a tab, a line break or a NUL byte inside a field means "
        "the file was damaged or saved by a program that added them)",
    ),
    (
        "2019 xlsx: the same code twice with different statuses",
        lambda p: _xlsx(
            p, XLSX_ROWS + [["ALPHA NHS TRUST", "RAA", "Standards Exceeded", "01/06/2019", "Acute", "NHS ALPHA CCG"]]
        ),
        "{p}, line 5, column 'PublicationStatus': code RAA appears on lines 2 and 5 with different values "
        "(PublicationStatus 'Standards Met' on line 2) (found 'Standards Exceeded'); expected one row per "
        "organisation (take the export from the original download)",
    ),
    (
        "2019 xlsx: a workbook cut short",
        lambda p: p.write_bytes(_xlsx(p, XLSX_ROWS).read_bytes()[:3000]),
        "{p}: cannot read the workbook: ",
    ),
    (
        "2019 xlsx: an empty status where the edition does not say what it means",
        lambda p: _xlsx(p, XLSX_ROWS),
        "{p}, line 3, column 'PublicationStatus': the status is empty (found ''); expected a DSPT status such as "
        "'22/23 Standards Met' or 'Not Published' (an empty status counts as Not Published only for an export whose "
        "format leaves it empty for unpublished organisations, as the 2019 export does: editions.toml key empty_status)",
    ),
]


@pytest.mark.parametrize("damage, expected", [c[1:] for c in XLSX_ERRORS], ids=[c[0] for c in XLSX_ERRORS])
def test_bad_2019_workbook_stops_with_one_clear_message(tmp_path, damage, expected):
    from opencyber.errors import InputError
    from opencyber.inputs.dspt_export import read_dspt_export

    good = read_dspt_export(_xlsx(tmp_path / "good.xlsx", XLSX_ROWS), **XLSX_OPTIONS)
    assert list(good["outcome"]) == ["Standards Met", "Not Published", "Entry Level"]  # the undamaged workbook reads
    p = tmp_path / "export.xlsx"
    damage(p)
    options = {"unprefixed": "18/19"} if "empty status" in expected else XLSX_OPTIONS
    with pytest.raises(InputError) as e:
        read_dspt_export(p, **options)
    assert (
        str(e.value).startswith(expected.format(p=p))
        if expected.endswith(": ")
        else str(e.value) == expected.format(p=p)
    )


# ---------------------------------------------------------------------------------------------
# check lists every problem of every input in one run


def test_check_lists_the_problems_of_three_damaged_files_in_one_run(synthetic, capsys):
    data, _ = synthetic
    edit(
        data,
        EXPORT,
        lambda t: (
            t.replace("23/24 Approaching Standards", "23/24 Nearly There")  # line 8
            + "RAC,BETA HOSPITAL NHS TRUST,23/24 Standards Met,07/06/2024,NHS Trust,\n"
        ),
    )  # line 12: RAC again, another status
    edit(data, f"{D}/etr.csv", lambda t: t.replace('"20240331"', '"31/03/2024"'))
    geo(data, "trusts.geojson", lambda fc: fc["features"][2]["properties"].pop("code"))
    rc, out, err = run_check(data, capsys)
    assert rc == 2 and "Traceback" not in out + err
    d = data / D
    assert err.splitlines() == [
        f"error: {d}/dspt_export.csv, line 8, column 'Status': not a DSPT status (found '23/24 Nearly There'); expected "
        + STATUS_EXPECTED,
        f"error: {d}/dspt_export.csv, line 12, column 'Status': code RAC appears on lines 9 and 12 with different values "
        "(Status '23/24 Standards Exceeded' on line 9) (found '23/24 Standards Met'); expected one row per organisation "
        "(take the export from the original download)",
        f"error: {d}/etr.csv, line 5, column '12 (close date)': not an ODS date (found '31/03/2024'); expected YYYYMMDD or empty",
        f"error: {d}/trusts.geojson, feature 3, property 'code': the code is empty (found ''); expected an ODS code",
    ]
    assert out.splitlines()[-1] == "[2023-24] 4 problem(s) in 3 input file(s): dspt_export.csv, etr.csv, trusts.geojson"


def test_the_problems_listed_per_file_are_limited_and_the_rest_counted(synthetic, capsys):
    from opencyber.errors import PROBLEMS_PER_FILE

    data, _ = synthetic
    rows = "".join(f"R{i:02d},TRUST {i},23/24 Nearly There,,NHS Trust,\n" for i in range(30))
    edit(data, EXPORT, lambda t: t + rows)
    rc, _out, err = run_check(data, capsys)
    lines = err.splitlines()
    assert rc == 2 and len(lines) == PROBLEMS_PER_FILE + 1
    assert (
        lines[-1]
        == f"error: {data / EXPORT}: {30 - PROBLEMS_PER_FILE} more problem(s) (the first {PROBLEMS_PER_FILE} of each file are listed)"
    )


def test_an_input_named_by_its_full_path_is_read_from_outside_the_data_directory(synthetic, tmp_path, capsys):
    """A new download left where it was (not moved into the data directory) is named by its full path
    in the registry, and read from there: the check reads it, and a damaged copy there is reported
    with its own path. A relative name that leaves the data directory stays an error (above)."""
    data, registry = synthetic
    elsewhere = tmp_path / "Downloads" / "dspt_export.csv"
    elsewhere.parent.mkdir()
    (data / "23_24" / "dspt_export.csv").rename(elsewhere)
    registry.write_text(registry.read_text().replace('export = "23_24/dspt_export.csv"', f'export = "{elsewhere}"'))
    rc, _, err = run_check(data, capsys)
    assert rc == 0, err
    elsewhere.write_text(elsewhere.read_text(encoding="utf-8") + "CODE1,only two fields\n", encoding="utf-8")
    rc, _, err = run_check(data, capsys)
    assert rc == 2 and err.startswith(f"error: {elsewhere}"), err
