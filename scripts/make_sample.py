"""Write the bundled FICTIONAL sample edition (``data/sample/``): every input in the real formats.

    python scripts/make_sample.py [--out DIR]

Every organisation, code, area, status and boundary it writes is invented. Codes start with ``Z``
(not used by real ODS/ONS codes of these kinds); the areas lie in the southern North Sea (2.0-4.5 E,
53.3-55.0 N) so that no map can be mistaken for a real place. The only real code is the ODS
National Grouping ``W00`` (Wales) of the one Welsh trust: it is the value the Welsh-trust rule reads.

The output is byte-identical on every run and every platform (fixed seed, only ``random.random``,
LF line endings, a hand-written xlsx stored uncompressed with fixed timestamps):
``tests/test_sample.py`` regenerates it and compares it with the committed files. Standard library
only, so that the script does not depend on the versions of the project's packages.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SEED = 20250701
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "sample"

EDITION = "24/25"
SNAPSHOT = "2025-07-01"  # the day the (fictional) DSPT export was downloaded
SCOPE_DATE = "2025-03-31"  # the end of the 24/25 edition year: closed before it = out of scope
YEAR = "24"  # the year suffix of the ONS-style column names (ICB24CDH, ...)

# ---------------------------------------------------------------------------------------------
# the fictional organisations

REGIONS = {  # ODS-style code -> (ONS-style code, name)
    "ZY1": ("Z40000001", "Sample Region West"),
    "ZY2": ("Z40000002", "Sample Region East"),
}

ICBS = {  # code -> ONS code, short name, region, sub-ICB locations (ODS, ONS), grid letter
    "ZQA": ("Z54000001", "Sample North", "ZY1", [("ZA1", "Z38000001"), ("ZA2", "Z38000002")], "A"),
    "ZQB": ("Z54000002", "Sample South", "ZY1", [("ZB1", "Z38000003"), ("ZB2", "Z38000004")], "B"),
    "ZQC": ("Z54000003", "Sample Islands", "ZY2", [("ZC1", "Z38000005")], "C"),
    "ZQD": ("Z54000004", "Sample East", "ZY2", [("ZD1", "Z38000006")], "D"),
    "ZQE": ("Z54000005", "Sample Coast", "ZY2", [("ZE1", "Z38000007")], "E"),
}


def icb_name(code: str) -> str:
    return f"NHS {ICBS[code][1]} Integrated Care Board"


def sub_icb_name(icb: str, code: str) -> str:
    return f"NHS {ICBS[icb][1]} ICB - {code}"


# The map: a 6 x 4 grid of cells (north row first), each cell the letter of its ICB. Regions are
# unions of ICBs: West = A + B, East = C + D + E.
LAYOUT = [
    "AAACCC",
    "AABCDD",
    "BBBDDE",
    "BBBBEE",
]
LON0, LON1, LAT0, LAT1 = 2.1, 4.4, 53.4, 54.9  # jitter keeps every point within 2.0-4.5 E, 53.3-55.0 N

# Trusts of the ODS files. file: etr or ect; ng: ODS National Grouping (region); icb: ODS High Level
# Health Geography; cell: (column, row from the south) of its map point (in-scope trusts only);
# export: its row in the DSPT export (None: no row); rule: what it exercises; expect: the status the
# curation must give it (in-scope) or "out of scope".
TRUSTS = [
    dict(
        code="ZRA",
        name="SAMPLE HARBOUR HOSPITAL NHS TRUST",
        icb="ZQA",
        cell=(1, 2),
        export=(
            "ZRA",
            "SAMPLE HARBOUR HOSPITAL NHS TRUST (ZRA)",
            "24/25 Standards Exceeded",
            "27/06/2025",
            "NHS Trust",
        ),
        rule="Standards Exceeded; its export name differs from its ODS name (joined on the code); successor of ZRD",
        expect="Standards Exceeded",
    ),
    dict(
        code="ZRB",
        name="SAMPLE NORTH COMMUNITY NHS TRUST",
        icb="ZQA",
        cell=(0, 3),
        export=("zrb", "SAMPLE NORTH COMMUNITY NHS TRUST", "24/25 Standards Met", "30/06/2025", "NHS Trust"),
        rule="code written in lower case in the export (`zrb`): upper-cased and counted as a repair",
        expect="Standards Met",
    ),
    dict(
        code="ZRC",
        name="SAMPLE LIGHTHOUSE NHS FOUNDATION TRUST",
        icb="ZQA",
        cell=(2, 3),
        export=("ZRC", "SAMPLE LIGHTHOUSE NHS FOUNDATION TRUST", "23/24 Standards Met", "28/06/2024", "NHS Trust"),
        rule="latest status of an older edition (23/24 Standards Met) counts as Not Published",
        expect="Not Published",
    ),
    dict(
        code="ZRD",
        name="SAMPLE DUNE HOSPITALS NHS TRUST",
        icb="ZQA",
        cell=(0, 2),
        close="20250531",
        export=("ZRD", "SAMPLE DUNE HOSPITALS NHS TRUST", "23/24 Approaching Standards", "25/06/2024", "NHS Trust"),
        rule="closed 31/05/2025, after the scope date and before the snapshot: in scope; no 24/25 status of "
        "its own, so it takes the status of its successor ZRA (succ.csv)",
        expect="Standards Exceeded",
    ),
    dict(
        code="ZRV",
        name="SAMPLE BREAKWATER NHS TRUST",
        icb="ZQA",
        cell=(1, 3),
        close="20250430",
        export=None,
        rule="closed 30/04/2025 (in scope), no export row; its successor ZRC has no 24/25 status either, "
        "so it stays Not Published",
        expect="Not Published",
    ),
    dict(
        code="ZRE",
        name="SAMPLE SANDBANK NHS FOUNDATION TRUST",
        icb="ZQB",
        cell=(1, 1),
        export=("ZRE", "SAMPLE SANDBANK NHS FOUNDATION TRUST", "24/25 Standards Met", "26/06/2025", "NHS Trust"),
        rule="Standards Met",
        expect="Standards Met",
    ),
    dict(
        code="ZRF",
        name="SAMPLE SOUTH MENTAL HEALTH NHS TRUST",
        icb="ZQB",
        cell=(2, 2),
        export=("ZRF", "SAMPLE SOUTH MENTAL HEALTH NHS TRUST", "24/25 Standards Not Met", "30/06/2025", "NHS Trust"),
        rule="Standards Not Met",
        expect="Standards Not Met",
    ),
    dict(
        code="ZRG",
        name="SAMPLE TIDEWAY NHS TRUST",
        icb="ZQB",
        cell=(0, 0),
        export=None,
        rule="in scope (ODS) but no row in the export: Not Published",
        expect="Not Published",
    ),
    dict(
        code="ZRH",
        name="SAMPLE OLD PIER NHS TRUST",
        icb="ZQB",
        close="20240930",
        export=("ZRH", "SAMPLE OLD PIER NHS TRUST", "23/24 Standards Met", "20/06/2024", "NHS Trust"),
        rule="closed 30/09/2024, before the scope date: out of scope (its successor ZRE in succ.csv changes nothing)",
        expect="out of scope",
    ),
    dict(
        code="ZTA",
        name="SAMPLE SOUTH CARE TRUST",
        icb="ZQB",
        cell=(2, 0),
        file="ect",
        export=("ZTA", "SAMPLE SOUTH CARE TRUST", "24/25 Standards Met", "24/06/2025", "Social Care"),
        rule="care trust (ODS ect file); the export's Primary Sector says Social Care, but the ODS file lists "
        "it, so it counts as an NHS trust",
        expect="Standards Met",
    ),
    dict(
        code="ZRJ",
        name="SAMPLE ISLANDS HEALTH NHS TRUST",
        icb="ZQC",
        cell=(4, 3),
        export=("ZRJ", "SAMPLE ISLANDS HEALTH NHS TRUST", "24/25 Approaching Standards", "30/06/2025", "NHS Trust"),
        rule="Approaching Standards; the only trust of ICB ZQC (an ICB with few trusts)",
        expect="Approaching Standards",
    ),
    dict(
        code="ZRK",
        name="SAMPLE EAST UNIVERSITY HOSPITALS NHS FOUNDATION TRUST",
        icb="ZQD",
        cell=(4, 2),
        export=(
            "ZRK",
            "SAMPLE EAST UNIVERSITY HOSPITALS NHS FOUNDATION TRUST",
            "24/25 Standards Met",
            "29/06/2025",
            "NHS Trust",
        ),
        rule="Standards Met",
        expect="Standards Met",
    ),
    dict(
        code="ZRL",
        name="SAMPLE EAST AMBULANCE SERVICE NHS TRUST",
        icb="ZQD",
        cell=(5, 2),
        export=(
            "ZRL",
            "SAMPLE EAST AMBULANCE SERVICE NHS TRUST",
            "24/25 Approaching Standards",
            "30/06/2025",
            "NHS Trust",
        ),
        rule="Approaching Standards",
        expect="Approaching Standards",
    ),
    dict(
        code="ZRM",
        name="SAMPLE QUAYSIDE NHS TRUST",
        icb="ZQD",
        cell=(3, 1),
        export=("ZRM", "SAMPLE QUAYSIDE NHS TRUST", "Not Published", "", "NHS Trust"),
        rule="explicit `Not Published` row in the export",
        expect="Not Published",
    ),
    dict(
        code="ZRN",
        name="SAMPLE SEA VIEW NHS TRUST",
        icb="ZQD",
        cell=(4, 1),
        close="20250228",
        export=("ZRN", "SAMPLE SEA VIEW NHS TRUST", "23/24 Standards Met", "21/06/2024", "NHS Trust"),
        rule="closed 28/02/2025, before the scope date, but kept in scope by a keep_in_scope override; "
        "its 23/24 status counts as Not Published",
        expect="Not Published",
    ),
    dict(
        code="ZRP",
        name="SAMPLE COAST HOSPITALS NHS TRUST",
        icb="ZQE",
        cell=(5, 1),
        export=("ZRP", "SAMPLE COAST HOSPITALS NHS TRUST", "24/25 Standards Exceeded", "23/06/2025", "NHS Trust"),
        rule="Standards Exceeded",
        expect="Standards Exceeded",
    ),
    dict(
        code="ZRQ",
        name="SAMPLE SHORE COMMUNITY NHS TRUST",
        icb="ZQE",
        cell=(4, 0),
        export=("ZRQ", "SAMPLE SHORE COMMUNITY NHS TRUST", "24/25 Standards Met", "30/06/2025", "NHS Trust"),
        duplicate=True,
        rule="listed twice, identically, in the export: one row dropped and counted as a repair",
        expect="Standards Met",
    ),
    dict(
        code="ZRS",
        name="SAMPLE HOSTED SERVICES NHS TRUST",
        icb="ZQE",
        export=("ZRS", "SAMPLE HOSTED SERVICES NHS TRUST", "24/25 Standards Met", "30/06/2025", "NHS Trust"),
        rule="excluded by an exclude override",
        expect="out of scope",
    ),
    dict(
        code="ZRT",
        name="SAMPLE NEW WHARF NHS TRUST",
        icb="ZQE",
        open="20250601",
        export=None,
        rule="opened 01/06/2025, after the scope date: out of scope",
        expect="out of scope",
    ),
    dict(
        code="ZWA",
        name="SAMPLE WESTERN NHS TRUST",
        icb="ZQW",
        ng="W00",
        export=("ZWA", "SAMPLE WESTERN NHS TRUST", "24/25 Standards Met", "30/06/2025", "NHS Trust"),
        rule="Welsh trust (ODS National Grouping W00): out of scope",
        expect="out of scope",
    ),
]

# ODS successor file: predecessor, successor, reason, effective date, indicator.
SUCCESSORS = [
    ("Z81002", "Z81001", "Merger", "20240401", "N"),  # two GP practices: no input of the edition names Z81002
    ("ZRD", "ZRA", "Merger", "20250601", "N"),
    ("ZRH", "ZRE", "Merger", "20241001", "N"),
    ("ZRV", "ZRC", "Merger", "20250501", "N"),
]

# The ICBs' and CSUs' export rows: code, status, date of publication, and the outcome expected.
ICB_EXPORT = {
    "ZQA": ("24/25 Standards Met", "30/06/2025", "Standards Met", "Standards Met"),
    "ZQB": ("24/25 Standards Exceeded", "27/06/2025", "Standards Exceeded", "Standards Exceeded"),
    "ZQC": (
        "2024-25 Standards Met",
        "30/06/2025",
        "status written with a long edition label (`2024-25`)",
        "Standards Met",
    ),
    "ZQD": ("24/25 Approaching Standards", "30/06/2025", "Approaching Standards", "Approaching Standards"),
    "ZQE": (
        "24/25 Approaching Standards",
        "30/06/2025",
        "set_status override: the export's Approaching Standards replaced by Standards Met",
        "Standards Met",
    ),
}
CSUS = [  # code, list name, export name, status, date, what it exercises, expected
    (
        "ZXA",
        "NHS Sample North Commissioning Support Unit",
        "NHS SAMPLE NORTH CSU",
        "24/25 Standards Exceeded",
        "26/06/2025",
        "CSU of the curated list",
        "Standards Exceeded",
    ),
    (
        "ZXB",
        "NHS Sample East Commissioning Support Unit",
        "NHS Sample East CSU",
        "24/25 Standards Met",
        "30/06/2025",
        "CSU of the curated list",
        "Standards Met",
    ),
    (
        "ZXC",
        "NHS Sample Coast Commissioning Support Unit",
        "NHS SAMPLE COAST CSU",
        "Not Published",
        "31/03/2024",
        "explicit `Not Published` (with a date) for a CSU",
        "Not Published",
    ),
]
OTHER_EXPORT = [  # export rows of no reference list: code, name, status, date, sector, ICB, what it exercises
    (
        "Z81001",
        "SAMPLE BAY SURGERY",
        "24/25 Standards Met",
        "27/06/2025",
        "General Practice (GP)",
        "ZQA",
        "a GP practice: not an NHS trust, ICB or CSU, out of scope",
    ),
    (
        "ZV101",
        "SAMPLE SMILES DENTAL PRACTICE",
        "19/20 Entry Level",
        "14/02/2020",
        "Dentist",
        "ZQB",
        "a dentist with `Entry Level` (in the DSPT vocabulary, never scored): out of scope",
    ),
    (
        "ZK801",
        "SAMPLE CARE AGENCY LTD",
        "Not Published",
        "",
        "NHS Trust",
        "",
        "filed under `NHS Trust` by the export but in no ODS trust file: out of scope",
    ),
    (
        "ZYX01",
        "SAMPLE TRAINING HUB LTD (ZYX01)",
        "24/25 Standards Met",
        "30/06/2025",
        "Commissioning Support Unit (CSU)",
        "",
        "filed under the export's CSU sector but not in the curated CSU list: out of scope",
    ),
    (
        "ZA2",
        "NHS SAMPLE NORTH ICB - ZA2",
        "22/23 Standards Met",
        "29/06/2023",
        "CCG / Integrated Care Board (ICB)",
        "",
        "a sub-ICB location (former CCG) with an export row: listed, not scored (its ICB is)",
    ),
]

OVERRIDES = [
    (
        "ZRN",
        "keep_in_scope",
        None,
        "FICTIONAL, for the sample only: Sample Sea View NHS Trust closed on 28/02/2025, before the scope date, "
        "so the rules put it out of scope. The sample keeps it in scope (as Not Published) to show a documented "
        "keep_in_scope override, like the real 2022/23 override for RA4.",
    ),
    (
        "ZRS",
        "exclude",
        None,
        "FICTIONAL, for the sample only: in this invented story the services of Sample Hosted Services NHS Trust "
        "are assured through another trust's DSPT submission, so the sample excludes it to show an exclude override.",
    ),
    (
        "ZQE",
        "set_status",
        "Standards Met",
        "FICTIONAL, for the sample only: in this invented story the export shows Approaching Standards, but the "
        "ICB's 24/25 assessment was confirmed as Standards Met after the snapshot; shows a set_status override.",
    ),
]

BANNER = (
    "Sample data: every organisation, code, area and status on this page is fictional. The areas lie in the "
    "North Sea on purpose. The sample shows how the report works without the real data pack "
    "(data/sample, made by scripts/make_sample.py)."
)

# ---------------------------------------------------------------------------------------------
# writers


def write(out: Path, name: str, data: str | bytes) -> None:
    (out / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def quoted_row(fields: list[str]) -> str:
    """One ODS row: every field quoted, like the files of the ODS Data Search and Export service."""
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields)


def csv_text(rows: list[list[str]], prefix: str = "") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return prefix + buf.getvalue()


def ods_row(t: dict, n: int) -> str:
    cols = [""] * 27
    cols[0], cols[1] = t["code"], t["name"]
    cols[2] = t.get("ng") or ICBS[t["icb"]][2]  # National Grouping (the region)
    cols[3] = t["icb"]  # High Level Health Geography (the ICB)
    cols[4] = t["name"].split(" NHS")[0]  # address line 1: the headquarters building
    cols[5] = f"{n} QUAY ROAD"
    cols[7] = "SAMPLE HAVEN"
    cols[9] = f"ZZ{1 + n // 10} {n % 10}AA"  # not a real postcode area
    cols[10] = t.get("open", "20100401")
    cols[11] = t.get("close", "")
    cols[13] = "T" if t.get("file") == "ect" else ""  # ODS organisation sub-type: T = care trust
    cols[21] = "0"
    return quoted_row(cols)


def export_csv() -> str:
    header = [
        "Code",
        "Organisation Name",
        "Status",
        "Date Of Publication",
        "Primary Sector",
        "Integrated Care Board (where available, from ODS)",
    ]
    rows = []
    for code, (status, date, _, _) in ICB_EXPORT.items():
        rows.append([code, icb_name(code).upper(), status, date, "CCG / Integrated Care Board (ICB)", ""])
    for code, _, name, status, date, _, _ in CSUS:
        rows.append([code, name, status, date, "Commissioning Support Unit (CSU)", ""])
    for t in TRUSTS:
        if t["export"]:
            code, name, status, date, sector = t["export"]
            icb = icb_name(t["icb"]).upper() if t["icb"] in ICBS else ""
            rows += [[code, name, status, date, sector, icb]] * (2 if t.get("duplicate") else 1)
    for code, name, status, date, sector, icb, _ in OTHER_EXPORT:
        rows.append([code, name, status, date, sector, icb_name(icb).upper() if icb else ""])
    rows.sort(key=lambda r: r[0].upper())  # the export is sorted by code
    return csv_text([header, *rows])


def lookup_csv() -> str:
    y = YEAR
    header = [
        f"SICBL{y}CD",
        f"SICBL{y}CDH",
        f"SICBL{y}NM",
        f"ICB{y}CD",
        f"ICB{y}CDH",
        f"ICB{y}NM",
        f"NHSER{y}CD",
        f"NHSER{y}CDH",
        f"NHSER{y}NM",
        "ObjectId",
    ]
    rows, n = [], 0
    for icb, (ons, _, region, subs, _) in ICBS.items():
        for sub, sub_ons in subs:
            n += 1
            rows.append(
                [
                    sub_ons,
                    sub,
                    sub_icb_name(icb, sub),
                    ons,
                    icb,
                    icb_name(icb),
                    REGIONS[region][0],
                    region,
                    REGIONS[region][1],
                    str(n),
                ]
            )
    return csv_text([header, *rows], prefix="\ufeff")  # the ONS portal writes a BOM


# ---------------------------------------------------------------------------------------------
# the CSU workbook: written by hand (not openpyxl) so that the bytes do not depend on a version

XLSX_TIME = (2025, 7, 1, 0, 0, 0)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _col(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def xlsx_bytes(sheet: str, rows: list[list]) -> bytes:
    """A minimal SpreadsheetML workbook: one sheet; str -> shared string, int -> number, None -> empty,
    ("error", "#N/A") -> an error cell (the real CSU list has #N/A in its National grouping column)."""
    strings: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if value is None:
                continue
            if isinstance(value, tuple):
                cells.append(f'<c r="{ref}" t="e"><v>{escape(value[1])}</v></c>')
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                if value not in strings:
                    strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{strings.index(value)}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    last = f"{_col(max(len(r) for r in rows) - 1)}{len(rows)}"
    parts = {
        "[Content_Types].xml": _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>",
        "_rels/.rels": _XML + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>",
        "docProps/app.xml": _XML
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>scripts/make_sample.py</Application></Properties>",
        "docProps/core.xml": _XML
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Fictional sample: commissioning support units</dc:title>"
        "<dc:creator>scripts/make_sample.py</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2025-07-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-07-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>",
        "xl/workbook.xml": _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _XML + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/styles.xml": _XML + f'<styleSheet xmlns="{_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>",
        "xl/sharedStrings.xml": _XML
        + f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
        + "</sst>",
        "xl/worksheets/sheet1.xml": _XML
        + f'<worksheet xmlns="{_NS}"><dimension ref="A1:{last}"/><sheetData>'
        + "".join(cells_xml)
        + "</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(parts):  # fixed order, fixed time, stored (deflate output can vary by zlib build)
            info = zipfile.ZipInfo(name, date_time=XLSX_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, parts[name].encode("utf-8"))
    return buf.getvalue()


def csus_xlsx() -> bytes:
    header = [
        "Ref",
        "ODS Code",
        " Organisation Name",
        "Sector",
        "National grouping",
        "Notes",
    ]  # sic: " Organisation Name"
    rows = [[101 + i, code, name, "CSU", ("error", "#N/A"), None] for i, (code, name, *_) in enumerate(CSUS)]
    return xlsx_bytes("2025", [header, *rows])


# ---------------------------------------------------------------------------------------------
# geography: a jittered grid whose cells are ICB pieces; neighbours share every border vertex


def make_grid(rng: random.Random):
    ny, nx = len(LAYOUT), len(LAYOUT[0])
    dx, dy = (LON1 - LON0) / nx, (LAT1 - LAT0) / ny

    def jit(a: float) -> float:
        return (rng.random() * 2 - 1) * a

    vertex = {}
    for j in range(ny + 1):
        for i in range(nx + 1):
            vertex[(i, j)] = (LON0 + i * dx + jit(0.06), LAT0 + j * dy + jit(0.05))
    # two intermediate points per grid edge, offset across the edge (shared by both neighbours)
    inner = {}
    edges = sorted(
        {((i, j), (i + 1, j)) for i in range(nx) for j in range(ny + 1)}
        | {((i, j), (i, j + 1)) for i in range(nx + 1) for j in range(ny)}
    )
    for a, b in edges:
        (x0, y0), (x1, y1) = vertex[a], vertex[b]
        horizontal = a[1] == b[1]
        pts = []
        for t in (1 / 3, 2 / 3):
            off = jit(0.04)
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            pts.append((x, y + off) if horizontal else (x + off, y))
        inner[(a, b)] = pts
    cell_of = {(i, ny - 1 - r): LAYOUT[r][i] for r in range(ny) for i in range(nx)}
    return vertex, inner, cell_of


def ring(cells: set, vertex: dict, inner: dict) -> list[list[float]]:
    """The exterior ring (counter-clockwise, closed) of a union of grid cells, through every shared point."""
    directed = {}
    for i, j in sorted(cells):
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]  # counter-clockwise
        for a, b in zip(corners, corners[1:] + corners[:1]):
            if (b, a) in directed:
                del directed[(b, a)]  # an edge inside the union
            else:
                directed[(a, b)] = True
    nxt = {}
    for a, b in directed:
        if a in nxt:
            raise ValueError(f"cells {sorted(cells)} touch at a corner only: not one simple polygon")
        nxt[a] = b
    start = min(nxt)
    pts, a = [], start
    while True:
        b = nxt[a]
        pts.append(vertex[a])
        pts += inner[(a, b)] if (a, b) in inner else inner[(b, a)][::-1]
        a = b
        if a == start:
            break
    if len(pts) != 3 * len(directed):
        raise ValueError(f"cells {sorted(cells)} do not form one simple polygon")
    pts.append(pts[0])
    return [[round(x, 6), round(y, 6)] for x, y in pts]


def feature_collection(name: str, features: list[dict]) -> str:
    fc = {
        "type": "FeatureCollection",
        "name": name,
        "source": f"FICTIONAL sample geography (southern North Sea), scripts/make_sample.py seed {SEED}",
        "features": features,
    }
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n"


def geography(rng: random.Random) -> tuple[str, str, str]:
    vertex, inner, cell_of = make_grid(rng)
    letter = {v[4]: k for k, v in ICBS.items()}
    y = YEAR
    areas = []
    for code, (ons, _, region, _, ch) in ICBS.items():
        cells = {c for c, owner in cell_of.items() if owner == ch}
        props = {
            f"ICB{y}CD": ons,
            f"ICB{y}CDH": code,
            f"ICB{y}NM": icb_name(code),
            f"NHSER{y}CD": REGIONS[region][0],
            f"NHSER{y}CDH": region,
            f"NHSER{y}NM": REGIONS[region][1],
        }
        areas.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring(cells, vertex, inner)]},
            }
        )
    regions = []
    for region, (ons, name) in REGIONS.items():
        cells = {c for c, owner in cell_of.items() if ICBS[letter[owner]][2] == region}
        props = {f"NHSER{y}CD": ons, f"NHSER{y}CDH": region, f"NHSER{y}NM": name}
        regions.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring(cells, vertex, inner)]},
            }
        )
    points = []
    for t in TRUSTS:
        if "cell" not in t:
            continue  # out of scope: not on the map
        i, j = t["cell"]
        if cell_of[(i, j)] != ICBS[t["icb"]][4]:
            raise ValueError(f"trust {t['code']}: cell {(i, j)} is not in its ICB {t['icb']}")
        corners = [vertex[(i, j)], vertex[(i + 1, j)], vertex[(i + 1, j + 1)], vertex[(i, j + 1)]]
        x = sum(c[0] for c in corners) / 4 + (rng.random() * 2 - 1) * 0.02
        yy = sum(c[1] for c in corners) / 4 + (rng.random() * 2 - 1) * 0.02
        points.append(
            {
                "type": "Feature",
                "properties": {"code": t["code"], "name": t["name"]},
                "geometry": {"type": "Point", "coordinates": [round(x, 5), round(yy, 5)]},
            }
        )
    return (
        feature_collection("sample_areas", areas),
        feature_collection("sample_regions", regions),
        feature_collection("sample_trusts", points),
    )


