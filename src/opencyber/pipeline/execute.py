"""Running the notebooks: each with papermill in a kernel started ahead (jupyter_client), jobs at a time, each edition's in the order of the stages, the outputs across editions as soon as every scoring notebook is done; a failed cell said in one line, its traceback in the build's log."""

from __future__ import annotations

import contextlib
import graphlib
import hashlib
import json
import logging
import os
import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import nbformat

from opencyber import stages
from opencyber.errors import InputError, NoDataError, NotebookDataError, RegistryError
from opencyber.inputs.registry import Edition
from opencyber.pipeline.plan import DIGEST_FILE, file_digest, page_path, read_stamp
from opencyber.site.pages import edition_pages
from opencyber.stages import ACROSS_READS, KERNEL_ARGUMENTS

log = logging.getLogger(__name__)

#: errors raised in a notebook that are the analyst's to fix (their message says what and where)
DATA_ERRORS = tuple(e.__name__ for e in (InputError, RegistryError, NoDataError))


def start_kernel(output=None):
    """A new kernel for one notebook, as nbclient would start it (jupyter_client's KernelManager and
    its provisioner, the notebooks' folder, an asynchronous client for nbclient): the build starts
    it while the notebook before it runs, and stops it when its notebook is done. ``output``: an
    open file for the kernel process's own messages (its stdout and stderr; the notebook's outputs
    go to the notebook), e.g. ipykernel's "KeyboardInterrupt caught in kernel" when
    jupyter_client interrupts a kernel to stop it."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3", client_class="jupyter_client.asynchronous.AsyncKernelClient")
    streams = {"stdout": output, "stderr": output} if output is not None else {}
    km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(stages.NOTEBOOKS), **streams)
    return km


def execute_notebook(
    edition: Edition, source: str, data_dir: Path, build_dir: Path, log_file: Path | None = None, km=None
) -> Path:
    """Run one notebook of an edition with papermill; the executed copy goes to build/pages/.

    ``km``: the kernel started for it (:func:`start_kernel`), which the caller stops; without one,
    papermill starts the notebook's kernel and stops it when done. A data or registry error raised
    inside a notebook comes out as the same message, with the edition and notebook it stopped in; any
    other failure as one line naming the edition, the notebook, the cell and the error, its traceback
    in the build's log file."""
    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    out = page_path(build_dir, edition, source)
    title = next(p.title for p in edition_pages(edition, pages_dir) if p.source == out)
    parameters = {"edition": edition.id, "data_dir": str(data_dir.resolve()), "build_dir": str(build_dir.resolve())}
    nb = run_notebook(stages.NOTEBOOKS / source, parameters, f"edition {edition.id}, notebooks/{source}", log_file, km)
    write_executed(nb, out, title)
    return out


def run_notebook(source: Path, parameters: dict, where: str, log_file: Path | None = None, km=None):
    """Execute the notebook ``source`` with papermill and return it executed, in its folder, with
    ``parameters``; ``where`` names it in an error (``edition 2022-23, notebooks/03_report.ipynb``)."""
    import papermill as pm

    try:
        return pm.execute_notebook(
            str(source),
            None,  # the executed notebook is returned, and written by the caller without papermill's timings
            parameters=parameters,
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            # nbclient's options: the kernel's folder (papermill's cwd= would change the folder of the
            # whole process, which the other notebooks' threads share), no timings, an immediate stop
            resources={"metadata": {"path": str(source.parent)}},
            record_timing=False,
            shutdown_kernel="immediate",
            **({"km": km} if km is not None else {}),
        )
    except pm.PapermillExecutionError as exc:
        if exc.ename in DATA_ERRORS:
            raise NotebookDataError(f"{exc.evalue} ({where})") from None
        plain = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(exc.traceback))  # IPython colours its tracebacks
        log.debug("%s failed:\n%s", where, plain)
        raise NotebookDataError(
            f"{where}, {_failed_cell(source, exc.source)}: {exc.ename}: {exc.evalue}"
            + (f" (the traceback is in {log_file})" if log_file else "")
        ) from None


