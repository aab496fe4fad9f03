"""Readers for the raw inputs: DSPT export, ODS files, ONS lookups, CSU list, GeoJSON boundaries.

Every reader returns a tidy table with a ``line`` column (the line of the file the row came from, as
an editor shows it) and raises :class:`~opencyber.errors.InputError` naming file, line and column
when the input is malformed. Codes are upper-cased and stripped; how many were changed is reported
in ``DataFrame.attrs["repairs"]`` so that reconciliation can count them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from .errors import InputError
from .status import StatusError, parse_status

# ---------------------------------------------------------------------------------------------
# text and CSV basics


def read_text(path: Path) -> tuple[str, str]:
    """Read a text file as UTF-8 (with or without BOM), else Windows-1252. Returns (text, encoding)."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise InputError(path, "the file is empty", expected="a header row and data rows")
    if b"\x00" in data[:4096]:
        raise InputError(path, "the file is binary, not text", expected="a CSV text file")
    try:
        text, enc = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, enc = data.decode("cp1252", errors="strict"), "windows-1252"
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def _read_csv(path: Path, *, header: bool = True) -> tuple[pd.DataFrame, str]:
    text, enc = read_text(path)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            header=0 if header else None,
            skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            path,
            f"the CSV cannot be parsed: {exc}",
            line=int(m.group(1)) if m else None,
        ) from None
    if header:
        df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip())
    df["line"] = range(2 if header else 1, len(df) + (2 if header else 1))
    return df, enc


def _pick_column(path: Path, df: pd.DataFrame, role: str, candidates: tuple[str, ...]) -> str:
    lower = {c.lower(): c for c in df.columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    raise InputError(
        path,
        f"no {role} column",
        line=1,
        value=[c for c in df.columns if c != "line"],
        expected="one of " + ", ".join(repr(c) for c in candidates),
    )


# ODS codes; the DSPT also has sub-codes like 8D594-MASH and test accounts like "DEMO DENTAL ACCOUNT 009"
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,28}[A-Z0-9]$")


def _normalise_codes(path: Path, df: pd.DataFrame, column: str, label: str | None = None) -> Counter:
    """Upper-case and check the codes of ``column`` in place; count the repairs.

    ``label`` is the column's name in the file, for the error message (default: ``column``).
    """
    repairs: Counter = Counter()
    raw = df[column]
    upper = raw.str.upper()
    repairs["lower-case code upper-cased"] = int((raw != upper).sum())
    df.attrs["lower_case_codes"] = set(upper[raw != upper])
    bad = ~upper.str.fullmatch(_CODE_RE.pattern)
    if bad.any():
        i = bad.idxmax()
        code, line = upper[i], int(df.at[i, "line"])
        raise InputError(
            path,
            "not an ODS code" if code else "the code is empty",
            line=line,
            column=label or column,
            value=code,
            expected="3 to 30 letters, digits, hyphens or inner spaces",
        )
    df[column] = upper
    return repairs


# ---------------------------------------------------------------------------------------------
# DSPT Organisation Search export

EXPORT_COLUMNS = {
    "code": ("Code",),
    "name": ("Organisation Name",),
    "status_raw": ("Status", "Latest Status"),
    "published": ("Date Of Publication",),
    "export_sector": ("Primary Sector",),
    "commissioner": (
        "Integrated Care Board (where available, from ODS)",
        "Commissioner (From ODS)",
    ),
}