# ---------------------------------------------------------------------------------------------
# the registry and the README


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def editions_toml() -> str:
    y = YEAR
    overrides = "".join(
        "\n  [[edition.overrides]]\n"
        f"  code = {toml_str(code)}\n"
        f"  action = {toml_str(action)}\n"
        + (f"  status = {toml_str(status)}\n" if status else "")
        + f"  reason = {toml_str(reason)}\n"
        for code, action, status, reason in OVERRIDES
    )
    return f"""\
# The registry of the bundled FICTIONAL sample edition (written by scripts/make_sample.py: edit the
# script, not this file). The build reads it because it lies in the data directory:
#
#   python -m opencyber build --data data/sample
#
# (with no data directory at all, `python -m opencyber build` builds this sample by itself).
# Same schema as the project's editions.toml; paths are relative to data/sample.

[[edition]]
id = "sample"
label = "Sample (fictional)"
dspt_edition = "{EDITION}"
snapshot = {SNAPSHOT}      # the day the (fictional) export was downloaded
scope_date = {SCOPE_DATE}    # the end of the edition year: organisations closed before it are out of scope
era = "icb"
area_label = "ICB"
area_sector = "Integrated Care Board (ICB)"
banner = {toml_str(BANNER)}
caveats = [
  {toml_str("Every organisation, code, area, boundary and status of this edition is fictional (written by scripts/make_sample.py); the areas lie in the North Sea so that they cannot be mistaken for real places.")},
  {toml_str("Each organisation exercises one curation rule; data/sample/README.md lists which.")},
]

  [edition.inputs]
  export = "dspt_export.csv"
  trusts = ["etr.csv", "ect.csv"]
  successors = "succ.csv"
  csus = "csus.xlsx"
  area_lookup = "lookup.csv"
  area_boundaries = "areas.geojson"
  region_boundaries = "regions.geojson"
  trust_points = "trusts.geojson"

  [edition.columns]
  area_code = "ICB{y}CDH"
  area_name = "ICB{y}NM"
  region_code = "NHSER{y}CDH"
  region_name = "NHSER{y}NM"
  sub_area_code = "SICBL{y}CDH"
  sub_area_name = "SICBL{y}NM"
  area_boundary_code = "ICB{y}CDH"
  region_boundary_code = "NHSER{y}CDH"
  region_boundary_name = "NHSER{y}NM"
{overrides}"""


