"""The site's own pages (home, finder, trends, all sectors, methodology, data and downloads,
accessibility): their source notebooks in ``pages/``, executed with papermill as the edition
notebooks are, once every edition and the outputs across editions are built, into
``build/pages/<name>.ipynb``, where the site reads them as it reads the editions' pages.

Each page is executed again only when what it is made from changed: its source notebook, the
library modules its code imports, the installed packages, the registry entries of the editions on
the site, and every file it reads (each edition's outputs, the outputs across editions, and the
documents the pages include). The digests are kept in ``build/pages/.site-pages-digest`` with the
digest of each executed page, so that a page damaged since is made again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from opencyber import stages
from opencyber.inputs.registry import Edition
from opencyber.pipeline import digests
from opencyber.pipeline.execute import run_notebook, start_kernel, write_executed
from opencyber.pipeline.plan import file_digest
from opencyber.settings import PROJECT_ROOT
from opencyber.site.pages import own_pages
from opencyber.stages import ACROSS_DIR, SITE_PAGES

log = logging.getLogger(__name__)

STAMP = ".site-pages-digest"

#: the documents of the checkout that pages include (methodology, data) or name (accessibility,
#: every page's footer): read by the pages' code, so part of every page's digest
PAGE_READS = (
    PROJECT_ROOT / "docs" / "data-dictionary.md",
    PROJECT_ROOT / "docs" / "assumptions-and-caveats.md",
    PROJECT_ROOT / "data" / "README.md",
    PROJECT_ROOT / "site.toml",
)


def source(name: str) -> Path:
    return stages.SITE_PAGES_DIR / f"{name}.ipynb"


def inputs_digest(site: list[Edition], build_dir: Path) -> str:
    """A digest of every file the pages read: each edition's outputs and the outputs across
    editions (every file, by its path in the build folder and its bytes; not the build's digest
    files, which change when a notebook's source does), and :data:`PAGE_READS`."""
    h = hashlib.sha256()
    folders = [build_dir / ed.id for ed in site] + [build_dir / ACROSS_DIR]
    files = [f for d in folders for f in sorted(d.rglob("*")) if f.is_file() and not f.name.startswith(".")]
    for f in files:
        h.update(f.relative_to(build_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    for f in PAGE_READS:
        h.update(f.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        h.update((f.read_bytes() if f.is_file() else b"<missing>") + b"\0")
    return h.hexdigest()


def page_digests(site: list[Edition], build_dir: Path) -> dict[str, str]:
    """Each page's digest: its source notebook and the modules it imports, the packages, the
    editions on the site (their registry entries, in order) and :func:`inputs_digest`."""
    shared = [
        inputs_digest(site, build_dir),
        digests.packages_digest(),
        [json.loads(json.dumps(asdict(e), sort_keys=True, default=str)) for e in site],
    ]
    out = {}
    for name in SITE_PAGES:
        path = source(name)
        made_from = [name, file_digest(path), digests.files_digest(digests.notebook_modules(path)), shared]
        out[name] = hashlib.sha256(json.dumps(made_from).encode()).hexdigest()
    return out


def _read_stamp(pages_dir: Path) -> dict:
    try:
        stamp = json.loads((pages_dir / STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def execute_site_pages(
    site: list[Edition], build_dir: Path, data: Path, jobs: int = 1, force: bool = False
) -> list[str]:
    """Execute the pages whose digest changed, or whose executed copy is missing or damaged (every
    page with ``force``), ``jobs``
    at a time, each in a kernel of its own (so that a page's map has the same widget ids however
    many pages run). Returns the names of the pages executed."""
    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    wanted = page_digests(site, build_dir)
    stamp = _read_stamp(pages_dir)
    stale = [
        name
        for name in SITE_PAGES
        if force
        or stamp.get(name, {}).get("made_from") != wanted[name]
        or stamp.get(name, {}).get("page") != file_digest(pages_dir / f"{name}.ipynb")
    ]
    if not stale:
        return []
    log.info("Executing %d page notebook(s) of pages/, %d at a time", len(stale), jobs)
    parameters = {
        "editions": ",".join(e.id for e in site),
        "data_dir": str(data.resolve()),
        "build_dir": str(build_dir.resolve()),
    }
    log_file = build_dir / "opencyber.log"
    titles = {name: title for name, title, _ in own_pages()}
    for name in stale:
        stamp.pop(name, None)  # dropped while it runs: a build stopped half way makes it again
    (pages_dir / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")

    def run(name: str) -> str:
        t = time.perf_counter()
        km = start_kernel()
        try:
            nb = run_notebook(source(name), parameters, f"pages/{name}.ipynb", log_file, km=km)
        finally:
            km.shutdown_kernel(now=True)
        write_executed(nb, pages_dir / f"{name}.ipynb", titles[name])
        return f"pages/{name}.ipynb: {time.perf_counter() - t:.1f} s"

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="page") as pool:
        for i, (name, line) in enumerate(zip(stale, pool.map(run, stale)), start=1):
            log.info("  [%d/%d] %s", i, len(stale), line)
            stamp[name] = {"made_from": wanted[name], "page": file_digest(pages_dir / f"{name}.ipynb")}
            (pages_dir / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return stale
