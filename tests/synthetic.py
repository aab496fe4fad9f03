"""A small synthetic ICB-era edition written by the tests: real input formats, fictional codes.

Areas QAA and QBB (region Y01), trusts RAA (QAA, Met), RAB (QAA, Approaching), RAC (QBB, Exceeded),
RAD (Welsh), RAE (closed before the snapshot), RAF (QBB, no export row), care trust TAA (QBB,
status of an older edition), CSUs 0XA (Exceeded) and 0XB (Not Published); the export also lists a
GP practice (out of scope) and writes one code in lower case.
"""

from __future__ import annotations

import json
from pathlib import Path

EXPORT_HEADER = 'Code,Organisation Name,Status,Date Of Publication,Primary Sector,"Integrated Care Board (where available, from ODS)"'
EXPORT_ROWS = [
    "0XA,ALPHA CSU,23/24 Standards Exceeded,01/06/2024,Commissioning Support Unit (CSU),",
    "0XB,BETA CSU,Not Published,,Commissioning Support Unit (CSU),",
    "G99999,A GP PRACTICE,23/24 Standards Met,02/06/2024,General Practice (GP),QAA",
    "QAA,ALPHA ICB,23/24 Standards Met,03/06/2024,CCG / Integrated Care Board (ICB),",
    "QBB,BETA ICB,23/24 Standards Exceeded,04/06/2024,CCG / Integrated Care Board (ICB),",
    "raa,ALPHA HOSPITAL NHS TRUST,23/24 Standards Met,05/06/2024,NHS Trust,",
    "RAB,ALPHA COMMUNITY NHS TRUST,23/24 Approaching Standards,06/06/2024,NHS Trust,",
    "RAC,BETA HOSPITAL NHS TRUST,23/24 Standards Exceeded,07/06/2024,NHS Trust,",
    "RAD,WELSH TRUST,23/24 Standards Met,08/06/2024,NHS Trust,",
    "TAA,BETA CARE TRUST,22/23 Standards Met,09/06/2023,NHS Trust,",
]


def ods_row(code, name, region, area, open_date="20100401", close_date="", sub_type=""):
    cols = [""] * 27
    cols[0], cols[1], cols[2], cols[3] = code, name, region, area
    cols[9], cols[10], cols[11], cols[13], cols[21] = "ZZ1 1ZZ", open_date, close_date, sub_type, "0"
    return ",".join(f'"{c}"' for c in cols)


