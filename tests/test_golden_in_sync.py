"""The regression notebooks must be executed copies of the current source notebooks, for every
edition that has them (the sample included), and every edition of the registry must have them."""

from pathlib import Path

import nbformat
import pytest

from opencyber.pipeline.golden import (
    GOLDEN_DIR,
    SAMPLE_EDITION,
    SITE_GOLDEN,
    golden_editions,
    registry_editions,
)
from opencyber.stages import SITE_PAGES, SITE_PAGES_DIR, STAGES

ROOT = Path(__file__).resolve().parents[1]


def sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def test_the_sample_has_golden_notebooks():
    assert SAMPLE_EDITION in golden_editions()


def test_every_edition_with_data_has_golden_notebooks(data_dir):
    missing = sorted(set(registry_editions(data_dir)) - set(golden_editions()))
    assert not missing, (
        f"editions without golden notebooks in tests/regression: {missing}: run `opencyber golden --edition ID`"
    )


@pytest.mark.parametrize("edition", golden_editions())
@pytest.mark.parametrize("notebook", [s.notebook for s in STAGES])
def test_golden_notebook_matches_source(edition, notebook):
    src = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    gold = nbformat.read(GOLDEN_DIR / edition / notebook, as_version=4)
    assert sources(gold) == sources(src), (
        f"tests/regression/{edition}/{notebook} is out of date with notebooks/{notebook}: "
        f"run `opencyber golden --edition {edition}`, review the diff and commit it"
    )


@pytest.mark.parametrize("page", SITE_PAGES)
def test_golden_site_page_matches_source(page):
    """The site's own pages (pages/) have golden copies too, executed for a site of the sample alone."""
    src = nbformat.read(SITE_PAGES_DIR / f"{page}.ipynb", as_version=4)
    gold = nbformat.read(GOLDEN_DIR / SITE_GOLDEN / f"{page}.ipynb", as_version=4)
    assert sources(gold) == sources(src), (
        f"tests/regression/{SITE_GOLDEN}/{page}.ipynb is out of date with pages/{page}.ipynb: "
        f"run `opencyber golden --edition {SAMPLE_EDITION}`, review the diff and commit it"
    )


def test_the_site_pages_are_the_notebooks_of_pages():
    assert sorted(p.stem for p in SITE_PAGES_DIR.glob("*.ipynb")) == sorted(SITE_PAGES)
    assert sorted(p.stem for p in (GOLDEN_DIR / SITE_GOLDEN).glob("*.ipynb")) == sorted(SITE_PAGES)


def test_source_notebooks_carry_no_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(SITE_PAGES_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path} has outputs"
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), f"{path} has no parameters cell"


