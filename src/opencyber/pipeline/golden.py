"""The regression suite's golden notebooks: executed copies of the source notebooks, committed under
``tests/regression/<edition>/``, that nbval re-executes and compares output by output.

They are executed with empty ``data_dir``/``build_dir`` parameters, so that the committed files hold
no machine path: the notebooks then read ``$OPEN_CYBER_DATA`` and write to ``$OPEN_CYBER_BUILD``,
which the test session sets. The bundled sample edition (``tests/regression/sample/``) is the
exception: its ``data_dir`` is ``data/sample`` relative to the golden folder, so that it runs on any
machine, without the data pack.

Which editions have golden notebooks follows from the registry: every edition of ``editions.toml``
whose inputs are in the data directory, and the sample. Run ``opencyber golden [--edition ID]`` after
a deliberate change to a notebook or to a figure: it prints which cells' outputs changed; review the
diff and commit it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

import nbformat

from opencyber import stages
from opencyber.errors import NoDataError, NotebookDataError
from opencyber.inputs.locations import resolve_data_dir
from opencyber.inputs.registry import load_registry
from opencyber.report.outputs import MAP_CHECK_MIME
from opencyber.settings import BUILD_ENV, DATA_ENV, PROJECT_ROOT, SAMPLE_DATA
from opencyber.stages import KERNEL_ARGUMENTS, STAGES

GOLDEN_DIR = PROJECT_ROOT / "tests" / "regression"
SAMPLE_EDITION = "sample"
#: the golden copies of the site's own pages (pages/), executed for the sample edition alone
SITE_GOLDEN = "site"

log = logging.getLogger(__name__)


def golden_editions() -> list[str]:
    """The editions whose golden notebooks are committed (each folder of tests/regression), oldest
    first as nbval (alphabetical) runs them."""
    return sorted(p.name for p in GOLDEN_DIR.iterdir() if p.is_dir() and (p / STAGES[0].notebook).is_file())


def registry_editions(data_dir: Path) -> list[str]:
    """The editions of the project's registry whose inputs are all in ``data_dir``, oldest first."""
    return [
        e.id for e in reversed(load_registry(PROJECT_ROOT / "editions.toml").values()) if not e.missing_inputs(data_dir)
    ]


