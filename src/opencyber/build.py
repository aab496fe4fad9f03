"""The build: for each edition whose inputs are found, execute the notebooks with papermill into
``build/``, then render the website into ``_site/``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import NoDataError
from .registry import PROJECT_ROOT, Edition, load_registry, resolve_data_dir
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
    registry = load_registry()
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


def execute_edition(edition: Edition, data_dir: Path, build_dir: Path) -> float:
    """Run the three notebooks of an edition with papermill; executed copies go to build/pages/."""
    import papermill as pm

    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    titles = {p.name: p.title for p in edition_pages(edition, pages_dir)}
    start = time.perf_counter()
    for source, suffix in STAGES:
        t = time.perf_counter()
        out = pages_dir / f"{edition.id}{suffix}.ipynb"
        pm.execute_notebook(
            str(NOTEBOOKS / source),
            str(out),
            parameters={"edition": edition.id, "data_dir": str(data_dir.resolve()), "build_dir": str(build_dir.resolve())},
            cwd=str(NOTEBOOKS),
            progress_bar=False,
            kernel_name="python3",
        )
        nb = nbformat.read(out, as_version=4)
        nb.metadata["title"] = titles[f"{edition.id}{suffix}"]
        nbformat.write(nb, out)
        log(f"  [{edition.id}] {source}: {time.perf_counter() - t:.1f} s")
    return time.perf_counter() - start


def build(
    data_dir: str | Path | None = None,
    editions: list[str] | None = None,
    build_dir: Path | None = None,
    site_dir: Path | None = None,
    render: bool = True,
) -> BuildResult:
    data = resolve_data_dir(data_dir)
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
    for ed in reversed(chosen):  # oldest first: a page links to its previous edition once that is built
        seconds[ed.id] = execute_edition(ed, data, build_dir)
    pages: list[Path] = []
    if render:
        t = time.perf_counter()
        log(f"Rendering the website into {site_dir} ...")
        pages = render_site(chosen, build_dir, site_dir)
        seconds["render"] = time.perf_counter() - t
        log(f"Website ready: {site_dir / 'index.html'} ({seconds['render']:.1f} s)")
    return BuildResult(chosen, skipped, seconds, pages)
