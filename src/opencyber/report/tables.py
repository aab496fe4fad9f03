"""Tables for the pages: accessible HTML (caption, header cells, text escaped) plus plain text.

What a reader sees is not what the code calls things: column names become the headings of the data
dictionary (``COLUMN_LABELS``), names written in ODS capitals are put in readable case (NHS
acronyms kept), numbers are right-aligned, a column with one value in every row is said once under
the caption instead of repeated, and a table can carry a CSV download of exactly what it shows. A
table sits in a labelled, focusable region that scrolls sideways on a small screen.
"""

from __future__ import annotations

import html
import numbers
import re
from pathlib import Path

import pandas as pd
from IPython.display import display

#: headings of the columns the pages show (docs/data-dictionary.md describes each)
COLUMN_LABELS = {
    "code": "ODS code",
    "name": "Name",
    "sector": "Sector",
    "status_raw": "Status in the export",
    "status": "DSPT status",
    "score": "Score",
    "area_code": "Area code",
    "area_name": "Area",
    "region_code": "Region code",
    "region_name": "Region",
    "region": "Region",
    "in_scope": "In scope",
    "reason": "Reason",
    "own_score": "Own score",
    "trust_mean": "Mean trust score",
    "n_trusts": "Trusts",
    "n_commissioners": "Commissioners",
    "composite": "Composite score",
    "weighting": "Commissioner weighting",
    "trust_weighting": "Trust weighting",
    "n": "Organisations",
    "share": "Share of the sector (%)",
    "action": "Override",
    "effect": "Effect",
    "file": "Input file",
    "trusts": "Trusts",
    "rows_in": "Organisations in",
    "out_of_scope": "Out of scope",
    "rules": "Rules applied",
    "repairs": "Repairs",
    "status_before": "Status before",
    "status_now": "Status now",
    "matched_code": "Followed to",
    "change": "Change",
}

#: columns that hold names (put in readable case when written in ODS capitals)
NAME_COLUMNS = frozenset(("name", "area_name", "region_name", "commissioner", "Name", "Area", "Region"))

#: words kept in capitals when an ODS upper-case name is made readable
ACRONYMS = frozenset(
    [
        "NHS",
        "ICB",
        "ICS",
        "CCG",
        "CSU",
        "STP",
        "GP",
        "FT",
        "UK",
        "BNSSG",
        "SWL",
        "NEL",
        "NWL",
        "NCL",
        "SEL",
        "CIC",
        "LLP",
        "PLC",
        "NHSE",
        "NHSX",
        "HQ",
        "II",
        "III",
        "IV",
        "AHSN",
        "CQC",
        "ENT",
        "IT",
    ]
)
#: words written in lower case inside a name
SMALL_WORDS = frozenset(["and", "of", "the", "for", "in", "on", "at", "to", "with", "upon", "by"])


def _word_case(word: str, first: bool) -> str:
    core = re.sub(r"[^A-Za-z0-9]", "", word)
    if not core:
        return word
    if core.upper() in ACRONYMS or any(ch.isdigit() for ch in core):
        return word.upper()
    if not first and core.lower() in SMALL_WORDS:
        return word.lower()
    # capitalise each part of a hyphenated word; the letter after an apostrophe stays lower case
    out = []
    for part in word.split("-"):
        lowered = part.lower()
        m = re.search(r"[a-z]", lowered)
        out.append(
            lowered if m is None else lowered[: m.start()] + lowered[m.start()].upper() + lowered[m.start() + 1 :]
        )
    return "-".join(out)