def strip_volatile(nb: nbformat.NotebookNode, source: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """Drop what changes on every run and what nbval does not compare: timings, widget state, ids,
    and the kernel's own metadata (the Python version of the machine that ran it): a golden
    notebook carries the metadata of its ``source`` notebook."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    if source is not None:
        nb.metadata = nbformat.from_dict(dict(source.metadata))
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
    # the widget state is dropped above and nbval does not compare model ids: number them
    views = [
        out["data"]["application/vnd.jupyter.widget-view+json"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    for k, view in enumerate(views, start=1):
        view["model_id"] = f"widget-{k}"
    return nb


def _compared(cell) -> list:
    """A cell's outputs as nbval compares them (no metadata, counts or widget view ids)."""
    out = []
    for o in cell.get("outputs", []):
        data = {k: v for k, v in o.get("data", {}).items() if k != "application/vnd.jupyter.widget-view+json"}
        out.append((o.get("output_type"), o.get("name"), o.get("text"), data))
    return out


def changed_cells(old: nbformat.NotebookNode | None, new: nbformat.NotebookNode) -> list[str]:
    """The code cells whose outputs differ between two executed copies of a notebook, as
    ``Cell N (first line of its source)``: N counts cells from 0, as nbval's test names do."""
    return [head for head, _ in changes(old, new)]


def _texts(cell) -> list[str]:
    """A cell's outputs as text a reviewer reads: each output's plain text (or, for a map check,
    its lines), in order."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        text = o.get("text") or data.get(MAP_CHECK_MIME) or data.get("text/plain") or data.get("text/markdown") or ""
        out += (text if isinstance(text, str) else "".join(text)).splitlines()
    return out


def changes(
    old: nbformat.NotebookNode | None, new: nbformat.NotebookNode, context: int = 0, limit: int = 12
) -> list[tuple[str, list[str]]]:
    """For each code cell whose outputs differ: ``Cell N (first line)`` (N counts cells from 0, as
    nbval's test names do) and the lines that changed, old (``-``) then new (``+``), at most ``limit``."""
    import difflib

    if old is None:
        return [("(new notebook)", [])]
    found = []
    old_cells = {c.get("id"): c for c in old.cells}
    for i, cell in enumerate(new.cells):
        if cell.cell_type != "code":
            continue
        before = old_cells.get(cell.get("id"))
        if before is None or _compared(before) != _compared(cell):
            first = (cell.source.splitlines() or [""])[0][:60]
            diff = [
                ln
                for ln in difflib.unified_diff(_texts(before or {}), _texts(cell), lineterm="", n=context)
                if not ln.startswith(("---", "+++", "@@"))
            ]
            if not diff:
                diff = ["(outputs differ in their HTML only; nbdiff shows them)"]
            shown = [ln[:160] for ln in diff[:limit]] + (
                [f"... {len(diff) - limit} more changed lines"] if len(diff) > limit else []
            )
            found.append((f"Cell {i} ({first})", shown))
    return found


def make_golden(
    data_dir: str | Path | None = None, editions: list[str] | tuple[str, ...] | None = None
) -> dict[str, list[str]]:
    """Re-make the golden notebooks of ``editions`` (default: every edition of the registry whose
    inputs are in the data directory, and the sample). Returns, per notebook written, the cells
    whose outputs changed, and prints them. An edition whose notebooks fail writes nothing."""

    try:
        data = resolve_data_dir(data_dir).resolve()
    except NoDataError:
        if data_dir is not None:
            raise
        data = None  # a fresh clone without the data pack: the sample's golden notebooks only
    real = registry_editions(data) if data is not None else []
    available = [*real, SAMPLE_EDITION]
    if editions:
        unknown = [e for e in editions if e not in available]
        if unknown:
            raise NoDataError(
                f"cannot re-baseline {', '.join(unknown)}: "
                + (f"its inputs are not in {data}" if data else "no real data pack found (--data or $OPEN_CYBER_DATA)")
                + f"; available: {', '.join(available)}"
            )
        chosen = [e for e in available if e in editions]
    else:
        if data is None:
            log.info("No real data pack found: only the sample edition's golden notebooks are made.")
        chosen = available
    report: dict[str, list[str]] = {}
    for ed in chosen:  # each edition in a build folder of its own: one edition's notebooks never read another's
        with tempfile.TemporaryDirectory() as tmp:
            saved = {k: os.environ.get(k) for k in (DATA_ENV, BUILD_ENV)}
            os.environ[DATA_ENV] = str(SAMPLE_DATA if ed == SAMPLE_EDITION else data)
            os.environ[BUILD_ENV] = tmp
            try:
                report.update(_golden_edition(ed, Path(tmp)))
                if ed == SAMPLE_EDITION:  # the site's own pages, of a site of the sample alone
                    report.update(_golden_site(Path(tmp)))
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
    return report


def error_cells(nb: nbformat.NotebookNode, source: nbformat.NotebookNode) -> list[str]:
    """The code cells of an executed notebook with an error output, as ``cell N (first line): Error:
    message``, N counting the cells of the ``source`` notebook from 1, as an editor shows them."""
    position = {c.get("id"): i for i, c in enumerate(source.cells, start=1)}
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = (cell.source.splitlines() or [""])[0][:60]
                where = f"cell {position[cell.get('id')]}" if cell.get("id") in position else "a cell"
                found.append(f"{where} ({first}): {out.get('ename')}: {out.get('evalue')}")
    return found


def _golden_edition(ed: str, tmp: Path) -> dict[str, list[str]]:
    """Execute the three notebooks of ``ed`` into ``tmp`` (the golden folder's relative paths kept),
    and only if none has an error output, put them in ``tests/regression/<ed>/``; else a
    NotebookDataError that names the notebook and the cell, and the golden notebooks stay as they are."""
    out_dir = GOLDEN_DIR / ed
    staged = tmp / "golden" / ed  # at the same depth as out_dir, for the sample's relative data_dir
    staged.mkdir(parents=True)
    made = {}
    for source in (s.notebook for s in STAGES):
        parameters = {
            "edition": ed,
            "data_dir": os.path.relpath(SAMPLE_DATA, out_dir) if ed == SAMPLE_EDITION else "",
            "build_dir": "",
        }
        made[source] = _execute_golden(
            stages.NOTEBOOKS / source,
            staged / source,
            parameters,
            out_dir,
            f"golden {ed}/{source}",
            f"no golden notebook of edition {ed} was written "
            "(fix the notebook, run it for that edition, then `opencyber golden` again)",
        )
    return _write_goldens(out_dir, ed, made)


def _execute_golden(source: Path, target: Path, parameters: dict, cwd: Path, name: str, unwritten: str):
    """Execute ``source`` into ``target`` with papermill, in the golden folder ``cwd``, and return it
    without what changes on every run; a cell with an error output raises a NotebookDataError
    (``name``: the cell and error; ``unwritten``: what was not written and what to do)."""
    import papermill as pm

    # a failing cell: the notebook is written with its error output, found below
    with contextlib.suppress(pm.PapermillExecutionError):
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            cwd=str(cwd),
            progress_bar=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            shutdown_kernel="immediate",  # as the build: no "KeyboardInterrupt caught in kernel" on the terminal
        )
    original = nbformat.read(source, as_version=4)
    new = strip_volatile(nbformat.read(target, as_version=4), original)
    failed = error_cells(new, original)
    if failed:
        raise NotebookDataError(f"{name}: {failed[0]}; {unwritten}")
    return new


def _write_goldens(out_dir: Path, folder: str, made: dict) -> dict[str, list[str]]:
    """Write the executed notebooks ``made`` (file name -> notebook) into ``out_dir`` where their
    outputs or sources changed, and report the cells whose outputs changed."""
    report = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    for source, new in made.items():
        out = out_dir / source
        old = nbformat.read(out, as_version=4) if out.is_file() else None
        found = changes(old, new)
        sources_changed = old is None or [(c.cell_type, c.source) for c in old.cells] != [
            (c.cell_type, c.source) for c in new.cells
        ]
        name = f"{folder}/{source}"
        report[name] = [head for head, _ in found]
        if found or sources_changed:  # an unchanged notebook is left as it is, byte for byte
            nbformat.write(new, out)
        if not found:
            log.info(
                f"golden {name}: outputs unchanged" + (" (its source changed: rewritten)" if sources_changed else "")
            )
            continue
        log.info(f"golden {name}: outputs changed in {len(found)} cell(s):")
        for head, lines in found:
            log.info(f"  {head}")
            for line in lines:
                log.info(f"    {line}")
    if any(report.values()):
        log.info(
            "Review the whole change with nbdime (requirements-authoring.txt): `.venv/bin/nbdiff -s -o HEAD tests/regression` "
            "in the terminal, or `.venv/bin/nbdiff-web HEAD tests/regression` in the browser; then commit it."
        )
    return report


def _golden_site(tmp: Path) -> dict[str, list[str]]:
    """Execute the site's own pages (``pages/``) for a site of the sample edition alone, from its
    outputs in ``tmp`` (where :func:`_golden_edition` ran its notebooks) and the outputs across
    editions written there, and put them in ``tests/regression/site/`` unless a cell failed."""
    from opencyber.pipeline.across import write_outputs

    registry = load_registry(data_dir=SAMPLE_DATA)
    write_outputs([registry[SAMPLE_EDITION]], tmp, SAMPLE_DATA)
    out_dir = GOLDEN_DIR / SITE_GOLDEN
    staged = tmp / "golden" / SITE_GOLDEN
    staged.mkdir(parents=True)
    out_dir.mkdir(parents=True, exist_ok=True)  # the kernels' folder (the sample's data named relative to it)
    made = {}
    for name in stages.SITE_PAGES:
        source = stages.SITE_PAGES_DIR / f"{name}.ipynb"
        made[source.name] = _execute_golden(
            source,
            staged / source.name,
            site_golden_parameters(out_dir),
            out_dir,
            f"golden {SITE_GOLDEN}/{source.name}",
            f"no golden notebook of the site's pages was written (fix pages/{source.name}, then `opencyber golden` again)",
        )
    return _write_goldens(out_dir, SITE_GOLDEN, made)


def site_golden_parameters(golden_dir: Path) -> dict[str, str]:
    """The parameters of the site pages' golden notebooks: the sample edition alone, its data named
    relative to the golden folder (no machine path in the committed files), the session's build folder."""
    return {"editions": SAMPLE_EDITION, "data_dir": os.path.relpath(SAMPLE_DATA, golden_dir), "build_dir": ""}
