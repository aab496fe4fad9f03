"""The DSPT Organisation Search export: every header variant since 2019, CSV or the 2019 Excel workbook, every row checked (statuses of the DSPT vocabulary, dates, codes, one row per organisation)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from opencyber import cache
from opencyber.errors import InputError
from opencyber.inputs import schemas as v
from opencyber.inputs.records import (
    CONTROL_CHARACTERS,
    XLSX_MAGIC,
    control_problems,
    normalise_codes,
    pick_column,
    read_table,
    restore_spreadsheet_codes,
)
from opencyber.status import StatusError, parse_status

EXPORT_COLUMNS = {
    "code": ("Code", "ODSCode"),
    "name": ("Organisation Name", "OrganisationName"),
    "status_raw": ("Status", "Latest Status", "PublicationStatus"),
    "published": ("Date Of Publication", "DateOfPublication"),
    "export_sector": ("Primary Sector", "PrimarySector"),
    "commissioner": (
        "Integrated Care Board (where available, from ODS)",
        "Commissioner (From ODS)",
        "CCG (from ODS and CQC)",
    ),
}


#: the export's columns as readers know them
EXPORT_LABELS = {
    "code": "code",
    "name": "organisation name",
    "status_raw": "status",
    "published": "publication date",
    "export_sector": "primary sector",
    "commissioner": "commissioner (ICB or CCG)",
}


def _status_checker(options: dict):
    """A vectorised check: which values of a column are DSPT statuses (each distinct value parsed once)."""

    def is_status(raw: str) -> bool:
        try:
            parse_status(raw, **options)
        except StatusError:
            return False
        return True

    return lambda s: s.isin([u for u in s.unique() if is_status(u)])


_is_status = _status_checker({})


STATUS_EXPECTED = (
    "'<edition> Standards Met|Standards Exceeded|Approaching Standards|Standards Not Met|Entry Level' "
    "(e.g. '22/23 Standards Met') or 'Not Published'"
)


STATUS = v.rule("not a DSPT status", STATUS_EXPECTED, _is_status)


STATUS_OR_EMPTY = v.rule("not a DSPT status", STATUS_EXPECTED + " or empty", lambda s: s.eq("") | _is_status(s))


DATE_DMY = v.rule(
    "not a date",
    "dd/mm/yyyy or empty",
    lambda s: s.eq("") | pd.to_datetime(s, format="%d/%m/%Y", errors="coerce").notna(),
)


def export_schema(status_options: dict | None = None):
    status = STATUS
    if status_options and any(status_options.values()):
        check = _status_checker(status_options)
        status = v.rule(
            "not a DSPT status of this edition's vocabulary",
            STATUS_EXPECTED + ", or a status of the edition's status_aliases / unprefixed_statuses",
            check,
        )
    return v.schema(
        {
            "code": v.code_column(),
            "name": v.text(),
            "status_raw": v.text(status),
            "published": v.text(DATE_DMY),
            "export_sector": v.text(),
            "commissioner": v.text(),
        },
        "DSPT export",
    )


EXPORT_SCHEMA = export_schema()


def _read_xlsx_export(path: Path) -> tuple[pd.DataFrame, Counter]:
    """The first sheet of an export saved as an Excel workbook (the 2019 export), as text cells.

    Excel typed some cells: a code that Excel turned into a number (``102``) is written back as its
    digits, one it turned into a date (``APR06`` read as 1 April 2006) back to ``MMMyy``, each counted
    as a repair (a number that lost leading zeros, under 100, stays as it is and is reported as
    damaged); publication dates become ``dd/mm/yyyy``, and a publication cell holding text that is not
    a date (``CompletedThroughQIO``) is kept in ``published_note`` and counted, not dropped.
    """
    import datetime as dt

    try:
        raw = pd.read_excel(path, dtype=object, header=None, engine="calamine")
    except Exception as exc:  # a bad workbook raises many kinds
        raise InputError(path, f"cannot read the workbook: {exc}") from None
    if raw.empty:
        raise InputError(path, "the workbook's first sheet is empty", expected="a header row and data rows")

    def header_of(row) -> list[str]:
        return [str(c).strip() if c is not None and not (isinstance(c, float) and pd.isna(c)) else "" for c in row]

    header = header_of(raw.iloc[0])
    if "" in header or len(set(header)) < len(header):
        known = {n.lower() for names in EXPORT_COLUMNS.values() for n in names}
        found = next(
            (i for i in range(1, min(len(raw), 50)) if known & {c.lower() for c in header_of(raw.iloc[i])}), None
        )
        raise InputError(
            path,
            "the first row of the sheet is not a header (it has empty or repeated column names)",
            line=1,
            value=header,
            expected=f"the header in the first row; it seems to be on row {found + 1}: delete the rows above it"
            if found is not None
            else "the export's header row (Code or ODSCode, Organisation Name, ...) in the first row",
        )
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = header
    notes: Counter = Counter()
    code_col = next((c for c in header if c.lower() in {n.lower() for n in EXPORT_COLUMNS["code"]}), None)
    date_col = next((c for c in header if c.lower() in {n.lower() for n in EXPORT_COLUMNS["published"]}), None)

    def text(x) -> str:
        if x is None or (isinstance(x, float) and pd.isna(x)):
            return ""
        if isinstance(x, (dt.datetime, dt.date)):
            return f"{x:%d/%m/%Y}"
        if isinstance(x, float) and x.is_integer():
            return str(int(x))
        return str(x)

    out = pd.DataFrame(index=body.index)
    for col in header:
        if col == code_col:

            def code(x):
                if isinstance(x, bool):
                    return str(x)
                if isinstance(x, (int, float)) and not (isinstance(x, float) and (pd.isna(x) or not x.is_integer())):
                    if int(x) >= 100:
                        notes["spreadsheet number written back as text"] += 1
                    return str(int(x))
                if isinstance(x, (dt.datetime, dt.date)) and x.day == 1:
                    notes["spreadsheet date restored to a code (MMMyy)"] += 1
                    return f"{x:%b%y}".upper()
                return text(x)

            out[col] = body[col].map(code)
        elif col == date_col:
            cells = body[col].map(text)
            is_date = pd.to_datetime(cells, format="%d/%m/%Y", errors="coerce").notna() | cells.eq("")
            out["published_note"] = cells.where(~is_date, "")
            if (~is_date).any():
                for value, n in cells[~is_date].value_counts().sort_index().items():
                    notes[f"publication date cell holds text {value!r}: kept as a note, date empty"] += int(n)
            out[col] = cells.where(is_date, "")
        else:
            out[col] = body[col].map(text)
    stripped = out.apply(lambda s: s.str.strip())
    trimmed = int((stripped != out).sum().sum())
    if trimmed:
        notes["surrounding spaces trimmed"] = trimmed
    out = stripped
    out["line"] = range(2, len(out) + 2)
    if out[header].apply(lambda col: col.str.contains(CONTROL_CHARACTERS)).any(axis=None):
        problems = [
            p
            for row, line in zip(out[header].itertuples(index=False), out["line"])
            for p in control_problems(path, header, list(row), int(line))
        ]
        raise InputError.of(problems)
    return out, notes


@cache.of_file("inputs")
def read_dspt_export(
    path: Path, *, aliases: dict[str, str] | None = None, unprefixed: str | None = None, empty_status: str | None = None
) -> pd.DataFrame:
    """Read a DSPT Organisation Search export (every header variant since 2019; CSV, or the 2019
    Excel workbook).

    Columns: code, name, status_raw, published, export_sector, commissioner, status_edition,
    outcome, line. Unknown statuses, bad dates and conflicting duplicate codes are errors; codes a
    spreadsheet damaged are restored from the sort order where exactly one restoration fits.
    ``aliases`` and ``unprefixed`` say how an older export writes statuses (the edition's
    :attr:`~opencyber.inputs.registry.Edition.status_options`); ``status_raw`` keeps the export's words.
    An empty status is an error unless ``empty_status`` (the edition's registry key of that name)
    says what the export's own format means by it: the 2019 export leaves it empty for an
    organisation that has published no assessment (``"Not Published"``). An empty status is never
    read from a missing field: a row with fewer fields than the header is an error.
    """
    path = Path(path)
    options: dict = {"aliases": aliases, "unprefixed": unprefixed}
    if path.suffix.lower() == ".xlsx":  # the 2019 export: an Excel workbook (a CSV is never read as one)
        if path.read_bytes()[:4] != XLSX_MAGIC:
            raise InputError(
                path,
                "not an Excel workbook (the file is not an .xlsx zip archive)",
                expected="the .xlsx workbook itself (not a CSV or .xls renamed)",
            )
        df, notes = _read_xlsx_export(path)
    else:
        df, notes = read_table(path)
    cols = {role: pick_column(path, df, EXPORT_LABELS[role], names) for role, names in EXPORT_COLUMNS.items()}
    out = pd.DataFrame({role: df[col] for role, col in cols.items()})
    out["line"] = df["line"]
    if "published_note" in df:
        out["published_note"] = df["published_note"]
    if out.empty:
        raise InputError(
            path,
            "the export has a header but no organisations",
            line=1,
            expected="a row per organisation under the header",
        )
    repairs = notes + restore_spreadsheet_codes(out, "code")
    repairs.update(normalise_codes(path, out, "code", cols["code"]))
    problems = v.problems(out, export_schema(options), path, cols)
    if empty_status is None:
        problems += [
            InputError(
                path,
                "the status is empty",
                line=int(line),
                column=cols["status_raw"],
                value="",
                expected="a DSPT status such as '22/23 Standards Met' or 'Not Published' (an empty status counts "
                "as Not Published only for an export whose format leaves it empty for unpublished "
                "organisations, as the 2019 export does: editions.toml key empty_status)",
            )
            for line in out.loc[out["status_raw"].eq(""), "line"]
        ]
    problems += _conflicting_duplicates(path, out, cols)
    if problems:
        raise InputError.of(problems)
    parsed = {raw: parse_status(raw, **options) for raw in out["status_raw"].unique()}
    out["status_edition"] = out["status_raw"].map(lambda r: parsed[r].edition or "")
    out["outcome"] = out["status_raw"].map(lambda r: parsed[r].outcome)
    out = _drop_duplicate_codes(path, out, repairs, cols)
    out.attrs["repairs"] = dict(repairs)
    out.attrs["columns"] = cols
    kept = {k: out.attrs[k] for k in ("lower_case_codes", "duplicate_codes") if k in out.attrs}
    out = out.reset_index(drop=True)
    out.attrs.update(kept)
    return out


def _conflicting_duplicates(path: Path, df: pd.DataFrame, columns: dict[str, str]) -> list[InputError]:
    """A code on two rows that differ in any value (a name, a status, a date), as a problem naming
    both lines and the first column that differs (``columns``: the file's name of each column)."""
    dup = df[df["code"].duplicated(keep=False)]
    compare = [c for c in df.columns if c != "line"]
    found = []
    for code, rows in dup.groupby("code", sort=False):
        first = rows.iloc[0]
        for _, other in rows.iloc[1:].iterrows():
            differ = [c for c in compare if first[c] != other[c]]
            if differ:
                col = differ[0]
                found.append(
                    InputError(
                        path,
                        f"code {code} appears on lines {first['line']} and {other['line']} with different values "
                        f"({columns.get(col, col)} {first[col]!r} on line {first['line']})",
                        line=int(other["line"]),
                        column=columns.get(col, col),
                        value=other[col],
                        expected="one row per organisation (take the export from the original download)",
                    )
                )
    return found


def _drop_duplicate_codes(path: Path, df: pd.DataFrame, repairs: Counter, columns: dict[str, str]) -> pd.DataFrame:
    """Drop rows that repeat an earlier row of the same code exactly (counted as a repair); a code
    whose rows differ is an error (:func:`_conflicting_duplicates`)."""
    conflicts = _conflicting_duplicates(path, df, columns)
    if conflicts:
        raise InputError.of(conflicts)
    if not df["code"].duplicated().any():
        return df
    repairs["identical duplicate row dropped"] = int(df["code"].duplicated().sum())
    df.attrs["duplicate_codes"] = dict(Counter(df.loc[df["code"].duplicated(), "code"]))
    return df[~df["code"].duplicated()]
