"""The regression notebooks must be executed copies of the current source notebooks, for every
edition that has them (the sample included), and every edition of the registry must have them."""

from pathlib import Path

import nbformat
import pytest

from opencyber.stages import STAGES
from opencyber.golden import GOLDEN_DIR, SAMPLE_EDITION, golden_editions, registry_editions

ROOT = Path(__file__).resolve().parents[1]


def sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def test_the_sample_has_golden_notebooks():
    assert SAMPLE_EDITION in golden_editions()


def test_every_edition_with_data_has_golden_notebooks(data_dir):
    missing = sorted(set(registry_editions(data_dir)) - set(golden_editions()))
    assert not missing, f"editions without golden notebooks in tests/regression: {missing}: run `opencyber golden --edition ID`"


@pytest.mark.parametrize("edition", golden_editions())
@pytest.mark.parametrize("notebook", [s.notebook for s in STAGES])
def test_golden_notebook_matches_source(edition, notebook):
    src = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    gold = nbformat.read(GOLDEN_DIR / edition / notebook, as_version=4)
    assert sources(gold) == sources(src), (
        f"tests/regression/{edition}/{notebook} is out of date with notebooks/{notebook}: "
        f"run `opencyber golden --edition {edition}`, review the diff and commit it"
    )


def test_source_notebooks_carry_no_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path} has outputs"
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), f"{path} has no parameters cell"


def test_golden_refuses_a_notebook_whose_cell_failed(tmp_path, monkeypatch):
    """A cell that fails (here: on the sample edition) is named, and no golden notebook is written."""
    import json
    import shutil

    from opencyber import golden
    from opencyber.errors import NotebookDataError

    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    report = notebooks / "03_report.ipynb"
    nb = json.loads(report.read_text())
    cell = next(c for c in nb["cells"] if "".join(c["source"]).startswith("if ed.has_maps:"))
    cell["source"] = ["if ed.has_maps:\n", "    ed.inputs['no such input']\n"]
    report.write_text(json.dumps(nb))
    gold = tmp_path / "regression"
    shutil.copytree(GOLDEN_DIR / SAMPLE_EDITION, gold / SAMPLE_EDITION)
    before = {p.name: p.read_bytes() for p in (gold / SAMPLE_EDITION).iterdir()}
    monkeypatch.setattr(golden, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(golden, "GOLDEN_DIR", gold)
    monkeypatch.setattr(golden, "SAMPLE_DATA", ROOT / "data" / "sample")
    with pytest.raises(NotebookDataError) as e:
        golden.make_golden(editions=[SAMPLE_EDITION])
    index = next(i for i, c in enumerate(nb["cells"], start=1) if c is cell)
    assert str(e.value).startswith(f"golden sample/03_report.ipynb: cell {index} (if ed.has_maps:): KeyError: 'no such input'; "
                                   "no golden notebook of edition sample was written")
    assert {p.name: p.read_bytes() for p in (gold / SAMPLE_EDITION).iterdir()} == before
