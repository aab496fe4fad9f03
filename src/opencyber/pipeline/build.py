"""The build: for each edition whose inputs are found, execute its notebooks with papermill into
``build/``, then render the website into ``_site/``.

Incremental to the notebook: each executed notebook carries a digest of what it depends on
(:mod:`opencyber.pipeline.digests`). A notebook is executed again only when that digest changed, so editing
``03_report.ipynb`` re-executes 03 alone for each edition, and adding an edition never re-executes
the others: navigation between editions is added when the site is rendered, not in the notebooks.

Notebooks run ``jobs`` at a time (one per core by default), each with papermill, which starts its
kernel the standard way (jupyter_client) and stops it when the notebook is done; the notebooks of
one edition run in order, since each reads what the one before wrote (a :class:`graphlib.TopologicalSorter`
of the stages hands out the next notebooks that can run; of those, the edition with the most
notebooks left goes first). The outputs across editions are written as soon as every edition's
scoring notebook is done, while the reports run. The log has one line per notebook, in the
planned order whatever order they finish in.
"""

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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from opencyber import cache, logs
from opencyber.pipeline import digests
from opencyber.site import publish
from opencyber.errors import InputError, NoDataError, NotebookDataError, RegistryError
from opencyber.settings import PROJECT_ROOT, REGISTRY_ENV
from opencyber.inputs.registry import Edition, load_registry
from opencyber.inputs.locations import resolve_data_dir
from opencyber.site.assemble import render_site
from opencyber.site.pages import edition_pages
from opencyber.stages import ACROSS_DIR, ACROSS_READS, KERNEL_ARGUMENTS, NOTEBOOKS, STAGES, stage

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    editions: list[Edition]  # the editions on the site (newest first)
    skipped: dict[str, list[Path]]
    seconds: dict[str, float]  # per edition built (0.0: nothing executed), and "render" if rendered
    pages: list[Path]
    executed: list[str] = field(default_factory=list)  # "2022-23/03_report.ipynb", in the order run
    states: dict[str, str] = field(default_factory=dict)  # edition id -> its state on the site, in words


@dataclass
class Inputs:
    """What the data directory holds of each edition of the registry."""

    complete: list[Edition]  # every required input is a file (newest first)
    incomplete: dict[str, list[str]]  # edition id -> what is wrong: its export is there, other inputs are not
    absent: dict[str, list[Path]]  # edition id -> its missing inputs: not even its export is there

    def problems(self, on_site: set[str]) -> list[str]:
        """The editions that cannot be built although they are meant to be: an incomplete one, and an
        absent one that is on the site now (it would disappear from it)."""
        out = [f"edition {e}: {'; '.join(p)}" for e, p in self.incomplete.items()]
        out += [f"edition {e} is on the site, but none of its input files is in the data directory (e.g. {m[0]})"
                for e, m in self.absent.items() if e in on_site]
        return out


def find_inputs(data_dir: Path, wanted: list[str] | None = None) -> Inputs:
    """Sort the editions of the registry (or those ``wanted``) by what the data directory holds of
    their inputs. An input that is a folder or cannot be read is wrong, as a missing one is."""
    registry = load_registry(data_dir=data_dir)
    if wanted:
        unknown = [w for w in wanted if w not in registry]
        if unknown:
            raise NoDataError(f"Unknown edition(s) {', '.join(unknown)}; the registry has {', '.join(registry)}.")
    found = Inputs([], {}, {})
    for ed in registry.values():
        if wanted and ed.id not in wanted:
            continue
        missing = ed.missing_inputs(data_dir)
        problems = [f"input {p} is a folder, not a file"
                    for role in ed.inputs for p in ed.input_paths(role, data_dir) if p.is_dir()]
        problems += [f"input {p} cannot be read ({exc.strerror})" for p in ed.present_inputs(data_dir) for exc in _unreadable(p)]
        files = [p for p in missing if not p.is_dir()]
        if files:
            problems.append(f"{len(files)} input file(s) missing: " + ", ".join(str(p) for p in files[:5]))
        if files and len(problems) == 1 and all(p in files for p in ed.input_paths("export", data_dir)):
            found.absent[ed.id] = missing  # not even its export: the edition is not in this data directory
        elif problems:
            found.incomplete[ed.id] = problems
        else:
            found.complete.append(ed)
    return found


