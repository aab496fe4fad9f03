"""What the site's own pages share: the site they describe (:func:`open_site`, the parameters of
their notebooks in ``pages/``), an edition's counts, the comparison with the previous edition, the
documents they include and the outputs across editions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opencyber import settings
from opencyber.analysis import trends
from opencyber.errors import NoDataError
from opencyber.inputs.registry import Edition
from opencyber.stages import ACROSS_DIR
from opencyber.status import MEETS

ACROSS = ACROSS_DIR  # build/all-editions: the outputs across editions


@dataclass(frozen=True)
class Site:
    """The editions a page of the site describes (newest first) and the build folder that holds
    their outputs and the outputs across editions."""

    editions: list[Edition]
    build_dir: Path


def open_site(editions: str = "", data_dir: str | Path = "", build_dir: str | Path = "") -> Site:
    """What a page notebook of ``pages/`` needs, from its parameters: ``editions``, the ids of the
    editions on the site, comma-separated, newest first (empty: every edition of the registry built
    in the build folder); ``data_dir`` and ``build_dir`` as the edition notebooks' (empty:
    ``$OPEN_CYBER_DATA`` or data/, and ``$OPEN_CYBER_BUILD`` or build/)."""
    from opencyber.inputs.locations import resolve_data_dir
    from opencyber.inputs.registry import load_registry

    data = resolve_data_dir(data_dir or None, sample_fallback=True)
    registry = load_registry(data_dir=data)
    build = Path(build_dir) if build_dir else settings.build_dir()
    if editions:
        ids = [e.strip() for e in editions.split(",") if e.strip()]
        unknown = [e for e in ids if e not in registry]
        if unknown:
            raise NoDataError(
                f"Edition(s) {', '.join(unknown)} are not in the registry of {data} (known: {', '.join(registry)})."
            )
    else:
        ids = [e.id for e in registry.values() if (build / e.id / "crosstab.csv").is_file()]
    missing = [e for e in ids if not (build / e / "crosstab.csv").is_file()]
    if missing or not ids:
        raise NoDataError(
            f"{build / (missing[0] if missing else '<edition>') / 'crosstab.csv'} is missing: build the editions first "
            "(`python -m opencyber build --no-render`), then run this page's notebook."
        )
    return Site([registry[i] for i in ids], build)


def _crosstab(build_dir: Path, ed: Edition) -> pd.DataFrame:
    return pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)


def _good_share(ct: pd.DataFrame) -> tuple[int, int]:
    return int(ct[ct["status"].isin(MEETS)]["n"].sum()), int(ct["n"].sum())


def document_body(path: str | Path) -> str:
    """A Markdown document of the checkout (``docs/data-dictionary.md``) without its first-level
    title (the page has its own), its sections one level down (under the page's own section)."""
    lines = (settings.PROJECT_ROOT / path).read_text(encoding="utf-8").splitlines()
    body = "\n".join(line for line in lines if not line.startswith("# ")).strip()
    return ("\n" + body).replace("\n## ", "\n### ").strip()


def _comparison(editions: list[Edition], build_dir: Path, ed: Edition):
    """(previous edition's label, the :class:`opencyber.analysis.trends.Comparison` with it) from the edition's
    trusts_followed.csv (the one definition), or None."""
    c = trends.edition_comparison(Path(build_dir) / ed.id)
    if c is None:
        return None
    label = next((e.label for e in editions if e.id == c.previous), c.previous)
    return label, c


def _across(build_dir: Path, name: str) -> pd.DataFrame:
    path = Path(build_dir) / ACROSS / name
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"area_code": str, "code": str}, keep_default_na=False)
