"""Any subset of the regression notebooks runs on its own: before nbval runs a golden notebook,
the notebooks of the same edition that it reads from (``01_curation`` before ``02_scoring``...) are
executed into the session's build folder if their outputs are not there yet. In a whole run nbval
runs them in order itself (alphabetical), so nothing is executed twice. The site's own pages
(``site/``, a site of the sample edition alone) read the sample's three notebooks' outputs and the
outputs across editions, which are written for it once a session."""

from __future__ import annotations

import os
from pathlib import Path

from opencyber.pipeline.golden import SAMPLE_EDITION, SITE_GOLDEN
from opencyber.settings import SAMPLE_DATA
from opencyber.stages import KERNEL_ARGUMENTS, NOTEBOOKS, STAGES, stage

HERE = Path(__file__).resolve().parent
_prepared: set[tuple[str, str]] = set()


def _outputs_present(edition: str, name_of_stage: str) -> bool:
    out = Path(os.environ["OPEN_CYBER_BUILD"]) / edition
    return all((out / name).is_file() for name in stage(name_of_stage).writes)


def pytest_runtest_setup(item):
    path = Path(str(item.fspath)).resolve()
    if path.suffix != ".ipynb" or path.parent.parent != HERE:
        return
    edition, notebook = path.parent.name, path.name
    if edition == SITE_GOLDEN:
        _prepare_site(path.parent)
        return
    _prepare(edition, notebook, path.parent)


def _prepare_site(folder: Path) -> None:
    """The sample's notebooks (the report's too: the data page lists the tables it writes), then
    the outputs across editions of a site of the sample alone."""
    if (SITE_GOLDEN, "across") in _prepared:
        return
    _prepare(SAMPLE_EDITION, STAGES[-1].notebook, folder)
    if not list((Path(os.environ["OPEN_CYBER_BUILD"]) / SAMPLE_EDITION).glob("table-*.csv")):
        _run(SAMPLE_EDITION, STAGES[-1].notebook, folder)  # writes no output the stage table names
    from opencyber.inputs.registry import load_registry
    from opencyber.pipeline.across import write_outputs

    write_outputs(
        [load_registry(data_dir=SAMPLE_DATA)[SAMPLE_EDITION]], Path(os.environ["OPEN_CYBER_BUILD"]), SAMPLE_DATA
    )
    _prepared.add((SITE_GOLDEN, "across"))


def _prepare(edition: str, notebook: str, folder: Path) -> None:
    """Execute the notebooks of ``edition`` before ``notebook`` whose outputs are not in the
    session's build folder yet."""
    for source in (s.notebook for s in STAGES):
        if source == notebook:
            break
        name = source.removesuffix(".ipynb")
        if (edition, name) in _prepared or _outputs_present(edition, name):
            continue
        _run(edition, source, folder)


def _run(edition: str, source: str, folder: Path) -> None:
    import papermill as pm

    pm.execute_notebook(
        str(NOTEBOOKS / source),
        str(Path(os.environ["OPEN_CYBER_BUILD"]) / f"prerequisite-{edition}-{source}"),
        parameters={
            "edition": edition,
            "data_dir": str(SAMPLE_DATA) if edition == SAMPLE_EDITION else "",
            "build_dir": "",
        },
        cwd=str(folder),
        progress_bar=False,
        kernel_name="python3",
        extra_arguments=KERNEL_ARGUMENTS,
    )
    _prepared.add((edition, source.removesuffix(".ipynb")))


def pytest_configure(config):
    """nbval's reports in plain text where they are not read in a terminal (CI logs, files): its
    colours are ANSI codes there."""
    import sys

    if not sys.stdout.isatty():
        config.option.color = "no"


def pytest_assertrepr_compare(config, op, left, right):
    """An output of a golden notebook against this run's, as nbval asks pytest to compare them
    (``reference == test``): the lines that changed, the golden notebook's (old, ``-``) then this
    run's (new, ``+``), in plain text."""
    import difflib

    if op != "==" or not isinstance(left, str) or not isinstance(right, str):
        return None
    diff = difflib.unified_diff(
        left.splitlines(), right.splitlines(), "golden notebook (old)", "this run (new)", lineterm="", n=1
    )
    return ["the output differs from the golden notebook's (old -> new):", *diff]