def _unreadable(path: Path) -> list[OSError]:
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError as exc:
        return [exc]
    return []


def select_editions(data_dir: Path, wanted: list[str] | None = None) -> tuple[list[Edition], dict[str, list[Path]]]:
    """Editions of the registry whose required inputs are all in ``data_dir`` (newest first), and
    those that are not, with their missing inputs (``check``'s view: every edition it can read)."""
    found = find_inputs(data_dir, wanted)
    skipped = dict(found.absent)
    registry = load_registry(data_dir=data_dir)
    for ed_id in found.incomplete:
        skipped[ed_id] = registry[ed_id].missing_inputs(data_dir)
    return found.complete, skipped


DIGEST_FILE = ".build-digest"
#: what the build writes in its folder (besides each edition's own folder): a folder that holds only
#: these is the build's own (:func:`opencyber.site.publish.claim_build_dir`)
BUILD_NAMES = {"pages", "site-src", cache.CACHE_DIR_NAME, ACROSS_DIR, publish.LOCK, publish.BUILD_MARK, "opencyber.log",
               "kernels.log"}


def notebook_digests(edition: Edition, data_dir: Path, registry: dict[str, Edition] | None = None) -> dict[str, str]:
    """:func:`opencyber.pipeline.digests.notebook_digests` of the build's notebooks."""
    return digests.notebook_digests(edition, data_dir, registry or load_registry(data_dir=data_dir), NOTEBOOKS)


def _stamp(build_dir: Path, edition: Edition) -> dict[str, str]:
    path = build_dir / edition.id / DIGEST_FILE
    try:
        stamp = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _page(build_dir: Path, edition: Edition, source: str) -> Path:
    return build_dir / "pages" / f"{edition.id}{stage(source).page_suffix}.ipynb"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stale_notebooks(edition: Edition, build_dir: Path, digests_: dict[str, str]) -> list[str]:
    """The notebooks of an edition whose executed copy is missing, damaged (not the bytes the build
    wrote) or was made from other inputs. Once one is stale, every later one is too (it reads the
    earlier one's outputs)."""
    stamp = _stamp(build_dir, edition)
    stale: list[str] = []
    for s in STAGES:
        page = _page(build_dir, edition, s.notebook)
        if stale or stamp.get(s.notebook) != digests_[s.notebook] or stamp.get(f"page:{s.notebook}") != _file_digest(page):
            stale.append(s.notebook)
    return stale


def stale_reasons(edition: Edition, build_dir: Path, digests_: dict[str, str]) -> list[str]:
    """Why an edition's executed notebooks are out of date, in words for the build's log: ``not built``
    and ``damaged`` mean that they cannot be shown as they are."""
    stamp = _stamp(build_dir, edition)
    for s in STAGES:
        page = _page(build_dir, edition, s.notebook)
        if not page.is_file() or s.notebook not in stamp:
            return [f"not built yet ({page.name} missing)"]
        if stamp.get(f"page:{s.notebook}") != _file_digest(page):
            return [f"damaged: {page} is not the notebook the build wrote"]
    reasons = []
    if stamp.get("part:inputs") != digests_["part:inputs"]:
        reasons.append("its input files or registry entry changed (or those of its previous edition)")
    if stamp.get("part:packages") != digests_["part:packages"]:
        reasons.append("Python or the installed packages changed")
    for s in STAGES:
        if stamp.get(f"part:{s.notebook}") != digests_[f"part:{s.notebook}"]:
            reasons.append(f"notebooks/{s.notebook} changed")
        elif stamp.get(f"part:library:{s.notebook}") != digests_[f"part:library:{s.notebook}"]:
            reasons.append(f"a library module that notebooks/{s.notebook} imports changed")
    return reasons or ["built from other inputs"]


def downstream(registry: dict[str, Edition], wanted: set[str]) -> set[str]:
    """``wanted`` and every edition that compares with one of them (its ``previous``), and so on."""
    out = set(wanted)
    grew = True
    while grew:
        more = {e.id for e in registry.values() if e.previous in out} - out
        out |= more
        grew = bool(more)
    return out


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
    km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(NOTEBOOKS), **streams)
    return km


