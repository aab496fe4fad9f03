"""Which data directory is read, and what a notebook gets when it asks for an edition."""

from __future__ import annotations

from pathlib import Path

from opencyber import settings
from opencyber.errors import NoDataError, RegistryError
from opencyber.inputs.registry import load_registry, registry_path
from opencyber.settings import DATA_ENV, PROJECT_ROOT, SAMPLE_DATA
from opencyber.stages import stage as stage_of


def default_data_dir() -> Path:
    """The data directory: ``$OPEN_CYBER_DATA``, else ``data/`` in the checkout (where a data pack is
    unpacked)."""
    return settings.data_dir() or settings.DEFAULT_DATA


def _holds_an_export(folder: Path) -> bool:
    """Whether ``folder`` holds the export of an edition of the registry (the project's, or one the
    folder brings), i.e. whether it is a data directory at all."""
    try:
        registry = load_registry(data_dir=folder)
    except (RegistryError, OSError):
        return False
    return any(p.is_file() for ed in registry.values() for p in ed.input_paths("export", folder))


def resolve_data_dir(data_dir: str | Path | None, *, sample_fallback: bool = False) -> Path:
    """The data directory to read, or a NoDataError that says what to do.

    With ``sample_fallback`` (the build, a notebook with no edition named), no directory given and
    none holding an edition's export (a fresh clone) means the bundled fictional sample edition,
    with a message that says so and how to get the real data.
    """
    chosen = Path(data_dir) if data_dir else default_data_dir()
    if not data_dir and settings.data_dir() is None and not _holds_an_export(chosen):  # the checkout's own data/
        if sample_fallback and (SAMPLE_DATA / "editions.toml").is_file():
            print(
                f"No data pack in {chosen} (and no --data or ${DATA_ENV}): building the bundled FICTIONAL sample "
                f"edition from {SAMPLE_DATA.relative_to(PROJECT_ROOT)} (every page says so).\nFor the real report, "
                "unpack the DSPT data pack into data/ (or give --data DIR): data/README.md says where each file comes "
                "from; `python -m opencyber fetch --data data` downloads the files that have a public source.",
                flush=True,
            )
            return SAMPLE_DATA
        raise NoDataError(
            f"No input data found: ${DATA_ENV} is not set and {chosen} holds no edition's DSPT export. "
            "Unpack the DSPT data pack there, or give its folder with\n"
            f'  --data DIR (a command), data_dir = "DIR" (a notebook\'s parameter)   or   export {DATA_ENV}=DIR\n'
            "(data/README.md says where each file comes from; `opencyber fetch` downloads the public ones)."
        )
    if not chosen.is_dir():
        raise NoDataError(f"The data directory {chosen} does not exist (from --data or ${DATA_ENV}).")
    return chosen


def open_edition(
    edition_id: str,
    data_dir: str | Path | None = None,
    build_dir: str | Path | None = None,
    *,
    after: tuple[str, ...] = (),
):
    """What a notebook needs: (edition, data directory, this edition's output folder).

    Empty arguments fall back to $OPEN_CYBER_DATA / data/ and $OPEN_CYBER_BUILD / build/.
    An empty ``edition_id`` is the newest edition whose inputs are in the data directory; with no
    data at all, as in a fresh clone, that is the bundled fictional sample edition, as the build
    does. An edition named but not found in the data directory is an error that names the folder
    (never the sample instead). ``after`` names the notebooks (``"01_curation"``) whose outputs this
    one reads: if one has not been run for the edition, a NoDataError says to run it first.
    """
    data = resolve_data_dir(data_dir or None, sample_fallback=not edition_id or edition_id == "sample")
    registry = load_registry(data_dir=data)
    if not edition_id:
        present = [e for e in registry.values() if not e.missing_inputs(data)]
        if not present:
            raise NoDataError(
                f"No edition of the registry has its input files in {data}: set data_dir (or "
                f"${DATA_ENV}) to the folder that holds the DSPT data pack (data/README.md)."
            )
        edition_id = present[0].id
    elif edition_id not in registry:
        raise NoDataError(
            f"Edition {edition_id!r} is not in the registry {registry_path(data)} (known: {', '.join(registry)}); "
            f"the data directory is {data}" + ("" if data_dir else f" (from ${DATA_ENV} or data/)") + "."
        )
    edition = registry[edition_id]
    missing = edition.missing_inputs(data)
    if missing:
        raise NoDataError(
            f"Edition {edition.id}: its input files are not in the data directory {data} (e.g. {missing[0]}): set "
            f"data_dir (or ${DATA_ENV}) to the folder that holds the DSPT data pack; data/README.md lists every input."
        )
    build = Path(build_dir) if build_dir else settings.build_dir()
    out = build / edition.id
    for name_of_stage in after:
        missing_outputs = [name for name in stage_of(name_of_stage).writes if not (out / name).is_file()]
        if missing_outputs:
            raise NoDataError(
                f"{out / missing_outputs[0]} is missing: run notebooks/{name_of_stage}.ipynb for edition {edition.id} first "
                f"(or `python -m opencyber build --edition {edition.id} --no-render`), then this notebook."
            )
    out.mkdir(parents=True, exist_ok=True)
    from opencyber import cache

    cache.use(build / cache.CACHE_DIR_NAME)  # shared with the build and the other notebooks
    return edition, data, out