def _failed_cell(source: Path, code: str) -> str:
    """``cell N (first line)``: the failed cell, N counting the cells of the source notebook from 1,
    as an editor shows them (papermill adds cells of its own)."""
    cells = nbformat.read(source, as_version=4).cells
    where = next((f"cell {i}" for i, c in enumerate(cells, start=1) if c.source == code), "a cell")
    return f"{where} ({(code.splitlines() or [''])[0][:60]})"


def write_executed(nb, out: Path, title: str) -> None:
    """The executed notebook as the site reads it: its title, without papermill's metadata and
    machine paths, and with a fixed id for the cell papermill injected (it gets a random one)."""
    nb.metadata["title"] = title
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    nbformat.write(nb, out)


class OrderedLog:
    """Logs one line per planned step in the planned order, as soon as it and every step before it
    are done, with a progress count: the log reads the same however the workers interleave."""

    def __init__(self, plan: list[str]) -> None:
        self.plan, self.next, self.lock = plan, 0, threading.Lock()
        self.lines: dict[str, str] = {}

    def done(self, step: str, text: str) -> None:
        with self.lock:
            self.lines[step] = text
            while self.next < len(self.plan) and self.plan[self.next] in self.lines:
                log.info("  [%d/%d] %s", self.next + 1, len(self.plan), self.lines[self.plan[self.next]])
                self.next += 1


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def write_across(site: list[Edition], build_dir: Path, data: Path, digests_: dict[str, dict[str, str]]) -> None:
    """The outputs across editions, for the editions of the site: made from each edition's outputs up
    to its scoring notebook (whose digest chains its inputs and the notebooks before it) and from
    the code that writes them (pipeline/across.py and every module it imports) with the packages."""
    from opencyber.pipeline import digests
    from opencyber.pipeline.across import write_outputs

    made_from = [(ed.id, digests_[ed.id][ACROSS_READS]) for ed in site]
    code = digests.files_digest(digests.modules_used("opencyber.pipeline.across"))
    made_from += [("code", code), ("packages", digests.packages_digest())]
    write_outputs(site, build_dir, data, hashlib.sha256(json.dumps(made_from).encode()).hexdigest())


