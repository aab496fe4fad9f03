"""The build: for each edition whose inputs are found, execute the notebooks with papermill into
``build/``, then render the website into ``_site/``."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import nbformat

from .errors import InputError, NoDataError, NotebookDataError, RegistryError
from .registry import PROJECT_ROOT, REGISTRY_ENV, Edition, load_registry, resolve_data_dir
from .render import edition_pages, log, render_site

NOTEBOOKS = PROJECT_ROOT / "notebooks"
#: source notebook -> page name suffix ("" is the edition page itself)
STAGES = (("01_curation.ipynb", "-curation"), ("02_scoring.ipynb", "-scoring"), ("03_report.ipynb", ""))


@dataclass
class BuildResult:
    editions: list[Edition]
    skipped: dict[str, list[Path]]
    seconds: dict[str, float]
    pages: list[Path]


def select_editions(data_dir: Path, wanted: list[str] | None = None) -> tuple[list[Edition], dict[str, list[Path]]]:
    """Editions of the registry whose required inputs are all in ``data_dir`` (newest first)."""
    registry = load_registry(data_dir=data_dir)
    if wanted:
        unknown = [w for w in wanted if w not in registry]
        if unknown:
            raise NoDataError(f"Unknown edition(s) {', '.join(unknown)}; the registry has {', '.join(registry)}.")
    chosen, skipped = [], {}
    for ed in registry.values():
        if wanted and ed.id not in wanted:
            continue
        missing = ed.missing_inputs(data_dir)
        if missing:
            skipped[ed.id] = missing
        else:
            chosen.append(ed)
    return chosen, skipped


DIGEST_FILE = ".build-digest"
#: packages whose version changes what the notebooks produce
DIGEST_PACKAGES = ("pandas", "geopandas", "shapely", "plotly", "ipyleaflet", "ipywidgets", "papermill", "nbconvert")


def edition_digest(edition: Edition, data_dir: Path, built: list[str]) -> str:
    """A digest of everything an edition's executed notebooks depend on: its registry entry, the
    bytes of its input files, the source notebooks, the library's code, the package versions, and
    which editions this build makes (a page links to its previous edition only when that is built)."""
    h = hashlib.sha256()
    h.update(json.dumps(asdict(edition), sort_keys=True, default=str).encode())
    h.update(json.dumps(sorted(built)).encode())
    for role in edition.inputs:
        for path in edition.input_paths(role, data_dir):
            h.update(role.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
    for path in sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((PROJECT_ROOT / "src" / "opencyber").rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(sys.version.encode())
    for pkg in DIGEST_PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg)}".encode())
        except metadata.PackageNotFoundError:
            h.update(pkg.encode())
    return h.hexdigest()


def is_up_to_date(edition: Edition, build_dir: Path, digest: str) -> bool:
    """True if the edition's outputs and executed notebooks are there and were made from ``digest``."""
    out = build_dir / edition.id
    pages = [build_dir / "pages" / f"{edition.id}{suffix}.ipynb" for _, suffix in STAGES]
    stamp = out / DIGEST_FILE
    return stamp.is_file() and stamp.read_text().strip() == digest and all(p.is_file() for p in pages)


#: the kernel's own log: errors only (ipykernel warns on every start that its local TCP ports are
#: unencrypted, which is noise in a build's output)
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

#: errors raised in a notebook that are the analyst's to fix (their message says what and where)
DATA_ERRORS = tuple(e.__name__ for e in (InputError, RegistryError, NoDataError))


