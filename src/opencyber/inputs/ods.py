"""NHS ODS organisation files without a header (etr, ect, eccg: 27 columns) and the ODS successor file (succ)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.errors import InputError
from opencyber.inputs import schemas as v
from opencyber.inputs.records import normalise_codes, read_records

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


ODS_SCHEMA = v.schema(
    {
        "code": v.code_column(unique=True),
        "name": v.text(v.NOT_EMPTY),
        "national_grouping": v.text(v.NOT_EMPTY),
        "open_date": v.text(v.DATE_ODS),
        "close_date": v.text(v.DATE_ODS),
    },
    "ODS organisation file",
)


def read_ods(path: Path) -> pd.DataFrame:
    """Read a headerless NHS ODS organisation file (27 columns). Dates become ISO strings."""
    path = Path(path)
    _, rows, notes = read_records(path, header=False)
    wrong = [
        InputError(
            path,
            f"an ODS row has {len(row)} columns",
            line=n,
            expected=f"{ODS_COLUMNS} columns (standard ODS CSV layout, no header)",
        )
        for n, row in rows
        if len(row) != ODS_COLUMNS
    ]
    if wrong:
        raise InputError.of(wrong)
    records: list[dict[str, object]] = []
    for n, row in rows:
        rec: dict[str, object] = {name: row[i].strip() for i, name in ODS_FIELDS.items()}
        notes["surrounding spaces trimmed"] += sum(row[i] != rec[name] for i, name in ODS_FIELDS.items())
        rec["line"] = n
        records.append(rec)
    if not records:
        raise InputError(path, "the ODS file has no rows", expected=f"{ODS_COLUMNS} columns per row, no header")
    df = pd.DataFrame(records)
    repairs = +notes + normalise_codes(path, df, "code", "1 (code)")
    v.validate(df, ODS_SCHEMA, path, {k: f"{i + 1} ({k.replace('_', ' ')})" for i, k in ODS_FIELDS.items()})
    for col in ("open_date", "close_date"):
        df[col] = df[col].map(lambda d: f"{d[:4]}-{d[4:6]}-{d[6:]}" if d else "")
    df.attrs["repairs"] = dict(repairs)
    return df


SUCCESSOR_SCHEMA = v.schema(
    {"code": v.code_column(), "successor_code": v.code_column(), "date": v.text(v.DATE_ODS)},
    "ODS successor file",
)


def read_ods_successors(path: Path) -> pd.DataFrame:
    """Read a headerless NHS ODS successor file (``succ.csv``): predecessor code, successor code,
    reason, effective date (YYYYMMDD), indicator. Columns: code, successor_code, reason, date, line."""
    path = Path(path)
    _, rows, _notes = read_records(path, header=False)
    records = []
    for n, row in rows:
        if len(row) < 2:
            raise InputError(
                path,
                f"a successor row has {len(row)} column",
                line=n,
                expected="predecessor code, successor code[, reason, effective date, indicator]",
            )
        row = [c.strip() for c in row] + [""] * 5
        records.append({"code": row[0], "successor_code": row[1], "reason": row[2], "date": row[3], "line": n})
    df = pd.DataFrame(records, columns=["code", "successor_code", "reason", "date", "line"])
    if df.empty:
        raise InputError(path, "the successor file has no rows")
    repairs = normalise_codes(path, df, "code", "1 (predecessor code)")
    repairs.update(normalise_codes(path, df, "successor_code", "2 (successor code)"))
    v.validate(
        df,
        SUCCESSOR_SCHEMA,
        path,
        {"code": "1 (predecessor code)", "successor_code": "2 (successor code)", "date": "4 (effective date)"},
    )
    df.attrs["repairs"] = dict(repairs)
    return df
