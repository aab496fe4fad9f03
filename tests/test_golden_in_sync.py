"""The regression notebooks must be executed copies of the current source notebooks."""

from pathlib import Path

import nbformat
import pytest

from opencyber.build import STAGES
from opencyber.golden import GOLDEN_DIR, GOLDEN_EDITIONS

ROOT = Path(__file__).resolve().parents[1]


def sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("edition", GOLDEN_EDITIONS)
@pytest.mark.parametrize("notebook", [s for s, _ in STAGES])
def test_golden_notebook_matches_source(edition, notebook):
    src = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    gold = nbformat.read(GOLDEN_DIR / edition / notebook, as_version=4)
    assert sources(gold) == sources(src), (
        f"tests/regression/{edition}/{notebook} is out of date with notebooks/{notebook}: "
        "run `opencyber golden`, review the diff and commit it"
    )


def test_source_notebooks_carry_no_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path} has outputs"
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), f"{path} has no parameters cell"