def readme() -> str:
    rows = []
    for code, (_, _, _, subs, _) in ICBS.items():
        _, _, what, expect = ICB_EXPORT[code]
        rows.append((code, icb_name(code), "ICB", what, expect))
        for sub, _ in subs:
            what = next(
                (o[6] for o in OTHER_EXPORT if o[0] == sub), "a sub-ICB location: listed, not scored (its ICB is)"
            )
            rows.append((sub, sub_icb_name(code, sub), "Sub-ICB location", what, "out of scope"))
    for t in TRUSTS:
        sector = "care trust (ect)" if t.get("file") == "ect" else "NHS trust (etr)"
        rows.append((t["code"], t["name"], sector, t["rule"], t["expect"]))
    for code, name, _, _, _, what, expect in CSUS:
        rows.append((code, name, "CSU", what, expect))
    for code, name, _, _, sector, _, what in OTHER_EXPORT:
        if not code.startswith("ZA"):
            rows.append((code, name, f"export only ({sector})", what, "out of scope"))
    table = "\n".join(f"| `{c}` | {n} | {s} | {w} | {e} |" for c, n, s, w, e in rows)
    return f"""\
# The sample edition (fictional)

**Every organisation, code, area, boundary and status in this folder is invented.** Nothing here is
NHS, ODS or ONS data. The files have the formats of the real inputs (see `../README.md` and the data
pack's README) so that a newcomer can build the whole report without the data pack:

```
python -m opencyber build --data data/sample
```

(from the project folder; the build reads the `editions.toml` of this folder, and with no data
directory at all `python -m opencyber build` builds this sample by itself). The site is written to `_site/` as usual: open `_site/sample.html`.

- Codes start with `Z` (ICBs `ZQ?`, sub-ICB locations `ZA1`, `ZB2`..., trusts `ZR?`, the care trust `ZTA`, CSUs
  `ZX?`, ONS-style codes `Z54000001`...). The one real code is the ODS National Grouping `W00` (Wales) of
  the Welsh trust `ZWA`: it is the value the Welsh-trust rule reads.
- The 5 ICBs and 2 regions lie in the southern North Sea (longitude 2.0-4.5 E, latitude 53.3-55.0 N),
  so no map of the sample can be mistaken for a real place. The ICB polygons are cells of a jittered grid:
  neighbours share exactly the same border points, and each region is the union of its ICBs.
- Edition {EDITION} (`sample` in `editions.toml`), snapshot {SNAPSHOT}, scope date {SCOPE_DATE} (the end of the
  edition year: an organisation closed before it is out of scope; one closed after it is in scope).

## How it is made

`python scripts/make_sample.py` (or `--out DIR`) writes every file of this folder, this README included,
from a fixed seed ({SEED}): two runs give byte-identical files, and `tests/test_sample.py` checks that the
committed files are exactly what the script writes. **Edit the script, not the files**, then run it again.

| file | format (as the real input) |
|---|---|
| `dspt_export.csv` | DSPT Organisation Search export (header of the 2023 exports, sorted by code) |
| `etr.csv`, `ect.csv` | ODS NHS trusts and care trusts: no header, 27 columns, every field quoted |
| `succ.csv` | ODS successor file: no header; predecessor, successor, reason, effective date, indicator |
| `csus.xlsx` | the curated CSU list (same header as `csus_curated_2021.xlsx`, `#N/A` cells included) |
| `lookup.csv` | ONS sub-ICB location -> ICB -> NHS England region lookup (`*{YEAR}CD`/`CDH`/`NM` columns, UTF-8 BOM) |
| `areas.geojson`, `regions.geojson`, `trusts.geojson` | ICB polygons, region polygons, trust points (EPSG:4326) |
| `editions.toml` | the sample's registry: one ICB-era edition with three overrides, caveats and a banner |

## Which organisation exercises which rule

The expected status is what the curation must give (and what `tests/test_sample.py` asserts); the
successor rule reads `succ.csv` through the `successors` input.

| code | name | kind | what it exercises | expected status |
|---|---|---|---|---|
{table}

Expected totals in scope: 16 NHS trusts (Standards Exceeded 3, Standards Met 5, Approaching Standards 2,
Standards Not Met 1, Not Published 5), 5 ICBs (Exceeded 1, Met 3, Approaching 1), 3 CSUs (Exceeded 1,
Met 1, Not Published 1). ICB composites (0.5 x own score + 0.5 x mean trust score): ZQA 0.6, ZQB 1.0,
ZQC 0.0, ZQD -1.25, ZQE 1.5.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)

    write(out, "dspt_export.csv", export_csv())
    for name, kind in (("etr.csv", "etr"), ("ect.csv", "ect")):  # ODS files are sorted by code
        rows = sorted((t["code"], ods_row(t, n)) for n, t in enumerate(TRUSTS, 1) if t.get("file", "etr") == kind)
        write(out, name, "".join(row + "\n" for _, row in rows))
    write(out, "succ.csv", "".join(quoted_row(list(r)) + "\n" for r in SUCCESSORS))
    write(out, "csus.xlsx", csus_xlsx())
    write(out, "lookup.csv", lookup_csv())
    areas, regions, points = geography(rng)
    write(out, "areas.geojson", areas)
    write(out, "regions.geojson", regions)
    write(out, "trusts.geojson", points)
    write(out, "editions.toml", editions_toml())
    write(out, "README.md", readme())
    write(
        out,
        ".gitattributes",
        "# byte-exact: tests/test_sample.py compares these files with scripts/make_sample.py's output\n* -text\n",
    )
    print(f"wrote the fictional sample edition to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
