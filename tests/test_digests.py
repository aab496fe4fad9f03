"""What a notebook's digest covers (opencyber.pipeline.digests): every library module the notebook imports,
directly or not, and no module it does not, so that an edit of a module re-executes exactly the
notebooks that use it."""

from __future__ import annotations

import json

import nbformat
import papermill as pm
import pytest

from opencyber.pipeline.digests import LIBRARY, notebook_modules
from opencyber.settings import SAMPLE_DATA
from opencyber.stages import KERNEL_ARGUMENTS, NOTEBOOKS, STAGES

REPORT_MODULES = "import json, sys\nprint(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items()) if n.split('.')[0] == 'opencyber' and getattr(m, '__file__', None))))"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The library modules loaded in each notebook's kernel after it ran (the sample edition)."""
    tmp = tmp_path_factory.mktemp("digests")
    out = {}
    for s in STAGES:
        nb = nbformat.read(NOTEBOOKS / s.notebook, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(REPORT_MODULES))
        src = tmp / s.notebook
        nbformat.write(nb, src)
        done = pm.execute_notebook(
            str(src),
            None,
            parameters={"edition": "sample", "data_dir": str(SAMPLE_DATA), "build_dir": str(tmp / "build")},
            progress_bar=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        out[s.notebook] = {LIBRARY.joinpath(p).resolve() for p in json.loads(done.cells[-1].outputs[0]["text"])}
    return out


@pytest.mark.parametrize("notebook", [s.notebook for s in STAGES])
def test_every_module_a_notebook_loads_is_in_its_digest(loaded, notebook):
    static = notebook_modules(NOTEBOOKS / notebook)
    assert loaded[notebook], "the notebook loaded no module of the library?"
    assert sorted(p.name for p in loaded[notebook] - static) == []


def test_the_sites_and_the_commands_modules_are_in_no_notebooks_digest():
    used = set().union(*(notebook_modules(NOTEBOOKS / s.notebook) for s in STAGES))
    for name in ("build.py", "cli.py", "render.py", "render_nbconvert.py", "publish.py", "golden.py", "serve.py"):
        assert LIBRARY / name not in used, name


def test_an_import_inside_a_function_counts(tmp_path, monkeypatch):
    import opencyber.pipeline.digests as d

    lib = tmp_path / "opencyber"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    (lib / "a.py").write_text("def f():\n    from . import b\n    return b\n")
    (lib / "b.py").write_text("from .c import x\n")
    (lib / "c.py").write_text("x = 1\n")
    (lib / "unused.py").write_text("")
    monkeypatch.setattr(d, "LIBRARY", lib)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%matplotlib inline\nfrom opencyber import a")])
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert sorted(p.name for p in d.notebook_modules(tmp_path / "n.ipynb")) == ["__init__.py", "a.py", "b.py", "c.py"]