def readable_name(name: str) -> str:
    """An ODS upper-case name in readable case, NHS acronyms kept: ``YEOVIL DISTRICT HOSPITAL NHS
    FOUNDATION TRUST`` -> ``Yeovil District Hospital NHS Foundation Trust``. A name that already has
    lower-case letters is kept as it is (only its spaces are tidied)."""
    name = " ".join(str(name).split())
    if any(ch.islower() for ch in name):
        return name
    return " ".join(_word_case(w, i == 0) for i, w in enumerate(name.split(" ")))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def prepare(df: pd.DataFrame, *, index: bool = False, drop_constant: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The table as readers see it, and the sentences for the columns dropped as constant."""
    if index:
        df = df.reset_index()
    df = df.copy()
    for col in df.columns:
        if col in NAME_COLUMNS and not pd.api.types.is_numeric_dtype(df[col]):
            df[col] = df[col].map(
                lambda v: v if v is None or (isinstance(v, float) and pd.isna(v)) else readable_name(v)
            )
    notes = []
    if drop_constant and len(df) > 1:
        for col in list(df.columns):
            values = df[col].astype(str).unique()
            if len(values) == 1 and col not in ("code", "name"):
                label = COLUMN_LABELS.get(col, col)
                notes.append(f"{label}: {values[0] or '(empty)'} in every row")
                df = df.drop(columns=col)
    return df.rename(columns=lambda c: COLUMN_LABELS.get(c, c)), notes


def minus(text: str) -> str:
    """Numbers as the pages write them: with a true minus sign (−), not a hyphen."""
    return text.replace("-", "−")


def _cell(value: object, numeric: bool, digits: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if numeric and isinstance(value, float):
        return minus(f"{value:.{digits}f}")
    if numeric and isinstance(value, numbers.Integral):
        return minus(f"{int(value):,}")
    return str(value)


def table_html(
    df: pd.DataFrame,
    caption: str,
    *,
    digits: int = 2,
    css: str = "oc-table",
    collapsed: bool = False,
    notes: list[str] | None = None,
    download: str | None = None,
    bars: list[tuple[str, str, str]] | None = None,
    stack: bool = False,
) -> str:
    """An HTML table with a caption; every value is escaped (names are data, never markup).

    ``stack``: on a small screen each row reads as a block, each cell under its column's name (for a
    table of long texts that no phone could show side by side).

    ``bars``: ``(column, colour, css slug)`` of share columns (in %) drawn as one stacked bar per row,
    in a column after the second (a picture of the row's figures, hidden from screen readers, which
    read the figures themselves).

    The site's script makes its columns sortable, and adds a filter box to long tables.
    ``collapsed`` puts it in a <details> element whose summary is the caption (for long tables that
    are the alternative to a map)."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    num_class = ' class="oc-num"'
    heads = [
        f'<th scope="col"{num_class if num else ""}>{html.escape(str(c))}</th>' for c, num in zip(df.columns, numeric)
    ]
    at = min(2, len(heads))  # the bar goes after the name
    if bars:
        heads.insert(at, '<th scope="col" class="oc-bar-col">Shares</th>')
    head = "".join(heads)
    rows = []
    for values in df.itertuples(index=False, name=None):
        labels = [f' data-label="{html.escape(str(c))}"' if stack else "" for c in df.columns]
        cells = [
            f"<td{num_class if num else ''}{label}>{html.escape(_cell(v, num, digits))}</td>"
            for v, num, label in zip(values, numeric, labels)
        ]
        if bars:
            row = dict(zip(df.columns, values))
            cells.insert(at, f'<td class="oc-bar-col">{bar_html(row, bars)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    extra = ""
    if notes:
        extra += f'<p class="oc-table-note">{html.escape("; ".join(notes))}.</p>'
    if download:
        extra += f'<p class="oc-download"><a href="{html.escape(download)}" download>Download this table (CSV, {len(df)} rows)</a></p>'
    table = (
        f'<div class="oc-table-wrap" role="region" tabindex="0" aria-label="{html.escape(caption)} (table; scrolls sideways on a small screen)">'
        f'<table class="{css}{" oc-stack" if stack else ""}"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{extra}"
    )
    if collapsed:
        return (
            f'<details class="oc-details"><summary>{html.escape(caption)} ({len(df)} rows)</summary>{table}</details>'
        )
    return table


def bar_html(row: dict, bars: list[tuple[str, str, str]]) -> str:
    """One row's shares (%) as a stacked bar of status swatches (aria-hidden: the cells give the figures)."""
    parts = []
    for col, colour, slug in bars:
        value = row.get(col)
        if value is None or (isinstance(value, float) and pd.isna(value)) or float(value) <= 0:
            continue
        parts.append(
            f'<span class="oc-bar-part oc-swatch oc-st-{html.escape(slug)}" '
            f'style="width:{float(value):.2f}%;background-color:{html.escape(colour)}"></span>'
        )
    return f'<span class="oc-bar" aria-hidden="true">{"".join(parts)}</span>'


def show_table(
    df: pd.DataFrame,
    caption: str,
    *,
    index: bool = False,
    digits: int = 2,
    collapsed: bool = False,
    save: str | Path | None = None,
    drop_constant: bool = True,
    bars: list[tuple[str, str, str]] | None = None,
) -> None:
    """Display a table in a notebook: HTML for the site, text for nbval and the terminal.

    ``save``: the edition's output folder; the table as shown is written there as
    ``table-<caption>.csv`` (numbers rounded to the ``digits`` shown) and the page links to its copy
    under ``downloads/<edition>/``. ``bars``: see :func:`table_html` (the bar columns use the
    shown column names).
    An empty table is shown as one sentence ("... : none.") rather than a header without rows.
    """
    if df.empty:
        display(
            {
                "text/html": f'<p class="oc-empty"><strong>{html.escape(caption)}</strong>: none.</p>',
                "text/plain": f"{caption}: none.",
            },
            raw=True,
        )
        return
    shown, notes = prepare(df, index=index, drop_constant=drop_constant)
    download = None
    if save is not None:
        floats = [c for c in shown.columns if pd.api.types.is_float_dtype(shown[c])]
        shown.assign(**{c: shown[c].round(digits) for c in floats}).to_csv(
            Path(save) / f"table-{_slug(caption)}.csv", index=False, lineterminator="\n"
        )
        download = download_href(caption, save)
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        text = f"{caption}\n{shown.to_string(index=False)}" + (f"\n({'; '.join(notes)})" if notes else "")
    display(
        {
            "text/html": table_html(
                shown, caption, digits=digits, collapsed=collapsed, notes=notes, download=download, bars=bars
            ),
            "text/plain": text,
        },
        raw=True,
    )


def download_href(caption: str, save: str | Path) -> str:
    """The site's link to the CSV that :func:`show_table` writes for ``caption`` (for a chart of the
    same numbers to offer it too)."""
    return f"downloads/{Path(save).name}/table-{_slug(caption)}.csv"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~])")  # inline Markdown; names never start a line


def md_text(value: object) -> str:
    """Data (a name from an input) made safe inside Markdown: HTML is escaped and Markdown
    punctuation is backslash-escaped, so it reads as the text it is."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def show_markdown(text: str) -> None:
    """Display computed prose (Markdown) with a plain-text twin."""
    display({"text/markdown": text, "text/plain": text}, raw=True)


def show_html(text: str) -> None:
    """Display computed HTML (a headline, a note for print) with a plain-text twin of its words."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    display({"text/html": text, "text/plain": " ".join(plain.split())}, raw=True)