def execute_edition(edition: Edition, data_dir: Path, build_dir: Path) -> float:
    """Run the three notebooks of an edition with papermill; executed copies go to build/pages/.

    A data or registry error raised inside a notebook comes out as the same error, with its message
    and the notebook it stopped in (no notebook traceback): the analyst fixes the input it names.
    """
    import papermill as pm

    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / edition.id / DIGEST_FILE).unlink(missing_ok=True)
    titles = {p.name: p.title for p in edition_pages(edition, pages_dir)}
    start = time.perf_counter()
    for source, suffix in STAGES:
        t = time.perf_counter()
        out = pages_dir / f"{edition.id}{suffix}.ipynb"
        try:
            pm.execute_notebook(
                str(NOTEBOOKS / source),
                str(out),
                parameters={
                    "edition": edition.id,
                    "data_dir": str(data_dir.resolve()),
                    "build_dir": str(build_dir.resolve()),
                },
                cwd=str(NOTEBOOKS),
                progress_bar=False,
                kernel_name="python3",
                extra_arguments=KERNEL_ARGUMENTS,
            )
        except pm.PapermillExecutionError as exc:
            if exc.ename in DATA_ERRORS:
                raise NotebookDataError(
                    f"{exc.evalue}\n  (edition {edition.id}, notebook {source}; executed copy: {out})"
                ) from None
            raise
        nb = nbformat.read(out, as_version=4)
        nb.metadata["title"] = titles[f"{edition.id}{suffix}"]
        for cell in nb.cells:  # papermill gives the injected cell a random id on every run
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell["id"] = "injected-parameters"
        nbformat.write(nb, out)
        log(f"  [{edition.id}] {source}: {time.perf_counter() - t:.1f} s")
    return time.perf_counter() - start


def build(
    data_dir: str | Path | None = None,
    editions: list[str] | None = None,
    build_dir: Path | None = None,
    site_dir: Path | None = None,
    render: bool = True,
    force: bool = False,
) -> BuildResult:
    """Build every edition whose inputs are in the data directory (or those named), then the site.

    An edition whose inputs, registry entry, notebooks, library code and packages have not changed
    since its last build is not executed again (``force`` executes it anyway); the site is always
    rendered.
    """
    data = resolve_data_dir(data_dir, sample_fallback=True).resolve()
    if os.environ.get(REGISTRY_ENV):  # the notebooks' kernels run in notebooks/: make the path absolute
        os.environ[REGISTRY_ENV] = str(Path(os.environ[REGISTRY_ENV]).resolve())
    build_dir = Path(build_dir or PROJECT_ROOT / "build").resolve()
    site_dir = Path(site_dir or PROJECT_ROOT / "_site").resolve()
    chosen, skipped = select_editions(data, editions)
    for ed_id, missing in skipped.items():
        log(f"Skipping edition {ed_id}: {len(missing)} input file(s) not in {data}: " + ", ".join(str(m.relative_to(data.resolve())) for m in missing[:5]))
    if not chosen:
        raise NoDataError(
            f"No edition can be built from {data}: every edition of editions.toml is missing input files "
            "(listed above). Point --data (or OPEN_CYBER_DATA) at the folder that holds the DSPT data pack; "
            "data/README.md says what each edition needs and where to get it."
        )
    log(f"Building {len(chosen)} edition(s) from {data}: {', '.join(e.id for e in chosen)}")
    seconds = {}
    built = [e.id for e in chosen]
    for ed in reversed(chosen):  # oldest first: a page links to its previous edition once that is built
        digest = edition_digest(ed, data, built)
        if not force and is_up_to_date(ed, build_dir, digest):
            log(f"  [{ed.id}] unchanged since its last build: not executed again (--force to rebuild)")
            seconds[ed.id] = 0.0
            continue
        from .check import check_edition

        try:
            log(check_edition(ed, data).summary())
        except (InputError, RegistryError) as exc:
            raise NotebookDataError(f"{exc}\n  (edition {ed.id}: found by the input check, before any notebook ran)") from None
        seconds[ed.id] = execute_edition(ed, data, build_dir)
        (build_dir / ed.id / DIGEST_FILE).write_text(digest + "\n")
    pages: list[Path] = []
    if render:
        t = time.perf_counter()
        log(f"Rendering the website into {site_dir} ...")
        pages = render_site(chosen, build_dir, site_dir)
        seconds["render"] = time.perf_counter() - t
        log(f"Website ready: {site_dir / 'index.html'} ({seconds['render']:.1f} s)")
    return BuildResult(chosen, skipped, seconds, pages)