def execute_notebook(edition: Edition, source: str, data_dir: Path, build_dir: Path, log_file: Path | None = None,
                     km=None) -> Path:
    """Run one notebook of an edition with papermill; the executed copy goes to build/pages/.

    ``km``: the kernel started for it (:func:`start_kernel`), which the caller stops; without one,
    papermill starts the notebook's kernel and stops it when done. A data or registry error raised
    inside a notebook comes out as the same message, with the edition and notebook it stopped in; any
    other failure as one line naming the edition, the notebook, the cell and the error, its traceback
    in the build's log file."""
    import papermill as pm

    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    out = _page(build_dir, edition, source)
    title = next(p.title for p in edition_pages(edition, pages_dir) if p.source == out)
    try:
        nb = pm.execute_notebook(
            str(NOTEBOOKS / source),
            None,  # the executed notebook is returned, and written below without papermill's timings
            parameters={"edition": edition.id, "data_dir": str(data_dir.resolve()), "build_dir": str(build_dir.resolve())},
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            # nbclient's options: the kernel's folder (papermill's cwd= would change the folder of the
            # whole process, which the other notebooks' threads share), no timings, an immediate stop
            resources={"metadata": {"path": str(NOTEBOOKS)}},
            record_timing=False,
            shutdown_kernel="immediate",
            **({"km": km} if km is not None else {}),
        )
    except pm.PapermillExecutionError as exc:
        if exc.ename in DATA_ERRORS:
            raise NotebookDataError(f"{exc.evalue} (edition {edition.id}, notebooks/{source})") from None
        plain = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(exc.traceback))  # IPython colours its tracebacks
        log.debug("edition %s, notebooks/%s failed:\n%s", edition.id, source, plain)
        raise NotebookDataError(
            f"edition {edition.id}, notebooks/{source}, {_failed_cell(source, exc.source)}: {exc.ename}: {exc.evalue}"
            + (f" (the traceback is in {log_file})" if log_file else "")
        ) from None
    _write_executed(nb, out, title)
    return out


def _failed_cell(source: str, code: str) -> str:
    """``cell N (first line)``: the failed cell, N counting the cells of the source notebook from 1,
    as an editor shows them (papermill adds cells of its own)."""
    cells = nbformat.read(NOTEBOOKS / source, as_version=4).cells
    where = next((f"cell {i}" for i, c in enumerate(cells, start=1) if c.source == code), "a cell")
    return f"{where} ({(code.splitlines() or [''])[0][:60]})"


def _write_executed(nb, out: Path, title: str) -> None:
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


class _OrderedLog:
    """Logs one line per planned step in the planned order, as soon as it and every step before it
    are done, with a progress count: the log reads the same however the workers interleave."""

    def __init__(self, plan: list[str]) -> None:
        self.plan, self.lines, self.next, self.lock = plan, {}, 0, threading.Lock()

    def done(self, step: str, text: str) -> None:
        with self.lock:
            self.lines[step] = text
            while self.next < len(self.plan) and self.plan[self.next] in self.lines:
                log.info("  [%d/%d] %s", self.next + 1, len(self.plan), self.lines[self.plan[self.next]])
                self.next += 1


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def build(
    data_dir: str | Path | None = None,
    editions: list[str] | None = None,
    build_dir: Path | None = None,
    site_dir: Path | None = None,
    render: bool = True,
    force: bool = False,
    jobs: int | None = None,
    renderer: str = "auto",
    skip_missing: bool = False,
) -> BuildResult:
    """Build every edition whose inputs are in the data directory (or those named), then the site.

    A notebook whose dependencies have not changed since its last run is not executed again
    (``force`` executes every notebook of the editions built). No edition leaves the site unless
    asked: an edition whose inputs are incomplete, or that is on the site and whose inputs are gone,
    stops the build with a message naming them, unless ``skip_missing``. ``editions`` (``--edition``)
    builds those editions and the editions that compare with them (``previous``); every other
    edition on the site stays there, out of date if it is, and the summary says so.
    """
    data = resolve_data_dir(data_dir, sample_fallback=True).resolve()
    build_dir = Path(os.path.abspath(build_dir or PROJECT_ROOT / "build"))
    # the site's path is a link to its current release: made absolute, never resolved
    site_dir = Path(os.path.abspath(site_dir or PROJECT_ROOT / "_site"))
    if os.environ.get(REGISTRY_ENV):  # the notebooks' kernels run in notebooks/: make the path absolute
        os.environ[REGISTRY_ENV] = str(Path(os.environ[REGISTRY_ENV]).resolve())
    registry = load_registry(data_dir=data)
    publish.claim_site_dir(site_dir)  # both checked before anything is written
    publish.claim_build_dir(build_dir, BUILD_NAMES | set(registry))
    with publish.exclusive(build_dir, "the build folder"), logs.to_file(build_dir / "opencyber.log"):
        with cache.using(build_dir / cache.CACHE_DIR_NAME):  # the outputs across editions'
            result = _build(data, registry, editions, build_dir, site_dir, render, force, jobs, renderer, skip_missing)
        cache.prune(build_dir / cache.CACHE_DIR_NAME)
    return result


