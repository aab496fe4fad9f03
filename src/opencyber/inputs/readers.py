"""Readers for the raw inputs: DSPT export, ODS files, ONS lookups, CSU list, GeoJSON boundaries.

Every reader returns a tidy table with a ``line`` column (the line of the file the row came from, as
an editor shows it) and raises :class:`~opencyber.errors.InputError` naming file, line and column
when the input is malformed. Codes are upper-cased and stripped; how many were changed is reported
in ``DataFrame.attrs["repairs"]`` so that reconciliation can count them.

The readers of the large files (the DSPT export, the reference file, the boundaries) keep what they read in the
build's cache (:mod:`opencyber.cache`): the curation, the key points and the outputs across
editions read each once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from opencyber import cache
from opencyber.inputs import schemas as v
from opencyber.errors import InputError
from opencyber.status import StatusError, parse_status

# ---------------------------------------------------------------------------------------------
# text and CSV basics


def read_text(path: Path) -> tuple[str, Counter]:
    """Read a text file as UTF-8 (with or without BOM), else Windows-1252; CRLF/CR become LF.

    Returns the text and the tolerated differences from plain UTF-8 with LF line endings
    (``read as windows-1252``, ``UTF-8 byte-order mark ignored``, ``Windows line endings read``),
    each counted once for the file.
    """
    data = Path(path).read_bytes()
    if not data.strip():
        raise InputError(path, "the file is empty", expected="a header row and data rows")
    head = data[:4096]
    if head.startswith(XLSX_MAGIC) or head.count(b"\x00") > len(head) // 100:  # a zip, UTF-16 or other binary
        raise InputError(path, "the file is binary, not text", expected="a CSV text file")
    notes: Counter = Counter()
    try:
        text = data.decode("utf-8-sig")
        if data.startswith(b"\xef\xbb\xbf"):
            notes["UTF-8 byte-order mark ignored"] = 1
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252", errors="strict")
        except UnicodeDecodeError:
            raise InputError(path, f"the file is neither UTF-8 nor Windows-1252 text ({exc.reason} at byte {exc.start})",
                             expected="a CSV text file saved as UTF-8") from None
        notes["read as windows-1252"] = 1
    if "\r" in text:
        notes["Windows line endings read"] = 1
    return text.replace("\r\n", "\n").replace("\r", "\n"), notes


#: control characters (C0, DEL) that no field of an input may hold: a NUL, a tab or a line break
#: inside a name is a damaged file, not data (and a tab or CR at the start of a cell is also what
#: spreadsheets run as a formula)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
#: the same but the line break: found anywhere in a file's text, its fields are searched one by one
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _control_problems(path: Path, header: list[str], row: list[str], line: int) -> list[InputError]:
    """The fields of a row of ``path`` that hold a control character, as problems."""
    found = []
    for i, field in enumerate(row):
        m = CONTROL_CHARACTERS.search(field)
        if m:
            found.append(InputError(
                path,
                f"the field holds a control character (U+{ord(m.group()):04X})",
                line=line,
                column=header[i] if i < len(header) else str(i + 1),
                value=field,
                expected="text without control characters (a tab, a line break or a NUL byte inside a field "
                "means the file was damaged or saved by a program that added them)",
            ))
    return found


def read_records(path: Path, *, header: bool = True, columns: int | None = None) -> tuple[list[str], list[tuple[int, list[str]]], Counter]:
    """The records of a CSV file, each checked against the header: ``(header, [(line, fields)], notes)``.

    ``line`` is the line of the file where the record starts, as an editor shows it. Every record
    must have as many fields as the header (or ``columns`` for a file without a header); a record
    with fewer or more is an error naming its line and the fields found, and a last record with
    too few fields says that the file looks cut short. A file that ends inside a quoted field, a
    quote in the middle of a field, and a control character in any field are errors too. Blank
    lines are skipped. ``notes`` are the tolerated differences of :func:`read_text`.
    """
    text, notes = read_text(path)
    reader = csv.reader(io.StringIO(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    names: list[str] | None = None
    problems: list[InputError] = []
    previous = 0
    search_all = _CONTROL_BUT_NEWLINE.search(text) is not None  # else only records over several lines
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if search_all or previous > line:
                problems += _control_problems(path, names or [], row, line)
            if names is None and header:
                names = [c.strip() for c in row]
                repeated = sorted({n for n in names if names.count(n) > 1}, key=names.index)
                if repeated:
                    raise InputError(path, f"the header names column {repeated[0]!r} twice", line=line, value=names,
                                     expected="each column once")
                continue
            records.append((line, row))
    except csv.Error as exc:
        start = previous + 1
        if str(exc) == "unexpected end of data":
            problems.append(InputError(
                path,
                "the file ends inside a quoted field that opens on this line",
                line=start,
                expected="a closing quote: the file looks cut short (a download that stopped early?) or a quote "
                "is not closed",
            ))
        else:
            problems.append(InputError(path, f"the CSV cannot be read: {exc}", line=start,
                                       expected="fields separated by commas, quotes only around whole fields"))
    if header and names is None and not problems:
        raise InputError(path, "the file has no header row", expected="a header row and data rows")
    width = len(names) if names is not None else columns
    for n, (line, row) in enumerate(records):
        if width is not None and len(row) != width:
            last = n == len(records) - 1
            problems.append(InputError(
                path,
                f"the row has {len(row)} field{'s' * (len(row) != 1)}"
                + (f", the header {width}" if names is not None else f", not {width}")
                + ("; the file looks cut short (a download that stopped early?)" if last and len(row) < width else ""),
                line=line,
                value=row,
                expected=f"{width} fields in every row"
                + ("" if last else " (a field with a comma must be in quotes)"),
            ))
    if problems:
        raise InputError.of(problems)
    return names or [], records, notes


def _read_csv(path: Path, *, header: bool = True) -> tuple[pd.DataFrame, Counter]:
    """A CSV as strings, cells stripped; returns the table and the tolerated repairs (file-level
    notes of :func:`read_text` and ``surrounding spaces trimmed``, counted per cell). Every row is
    checked against the header (:func:`read_records`)."""
    names, records, notes = read_records(path, header=header)
    width = len(names) if header else max((len(r) for _, r in records), default=0)
    columns = names if header else list(range(width))
    rows, trimmed = [], 0
    for _, row in records:
        cells = [f.strip() for f in row]
        trimmed += sum(len(a) != len(b) for a, b in zip(row, cells))
        rows.append(cells)
    if trimmed:
        notes["surrounding spaces trimmed"] = trimmed
    df = pd.DataFrame(rows, columns=columns, dtype=str) if rows else pd.DataFrame(columns=columns, dtype=str)
    df["line"] = [line for line, _ in records]
    return df, notes


def _pick_column(path: Path, df: pd.DataFrame, what: str, candidates: tuple[str, ...], key: str | None = None) -> str:
    """The file's column for ``what`` (the first of ``candidates`` it has, ignoring case), else an
    InputError naming the columns found; ``key`` is the editions.toml key that names the column,
    for a file whose columns the registry names."""
    lower = {c.lower(): c for c in df.columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    raise InputError(
        path,
        f"no {what} column",
        line=1,
        value=[c for c in df.columns if c != "line"],
        expected=f"the column editions.toml names in {key}: {candidates[0]!r}" if key
        else "one of " + ", ".join(repr(c) for c in candidates),
    )


def _normalise_codes(path: Path, df: pd.DataFrame, column: str, label: str | None = None) -> Counter:
    """Upper-case the codes of ``column`` in place and count the repairs (the schemas check them).

    A code that a spreadsheet turned into a number (``016`` saved as ``16``) or a date (``APR03`` as
    ``Apr-03``) is an error that says so, unless :func:`_restore_spreadsheet_codes` repaired it first.
    """
    repairs: Counter = Counter()
    raw = df[column]
    upper = raw.str.upper()
    repairs["lower-case code upper-cased"] = int((raw != upper).sum())
    df.attrs["lower_case_codes"] = set(upper[raw != upper])
    damaged = _looks_spreadsheet_damaged(upper)
    if damaged.any():
        raise InputError.of([
            InputError(
                path,
                "the code looks damaged by a spreadsheet (leading zeros lost, or turned into a number or date)",
                line=int(df.at[i, "line"]),
                column=label or column,
                value=raw[i],
                expected="the code as ODS writes it (e.g. 016, APR03): take the file from the original download, "
                "not a copy saved by Excel",
            )
            for i in damaged[damaged].index
        ])
    df[column] = upper
    return repairs


_NUMBER_DAMAGE = re.compile(r"\d{1,2}|\d+(\.\d+)?E\+\d+")  # 16 (was 016), 1.02E+05
_DATE_DAMAGE = re.compile(r"([A-Z]{3})-(\d{2})|(\d{2})-([A-Z]{3})")  # APR03 shown as Apr-03 or 03-Apr


def _looks_spreadsheet_damaged(codes: pd.Series) -> pd.Series:
    return codes.str.fullmatch(_NUMBER_DAMAGE.pattern) | codes.str.fullmatch(_DATE_DAMAGE.pattern)


def _restore_spreadsheet_codes(df: pd.DataFrame, column: str) -> Counter:
    """Restore codes a spreadsheet damaged in a file sorted by code (as the DSPT export is).

    A number that lost its leading zeros gets the only padding of 0-2 zeros that fits between its
    neighbours in the sort order (the data README's rule); a date ``Apr-03`` becomes ``APR03``.
    Codes for which no single restoration fits stay as they are (and are reported as damaged).
    """
    repairs: Counter = Counter()
    upper = df[column].str.upper()
    codes = list(upper)
    damaged = _looks_spreadsheet_damaged(upper)
    if not damaged.any():
        return repairs
    clean = [c for c, d in zip(codes, damaged) if not d]
    if clean != sorted(clean):
        return repairs  # not sorted by code: nothing to restore from
    for pos in [i for i, d in enumerate(damaged) if d]:
        code = codes[pos]
        prev = next((codes[j] for j in range(pos - 1, -1, -1) if not damaged.iloc[j]), "")
        nxt = next((codes[j] for j in range(pos + 1, len(codes)) if not damaged.iloc[j]), "\uffff")
        m = _DATE_DAMAGE.fullmatch(code)
        if m:
            candidates = [(m.group(1) or m.group(4)) + (m.group(2) or m.group(3))]
            kind = "spreadsheet date restored to a code"
        elif code.isdigit():
            candidates = ["0" * k + code for k in range(3)]
            kind = "spreadsheet number: leading zeros restored"
        else:
            continue
        fits = [c for c in candidates if len(c) >= 3 and prev < c < nxt]
        if len(fits) == 1:
            df.iat[pos, df.columns.get_loc(column)] = fits[0]
            repairs[kind] += 1
    return repairs


# ---------------------------------------------------------------------------------------------
# DSPT Organisation Search export

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
EXPORT_LABELS = {"code": "code", "name": "organisation name", "status_raw": "status", "published": "publication date",
                 "export_sector": "primary sector", "commissioner": "commissioner (ICB or CCG)"}


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
    "not a date", "dd/mm/yyyy or empty",
    lambda s: s.eq("") | pd.to_datetime(s, format="%d/%m/%Y", errors="coerce").notna(),
)

def export_schema(status_options: dict | None = None):
    status = STATUS
    if status_options and any(status_options.values()):
        check = _status_checker(status_options)
        status = v.rule("not a DSPT status of this edition's vocabulary",
                        STATUS_EXPECTED + ", or a status of the edition's status_aliases / unprefixed_statuses",
                        check)
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

XLSX_MAGIC = b"PK\x03\x04"


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
        found = next((i for i in range(1, min(len(raw), 50)) if known & {c.lower() for c in header_of(raw.iloc[i])}), None)
        raise InputError(
            path,
            "the first row of the sheet is not a header (it has empty or repeated column names)",
            line=1,
            value=header,
            expected=f"the header in the first row; it seems to be on row {found + 1}: delete the rows above it"
            if found is not None else "the export's header row (Code or ODSCode, Organisation Name, ...) in the first row",
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
        problems = [p for row, line in zip(out[header].itertuples(index=False), out["line"])
                    for p in _control_problems(path, header, list(row), int(line))]
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
    options = {"aliases": aliases, "unprefixed": unprefixed}
    if path.suffix.lower() == ".xlsx":  # the 2019 export: an Excel workbook (a CSV is never read as one)
        if path.read_bytes()[:4] != XLSX_MAGIC:
            raise InputError(path, "not an Excel workbook (the file is not an .xlsx zip archive)",
                             expected="the .xlsx workbook itself (not a CSV or .xls renamed)")
        df, notes = _read_xlsx_export(path)
    else:
        df, notes = _read_csv(path)
    cols = {role: _pick_column(path, df, EXPORT_LABELS[role], names) for role, names in EXPORT_COLUMNS.items()}
    out = pd.DataFrame({role: df[col] for role, col in cols.items()})
    out["line"] = df["line"]
    if "published_note" in df:
        out["published_note"] = df["published_note"]
    if out.empty:
        raise InputError(path, "the export has a header but no organisations", line=1,
                         expected="a row per organisation under the header")
    repairs = notes + _restore_spreadsheet_codes(out, "code")
    repairs.update(_normalise_codes(path, out, "code", cols["code"]))
    problems = v.problems(out, export_schema(options), path, cols)
    if empty_status is None:
        problems += [
            InputError(path, "the status is empty", line=int(line), column=cols["status_raw"], value="",
                       expected="a DSPT status such as '22/23 Standards Met' or 'Not Published' (an empty status counts "
                       "as Not Published only for an export whose format leaves it empty for unpublished "
                       "organisations, as the 2019 export does: editions.toml key empty_status)")
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
                found.append(InputError(
                    path,
                    f"code {code} appears on lines {first['line']} and {other['line']} with different values "
                    f"({columns.get(col, col)} {first[col]!r} on line {first['line']})",
                    line=int(other["line"]),
                    column=columns.get(col, col),
                    value=other[col],
                    expected="one row per organisation (take the export from the original download)",
                ))
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
    wrong = [InputError(path, f"an ODS row has {len(row)} columns", line=n,
                        expected=f"{ODS_COLUMNS} columns (standard ODS CSV layout, no header)")
             for n, row in rows if len(row) != ODS_COLUMNS]
    if wrong:
        raise InputError.of(wrong)
    records = []
    for n, row in rows:
        rec = {name: row[i].strip() for i, name in ODS_FIELDS.items()}
        notes["surrounding spaces trimmed"] += sum(row[i] != rec[name] for i, name in ODS_FIELDS.items())
        rec["line"] = n
        records.append(rec)
    if not records:
        raise InputError(path, "the ODS file has no rows", expected=f"{ODS_COLUMNS} columns per row, no header")
    df = pd.DataFrame(records)
    repairs = +notes + _normalise_codes(path, df, "code", "1 (code)")
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
    _, rows, notes = read_records(path, header=False)
    records = []
    for n, row in rows:
        if len(row) < 2:
            raise InputError(path, f"a successor row has {len(row)} column", line=n,
                             expected="predecessor code, successor code[, reason, effective date, indicator]")
        row = [c.strip() for c in row] + [""] * 5
        records.append({"code": row[0], "successor_code": row[1], "reason": row[2], "date": row[3], "line": n})
    df = pd.DataFrame(records, columns=["code", "successor_code", "reason", "date", "line"])
    if df.empty:
        raise InputError(path, "the successor file has no rows")
    repairs = _normalise_codes(path, df, "code", "1 (predecessor code)")
    repairs.update(_normalise_codes(path, df, "successor_code", "2 (successor code)"))
    v.validate(df, SUCCESSOR_SCHEMA, path, {"code": "1 (predecessor code)", "successor_code": "2 (successor code)",
                                            "date": "4 (effective date)"})
    df.attrs["repairs"] = dict(repairs)
    return df


# ---------------------------------------------------------------------------------------------
# ONS lookups and the CSU list


def lookup_schema(columns: dict[str, str]):
    """Every column of a lookup has a value; code columns hold codes (ONS E-codes or ODS codes)."""
    return v.schema(
        {role: v.text(v.NOT_EMPTY, *([v.CODE] if role.endswith("_code") else [])) for role in columns},
        "ONS lookup",
    )


def read_lookup(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read an ONS lookup CSV and return the ``columns`` (role -> file column) renamed to roles."""
    path = Path(path)
    df, _ = _read_csv(path)
    out = pd.DataFrame({"line": df["line"]})
    labels = {}
    for role, col in columns.items():
        labels[role] = _pick_column(path, df, role.replace("_", " "), (col,), key=f"[edition.columns] {role}")
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
    df, notes = _read_csv(path)
    code = _pick_column(path, df, "code", ("ODS Code", "Code"))
    area_cols = [c for c in df.columns if c not in (code, "line")]
    if len(area_cols) != 1:
        raise InputError(path, "expected two columns: organisation code, area code", line=1, value=area_cols)
    out = pd.DataFrame({"code": df[code], "area": df[area_cols[0]].str.upper(), "line": df["line"]})
    repairs = notes + _normalise_codes(path, out, "code", code)
    v.validate(out, CODE_AREA_SCHEMA, path, {"code": code, "area": area_cols[0]})
    out.attrs["repairs"] = dict(repairs)
    out.attrs["area_column"] = area_cols[0]
    return out


WEIGHT_COLUMNS = {
    "population": ("population", "Number of Patients", "patients"),  # CCG weights (GP registered patients)
    "trust_weights": ("weight", "EPRR tier", "tier"),  # trust weights (e.g. EPRR risk tier 1-4)
}


POSITIVE = v.rule(
    "not a positive number", "a number above 0 (thousands separators allowed)",
    lambda s: pd.to_numeric(s.str.replace(",", ""), errors="coerce").gt(0),
)
WEIGHTS_SCHEMA = v.schema({"code": v.code_column(unique=True), "weight": v.text(POSITIVE)}, "weights")


def read_weights(path: Path, kind: str) -> pd.Series:
    """Read a weights file (a code column and a ``WEIGHT_COLUMNS[kind]`` column): positive numbers,
    one per code, as a Series indexed by upper-cased code."""
    path = Path(path)
    df, _ = _read_csv(path)
    code = _pick_column(path, df, "code", ("code", "CCG Code", "ODS Code"))
    pop = _pick_column(path, df, kind, WEIGHT_COLUMNS[kind])
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
    df, notes = _read_csv(path)
    cols = {"code": _pick_column(path, df, "practice code", ("Code",)),
            "edition": _pick_column(path, df, "edition", ("validedition", "edition")),
            "open_at": _pick_column(path, df, "open-at date", ("open_at",))}
    out = pd.DataFrame({role: df[c] for role, c in cols.items()})
    out["line"] = df["line"]
    repairs = notes + _normalise_codes(path, out, "code", cols["code"])
    v.validate(out, GP_PRACTICES_SCHEMA, path, cols)
    dup = out[out.duplicated(["code", "edition"], keep=False)]
    if not dup.empty:
        r = dup.iloc[1]
        raise InputError(path, f"practice {r.code} is listed twice for edition {r.edition}", line=int(r.line),
                         column=cols["code"], value=r.code, expected="one row per practice and edition")
    out.attrs["repairs"] = dict(repairs)
    return out


def reference_schema(sectors: dict[str, str]):
    return v.schema(
        {
            "code": v.code_column(),
            "sector": v.text(v.one_of(sectors, "unknown sector")),
            "close_date": v.text(v.DATE_ISO),
            "successor_code": v.text(v.CODE),
            "successor_status": v.text(STATUS_OR_EMPTY),
        },
        "organisation reference",
    )


@cache.of_file("inputs")
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
    col = {role: _pick_column(path, df, role.replace("_", " "), (name,),
                              key=f"[edition.{'reference_columns' if role in columns else 'columns'}] {role}")
           for role, name in {**columns, **area_columns}.items()
           if role in (*columns, "area_code", "area_name", "region_code", "region_name")}
    out = pd.DataFrame({role: df[c] for role, c in col.items()})
    out["line"] = df["line"]
    if out.empty:
        raise InputError(path, "the reference file has a header but no organisations")
    repairs = _normalise_codes(path, out, "code", col["code"])
    out["successor_code"] = out["successor_code"].str.upper()
    v.validate(out, reference_schema(sectors), path, col)
    out["role"] = out["sector"].map(sectors)
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


CSU_SCHEMA = v.schema({"code": v.code_column(unique=True), "name": v.text(v.NOT_EMPTY)}, "CSU list")


def read_csu_list(path: Path) -> pd.DataFrame:
    """Read the curated CSU list (``20_21/csus_curated_2021.xlsx``): columns code, name, line."""
    path = Path(path)
    if not path.read_bytes().startswith(b"PK\x03\x04"):
        raise InputError(path, "not an Excel workbook (the file is not an .xlsx zip archive)",
                         expected="the .xlsx workbook itself (not a CSV or .xls renamed)")
    try:
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    except Exception as exc:  # a bad workbook raises many kinds
        raise InputError(path, f"cannot read the workbook: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    df["line"] = range(2, len(df) + 2)
    code = _pick_column(path, df, "CSU code", ("ODS Code", "Code"))
    name = _pick_column(path, df, "CSU name", ("Organisation Name", "Name"))
    out = pd.DataFrame({"code": df[code].str.strip(), "name": df[name].str.strip(), "line": df["line"]})
    out = out[out["code"] != ""].reset_index(drop=True)
    if out.empty:
        raise InputError(path, "the CSU list has no codes", column=code, expected="a row per CSU")
    repairs = _normalise_codes(path, out, "code", code)
    v.validate(out, CSU_SCHEMA, path, {"code": code, "name": name})
    out.attrs["repairs"] = dict(repairs)
    return out


# ---------------------------------------------------------------------------------------------
# GeoJSON


GEOMETRY_TYPES = {"area": ("Polygon", "MultiPolygon"), "point": ("Point",)}


def geojson_schema(kind: str):
    allowed = GEOMETRY_TYPES[kind]
    return v.schema(
        {
            "code": v.code_column(unique=kind == "area"),
            "geometry_problem": v.text(v.rule("the geometry cannot be read", "GeoJSON coordinates: pairs of numbers",
                                              lambda s: s.eq(""))),
            "geometry_type": v.text(v.rule("wrong geometry type", " or ".join(allowed), lambda s: s.isin(allowed))),
            "in_degrees": v.text(v.rule(
                "coordinates are not longitude/latitude degrees (a projected CRS such as British National Grid?)",
                "WGS84 longitude -180..180 and latitude -90..90 (EPSG:4326)", lambda s: s.eq("yes"))),
            "validity": v.text(v.rule("invalid geometry", "a valid geometry (rings closed, no self-intersection)",
                                      lambda s: s.eq("Valid Geometry"))),
        },
        "GeoJSON features",
    )


def read_geojson(path: Path, code_property: str, kind: str = "area"):
    """Read a GeoJSON FeatureCollection (EPSG:4326) as a GeoDataFrame with a ``code`` column.

    ``kind`` is ``"area"`` (polygons, one per code) or ``"point"``. Every feature is checked: a code,
    readable numeric coordinates, the geometry type, degrees (not a projected CRS), validity.
    The build's cache keeps the checked features as plain data (properties and WKB), never the
    GeoDataFrame itself: WKB round-trips every coordinate exactly.
    """
    import geopandas as gpd
    import shapely

    properties, wkb = _geojson_features(path, code_property, kind)
    return gpd.GeoDataFrame(properties, geometry=shapely.from_wkb(wkb), crs="EPSG:4326")


@cache.of_file("inputs")
def _geojson_features(path: Path, code_property: str, kind: str) -> tuple[pd.DataFrame, list[bytes]]:
    """The checked features of a GeoJSON file: their properties (and ``code``) and geometries as WKB."""
    import shapely
    from shapely.geometry import shape

    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid GeoJSON: {exc}", expected="a GeoJSON FeatureCollection") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise InputError(path, "not a GeoJSON FeatureCollection", expected='"type": "FeatureCollection"')
    crs = (raw.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not re.search(r"(EPSG::?4326|CRS84)$", crs):
        raise InputError(path, "coordinates are not WGS84 longitude/latitude", value=crs, expected="EPSG:4326")
    features = raw.get("features") or []
    if not features:
        raise InputError(path, "the FeatureCollection has no features", expected="a feature per area")
    rows, geoms = [], []
    for n, feat in enumerate(features, start=1):
        props = (feat or {}).get("properties") or {}
        row = {"code": str(props.get(code_property) or "").strip().upper(), "line": n, "geometry_problem": "",
               "geometry_type": "", "in_degrees": "yes", "validity": "Valid Geometry"}
        geom = None
        try:
            geom = shape((feat or {}).get("geometry"))
            xmin, ymin, xmax, ymax = geom.bounds
        except Exception as exc:  # shapely raises several kinds for unreadable coordinates
            row["geometry_problem"] = f"{type(exc).__name__}: {exc}"[:120]
        else:
            row["geometry_type"] = geom.geom_type
            if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
                row["in_degrees"] = f"bounds {xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}"
            row["validity"] = shapely.is_valid_reason(geom)
        rows.append(row)
        geoms.append(geom)
    table = pd.DataFrame(rows)
    labels = {"code": code_property, **dict.fromkeys(("geometry_problem", "geometry_type", "in_degrees", "validity"), "geometry")}
    v.validate(table, geojson_schema(kind), path, labels, features=True)
    properties = pd.DataFrame([{**((f or {}).get("properties") or {})} for f in features])
    properties["code"] = table["code"].values
    return properties, list(shapely.to_wkb(geoms))
