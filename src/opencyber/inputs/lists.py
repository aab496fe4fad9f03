"""The smaller lists an edition reads: the ONS lookups, a hand-made code-area list, weights files, the GP practices open per edition, and the curated CSU list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.errors import InputError
from opencyber.inputs import schemas as v
from opencyber.inputs.records import normalise_codes, pick_column, read_table


def lookup_schema(columns: dict[str, str]):
    """Every column of a lookup has a value; code columns hold codes (ONS E-codes or ODS codes)."""
    return v.schema(
        {role: v.text(v.NOT_EMPTY, *([v.CODE] if role.endswith("_code") else [])) for role in columns},
        "ONS lookup",
    )


def read_lookup(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read an ONS lookup CSV and return the ``columns`` (role -> file column) renamed to roles."""
    path = Path(path)
    df, _ = read_table(path)
    out = pd.DataFrame({"line": df["line"]})
    labels = {}
    for role, col in columns.items():
        labels[role] = pick_column(path, df, role.replace("_", " "), (col,), key=f"[edition.columns] {role}")
        out[role] = df[labels[role]]
    for role in columns:
        if role.endswith("_code") or role == "code":
            out[role] = out[role].str.upper()
    v.validate(out, lookup_schema(columns), path, labels)
    return out


CODE_AREA_SCHEMA = v.schema({"code": v.code_column(unique=True), "area": v.text(v.NOT_EMPTY, v.CODE)}, "code-area list")


def read_code_area_list(path: Path) -> pd.DataFrame:
    """Read a two-column list of organisation code and area code (e.g. ``ect_modified_21_22.csv``)."""
    path = Path(path)
    df, notes = read_table(path)
    code = pick_column(path, df, "code", ("ODS Code", "Code"))
    area_cols = [c for c in df.columns if c not in (code, "line")]
    if len(area_cols) != 1:
        raise InputError(path, "expected two columns: organisation code, area code", line=1, value=area_cols)
    out = pd.DataFrame({"code": df[code], "area": df[area_cols[0]].str.upper(), "line": df["line"]})
    repairs = notes + normalise_codes(path, out, "code", code)
    v.validate(out, CODE_AREA_SCHEMA, path, {"code": code, "area": area_cols[0]})
    out.attrs["repairs"] = dict(repairs)
    out.attrs["area_column"] = area_cols[0]
    return out


WEIGHT_COLUMNS = {
    "population": ("population", "Number of Patients", "patients"),  # CCG weights (GP registered patients)
    "trust_weights": ("weight", "EPRR tier", "tier"),  # trust weights (e.g. EPRR risk tier 1-4)
}


POSITIVE = v.rule(
    "not a positive number",
    "a number above 0 (thousands separators allowed)",
    lambda s: pd.to_numeric(s.str.replace(",", ""), errors="coerce").gt(0),
)


WEIGHTS_SCHEMA = v.schema({"code": v.code_column(unique=True), "weight": v.text(POSITIVE)}, "weights")


def read_weights(path: Path, kind: str) -> pd.Series:
    """Read a weights file (a code column and a ``WEIGHT_COLUMNS[kind]`` column): positive numbers,
    one per code, as a Series indexed by upper-cased code."""
    path = Path(path)
    df, _ = read_table(path)
    code = pick_column(path, df, "code", ("code", "CCG Code", "ODS Code"))
    pop = pick_column(path, df, kind, WEIGHT_COLUMNS[kind])
    table = pd.DataFrame({"code": df[code].str.upper(), "weight": df[pop], "line": df["line"]})
    v.validate(table, WEIGHTS_SCHEMA, path, {"code": code, "weight": pop})
    values = pd.to_numeric(table["weight"].str.replace(",", ""))
    codes = table["code"]
    return pd.Series(values.values, index=codes.values, name=kind)


EDITION_LABEL = v.matches(r"\d{2}/\d{2}", "not a DSPT edition", "two two-digit years like 21/22")


GP_PRACTICES_SCHEMA = v.schema(
    {"code": v.code_column(), "edition": v.text(EDITION_LABEL), "open_at": v.text(v.DATE_ISO)},
    "GP practices per edition",
)


def read_gp_practices(path: Path) -> pd.DataFrame:
    """Read the list of GP practices open at the end of each DSPT edition year
    (``21_22/gp_practices_editions.csv``: ``Code``, ``validedition``, ``open_at``; R ``write.csv``).
    Columns: code, edition (``18/19``), open_at (ISO date), line. A practice listed twice for one
    edition is an error."""
    path = Path(path)
    df, notes = read_table(path)
    cols = {
        "code": pick_column(path, df, "practice code", ("Code",)),
        "edition": pick_column(path, df, "edition", ("validedition", "edition")),
        "open_at": pick_column(path, df, "open-at date", ("open_at",)),
    }
    out = pd.DataFrame({role: df[c] for role, c in cols.items()})
    out["line"] = df["line"]
    repairs = notes + normalise_codes(path, out, "code", cols["code"])
    v.validate(out, GP_PRACTICES_SCHEMA, path, cols)
    dup = out[out.duplicated(["code", "edition"], keep=False)]
    if not dup.empty:
        r = dup.iloc[1]
        raise InputError(
            path,
            f"practice {r.code} is listed twice for edition {r.edition}",
            line=int(r.line),
            column=cols["code"],
            value=r.code,
            expected="one row per practice and edition",
        )
    out.attrs["repairs"] = dict(repairs)
    return out


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


CSU_SCHEMA = v.schema({"code": v.code_column(unique=True), "name": v.text(v.NOT_EMPTY)}, "CSU list")


def read_csu_list(path: Path) -> pd.DataFrame:
    """Read the curated CSU list (``20_21/csus_curated_2021.xlsx``): columns code, name, line."""
    path = Path(path)
    if not path.read_bytes().startswith(b"PK\x03\x04"):
        raise InputError(
            path,
            "not an Excel workbook (the file is not an .xlsx zip archive)",
            expected="the .xlsx workbook itself (not a CSV or .xls renamed)",
        )
    try:
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    except Exception as exc:  # a bad workbook raises many kinds
        raise InputError(path, f"cannot read the workbook: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    df["line"] = range(2, len(df) + 2)
    code = pick_column(path, df, "CSU code", ("ODS Code", "Code"))
    name = pick_column(path, df, "CSU name", ("Organisation Name", "Name"))
    out = pd.DataFrame({"code": df[code].str.strip(), "name": df[name].str.strip(), "line": df["line"]})
    out = out[out["code"] != ""].reset_index(drop=True)
    if out.empty:
        raise InputError(path, "the CSU list has no codes", column=code, expected="a row per CSU")
    repairs = normalise_codes(path, out, "code", code)
    v.validate(out, CSU_SCHEMA, path, {"code": code, "name": name})
    out.attrs["repairs"] = dict(repairs)
    return out