def _build(
    data: Path, registry: dict[str, Edition], editions, build_dir: Path, site_dir: Path, render: bool, force: bool,
    jobs, renderer: str, skip_missing: bool,
) -> BuildResult:
    found = find_inputs(data, None)
    if editions:
        unknown = [w for w in editions if w not in registry]
        if unknown:
            raise NoDataError(f"Unknown edition(s) {', '.join(unknown)}; the registry has {', '.join(registry)}.")
    on_site_before = set(publish.manifest(site_dir).get("editions", []))
    problems = found.problems(on_site_before | set(editions or ()))
    if problems and not skip_missing:
        raise NoDataError(
            "Editions that cannot be built from " + str(data) + ":\n  " + "\n  ".join(problems) + "\n"
            "Restore their input files (data/README.md says where each comes from), or point --data at the folder "
            "that holds them; --skip-missing builds the site without these editions."
        )
    for line in problems:
        log.warning("WARNING: %s: left out of the site (--skip-missing)", line)
    chosen = found.complete
    for ed_id, missing in found.absent.items():
        if ed_id not in on_site_before:
            log.info("Edition %s not built: none of its input files is in %s (e.g. %s)", ed_id, data, missing[0].relative_to(data))
    if not chosen:
        raise NoDataError(
            f"No edition can be built from {data}: every edition of editions.toml is missing input files "
            "(listed above). Point --data (or OPEN_CYBER_DATA) at the folder that holds the DSPT data pack; "
            "data/README.md says what each edition needs and where to get it."
        )
    digests_ = {ed.id: notebook_digests(ed, data, registry) for ed in chosen}
    asked = {ed.id for ed in chosen} if not editions else downstream(registry, set(editions)) & {ed.id for ed in chosen}
    stale_of = {
        ed.id: [s.notebook for s in STAGES] if force and ed.id in asked else stale_notebooks(ed, build_dir, digests_[ed.id])
        for ed in chosen
    }
    todo: dict[str, list[str]] = {}
    kept: dict[str, str] = {}  # edition id -> why it is out of date, for those left as they were
    for ed in reversed(chosen):  # oldest first
        if not stale_of[ed.id]:
            continue
        reasons = stale_reasons(ed, build_dir, digests_[ed.id])
        whole = not any(why.startswith(("not built", "damaged")) for why in reasons)
        if ed.id in asked or (not whole and ed.id in on_site_before):  # never dropped for lack of pages
            todo[ed.id] = stale_of[ed.id]
        elif whole:
            kept[ed.id] = "; ".join(reasons)
        else:
            log.info("Edition %s not built (--edition %s): %s", ed.id, " --edition ".join(editions or []), "; ".join(reasons))
    # what the site will show if the build succeeds: every edition built, up to date or kept
    site = [ed for ed in chosen if ed.id in todo or ed.id in kept or not stale_of[ed.id]]
    jobs = max(1, min(jobs or default_jobs(), sum(map(len, todo.values())) or 1))
    log.info(
        "Building %d edition(s) from %s: %s; %s", len(site), data, ", ".join(e.id for e in site),
        f"{sum(len(v) for v in todo.values())} notebook(s) to execute, {jobs} at a time" if todo else "every notebook is up to date",
    )
    executed, seconds = _execute(todo, {ed.id: ed for ed in chosen}, site, digests_, data, build_dir, jobs)
    if site and not any(ACROSS_READS in todo[e] for e in todo):
        _write_across(site, build_dir, data, digests_)  # nothing to do if they were written for these editions
    states = {}
    for ed in site:
        if ed.id in todo:
            states[ed.id] = f"built now ({len(todo[ed.id])} notebook(s) executed)"
        elif ed.id in kept:
            states[ed.id] = f"OUT OF DATE, kept as last built: {kept[ed.id]}; `opencyber build` brings it up to date"
        else:
            states[ed.id] = "up to date"
    pages: list[Path] = []
    if render:
        t = time.perf_counter()
        pages = render_site(site, build_dir, site_dir, renderer=renderer)
        seconds["render"] = time.perf_counter() - t
    elif site:
        from opencyber.site.quarto import write_source

        source = write_source(site, build_dir)
        log.info("Quarto project of the site: %s (cd there and run `quarto render` or `quarto preview`)", source)
    log.info(("Editions on the site:" if render else "Editions built:") + "".join(f"\n  {e}: {st}" for e, st in states.items()))
    return BuildResult(site, dict(found.absent), seconds, pages, executed, states)


