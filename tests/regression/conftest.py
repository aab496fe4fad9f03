"""Any subset of the regression notebooks runs on its own: before nbval runs a golden notebook,
the notebooks of the same edition that it reads from (``01_curation`` before ``02_scoring``...) are
executed into the session's build folder if their outputs are not there yet. In a whole run nbval
runs them in order itself (alphabetical), so nothing is executed twice."""

from __future__ import annotations

import os
from pathlib import Path

from opencyber.build import STAGES
from opencyber.kernels import KERNEL_ARGUMENTS, NOTEBOOKS
from opencyber.golden import SAMPLE_EDITION
from opencyber.registry import SAMPLE_DATA, STAGE_OUTPUTS

HERE = Path(__file__).resolve().parent
_prepared: set[tuple[str, str]] = set()


def _outputs_present(edition: str, stage: str) -> bool:
    out = Path(os.environ["OPEN_CYBER_BUILD"]) / edition
    return all((out / name).is_file() for name in STAGE_OUTPUTS[stage])


def pytest_runtest_setup(item):
    path = Path(str(item.fspath)).resolve()
    if path.suffix != ".ipynb" or path.parent.parent != HERE:
        return
    edition, notebook = path.parent.name, path.name
    import papermill as pm

    for source, _ in STAGES:
        if source == notebook:
            break
        stage = source.removesuffix(".ipynb")
        if (edition, stage) in _prepared or _outputs_present(edition, stage):
            continue
        pm.execute_notebook(
            str(NOTEBOOKS / source),
            str(Path(os.environ["OPEN_CYBER_BUILD"]) / f"prerequisite-{edition}-{source}"),
            parameters={"edition": edition, "data_dir": str(SAMPLE_DATA) if edition == SAMPLE_EDITION else "", "build_dir": ""},
            cwd=str(path.parent),
            progress_bar=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
        )
        _prepared.add((edition, stage))
