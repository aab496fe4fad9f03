"""The build: for each edition whose inputs are found, execute its notebooks with papermill into
``build/``, then render the website into ``_site/``.

Incremental to the notebook: each executed notebook carries a digest of what it depends on
(:mod:`opencyber.pipeline.digests`). A notebook is executed again only when that digest changed, so editing
``03_report.ipynb`` re-executes 03 alone for each edition, and adding an edition never re-executes
the others: navigation between editions is added when the site is rendered, not in the notebooks.

Notebooks run ``jobs`` at a time (one per core by default), each with papermill in a kernel that
jupyter_client's KernelManager starts (:func:`~opencyber.pipeline.execute.start_kernel`, while the
notebook before it runs) and stops when the notebook is done; the notebooks of
one edition run in order, since each reads what the one before wrote (a :class:`graphlib.TopologicalSorter`
of the stages hands out the next notebooks that can run; of those, the edition with the most
notebooks left goes first). The outputs across editions are written as soon as every edition's
scoring notebook is done, while the reports run. The log has one line per notebook, in the
planned order whatever order they finish in."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from opencyber import cache, logs
from opencyber.errors import NoDataError
from opencyber.inputs.locations import resolve_data_dir
from opencyber.inputs.registry import Edition, input_name, load_registry
from opencyber.pipeline.execute import default_jobs, run_notebooks, write_across
from opencyber.pipeline.plan import (
    downstream,
    find_inputs,
    notebook_digests,
    stale_notebooks,
    stale_reasons,
)
from opencyber.pipeline.site_pages import execute_site_pages
from opencyber.settings import PROJECT_ROOT, REGISTRY_ENV
from opencyber.site import publish
from opencyber.site.assemble import render_site
from opencyber.stages import ACROSS_DIR, ACROSS_READS, SITE_PAGES, STAGES

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    editions: list[Edition]  # the editions on the site (newest first)
    skipped: dict[str, list[Path]]
    seconds: dict[str, float]  # per edition built (0.0: nothing executed), and "render" if rendered
    pages: list[Path]
    executed: list[str] = field(default_factory=list)  # "2022-23/03_report.ipynb", in the order run
    states: dict[str, str] = field(default_factory=dict)  # edition id -> its state on the site, in words
    data: Path | None = None  # the data directory the editions were built from
    site_pages: list[str] = field(default_factory=list)  # the site's own pages (pages/) executed: "index", ...


#: what the build writes in its folder (besides each edition's own folder): a folder that holds only
#: these is the build's own (:func:`opencyber.site.publish.claim_build_dir`)
BUILD_NAMES = {
    "pages",
    "site-src",
    "quarto",
    cache.CACHE_DIR_NAME,
    ACROSS_DIR,
    publish.LOCK,
    publish.BUILD_MARK,
    "opencyber.log",
    "kernels.log",
}


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
    data: Path,
    registry: dict[str, Edition],
    editions,
    build_dir: Path,
    site_dir: Path,
    render: bool,
    force: bool,
    jobs,
    renderer: str,
    skip_missing: bool,
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
            log.info(
                "Edition %s not built: none of its input files is in %s (e.g. %s)",
                ed_id,
                data,
                input_name(missing[0], data),
            )
    if not chosen:
        raise NoDataError(
            f"No edition can be built from {data}: every edition of editions.toml is missing input files "
            "(listed above). Point --data (or OPEN_CYBER_DATA) at the folder that holds the DSPT data pack; "
            "data/README.md says what each edition needs and where to get it."
        )
    digests_ = {ed.id: notebook_digests(ed, data, registry) for ed in chosen}
    asked = {ed.id for ed in chosen} if not editions else downstream(registry, set(editions)) & {ed.id for ed in chosen}
    stale_of = {
        ed.id: [s.notebook for s in STAGES]
        if force and ed.id in asked
        else stale_notebooks(ed, build_dir, digests_[ed.id])
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
            log.info(
                "Edition %s not built (--edition %s): %s", ed.id, " --edition ".join(editions or []), "; ".join(reasons)
            )
    # what the site will show if the build succeeds: every edition built, up to date or kept
    site = [ed for ed in chosen if ed.id in todo or ed.id in kept or not stale_of[ed.id]]
    requested_jobs = jobs
    jobs = max(1, min(jobs or default_jobs(), sum(map(len, todo.values())) or 1))
    log.info(
        "Building %d edition(s) from %s: %s; %s",
        len(site),
        data,
        ", ".join(e.id for e in site),
        f"{sum(len(v) for v in todo.values())} notebook(s) to execute, {jobs} at a time"
        if todo
        else "every notebook is up to date",
    )
    executed, seconds = run_notebooks(todo, {ed.id: ed for ed in chosen}, site, digests_, data, build_dir, jobs)
    if site and not any(ACROSS_READS in todo[e] for e in todo):
        write_across(site, build_dir, data, digests_)  # nothing to do if they were written for these editions
    own_pages = []
    if site:  # the site's own pages (pages/), from the editions' outputs and the outputs across editions
        page_jobs = max(1, min(requested_jobs or default_jobs(), len(SITE_PAGES)))
        own_pages = execute_site_pages(site, build_dir, data, jobs=page_jobs, force=force)
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
    log.info(
        ("Editions on the site:" if render else "Editions built:")
        + "".join(f"\n  {e}: {st}" for e, st in states.items())
    )
    return BuildResult(site, dict(found.absent), seconds, pages, executed, states, data, own_pages)