def run_notebooks(
    todo: dict[str, list[str]],
    by_id: dict[str, Edition],
    site: list[Edition],
    digests_: dict[str, dict[str, str]],
    data: Path,
    build_dir: Path,
    jobs: int,
) -> tuple[list[str], dict[str, float]]:
    """Execute the notebooks of ``todo`` (edition id -> its stale notebooks, in order), ``jobs`` at a
    time, each edition's in order; write the outputs across editions as soon as every edition's
    scoring notebook is done. Returns the notebooks executed, in the order they finished, and the
    seconds each edition took."""
    graph: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
    for ed_id, stale in todo.items():
        for before, after in zip([None, *stale], stale):
            graph.add(f"{ed_id}/{after}", *([f"{ed_id}/{before}"] if before else []))
    if any(ACROSS_READS in stale for stale in todo.values()):
        graph.add("across", *(f"{e}/{ACROSS_READS}" for e, stale in todo.items() if ACROSS_READS in stale))
    graph.prepare()
    plan = [f"{e}/{s}" for e, stale in todo.items() for s in stale]
    ordered = OrderedLog(plan)
    left = {e: len(stale) for e, stale in todo.items()}
    order = list(todo)
    stamps = {
        e: {k: v for k, v in read_stamp(build_dir, by_id[e]).items() if k.removeprefix("page:") not in todo[e]}
        for e in todo
    }
    executed: list[str] = []
    seconds = dict.fromkeys(by_id, 0.0)
    log_file = build_dir / "opencyber.log"

    stack = contextlib.ExitStack()
    # Each notebook's kernel is started ahead, while the notebook before it runs (a kernel takes a
    # second to start, much of it waiting for its process and its handshake): the next notebook of
    # each edition being run, and the notebooks waiting for a worker, up to ``jobs`` kernels ahead.
    kernels = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="kernel")
    ahead: dict[str, Future] = {}
    kernel_output = stack.enter_context(
        (build_dir / "kernels.log").open("wb")
    )  # the kernels' own messages, this build's

    def start_ahead(steps: list[str]) -> None:
        for step in steps:
            if len(ahead) >= jobs:
                return
            if step != "across" and step not in ahead:
                ahead[step] = kernels.submit(start_kernel, kernel_output)

    def run(step: str, kernel: Future | None) -> None:
        if kernel is None:  # the outputs across editions
            write_across(site, build_dir, data, digests_)
            return
        ed_id, source = step.split("/", 1)
        ed = by_id[ed_id]
        stamp_path = build_dir / ed_id / DIGEST_FILE
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        stamp_path.write_text(
            json.dumps(stamps[ed_id], indent=1, sort_keys=True) + "\n"
        )  # its digest dropped while it runs
        t = time.perf_counter()
        km = kernel.result()
        try:
            page = execute_notebook(ed, source, data, build_dir, log_file, km=km)
        finally:
            km.shutdown_kernel(now=True)
        stamps[ed_id][source] = digests_[ed_id][source]
        stamps[ed_id][f"page:{source}"] = file_digest(page) or ""  # a page damaged later is found and made again
        stamps[ed_id].update({k: v for k, v in digests_[ed_id].items() if k.startswith("part:")})
        stamp_path.write_text(json.dumps(stamps[ed_id], indent=1, sort_keys=True) + "\n")
        seconds[ed_id] += time.perf_counter() - t
        ordered.done(step, f"{ed_id} {source}: {time.perf_counter() - t:.1f} s")

    def next_of(step: str) -> list[str]:
        ed_id, source = step.split("/", 1)
        stale = todo[ed_id]
        return [f"{ed_id}/{stale[stale.index(source) + 1]}"] if source != stale[-1] else []

    running: dict[Future, str] = {}
    ready: list[str] = []
    failed: dict[str, NotebookDataError] = {}  # edition id -> why its notebook failed (the others go on)
    with (
        stack,
        ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook") as notebooks,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="across") as across,
    ):
        try:
            while graph.is_active():
                ready += graph.get_ready()
                for step in [s for s in ready if s.split("/")[0] in failed or (s == "across" and failed)]:
                    ready.remove(step)  # after a failed notebook: not run, nor anything that reads it
                    if step != "across":
                        ordered.done(step, f"{step.replace('/', ' ')}: not run (a notebook before it failed)")
                    graph.done(step)
                if not ready and not running:
                    continue
                # the edition with the most notebooks left first (the oldest of those); across at once
                ready.sort(
                    key=lambda s: (
                        s != "across",
                        -left.get(s.split("/")[0], 0),
                        order.index(s.split("/")[0]) if s != "across" else 0,
                    )
                )
                while ready and (ready[0] == "across" or sum(s != "across" for s in running.values()) < jobs):
                    step = ready.pop(0)
                    if step == "across":
                        running[across.submit(run, step, None)] = step
                        continue
                    kernel = ahead.pop(step, None) or kernels.submit(start_kernel, kernel_output)
                    running[notebooks.submit(run, step, kernel)] = step
                start_ahead([n for s in running.values() if s != "across" for n in next_of(s)] + ready)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    try:
                        future.result()
                    except NotebookDataError as exc:  # that edition stops; the others are built, then it is said
                        failed[step.split("/")[0]] = exc
                        ordered.done(step, f"{step.replace('/', ' ')}: FAILED (below)")
                    else:
                        if step != "across":
                            executed.append(step)
                            left[step.split("/")[0]] -= 1
                    graph.done(step)
        except BaseException:
            for future in running:
                future.cancel()
            raise
        finally:
            kernels.shutdown(wait=True)
            for future in ahead.values():  # started for notebooks that did not run (a failure)
                if future.exception() is None:
                    future.result().shutdown_kernel(now=True)
    if len(failed) == 1:
        raise next(iter(failed.values()))
    if failed:
        raise NotebookDataError(
            "; ".join(f"{exc}" for exc in failed.values()), lines=[str(exc) for exc in failed.values()]
        )
    return executed, seconds
