"""Schemas of the input tables, checked with pandera; a failure becomes an :class:`InputError`.

Each reader turns its file into a tidy table (one row per record, a ``line`` column with the line of
the file the row came from) and validates it against a schema here before anything uses it. A check
carries its own words: the *problem* ("not an ODS code") and what was *expected* ("3 to 30 letters,
digits, ..."), so that the error names the file, line, column (as the file calls it), the offending
value and the rule. All failures are collected (pandera's lazy mode) and the first one in file order
is reported, with how many other rows fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from opencyber.errors import InputError

#: ODS codes; the DSPT also has sub-codes like ``8D594-MASH`` and test accounts with inner spaces
CODE_PATTERN = r"[A-Z0-9][A-Z0-9 -]{1,28}[A-Z0-9]"
CODE_EXPECTED = "3 to 30 letters, digits, hyphens or inner spaces"
_SEP = " | "


def rule(problem: str, expected: str, fn) -> pa.Check:
    """A vectorised check (``fn(series) -> bool series``) that reports ``problem`` and ``expected``."""
    return pa.Check(fn, error=problem + _SEP + expected)


def matches(pattern: str, problem: str, expected: str, *, allow_empty: bool = False) -> pa.Check:
    rx = re.compile(pattern)
    return rule(problem, expected, lambda s: s.str.fullmatch(rx) | (s.eq("") if allow_empty else False))


NOT_EMPTY = rule("empty value", "a value", lambda s: s.ne(""))
CODE = matches(CODE_PATTERN, "not an ODS code", CODE_EXPECTED, allow_empty=True)
CODE_NOT_EMPTY = rule("the code is empty", "an ODS code", lambda s: s.ne(""))
DATE_ISO = matches(r"\d{4}-\d{2}-\d{2}", "not a date", "YYYY-MM-DD or empty", allow_empty=True)
DATE_ODS = matches(
    r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", "not an ODS date", "YYYYMMDD or empty", allow_empty=True
)


def one_of(values, problem: str) -> pa.Check:
    allowed = list(values)
    return rule(problem, "one of " + ", ".join(repr(v) for v in allowed), lambda s: s.isin(allowed))


def code_column(*, unique: bool = False, required: bool = True) -> pa.Column:
    return pa.Column(str, [CODE_NOT_EMPTY, CODE], unique=unique, required=required, report_duplicates="exclude_first")


def text(*checks: pa.Check, required: bool = True) -> pa.Column:
    return pa.Column(str, list(checks), required=required)


def schema(columns: dict[str, pa.Column], name: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({**columns, "line": pa.Column(int)}, name=name, strict=False, coerce=False)


def validate(
    df: pd.DataFrame,
    table_schema: pa.DataFrameSchema,
    path: str | Path,
    labels: dict[str, str] | None = None,
    *,
    features: bool = False,
) -> None:
    """Validate ``df``; raise one InputError for its problems (:func:`problems`), if any."""
    found = problems(df, table_schema, path, labels, features=features)
    if found:
        raise InputError.of(found)


def problems(
    df: pd.DataFrame,
    table_schema: pa.DataFrameSchema,
    path: str | Path,
    labels: dict[str, str] | None = None,
    *,
    features: bool = False,
) -> list[InputError]:
    """Every failing cell of ``df`` as an InputError (file, line, column as the file calls it, value,
    the rule), in file order; a missing column is one problem.

    ``labels`` maps the table's column names to the file's (for the message). With ``features``
    the ``line`` column holds GeoJSON feature numbers, and the message names the feature.
    """
    labels = labels or {}
    try:
        table_schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases.copy()
    else:
        return []
    fc["index"] = pd.to_numeric(fc["index"], errors="coerce")
    structural = fc[fc["index"].isna()]
    if not structural.empty:
        first = structural.iloc[0]
        if first["check"] == "column_in_dataframe":
            column = str(first["failure_case"])
            return [
                InputError(
                    path,
                    f"no {labels.get(column, column)} column",
                    line=1,
                    value=[c for c in df.columns if c != "line"],
                )
            ]
        return [InputError(path, f"the table fails check {first['check']!r} on column {first['column']!r}")]
    df = df.reset_index(drop=True)
    fc["line"] = [int(df.at[int(i), "line"]) for i in fc["index"]]
    order = {c: n for n, c in enumerate(table_schema.columns)}
    fc["order"] = fc["column"].map(order).fillna(len(order))
    fc["label"] = fc["column"].map(lambda c: labels.get(str(c), str(c)))
    # one problem per cell of the file (several checks of one GeoJSON geometry are one cell)
    fc = fc.sort_values(["line", "order"], kind="stable").drop_duplicates(["index", "label"])
    found = []
    for case in fc.itertuples(index=False):
        column = str(case.column)
        value = df.at[int(case.index), column]
        check = str(case.check)
        if check == "field_uniqueness":
            earlier = int(df.loc[df[column] == value, "line"].iloc[0])
            problem, expected = (
                f"{value} appears twice (first on {'feature' if features else 'line'} {earlier})",
                "one row per code",
            )
        elif _SEP in check:
            problem, expected = check.split(_SEP, 1)
        else:
            problem, expected = f"fails check {check}", None
        found.append(
            InputError(
                path,
                problem,
                line=None if features else int(case.line),
                feature=int(case.line) if features else None,
                column=labels.get(column, column),
                value=value,
                expected=expected,
            )
        )
    return found
