"""What several narrative pages share: an edition's counts, the comparison with the previous edition, the documents they include and the outputs across editions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.analysis import trends
from opencyber.inputs.registry import Edition
from opencyber.stages import ACROSS_DIR
from opencyber.status import MEETS


def _crosstab(build_dir: Path, ed: Edition) -> pd.DataFrame:
    return pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)


def _good_share(ct: pd.DataFrame) -> tuple[int, int]:
    return int(ct[ct["status"].isin(MEETS)]["n"].sum()), int(ct["n"].sum())


def _doc_body(path: Path) -> str:
    """A Markdown document without its first-level title (the page has its own)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("# ")).strip()


def _comparison(editions: list[Edition], build_dir: Path, ed: Edition):
    """(previous edition's label, the :class:`opencyber.analysis.trends.Comparison` with it) from the edition's
    trusts_followed.csv (the one definition), or None."""
    c = trends.edition_comparison(Path(build_dir) / ed.id)
    if c is None:
        return None
    label = next((e.label for e in editions if e.id == c.previous), c.previous)
    return label, c


#: plotly.js, loaded by assets/opencyber.js after the page's text (as the edition pages' charts)
LAZY_PLOTLY = '<script type="application/json" class="oc-lazy">{"charts": ["assets/plotly.min.js"]}</script>'


ACROSS = ACROSS_DIR  # build/all-editions: the outputs across editions


def _across(build_dir: Path, name: str) -> pd.DataFrame:
    path = Path(build_dir) / ACROSS / name
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"area_code": str, "code": str}, keep_default_na=False)
