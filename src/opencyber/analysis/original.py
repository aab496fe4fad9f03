"""Where this report's figures differ from the original publication (``nhsx/open-cyber``).

Each edition's registry entry lists its differences (``[[edition.differences]]``): the figure, what
the original published, and either a *measure* of this report's outputs or words, with the reason.
:func:`differences` computes the measures from the editions' outputs and returns one table, which
the methodology page shows and ``differences.csv`` (across editions) holds. Rules only: the table;
the page's words are in :mod:`opencyber.report.pages`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.inputs.registry import Difference, Edition

COLUMNS = ["edition", "figure", "original", "this_report", "reason"]


def measure(difference: Difference, out_dir: Path) -> str:
    """This report's value of a difference: its ``measure`` computed from the edition's outputs
    (``count:<sector>[:<status>]`` in-scope organisations, ``composite:<area>`` to 2 decimals as the
    pages show it, ``status:<code>`` the counted status), or its words."""
    if difference.measure is None:
        return str(difference.this_report)
    kind, _, arg = difference.measure.partition(":")
    out_dir = Path(out_dir)
    if kind == "count":
        sector, _, status = arg.partition(":")
        ct = pd.read_csv(out_dir / "crosstab.csv", keep_default_na=False)
        sub = ct[(ct["sector"] == sector) & ((ct["status"] == status) if status else True)]
        return f"{int(sub['n'].sum()):,}"
    if kind == "composite":
        scores = pd.read_csv(out_dir / "area_scores.csv", keep_default_na=False, dtype={"area_code": str})
        value = float(scores.set_index("area_code").at[arg, "composite"])
        return f"{value:.2f}".replace("-", "−")
    if kind == "status":
        orgs = pd.read_csv(out_dir / "organisations.csv", keep_default_na=False, dtype=str)
        return str(orgs.set_index("code").at[arg, "status"])
    raise ValueError(f"unknown measure {difference.measure!r}")


def differences(editions: list[Edition], build_dir: Path) -> pd.DataFrame:
    """Every edition's differences from the original publication (newest edition first)."""
    rows = [
        {
            "edition": ed.label,
            "figure": d.figure,
            "original": d.original,
            "this_report": measure(d, Path(build_dir) / ed.id),
            "reason": d.reason,
        }
        for ed in editions
        for d in ed.differences
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def write_outputs(editions: list[Edition], build_dir: Path, out_dir: Path) -> pd.DataFrame:
    table = differences(editions, build_dir)
    table.to_csv(Path(out_dir) / "differences.csv", index=False, lineterminator="\n")
    return table