def read_dspt_export(path: Path) -> pd.DataFrame:
    """Read a DSPT Organisation Search export (every header variant since 2021).

    Columns: code, name, status_raw, published, export_sector, commissioner, status_edition,
    outcome, line. Unknown statuses, bad dates and conflicting duplicate codes are errors.
    """
    path = Path(path)
    df, enc = _read_csv(path)
    cols = {role: _pick_column(path, df, role, names) for role, names in EXPORT_COLUMNS.items()}
    out = pd.DataFrame({role: df[col] for role, col in cols.items()})
    out["line"] = df["line"]
    if out.empty:
        raise InputError(path, "the export has a header but no organisations")
    repairs = _normalise_codes(path, out, "code", cols["code"])
    if enc != "utf-8":
        repairs[f"read as {enc}"] = len(out)
    parsed = {}  # an export has a few dozen distinct statuses: parse each once
    for raw in out["status_raw"].unique():
        try:
            parsed[raw] = parse_status(raw)
        except StatusError as exc:
            line = int(out.loc[out["status_raw"] == raw, "line"].iloc[0])
            raise InputError(
                path,
                str(exc),
                line=line,
                column=cols["status_raw"],
                expected="'<edition> Standards Met|Standards Exceeded|Approaching Standards|"
                "Standards Not Met|Entry Level' or 'Not Published'",
            ) from None
    out["status_edition"] = out["status_raw"].map(lambda r: parsed[r].edition or "")
    out["outcome"] = out["status_raw"].map(lambda r: parsed[r].outcome)
    dates = pd.to_datetime(out["published"], format="%d/%m/%Y", errors="coerce")
    bad = out["published"].ne("") & dates.isna()
    if bad.any():
        i = bad.idxmax()
        raise InputError(
            path,
            "not a date",
            line=int(out.at[i, "line"]),
            column=cols["published"],
            value=out.at[i, "published"],
            expected="dd/mm/yyyy or empty",
        )
    out = _drop_duplicate_codes(path, out, repairs, cols["code"])
    out.attrs["repairs"] = dict(repairs)
    out.attrs["columns"] = cols
    lower = out.attrs.get("lower_case_codes", set())
    out = out.reset_index(drop=True)
    out.attrs["lower_case_codes"] = lower
    return out


def _drop_duplicate_codes(path: Path, df: pd.DataFrame, repairs: Counter, column: str) -> pd.DataFrame:
    dup = df[df["code"].duplicated(keep=False)]
    if dup.empty:
        return df
    compare = [c for c in df.columns if c not in ("line", "name")]
    for code, rows in dup.groupby("code", sort=True):
        if len(rows[compare].drop_duplicates()) > 1:
            lines = ", ".join(str(x) for x in rows["line"])
            raise InputError(
                path,
                f"code {code} appears on lines {lines} with different values",
                line=int(rows["line"].iloc[1]),
                column=column,
                value=code,
                expected="one row per organisation",
            )
    repairs["identical duplicate row dropped"] = int(df["code"].duplicated().sum())
    return df[~df["code"].duplicated()]


# ---------------------------------------------------------------------------------------------
# ODS files (etr, ect, eccg): no header, 27 columns

ODS_COLUMNS = 27
ODS_FIELDS = {
    0: "code",
    1: "name",
    2: "national_grouping",
    3: "high_level_health_geography",
    9: "postcode",
    10: "open_date",
    11: "close_date",
    13: "sub_type",
}
ODS_FIELDS_INV = {v: k for k, v in ODS_FIELDS.items()}


def read_ods(path: Path) -> pd.DataFrame:
    """Read a headerless NHS ODS organisation file (27 columns). Dates become ISO strings."""
    path = Path(path)
    text, _ = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    records = []
    for n, row in enumerate(rows, start=1):
        if not row:
            continue
        if len(row) != ODS_COLUMNS:
            raise InputError(
                path,
                f"an ODS row has {len(row)} columns",
                line=n,
                expected=f"{ODS_COLUMNS} columns (standard ODS CSV layout, no header)",
            )
        rec = {name: row[i].strip() for i, name in ODS_FIELDS.items()}
        rec["line"] = n
        records.append(rec)
    df = pd.DataFrame(records)
    repairs = _normalise_codes(path, df, "code")
    for col in ("open_date", "close_date"):
        for value, line in zip(df[col], df["line"]):
            if value and not re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", value):
                raise InputError(
                    path,
                    f"not an ODS {col.replace('_', ' ')}",
                    line=line,
                    column=f"{ODS_FIELDS_INV[col] + 1} ({col})",
                    value=value,
                    expected="YYYYMMDD or empty",
                )
        df[col] = df[col].map(lambda v: f"{v[:4]}-{v[4:6]}-{v[6:]}" if v else "")
    dups = df[df["code"].duplicated(keep=False)]
    if not dups.empty:
        row = dups.iloc[1]
        raise InputError(path, f"code {row['code']} appears twice", line=int(row["line"]), column="1 (code)")
    df.attrs["repairs"] = dict(repairs)
    return df



# ---------------------------------------------------------------------------------------------
# ONS lookups and the CSU list


