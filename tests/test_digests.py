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
    """An edit of the site's code, the build's or the command line's executes no notebook again."""
    used = set().union(*(notebook_modules(NOTEBOOKS / s.notebook) for s in STAGES))
    outside = sorted((LIBRARY / "site").rglob("*.py")) + sorted((LIBRARY / "pipeline").glob("*.py"))
    outside += [LIBRARY / "cli.py", LIBRARY / "__main__.py"]
    assert len(outside) > 15, "the site's and the build's modules have moved: this test checks nothing"
    assert sorted(p.relative_to(LIBRARY).as_posix() for p in used & set(outside)) == []


def test_the_outputs_across_editions_depend_on_the_code_that_writes_them():
    """Their digest covers pipeline/across.py and what it imports, inside functions too (the finder,
    the sectors, the differences from the original), so that an edit of them writes them again."""
    from opencyber.pipeline.digests import modules_used

    used = {p.relative_to(LIBRARY).as_posix() for p in modules_used("opencyber.pipeline.across")}
    assert {"pipeline/across.py", "report/finder.py", "analysis/sectors.py", "analysis/original.py"} <= used
    assert "site/assemble.py" not in used and "cli.py" not in used


def test_write_across_passes_a_digest_that_changes_with_the_code(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from opencyber.pipeline import across, digests, execute

    seen = []
    monkeypatch.setattr(across, "write_outputs", lambda *a: seen.append(a[-1]))
    edition = SimpleNamespace(id="sample")  # write_across reads only the id
    made = {"sample": {execute.ACROSS_READS: "abc"}}
    for code in ("one", "two", "two"):
        monkeypatch.setattr(digests, "files_digest", lambda paths, code=code: code)
        execute.write_across([edition], tmp_path, tmp_path, made)
    assert seen[0] != seen[1] == seen[2]


def test_the_sites_digest_changes_with_any_module_of_the_library(tmp_path, monkeypatch):
    """The site's pages are written by modules of every floor (report/pages/, report/publication.py,
    report/finder.py...): an edit of any of them must make the site again, not leave it unchanged."""
    from opencyber import cache
    from opencyber.site import assemble

    digests_ = []
    for code in ("one", "two"):
        monkeypatch.setattr(cache, "environment_digest", lambda code=code: code)
        digests_.append(assemble.site_digest([], tmp_path, "", "nbconvert"))
    assert digests_[0] != digests_[1]


def test_an_edit_of_quarto_yml_makes_the_site_again(tmp_path, monkeypatch):
    """The site's name, tagline, theme and styles are in _quarto.yml at the root: an edit renders the
    site again, with either renderer (both show the name and tagline)."""
    from opencyber.site import assemble, identity

    config = tmp_path / "_quarto.yml"
    monkeypatch.setattr(identity, "ROOT_CONFIG", config)
    digests_ = []
    for title in ("Open Cyber", "Open Cyber (test)"):
        config.write_text(f"website:\n  title: {title}\n")
        digests_.append([assemble.site_digest([], tmp_path, "", r) for r in ("quarto 1.10", "nbconvert 7")])
    assert digests_[0][0] != digests_[1][0] and digests_[0][1] != digests_[1][1]


def test_the_site_pages_digest_covers_every_file_they_read():
    """Every project file that the site's own pages read, from their notebooks
    (``pages.document_body("docs/x.md")``) or from the modules of report/pages/
    (``PROJECT_ROOT / "docs" / "x.md"``), is in their digest, so that an edit of it makes them again."""
    import re

    from opencyber.pipeline.site_pages import PAGE_READS
    from opencyber.settings import PROJECT_ROOT
    from opencyber.stages import SITE_PAGES_DIR

    modules = sorted((LIBRARY / "report" / "pages").glob("*.py")) + [LIBRARY / "report" / "publication.py"]
    source = "\n".join(m.read_text(encoding="utf-8") for m in modules)
    read = {
        PROJECT_ROOT.joinpath(*re.findall(r'"([^"]+)"', m))
        for m in re.findall(r"PROJECT_ROOT((?:\s*/\s*\"[^\"]+\")+)", source)
    }
    notebooks = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SITE_PAGES_DIR.glob("*.ipynb")))
    read |= {PROJECT_ROOT / m for m in re.findall(r'document_body\(\\"([^"\\]+)\\"\)', notebooks)}
    assert len(read) >= 4, "the pages read their documents some other way now: this test checks nothing"
    assert sorted(map(str, read - set(PAGE_READS))) == []


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
