"""The outputs across editions (``build/all-editions/``): the finder's data, the trends and the
sectors of the full exports, computed from the editions' outputs and the registry's inputs once the
editions are built. The site copies the JSON files to ``assets/data/`` and the CSVs to
``downloads/all-editions/``."""

from __future__ import annotations

from pathlib import Path

from . import finder, sectors, trends
from .registry import Edition

DIR = "all-editions"


def write_outputs(editions: list[Edition], build_dir: Path, data_dir: Path | None) -> Path:
    """Write every output across ``editions`` (newest first) into ``build_dir/all-editions``."""
    out = Path(build_dir) / DIR
    out.mkdir(parents=True, exist_ok=True)
    exports = finder.full_exports(editions, data_dir)
    links = finder.successor_links(editions, data_dir)
    finder.write_outputs(editions, build_dir, data_dir, out, exports=exports)
    trends.write_outputs(editions, build_dir, links["successors"], out)
    sectors.write_outputs(exports, editions, data_dir, out)
    return out