def read_lookup(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read an ONS lookup CSV and return the ``columns`` (role -> file column) renamed to roles."""
    path = Path(path)
    df, _ = _read_csv(path)
    out = pd.DataFrame({"line": df["line"]})
    for role, col in columns.items():
        src = _pick_column(path, df, role, (col,))
        out[role] = df[src]
        empty = out[role].eq("")
        if empty.any():
            i = empty.idxmax()
            raise InputError(path, "empty value", line=int(out.at[i, "line"]), column=src)
    for role in columns:
        if role.endswith("_code") or role == "code":
            out[role] = out[role].str.upper()
    return out


def read_code_area_list(path: Path) -> pd.DataFrame:
    """Read a two-column list of organisation code and area code (e.g. ``ect_modified_21_22.csv``)."""
    path = Path(path)
    df, _ = _read_csv(path)
    code = _pick_column(path, df, "code", ("ODS Code", "Code"))
    area_cols = [c for c in df.columns if c not in (code, "line")]
    if len(area_cols) != 1:
        raise InputError(path, "expected two columns: organisation code, area code", line=1, value=area_cols)
    out = pd.DataFrame({"code": df[code], "area": df[area_cols[0]].str.upper(), "line": df["line"]})
    out.attrs["repairs"] = dict(_normalise_codes(path, out, "code"))
    out.attrs["area_column"] = area_cols[0]
    return out


WEIGHT_COLUMNS = {
    "population": ("population", "Number of Patients", "patients"),  # CCG weights (GP registered patients)
    "trust_weights": ("weight", "EPRR tier", "tier"),  # trust weights (e.g. EPRR risk tier 1-4)
}


def read_weights(path: Path, kind: str) -> pd.Series:
    """Read a weights file (a code column and a ``WEIGHT_COLUMNS[kind]`` column): positive numbers,
    one per code, as a Series indexed by upper-cased code."""
    path = Path(path)
    df, _ = _read_csv(path)
    code = _pick_column(path, df, "code", ("code", "CCG Code", "ODS Code"))
    pop = _pick_column(path, df, kind, WEIGHT_COLUMNS[kind])
    values = pd.to_numeric(df[pop].str.replace(",", ""), errors="coerce")
    bad = values.isna() | (values <= 0)
    if bad.any():
        i = bad.idxmax()
        raise InputError(path, "not a positive number", line=int(df.at[i, "line"]), column=pop, value=df.at[i, pop])
    codes = df[code].str.upper()
    if codes.duplicated().any():
        i = codes.duplicated().idxmax()
        raise InputError(path, f"code {codes[i]} appears twice", line=int(df.at[i, "line"]), column=code)
    return pd.Series(values.values, index=codes.values, name=kind)


def read_reference(
    path: Path, columns: dict[str, str], area_columns: dict[str, str], sectors: dict[str, str]
) -> pd.DataFrame:
    """Read a curated organisation reference file (e.g. the 2020/21 ``dspt_metric`` file, R ``write.csv``).

    ``columns`` names the file's columns for code, name, sector, close_date, successor_code,
    successor_status and trust_area_code; ``area_columns`` those of the commissioners' area and region
    (area_code, area_name, region_code, region_name); ``sectors`` maps the sector column's values to
    the roles trust, commissioner, csu. R's ``NA`` is read as empty. An organisation listed on several
    rows (one per successor, like RW6) becomes one row with several successors; rows of one code that
    differ otherwise are an error. ``attrs["areas"]`` holds the areas and regions of the commissioners.
    """
    path = Path(path)
    df, _ = _read_csv(path)
    df = df.replace("NA", "")
    col = {role: _pick_column(path, df, role, (name,)) for role, name in {**columns, **area_columns}.items()
           if role in (*columns, "area_code", "area_name", "region_code", "region_name")}
    out = pd.DataFrame({role: df[c] for role, c in col.items()})
    out["line"] = df["line"]
    if out.empty:
        raise InputError(path, "the reference file has a header but no organisations")
    repairs = _normalise_codes(path, out, "code", col["code"])
    unknown = ~out["sector"].isin(list(sectors))
    if unknown.any():
        i = unknown.idxmax()
        raise InputError(path, "unknown sector", line=int(out.at[i, "line"]), column=col["sector"],
                         value=out.at[i, "sector"], expected="one of " + ", ".join(sectors))
    out["role"] = out["sector"].map(sectors)
    for c in ("close_date",):
        bad = out[c].ne("") & ~out[c].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        if bad.any():
            i = bad.idxmax()
            raise InputError(path, "not a date", line=int(out.at[i, "line"]), column=col[c], value=out.at[i, c],
                             expected="YYYY-MM-DD or empty")
    for raw in out["successor_status"].unique():
        try:
            parse_status(raw)
        except StatusError as exc:
            line = int(out.loc[out["successor_status"] == raw, "line"].iloc[0])
            raise InputError(path, str(exc), line=line, column=col["successor_status"]) from None
    out["successor_code"] = out["successor_code"].str.upper()
    # the commissioners' areas; trusts carry their own area code (e.g. STPCDH)
    is_comm = out["role"] == "commissioner"
    out["trust_area_code"] = out["trust_area_code"].str.upper()
    out["area_code"] = out["area_code"].str.upper().where(is_comm, out["trust_area_code"])
    areas = out[is_comm][["area_code", "area_name", "region_code", "region_name", "line"]]
    check_one_name_per_code(path, areas, {k: col[k] for k in ("area_name", "region_name")})
    areas = areas.drop_duplicates("area_code").sort_values("area_code").reset_index(drop=True)
    # one row per organisation, its successors gathered
    keep = ["code", "name", "sector", "role", "close_date", "area_code"]
    rows = []
    for code, g in out.groupby("code", sort=False):
        if len(g[keep].drop_duplicates()) > 1:
            raise InputError(path, f"code {code} appears on lines {', '.join(map(str, g['line']))} with different values",
                             line=int(g["line"].iloc[1]), column=col["code"], value=code)
        first = g.iloc[0]
        succ = g[g["successor_code"] != ""]
        rows.append({**{k: first[k] for k in keep}, "line": int(first["line"]),
                     "successors": list(succ["successor_code"]), "successor_statuses": list(succ["successor_status"]),
                     "rows": len(g)})
    result = pd.DataFrame(rows)
    merged = int((result["rows"] > 1).sum())
    if merged:
        repairs["rows of one organisation with several successors merged"] = merged
    result.attrs["repairs"] = dict(repairs)
    result.attrs["areas"] = areas
    return result


def check_one_name_per_code(path: Path, df: pd.DataFrame, name_columns: dict[str, str]) -> None:
    """Each area_code and region_code of ``df`` has one name; ``name_columns`` gives the file's
    column for area_name and region_name (for the error message)."""
    for key in ("area_code", "region_code"):
        name = key.replace("_code", "_name")
        clash = df.groupby(key)[name].nunique()
        if (clash > 1).any():
            code = clash[clash > 1].index[0]
            row = df[df[key] == code].iloc[1]
            raise InputError(
                path,
                f"{key.split('_')[0]} {code} has more than one name",
                line=int(row["line"]),
                column=name_columns[name],
            )


def read_csu_list(path: Path) -> pd.DataFrame:
    """Read the curated CSU list (``20_21/csus_curated_2021.xlsx``): columns code, name, line."""
    path = Path(path)
    try:
        df = pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise InputError(path, f"cannot read the workbook: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    df["line"] = range(2, len(df) + 2)
    code = _pick_column(path, df, "CSU code", ("ODS Code", "Code"))
    name = _pick_column(path, df, "CSU name", ("Organisation Name", "Name"))
    out = pd.DataFrame({"code": df[code].str.strip(), "name": df[name].str.strip(), "line": df["line"]})
    out = out[out["code"] != ""].reset_index(drop=True)
    out.attrs["repairs"] = dict(_normalise_codes(path, out, "code"))
    return out


# ---------------------------------------------------------------------------------------------
# GeoJSON


def read_geojson(path: Path, code_property: str):
    """Read a GeoJSON FeatureCollection (EPSG:4326) as a GeoDataFrame with a ``code`` column."""
    import geopandas as gpd

    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid GeoJSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise InputError(path, "not a GeoJSON FeatureCollection", expected='"type": "FeatureCollection"')
    crs = (raw.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not re.search(r"(EPSG::?4326|CRS84)$", crs):
        raise InputError(path, "coordinates are not WGS84 longitude/latitude", value=crs, expected="EPSG:4326")
    features = raw.get("features") or []
    for i, feat in enumerate(features):
        props = feat.get("properties") or {}
        if not str(props.get(code_property) or "").strip():
            raise InputError(
                path, f"feature {i} has no {code_property}", column=code_property, expected="a code per feature"
            )
    gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    if gdf.empty:
        raise InputError(path, "the FeatureCollection has no features")
    gdf["code"] = gdf[code_property].astype(str).str.strip().str.upper()
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        i = int(invalid.values.argmax())
        raise InputError(path, f"feature {i} ({gdf['code'].iloc[i]}) has an invalid geometry")
    return gdf
