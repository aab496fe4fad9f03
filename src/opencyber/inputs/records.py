"""The text and CSV basics of every reader: a file read as UTF-8 (BOM, CRLF) or Windows-1252, every record checked against the header (a short or long row, a cut file, a quote in a field, a control character are errors naming file and line), columns found by name, codes upper-cased, and codes a spreadsheet damaged restored or refused."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from opencyber.errors import InputError

#: the first bytes of an .xlsx workbook (a zip archive)
XLSX_MAGIC = b"PK\x03\x04"


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
            raise InputError(
                path,
                f"the file is neither UTF-8 nor Windows-1252 text ({exc.reason} at byte {exc.start})",
                expected="a CSV text file saved as UTF-8",
            ) from None
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


def control_problems(path: Path, header: list[str], row: list[str], line: int) -> list[InputError]:
    """The fields of a row of ``path`` that hold a control character, as problems."""
    found = []
    for i, field in enumerate(row):
        m = CONTROL_CHARACTERS.search(field)
        if m:
            found.append(
                InputError(
                    path,
                    f"the field holds a control character (U+{ord(m.group()):04X})",
                    line=line,
                    column=header[i] if i < len(header) else str(i + 1),
                    value=field,
                    expected="text without control characters (a tab, a line break or a NUL byte inside a field "
                    "means the file was damaged or saved by a program that added them)",
                )
            )
    return found


def read_records(
    path: Path, *, header: bool = True, columns: int | None = None
) -> tuple[list[str], list[tuple[int, list[str]]], Counter]:
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
                problems += control_problems(path, names or [], row, line)
            if names is None and header:
                names = [c.strip() for c in row]
                repeated = sorted({n for n in names if names.count(n) > 1}, key=names.index)
                if repeated:
                    raise InputError(
                        path,
                        f"the header names column {repeated[0]!r} twice",
                        line=line,
                        value=names,
                        expected="each column once",
                    )
                continue
            records.append((line, row))
    except csv.Error as exc:
        start = previous + 1
        if str(exc) == "unexpected end of data":
            problems.append(
                InputError(
                    path,
                    "the file ends inside a quoted field that opens on this line",
                    line=start,
                    expected="a closing quote: the file looks cut short (a download that stopped early?) or a quote "
                    "is not closed",
                )
            )
        else:
            problems.append(
                InputError(
                    path,
                    f"the CSV cannot be read: {exc}",
                    line=start,
                    expected="fields separated by commas, quotes only around whole fields",
                )
            )
    if header and names is None and not problems:
        raise InputError(path, "the file has no header row", expected="a header row and data rows")
    width = len(names) if names is not None else columns
    for n, (line, row) in enumerate(records):
        if width is not None and len(row) != width:
            last = n == len(records) - 1
            problems.append(
                InputError(
                    path,
                    f"the row has {len(row)} field{'s' * (len(row) != 1)}"
                    + (f", the header {width}" if names is not None else f", not {width}")
                    + (
                        "; the file looks cut short (a download that stopped early?)"
                        if last and len(row) < width
                        else ""
                    ),
                    line=line,
                    value=row,
                    expected=f"{width} fields in every row"
                    + ("" if last else " (a field with a comma must be in quotes)"),
                )
            )
    if problems:
        raise InputError.of(problems)
    return names or [], records, notes


def read_table(path: Path, *, header: bool = True) -> tuple[pd.DataFrame, Counter]:
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


def pick_column(path: Path, df: pd.DataFrame, what: str, candidates: tuple[str, ...], key: str | None = None) -> str:
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
        expected=f"the column editions.toml names in {key}: {candidates[0]!r}"
        if key
        else "one of " + ", ".join(repr(c) for c in candidates),
    )


def normalise_codes(path: Path, df: pd.DataFrame, column: str, label: str | None = None) -> Counter:
    """Upper-case the codes of ``column`` in place and count the repairs (the schemas check them).

    A code that a spreadsheet turned into a number (``016`` saved as ``16``) or a date (``APR03`` as
    ``Apr-03``) is an error that says so, unless :func:`restore_spreadsheet_codes` repaired it first.
    """
    repairs: Counter = Counter()
    raw = df[column]
    upper = raw.str.upper()
    repairs["lower-case code upper-cased"] = int((raw != upper).sum())
    df.attrs["lower_case_codes"] = set(upper[raw != upper])
    damaged = looks_spreadsheet_damaged(upper)
    if damaged.any():
        raise InputError.of(
            [
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
            ]
        )
    df[column] = upper
    return repairs


_NUMBER_DAMAGE = re.compile(r"\d{1,2}|\d+(\.\d+)?E\+\d+")  # 16 (was 016), 1.02E+05


_DATE_DAMAGE = re.compile(r"([A-Z]{3})-(\d{2})|(\d{2})-([A-Z]{3})")  # APR03 shown as Apr-03 or 03-Apr


def looks_spreadsheet_damaged(codes: pd.Series) -> pd.Series:
    return codes.str.fullmatch(_NUMBER_DAMAGE.pattern) | codes.str.fullmatch(_DATE_DAMAGE.pattern)


def restore_spreadsheet_codes(df: pd.DataFrame, column: str) -> Counter:
    """Restore codes a spreadsheet damaged in a file sorted by code (as the DSPT export is).

    A number that lost its leading zeros gets the only padding of 0-2 zeros that fits between its
    neighbours in the sort order (the data README's rule); a date ``Apr-03`` becomes ``APR03``.
    Codes for which no single restoration fits stay as they are (and are reported as damaged).
    """
    repairs: Counter = Counter()
    upper = df[column].str.upper()
    codes = list(upper)
    damaged = looks_spreadsheet_damaged(upper)
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