def test_golden_refuses_a_notebook_whose_cell_failed(tmp_path, monkeypatch):
    """A cell that fails (here: on the sample edition) is named, and no golden notebook is written."""
    import json
    import shutil

    from opencyber import stages
    from opencyber.errors import NotebookDataError
    from opencyber.pipeline import golden

    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    report = notebooks / "03_report.ipynb"
    nb = json.loads(report.read_text())
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "fails-on-maps",
        "metadata": {},
        "outputs": [],
        "source": ["if ed.has_maps:\n", "    ed.inputs['no such input']\n"],
    }
    nb["cells"].append(cell)
    report.write_text(json.dumps(nb))
    gold = tmp_path / "regression"
    shutil.copytree(GOLDEN_DIR / SAMPLE_EDITION, gold / SAMPLE_EDITION)
    before = {p.name: p.read_bytes() for p in (gold / SAMPLE_EDITION).iterdir()}
    monkeypatch.setattr(stages, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(golden, "GOLDEN_DIR", gold)
    monkeypatch.setattr(golden, "SAMPLE_DATA", ROOT / "data" / "sample")
    with pytest.raises(NotebookDataError) as e:
        golden.make_golden(editions=[SAMPLE_EDITION])
    index = next(i for i, c in enumerate(nb["cells"], start=1) if c is cell)
    assert str(e.value).startswith(
        f"golden sample/03_report.ipynb: cell {index} (if ed.has_maps:): KeyError: 'no such input'; "
        "no golden notebook of edition sample was written"
    )
    assert {p.name: p.read_bytes() for p in (gold / SAMPLE_EDITION).iterdir()} == before


def test_a_changed_output_is_reported_old_then_new_in_plain_text():
    """nbval's comparison of a golden output with this run's, through the regression suite's hook:
    the golden (old) line, then the new one, no ANSI colour codes."""
    from tests.regression.conftest import pytest_assertrepr_compare

    lines = pytest_assertrepr_compare(None, "==", "Trusts: 210\nICBs: 42", "Trusts: 211\nICBs: 42")
    assert lines[0] == "the output differs from the golden notebook's (old -> new):"
    assert [ln for ln in lines if ln[:1] in "-+" and not ln.startswith(("---", "+++"))] == [
        "-Trusts: 210",
        "+Trusts: 211",
    ]
    assert not any("\x1b[" in ln for ln in lines)
    assert pytest_assertrepr_compare(None, "<", "a", "b") is None


def test_golden_summarises_each_changed_cell_old_then_new():
    import copy

    import nbformat

    from opencyber.pipeline.golden import changes
    from opencyber.report.outputs import MAP_CHECK_MIME

    old = nbformat.read(GOLDEN_DIR / SAMPLE_EDITION / "02_scoring.ipynb", as_version=4)
    new = copy.deepcopy(old)
    cell = next(c for c in new.cells if c.cell_type == "code" and "Composite score of each area" in c.source)
    out = next(o for o in cell.outputs if "0.60" in o.get("data", {}).get("text/plain", ""))
    out["data"]["text/plain"] = out["data"]["text/plain"].replace("0.60", "0.75")
    found = changes(old, new)
    assert len(found) == 1 and found[0][0].startswith(f"Cell {new.cells.index(cell)} (")
    assert [ln[:17] for ln in found[0][1]] == ["-**Worked example", "+**Worked example"]  # old, then new
    assert changes(old, copy.deepcopy(old)) == []
    report = next(
        c
        for c in nbformat.read(GOLDEN_DIR / SAMPLE_EDITION / "03_report.ipynb", as_version=4).cells
        if any(MAP_CHECK_MIME in o.get("data", {}) for o in c.get("outputs", []))
    )
    assert report  # the map checks are read as lines too (golden._texts)


def test_golden_leaves_a_notebook_whose_outputs_did_not_change_as_it_is(tmp_path, monkeypatch, caplog):
    """Re-baselining writes only the notebooks whose outputs changed: the Python version of the
    machine, timings and widget ids are not the report."""
    import logging
    import shutil

    from opencyber.pipeline import golden

    gold = tmp_path / "regression"
    for folder in (SAMPLE_EDITION, SITE_GOLDEN):  # the sample's notebooks, and the site's own pages of it
        shutil.copytree(GOLDEN_DIR / folder, gold / folder)
    monkeypatch.setattr(golden, "GOLDEN_DIR", gold)
    caplog.set_level(logging.INFO, logger="opencyber")
    golden.make_golden(editions=[SAMPLE_EDITION])  # written once with the source's metadata

    def files():
        return {
            p.relative_to(gold): (p.read_bytes(), p.stat().st_mtime_ns)
            for folder in (SAMPLE_EDITION, SITE_GOLDEN)
            for p in (gold / folder).iterdir()
        }

    before = files()
    caplog.clear()
    report = golden.make_golden(editions=[SAMPLE_EDITION])
    names = [f"{SAMPLE_EDITION}/{s.notebook}" for s in STAGES] + [f"{SITE_GOLDEN}/{p}.ipynb" for p in SITE_PAGES]
    assert report == {name: [] for name in names}
    assert files() == before
    # golden's own lines (jupyter_client may add one of its own, e.g. "Could not destroy zmq context"
    # when a kernel's client is cleaned up: seen once in a newcomer's run)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("opencyber")] == [
        f"golden {name}: outputs unchanged" for name in names
    ]
