"""The build: for each edition whose inputs are found, execute its notebooks with papermill into
``build/``, then render the website into ``_site/``.

Incremental to the notebook: each executed notebook carries a digest of what it depends on (the
edition's registry entry, the bytes of its inputs, the library code the notebooks import, the
Python and package versions, its source notebook, and the digest of the notebook before it, whose
outputs it reads). A notebook is executed again only when that digest changed, so editing
``03_report.ipynb`` re-executes 03 alone for each edition, and adding an edition never re-executes
the others: navigation between editions is added when the site is rendered, not in the notebooks.

Editions run in parallel (``jobs`` workers, one per core by default); the notebooks of one edition
run in order, since each reads what the one before wrote. The log has one line per notebook, in
the planned order whatever order they finish in.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import cache, publish
from .errors import InputError, NoDataError, NotebookDataError, RegistryError
from .kernels import KERNEL_ARGUMENTS, NOTEBOOKS, ForkServer, KernelPool, fork_available
from .registry import (
    PROJECT_ROOT,
    REGISTRY_ENV,
    Edition,
    load_registry,
    resolve_data_dir,
)
from .render import choose_renderer, edition_pages, log, prerender_edition, render_site

#: source notebook -> page name suffix ("" is the edition page itself), in the order they run
STAGES = (("01_curation.ipynb", "-curation"), ("02_scoring.ipynb", "-scoring"), ("03_report.ipynb", ""))
#: the last notebook whose outputs the outputs across editions (:mod:`opencyber.across`) read
ACROSS_READS = "02_scoring.ipynb"
#: modules of the library that the notebooks never import (the site, the commands): editing them
#: re-renders the site but re-executes no notebook
SITE_MODULES = {
    "__main__.py", "build.py", "check.py", "cli.py", "fetch.py", "golden.py", "kernel_server.py", "kernels.py",
    "pages.py", "render.py", "render_nbconvert.py", "render_quarto.py",
}


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
#: these is the build's own (:func:`opencyber.publish.claim_build_dir`)
BUILD_NAMES = {"pages", "site-src", cache.CACHE_DIR_NAME, "all-editions", publish.LOCK, publish.BUILD_MARK, "opencyber.log"}


def _environment_digest() -> bytes:
    """The library code the notebooks import, Python's version and every installed package's."""
    return cache.library_digest(frozenset(SITE_MODULES)).encode()


def notebook_digests(
    edition: Edition, data_dir: Path, environment: bytes | None = None, registry: dict[str, Edition] | None = None
) -> dict[str, str]:
    """For each notebook of an edition (in order), a digest of everything its executed copy depends
    on; and, under ``part:`` keys, the digests of the parts (the inputs and registry entries, the
    library and packages, each notebook's source), which say why a notebook is out of date."""
    environment = environment if environment is not None else _environment_digest()
    h = hashlib.sha256()
    # the edition, and its previous edition, whose organisations the key points compare with
    previous = (registry if registry is not None else load_registry(data_dir=data_dir)).get(edition.previous or "")
    for ed in (edition, previous) if previous is not None else (edition,):
        h.update(json.dumps(asdict(ed), sort_keys=True, default=str).encode())
        for role in sorted(ed.inputs):
            for path in ed.input_paths(role, data_dir):
                h.update(role.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
    parts = {"part:inputs": h.hexdigest(), "part:environment": hashlib.sha256(environment).hexdigest()}
    chained = hashlib.sha256(environment + parts["part:inputs"].encode()).hexdigest()
    digests = {}
    for source, _ in STAGES:
        text = (NOTEBOOKS / source).read_bytes()
        parts[f"part:{source}"] = hashlib.sha256(text).hexdigest()
        chained = digests[source] = hashlib.sha256(chained.encode() + b"\0" + text).hexdigest()
    return {**digests, **parts}


def _stamp(build_dir: Path, edition: Edition) -> dict[str, str]:
    path = build_dir / edition.id / DIGEST_FILE
    try:
        stamp = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _page(build_dir: Path, edition: Edition, source: str) -> Path:
    return build_dir / "pages" / f"{edition.id}{dict(STAGES)[source]}.ipynb"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stale_notebooks(edition: Edition, build_dir: Path, digests: dict[str, str]) -> list[str]:
    """The notebooks of an edition whose executed copy is missing, damaged (not the bytes the build
    wrote) or was made from other inputs. Once one is stale, every later one is too (it reads the
    earlier one's outputs)."""
    stamp = _stamp(build_dir, edition)
    stale: list[str] = []
    for source, _ in STAGES:
        page = _page(build_dir, edition, source)
        if stale or stamp.get(source) != digests[source] or stamp.get(f"page:{source}") != _file_digest(page):
            stale.append(source)
    return stale


def stale_reasons(edition: Edition, build_dir: Path, digests: dict[str, str]) -> list[str]:
    """Why an edition's executed notebooks are out of date, in words for the build's log: ``not built``
    and ``damaged`` mean that they cannot be shown as they are."""
    stamp = _stamp(build_dir, edition)
    reasons = []
    for source, _ in STAGES:
        page = _page(build_dir, edition, source)
        if not page.is_file() or source not in stamp:
            return [f"not built yet ({page.name} missing)"]
        if stamp.get(f"page:{source}") != _file_digest(page):
            return [f"damaged: {page} is not the notebook the build wrote"]
    if stamp.get("part:inputs") != digests["part:inputs"]:
        reasons.append("its input files or registry entry changed (or those of its previous edition)")
    if stamp.get("part:environment") != digests["part:environment"]:
        reasons.append("the library or the installed packages changed")
    reasons += [f"notebooks/{source} changed" for source, _ in STAGES if stamp.get(f"part:{source}") != digests[f"part:{source}"]]
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


def _papermill_engine():
    """papermill's nbclient engine, running the notebook in a kernel started ahead (``km``) and
    leaving its shutdown to the caller (the kernel pool's ``release``). The notebook
    papermill executes is put in ``sink``: the build writes it once, itself (papermill's own copy,
    written and then rewritten without its timings, cost a second write of up to a megabyte of
    JSON per notebook)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class PrestartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, sink=None, **kwargs):
            if sink is not None:
                sink.append(nb)  # the object papermill fills in, and marks the failing cell of
            return super().execute_notebook(nb, kernel_name, **kwargs)

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(nb_man, **merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            ))
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    from papermill.log import logger

    papermill_engines.register(PRESTARTED_ENGINE, PrestartedKernelEngine)


PRESTARTED_ENGINE = "opencyber-prestarted"


def execute_notebook(edition: Edition, source: str, data_dir: Path, build_dir: Path, km) -> Path:
    """Run one notebook of an edition with papermill; the executed copy goes to build/pages/.

    ``km``: the kernel started for it (:func:`start_kernel`), which the caller shuts down.

    A data or registry error raised inside a notebook comes out as the same error, with its message
    and the notebook it stopped in (no notebook traceback): the analyst fixes the input it names.
    The executed copy is written in either case (a failed one with papermill's mark on the cell
    that failed).
    """
    import papermill as pm

    suffix = dict(STAGES)[source]
    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    out = pages_dir / f"{edition.id}{suffix}.ipynb"
    titles = {p.name: p.title for p in edition_pages(edition, pages_dir)}
    _papermill_engine()
    sink: list = []
    try:
        pm.execute_notebook(
            str(NOTEBOOKS / source),
            None,  # written below, once
            parameters={
                "edition": edition.id,
                "data_dir": str(data_dir.resolve()),
                "build_dir": str(build_dir.resolve()),
            },
            # the kernel already runs in notebooks/ (papermill's cwd is a chdir of the whole process,
            # which the threads of a parallel build would share)
            cwd=None,
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            engine_name=PRESTARTED_ENGINE,
            km=km,
            sink=sink,
        )
    except pm.PapermillExecutionError as exc:
        if sink:
            _write_executed(sink[0], out, titles[f"{edition.id}{suffix}"])
        if exc.ename in DATA_ERRORS:
            raise NotebookDataError(f"{exc.evalue} (edition {edition.id}, notebooks/{source}; the executed copy: {out})") from None
        cell = _failed_cell(sink[0] if sink else None, exc.cell_index, source)
        raise NotebookDataError(
            f"edition {edition.id}, notebooks/{source}, {cell}: {exc.ename}: {exc.evalue} (the executed copy, with the "
            f"traceback: {out})"
        ) from None
    _write_executed(sink[0], out, titles[f"{edition.id}{suffix}"])
    return out


def _failed_cell(executed, index: int, source: str) -> str:
    """``cell N (first line)``: the failed cell of an executed notebook, N counting the cells of the
    source notebook from 1, as an editor shows them (papermill adds cells of its own)."""
    if executed is None or not 0 <= index < len(executed.cells):
        return "a cell"
    cell = executed.cells[index]
    ids = [c.get("id") for c in nbformat.read(NOTEBOOKS / source, as_version=4).cells]
    where = f"cell {ids.index(cell.get('id')) + 1}" if cell.get("id") in ids else "a cell"
    return f"{where} ({(cell.source.splitlines() or [''])[0][:60]})"


def _write_executed(nb, out: Path, title: str) -> None:
    """The executed notebook as the site reads it: its title, without papermill's timings and
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
    """Prints one line per planned step in the planned order, as soon as it and every step before it
    are done, with a progress count: the log reads the same however the workers interleave."""

    def __init__(self, plan: list[str]) -> None:
        self.plan, self.lines, self.next, self.lock = plan, {}, 0, threading.Lock()

    def done(self, step: str, text: str) -> None:
        with self.lock:
            self.lines[step] = text
            while self.next < len(self.plan) and self.plan[self.next] in self.lines:
                log(f"  [{self.next + 1}/{len(self.plan)}] {self.lines[self.plan[self.next]]}")
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
    fork_kernels: bool = True,
    skip_missing: bool = False,
) -> BuildResult:
    """Build every edition whose inputs are in the data directory (or those named), then the site.

    A notebook whose dependencies have not changed since its last run is not executed again
    (``force`` executes every notebook of the editions built). No edition leaves the site unless
    asked: an edition whose inputs are incomplete, or that is on the site and whose inputs are gone,
    stops the build with a message naming them, unless ``skip_missing``. ``editions`` (``--edition``)
    builds those editions and the editions that compare with them (``previous``); every other
    edition on the site stays there, out of date if it is, and the summary says so.

    ``fork_kernels``: fork the notebooks' kernels from a prepared process where the system allows
    it (:mod:`opencyber.kernels`); ``False`` starts each as its own process, as papermill does.
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
    with publish.exclusive(build_dir, "the build folder"):
        # started first, with the kernels' environment: it imports their packages while the build reads
        # its inputs (and is stopped unused if no notebook is to run)
        server = ForkServer(NOTEBOOKS) if fork_kernels and fork_available() else None
        try:
            with cache.using(build_dir / cache.CACHE_DIR_NAME):  # the input checks' and the outputs across editions'
                result = _build(data, editions, build_dir, site_dir, render, force, jobs, renderer, server, skip_missing)
        finally:
            if server is not None:
                server.close()
        cache.prune(build_dir / cache.CACHE_DIR_NAME)
    return result


def _build(
    data: Path, editions, build_dir: Path, site_dir: Path, render: bool, force: bool, jobs, renderer: str,
    server: ForkServer | None, skip_missing: bool,
) -> BuildResult:
    registry = load_registry(data_dir=data)
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
        log(f"WARNING: {line}: left out of the site (--skip-missing)")
    chosen = found.complete
    for ed_id, missing in found.absent.items():
        if ed_id not in on_site_before:
            log(f"Edition {ed_id} not built: none of its input files is in {data} (e.g. {missing[0].relative_to(data)})")
    if not chosen:
        raise NoDataError(
            f"No edition can be built from {data}: every edition of editions.toml is missing input files "
            "(listed above). Point --data (or OPEN_CYBER_DATA) at the folder that holds the DSPT data pack; "
            "data/README.md says what each edition needs and where to get it."
        )
    environment = _environment_digest()
    digests = {ed.id: notebook_digests(ed, data, environment, registry) for ed in chosen}
    asked = {ed.id for ed in chosen} if not editions else downstream(registry, set(editions)) & {ed.id for ed in chosen}
    stale_of = {
        ed.id: [s for s, _ in STAGES] if force and ed.id in asked else stale_notebooks(ed, build_dir, digests[ed.id])
        for ed in chosen
    }
    todo = {}
    kept: dict[str, str] = {}  # edition id -> why it is out of date, for those left as they were
    for ed in reversed(chosen):  # oldest first
        stale = stale_of[ed.id]
        if not stale:
            continue
        reasons = stale_reasons(ed, build_dir, digests[ed.id])
        whole = not any(why.startswith(("not built", "damaged")) for why in reasons)
        if ed.id in asked or (not whole and ed.id in on_site_before):  # never dropped for lack of pages
            todo[ed.id] = stale
        elif whole:
            kept[ed.id] = "; ".join(reasons)
        else:
            log(f"Edition {ed.id} not built (--edition {' --edition '.join(editions or [])}): {'; '.join(reasons)}")
    plan = [
        step
        for ed_id, stale in todo.items()
        for step in ([f"{ed_id}/input check"] if stale[0] == STAGES[0][0] else []) + [f"{ed_id}/{s}" for s in stale]
    ]
    jobs = max(1, min(jobs or default_jobs(), len(todo) or 1))
    log(
        f"Building {len(chosen)} edition(s) from {data}: {', '.join(e.id for e in chosen)}; "
        + (f"{sum(len(v) for v in todo.values())} notebook(s) to execute, {jobs} edition(s) at a time" if todo else "every notebook is up to date")
    )
    by_id = {ed.id: ed for ed in chosen}
    seconds = {ed.id: 0.0 for ed in chosen}
    ordered = _OrderedLog(plan)
    executed: list[str] = []

    # Notebooks, not editions, are handed to the workers: a free worker takes the next notebook of
    # the edition with the most notebooks left (the oldest of those), so that with 3 editions and 2
    # workers no worker waits while one finishes a second edition alone. An edition's notebooks
    # still run in order (each reads what the one before wrote), never two at once. Each
    # notebook's kernel is started (and its imports run) ahead, while other notebooks run.
    kernels = KernelPool(2 * jobs, {ed_id: (ed_id, data, build_dir) for ed_id in todo}, server, NOTEBOOKS) if todo else None
    order = list(todo)
    taken = {ed_id: 0 for ed_id in order}  # notebooks of the edition handed out
    running = {ed_id: False for ed_id in order}
    stamps = {
        ed_id: {k: v for k, v in _stamp(build_dir, by_id[ed_id]).items() if k.removeprefix("page:") not in todo[ed_id]}
        for ed_id in order
    }
    started = {}
    cond = threading.Condition()
    errors: list[BaseException] = []

    def queue() -> list[str]:
        """Editions with notebooks left, in the order their next notebooks will be taken."""
        left = [e for e in order if taken[e] < len(todo[e])]
        return sorted(left, key=lambda e: (-(len(todo[e]) - taken[e]), order.index(e)))

    def prepare_ahead() -> None:
        """Start the kernel of each edition's next notebook, for at most ``2 x jobs`` editions in the
        order they will be taken (called with ``cond`` held): a kernel takes a second or more to
        start and import, so it is started while the notebook before it runs."""
        for e in queue()[: 2 * jobs]:
            kernels.prepare(f"{e}/{todo[e][taken[e]]}")

    def run_one(ed_id: str, source: str) -> None:
        ed = by_id[ed_id]
        if source == todo[ed_id][0]:
            started[ed_id] = time.perf_counter()
        stamp_path = build_dir / ed.id / DIGEST_FILE
        stamp = stamps[ed_id]
        t = time.perf_counter()
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        stamp_path.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")  # drop its digest before it runs
        km, checked = kernels.take(f"{ed.id}/{source}")
        try:
            if checked is not None:  # the inputs are read again (01 runs): the kernel checked them first
                if checked.ename in DATA_ERRORS:
                    raise NotebookDataError(
                        f"{checked.evalue} (edition {ed.id}: found by the input check, before any notebook ran)"
                    )
                if checked.ename:
                    raise NotebookDataError(f"edition {ed.id}: the input check failed: {checked.ename}: {checked.evalue}")
                ordered.done(f"{ed.id}/input check", checked.summary)
                t = time.perf_counter()
            page = execute_notebook(ed, source, data, build_dir, km=km)
        finally:
            kernels.release(km)
        stamp[source] = digests[ed.id][source]
        stamp[f"page:{source}"] = _file_digest(page)  # a page damaged later is found and made again
        stamp.update({k: v for k, v in digests[ed.id].items() if k.startswith("part:")})
        stamp_path.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
        executed.append(f"{ed.id}/{source}")
        ordered.done(f"{ed.id}/{source}", f"{ed.id} {source}: {time.perf_counter() - t:.1f} s")
        if source == todo[ed_id][-1]:
            seconds[ed.id] = time.perf_counter() - started[ed_id]
        if source == STAGES[-1][0] and prerender is not None:  # its pages can be rendered now
            prerender.submit(prerender_quietly, ed)
        if source == ACROSS_READS:
            with cond:
                across_waits.discard(ed_id)
                if not across_waits and not errors:
                    across_ahead.start()

    def worker() -> None:
        while True:
            with cond:
                while True:
                    if errors:
                        return
                    ready = [e for e in queue() if not running[e]]
                    if ready:
                        break
                    if not queue():
                        return
                    cond.wait()
                ed_id = ready[0]
                source = todo[ed_id][taken[ed_id]]
                taken[ed_id] += 1
                running[ed_id] = True
                prepare_ahead()
            try:
                run_one(ed_id, source)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                with cond:
                    errors.append(exc)
                    cond.notify_all()
                return
            with cond:
                running[ed_id] = False
                cond.notify_all()

    # The outputs across editions read what 01 and 02 wrote (organisations, crosstab and area
    # scores), never the report's outputs (an edit of 03_report.ipynb leaves them as they are). They
    # are written ahead, in a thread of the build, as soon as every edition's 02 is done, for the
    # editions the site will show if the build succeeds; the call after the notebooks writes them
    # only if that turned out otherwise (or the thread failed: then it raises the error).
    # what the site will show if the build succeeds: every edition built, up to date or kept
    planned_site = [ed for ed in chosen if ed.id in todo or ed.id in kept or not stale_of[ed.id]]

    def write_across(site: list[Edition]) -> None:
        from .across import write_outputs

        made_from = [(ed.id, digests[ed.id][ACROSS_READS]) for ed in site]  # each chains all before it
        write_outputs(site, build_dir, data, hashlib.sha256(json.dumps(made_from).encode()).hexdigest())

    def across_quietly() -> None:
        try:
            write_across(planned_site)
        except Exception:  # noqa: BLE001 - written (or its error raised) again after the notebooks
            pass

    # An edition's pages are rendered (into the build's cache) as soon as its report is done,
    # while other notebooks run: the render after the notebooks finds them there.
    prerender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prerender") if render and todo and choose_renderer(renderer) == "nbconvert" else None

    def prerender_quietly(ed: Edition) -> None:
        try:
            prerender_edition(planned_site, ed, build_dir)
        except Exception:  # noqa: BLE001 - rendered (or its error raised) again by the render
            pass

    across_ahead = threading.Thread(target=across_quietly, name="across", daemon=True)
    across_waits = {e for e in todo if ACROSS_READS in todo[e]}
    if todo and not across_waits and planned_site:
        across_ahead.start()  # only 03 runs: the outputs across editions can be written at once

    if todo:
        with cond:
            prepare_ahead()
        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for f in [pool.submit(worker) for _ in range(jobs)]:
                    f.result()
        finally:
            kernels.close()
            if across_ahead.ident is not None:
                across_ahead.join()
            if prerender is not None:
                prerender.shutdown(wait=True)
        if errors:
            raise errors[0]
    on_site = planned_site
    if on_site:
        write_across(on_site)  # nothing to do if written ahead for these editions (else the error again)
    states = {}
    for ed in on_site:
        if ed.id in todo:
            states[ed.id] = f"built now ({len(todo[ed.id])} notebook(s) executed)"
        elif ed.id in kept:
            states[ed.id] = f"OUT OF DATE, kept as last built: {kept[ed.id]}; `opencyber build` brings it up to date"
        else:
            states[ed.id] = "up to date"
    pages: list[Path] = []
    if render:
        t = time.perf_counter()
        pages = render_site(on_site, build_dir, site_dir, renderer=renderer)
        seconds["render"] = time.perf_counter() - t
    elif on_site:
        from .render_quarto import write_source

        source = write_source(on_site, build_dir)
        log(f"Quarto project of the site: {source} (cd there and run `quarto render` or `quarto preview`)")
    log(("Editions on the site:" if render else "Editions built:") + "".join(f"\n  {e}: {st}" for e, st in states.items()))
    return BuildResult(on_site, dict(found.absent), seconds, pages, executed, states)
