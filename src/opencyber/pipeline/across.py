"""The outputs across editions (``build/all-editions/``): the finder's data, the trends and the
sectors of the full exports, computed from the editions' outputs and the registry's inputs once the
editions are built. The site copies the JSON files to ``assets/data/`` and the CSVs to
``downloads/all-editions/``.

They are written again only when what they are made from changed: the build passes a digest of the
editions on the site (each one's scoring-notebook digest, which covers its inputs and the notebooks
before it), of this module and every module it imports, and of the installed packages; an unchanged
digest leaves the folder as it is (reading the 64,201-row full export takes seconds).
"""

from __future__ import annotations

from pathlib import Path

from opencyber.inputs.registry import Edition
from opencyber.stages import ACROSS_DIR

DIR = ACROSS_DIR
DIGEST_FILE = ".across-digest"


def write_outputs(editions: list[Edition], build_dir: Path, data_dir: Path | None, digest: str | None = None) -> Path:
    """Write every output across ``editions`` (newest first) into ``build_dir/all-editions``, unless
    ``digest`` is the one they were last written from."""
    out = Path(build_dir) / DIR
    stamp = out / DIGEST_FILE
    if digest is not None and stamp.is_file() and stamp.read_text().strip() == digest:
        return out
    from opencyber.analysis import original, sectors, trends
    from opencyber.report import finder

    out.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    exports = sectors.full_exports(editions, data_dir)
    finder.write_outputs(editions, build_dir, data_dir, out, exports=exports)
    trends.write_outputs(editions, build_dir, out)  # each edition's trusts_followed.csv, gathered
    sectors.write_outputs(exports, editions, data_dir, out)
    original.write_outputs(editions, build_dir, out)  # the differences from the original publication
    if digest is not None:
        stamp.write_text(digest + "\n")
    return out
