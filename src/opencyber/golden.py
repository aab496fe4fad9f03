"""The regression suite's golden notebooks: executed copies of the source notebooks, committed under
``tests/regression/<edition>/``, that nbval re-executes and compares output by output.

They are executed with empty ``data_dir``/``build_dir`` parameters, so that the committed files hold
no machine path: the notebooks then read ``$OPEN_CYBER_DATA`` and write to ``$OPEN_CYBER_BUILD``,
which the test session sets. The bundled sample edition (``tests/regression/sample/``) is the
exception: its ``data_dir`` is ``data/sample`` relative to the golden folder, so that it runs on any
machine, without the data pack. Run ``opencyber golden`` after a deliberate change to a notebook or to
a figure, review the diff, and commit it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat

from .build import KERNEL_ARGUMENTS, NOTEBOOKS, STAGES
from .registry import BUILD_ENV, DATA_ENV, PROJECT_ROOT, SAMPLE_DATA, default_data_dir, resolve_data_dir
from .render import log

GOLDEN_DIR = PROJECT_ROOT / "tests" / "regression"
#: Editions whose notebooks the regression suite re-executes.
GOLDEN_EDITIONS = ("2020-21", "2021-22", "2022-23")  # oldest first, as the build and nbval (alphabetical) run them
SAMPLE_EDITION = "sample"


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes on every run and what nbval does not compare: timings, widget state, ids."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
    # widget model ids are random on every run; nbval does not compare them and the widget state is
    # dropped above, so number them instead
    views = [
        out["data"]["application/vnd.jupyter.widget-view+json"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    for k, view in enumerate(views, start=1):
        view["model_id"] = f"widget-{k}"
    return nb


def make_golden(data_dir: str | Path | None = None, editions: tuple[str, ...] = (*GOLDEN_EDITIONS, SAMPLE_EDITION)) -> list[Path]:
    import papermill as pm

    if data_dir is None and default_data_dir() is None:
        log("No real data pack found: only the sample edition's golden notebooks are made.")
        editions = tuple(e for e in editions if e == SAMPLE_EDITION)
        data = SAMPLE_DATA
    else:
        data = resolve_data_dir(data_dir).resolve()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        saved = {k: os.environ.get(k) for k in (DATA_ENV, BUILD_ENV)}
        os.environ[DATA_ENV], os.environ[BUILD_ENV] = str(data), tmp
        try:
            for ed in editions:
                out_dir = GOLDEN_DIR / ed
                out_dir.mkdir(parents=True, exist_ok=True)
                for source, _ in STAGES:
                    out = out_dir / source
                    pm.execute_notebook(
                        str(NOTEBOOKS / source),
                        str(out),
                        parameters={
                            "edition": ed,
                            "data_dir": os.path.relpath(SAMPLE_DATA, out_dir) if ed == SAMPLE_EDITION else "",
                            "build_dir": "",
                        },
                        cwd=str(out_dir),
                        progress_bar=False,
                        kernel_name="python3",
                        extra_arguments=KERNEL_ARGUMENTS,
                    )
                    nbformat.write(strip_volatile(nbformat.read(out, as_version=4)), out)
                    written.append(out)
                    log(f"golden notebook written: {out.relative_to(PROJECT_ROOT)}")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return written