ETR = [
    ods_row("RAA", "ALPHA HOSPITAL NHS TRUST", "Y01", "QAA"),
    ods_row("RAB", "ALPHA COMMUNITY NHS TRUST", "Y01", "QAA"),
    ods_row("RAC", "BETA HOSPITAL NHS TRUST", "Y01", "QBB"),
    ods_row("RAD", "WELSH TRUST", "W00", "Q99"),
    ods_row("RAE", "CLOSED TRUST", "Y01", "QBB", close_date="20240331"),
    ods_row("RAF", "SILENT NHS TRUST", "Y01", "QBB"),
]
ECT = [ods_row("TAA", "BETA CARE TRUST", "Y01", "QBB", sub_type="T")]
LOOKUP = [
    "\ufeffSICBL24CD,SICBL24CDH,SICBL24NM,ICB24CD,ICB24CDH,ICB24NM,NHSER24CD,NHSER24CDH,NHSER24NM,ObjectId",
    "E38000901,A1A,NHS Alpha ICB - A1A,E54000901,QAA,NHS Alpha Integrated Care Board,E40000901,Y01,Testshire,1",
    "E38000902,B1B,NHS Beta ICB - B1B,E54000902,QBB,NHS Beta Integrated Care Board,E40000901,Y01,Testshire,2",
    "E38000903,B2B,NHS Beta ICB - B2B,E54000902,QBB,NHS Beta Integrated Care Board,E40000901,Y01,Testshire,3",
]


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def write_edition(root: Path, folder: str = "23_24") -> Path:
    """Write the synthetic inputs under ``root`` and return ``root``."""
    from openpyxl import Workbook

    d = root / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / "dspt_export.csv").write_text("\n".join([EXPORT_HEADER, *EXPORT_ROWS]) + "\n", encoding="utf-8")
    (d / "etr.csv").write_text("\n".join(ETR) + "\n", encoding="utf-8")
    (d / "ect.csv").write_text("\n".join(ECT) + "\n", encoding="utf-8")
    (d / "lookup.csv").write_text("\n".join(LOOKUP) + "\n", encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "ODS Code", " Organisation Name", "Sector"])
    ws.append([1, "0XA", "ALPHA COMMISSIONING SUPPORT UNIT", "CSU"])
    ws.append([2, "0XB", "BETA COMMISSIONING SUPPORT UNIT", "CSU"])
    wb.save(d / "csus.xlsx")
    areas = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ICB24CDH": "QAA"}, "geometry": square(-2, 52, -1, 53)},
            {"type": "Feature", "properties": {"ICB24CDH": "QBB"}, "geometry": square(-1, 52, 0, 53)},
        ],
    }
    regions = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"NHSER24CDH": "Y01", "NHSER24NM": "Testshire"},
                "geometry": square(-2, 52, 0, 53),
            }
        ],
    }
    points = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": c}, "geometry": {"type": "Point", "coordinates": xy}}
            for c, xy in [
                ("RAA", [-1.5, 52.5]),
                ("RAB", [-1.6, 52.4]),
                ("RAC", [-0.5, 52.5]),
                ("RAF", [-0.4, 52.6]),
                ("TAA", [-0.6, 52.3]),
            ]
        ],
    }
    (d / "areas.geojson").write_text(json.dumps(areas), encoding="utf-8")
    (d / "regions.geojson").write_text(json.dumps(regions), encoding="utf-8")
    (d / "trusts.geojson").write_text(json.dumps(points), encoding="utf-8")
    return root


REGISTRY = """
[[edition]]
id = "2023-24"
label = "2023/24"
dspt_edition = "2023-24"
snapshot = 2024-09-01
era = "icb"
previous = "2022-23"
area_label = "ICB"
area_sector = "Integrated Care Board (ICB)"

  [edition.inputs]
  export = "{folder}/dspt_export.csv"
  trusts = ["{folder}/etr.csv", "{folder}/ect.csv"]
  csus = "{folder}/csus.xlsx"
  area_lookup = "{folder}/lookup.csv"
  area_boundaries = "{folder}/areas.geojson"
  region_boundaries = "{folder}/regions.geojson"
  trust_points = "{folder}/trusts.geojson"

  [edition.columns]
  area_code = "ICB24CDH"
  area_name = "ICB24NM"
  region_code = "NHSER24CDH"
  region_name = "NHSER24NM"
  sub_area_code = "SICBL24CDH"
  sub_area_name = "SICBL24NM"
  area_boundary_code = "ICB24CDH"
  region_boundary_code = "NHSER24CDH"
  region_boundary_name = "NHSER24NM"
{overrides}
"""


def write_registry(path: Path, folder: str = "23_24", overrides: str = "") -> Path:
    path.write_text(REGISTRY.format(folder=folder, overrides=overrides), encoding="utf-8")
    return path


def write_registry_of(path: Path, n: int, folder: str = "23_24") -> Path:
    """A registry of ``n`` editions (2023-24, 2024-25, ...), a year apart, that all read the synthetic
    inputs in ``folder`` (their statuses are of DSPT edition 23/24): for tests and benchmarks of a
    site with many editions."""
    tables = []
    for k in range(n):
        y = 23 + k
        table = REGISTRY.format(folder=folder, overrides="")
        table = table.replace('id = "2023-24"', f'id = "20{y}-{y + 1}"').replace(
            'label = "2023/24"', f'label = "20{y}/{y + 1}"'
        )
        table = table.replace('dspt_edition = "2023-24"', 'dspt_edition = "23/24"').replace(
            "snapshot = 2024-09-01", f"snapshot = 20{y + 1}-09-01"
        )
        table = table.replace('previous = "2022-23"\n', "")
        tables.append(table)
    path.write_text("".join(tables), encoding="utf-8")
    return path