def _write_across(site: list[Edition], build_dir: Path, data: Path, digests_: dict[str, dict[str, str]]) -> None:
    """The outputs across editions, for the editions of the site (each edition's digest of its
    scoring notebook chains everything they read)."""
    from opencyber.pipeline.across import write_outputs

    made_from = [(ed.id, digests_[ed.id][ACROSS_READS]) for ed in site]
    write_outputs(site, build_dir, data, hashlib.sha256(json.dumps(made_from).encode()).hexdigest())


def _execute(
    todo: dict[str, list[str]], by_id: dict[str, Edition], site: list[Edition], digests_: dict[str, dict[str, str]],
    data: Path, build_dir: Path, jobs: int,
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
    ordered = _OrderedLog(plan)
    left = {e: len(stale) for e, stale in todo.items()}
    order = list(todo)
    stamps = {
        e: {k: v for k, v in _stamp(build_dir, by_id[e]).items() if k.removeprefix("page:") not in todo[e]} for e in todo
    }
    executed: list[str] = []
    seconds = {e: 0.0 for e in by_id}
    log_file = build_dir / "opencyber.log"

    stack = contextlib.ExitStack()
    # Each notebook's kernel is started ahead, while the notebook before it runs (a kernel takes a
    # second to start, much of it waiting for its process and its handshake): the next notebook of
    # each edition being run, and the notebooks waiting for a worker, up to ``jobs`` kernels ahead.
    kernels = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="kernel")
    ahead: dict[str, Future] = {}
    kernel_output = stack.enter_context((build_dir / "kernels.log").open("wb"))  # the kernels' own messages, this build's

    def start_ahead(steps: list[str]) -> None:
        for step in steps:
            if len(ahead) >= jobs:
                return
            if step != "across" and step not in ahead:
                ahead[step] = kernels.submit(start_kernel, kernel_output)

    def run(step: str, kernel: Future | None) -> None:
        if kernel is None:  # the outputs across editions
            _write_across(site, build_dir, data, digests_)
            return
        ed_id, source = step.split("/", 1)
        ed = by_id[ed_id]
        stamp_path = build_dir / ed_id / DIGEST_FILE
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        stamp_path.write_text(json.dumps(stamps[ed_id], indent=1, sort_keys=True) + "\n")  # its digest dropped while it runs
        t = time.perf_counter()
        km = kernel.result()
        try:
            page = execute_notebook(ed, source, data, build_dir, log_file, km=km)
        finally:
            km.shutdown_kernel(now=True)
        stamps[ed_id][source] = digests_[ed_id][source]
        stamps[ed_id][f"page:{source}"] = _file_digest(page)  # a page damaged later is found and made again
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
    with stack, ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook") as notebooks, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="across") as across:
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
                ready.sort(key=lambda s: (s != "across", -left.get(s.split("/")[0], 0), order.index(s.split("/")[0]) if s != "across" else 0))
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
        raise NotebookDataError("; ".join(f"{exc}" for exc in failed.values()),
                                lines=[str(exc) for exc in failed.values()])
    return executed, seconds
