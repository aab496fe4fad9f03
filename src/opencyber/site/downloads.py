"""The site's CSV downloads, made safe to open in a spreadsheet.

A spreadsheet program runs a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP, "CSV Injection"): a name in a DSPT export such as
``=HYPERLINK("http://…")`` would run on the reader's machine. Every CSV the site offers is copied
from the build's outputs with such text cells prefixed by a single quote (``'=HYPERLINK(…)``), which
spreadsheets show as text. Numbers stay numbers: ``-3`` and ``-0.5`` are not changed. The build's own
outputs in ``build/`` (read by the notebooks and by analysts with pandas) keep the text as it is;
the data dictionary says so.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

#: what a spreadsheet takes as the start of a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(cell: str) -> str:
    """``cell`` with a leading single quote if a spreadsheet would run it as a formula."""
    if cell.startswith(FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def copy_csv(source: Path, target: Path) -> int:
    """Copy a CSV of the build into the site, text cells that start like a formula neutralised;
    returns how many cells were changed (a file without any is copied byte for byte)."""
    text = source.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    safe = [[neutralise(c) for c in row] for row in rows]
    changed = sum(a != b for row, new in zip(rows, safe) for a, b in zip(row, new))
    if not changed:
        shutil.copyfile(source, target)
        return 0
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(safe)
    target.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return changed


def unsafe_cells(path: Path) -> list[tuple[int, int, str]]:
    """The cells of a CSV that a spreadsheet would run as a formula: (line, column, text)."""
    rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    return [(n, i + 1, c) for n, row in enumerate(rows, start=1) for i, c in enumerate(row) if neutralise(c) != c]
