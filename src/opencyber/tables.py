"""Tables for the pages: accessible HTML (caption, header cells, text escaped) plus plain text."""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import display


def table_html(
    df: pd.DataFrame, caption: str, *, index: bool = False, digits: int = 2, css: str = "oc-table", collapsed: bool = False
) -> str:
    """An HTML table with a caption; every value is escaped (names are data, never markup).

    The site's script makes its columns sortable. ``collapsed`` puts it in a <details> element whose
    summary is the caption (for long tables that are the alternative to a map).
    """
    if index:
        df = df.reset_index()
    body = df.to_html(
        index=False,
        border=0,
        classes=css,
        escape=True,
        na_rep="",
        float_format=lambda v: f"{v:.{digits}f}",
    )
    body = body.replace(">\n  <thead>", f">\n  <caption>{html.escape(caption)}</caption>\n  <thead>", 1)
    if collapsed:
        body = f'<details class="oc-details"><summary>{html.escape(caption)} ({len(df)} rows)</summary>{body}</details>'
    return body


def show_table(df: pd.DataFrame, caption: str, **kwargs) -> None:
    """Display a table in a notebook: HTML for the site, text for nbval and the terminal.

    An empty table is shown as one sentence ("... : none.") rather than a header without rows.
    """
    if df.empty:
        display(
            {"text/html": f'<p class="oc-empty"><strong>{html.escape(caption)}</strong>: none.</p>', "text/plain": f"{caption}: none."},
            raw=True,
        )
        return
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        text = f"{caption}\n{df.to_string(index=kwargs.get('index', False))}"
    display({"text/html": table_html(df, caption, **kwargs), "text/plain": text}, raw=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~])")  # inline Markdown; names never start a line


def md_text(value: object) -> str:
    """Data (a name from an input) made safe inside Markdown: HTML is escaped and Markdown
    punctuation is backslash-escaped, so it reads as the text it is."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def show_markdown(text: str) -> None:
    """Display computed prose (Markdown) with a plain-text twin."""
    display({"text/markdown": text, "text/plain": text}, raw=True)
