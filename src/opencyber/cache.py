"""Results of the slow, deterministic steps kept on disk, so that the build and the notebooks'
kernels (separate processes) and the next build share them: each input file parsed once, each
edition curated once.

Without it one build read the 2019 Excel export five times (the input check, the 2018/19
curation notebook, the 2020/21 key points, which compare with the previous edition, and the
all-sectors outputs), and curated each edition two or three times.

An entry is named by a digest of everything its result depends on: the bytes of the input files,
the arguments, the source of the whole library, and the versions of Python and of every installed
package. A changed input, a code change or an upgrade never gets an old result: it makes a new
entry. An entry that cannot be read is computed again. A step that raises (a bad input) stores
nothing, so its error comes again, the same, on the next run.

Entries hold plain data (tables, text, WKB bytes), never shapely geometries: a pickle drops the
precision grid of a geometry, and points derived from it afterwards move, so a cached and a fresh
build would differ. :func:`stored` refuses them.

The cache is used only where a build folder names it (:func:`use`: the build, and a notebook
through :func:`~opencyber.inputs.locations.open_edition`, use ``<build>/.cache``); elsewhere (a test, a
script) every call computes. Entries are ``pickle`` files written by this library into the user's
own build folder; nothing else is ever read from there. Entries unused for :data:`KEEP_DAYS` days
are deleted by the next build (:func:`prune`); deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

CACHE_DIR_NAME = ".cache"
KEEP_DAYS = 14
LIBRARY = Path(__file__).resolve().parent

_dir: Path | None = None


def use(folder: str | Path | None) -> None:
    """Keep results in ``folder`` from now on in this process (``None``: keep none)."""
    global _dir
    _dir = Path(folder).resolve() if folder is not None else None


@contextlib.contextmanager
def using(folder: str | Path | None) -> Iterator[None]:
    """:func:`use` for the duration of a ``with`` block, then back to what it was."""
    before = _dir
    use(folder)
    try:
        yield
    finally:
        use(before)


def folder() -> Path | None:
    return _dir


@functools.cache
def environment_digest() -> str:
    """Python's version, the source of every module of the library, every installed package's
    version, once per process: part of every entry's name, so that an edit or an upgrade never gets
    an old result."""
    from importlib import metadata

    h = hashlib.sha256(sys.version.encode())
    for path in sorted(LIBRARY.rglob("*.py")):
        h.update(path.relative_to(LIBRARY).as_posix().encode() + b"\0" + path.read_bytes())
    packages = sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items())
    h.update(json.dumps(packages).encode())
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    """The file's path (messages name it) and the digest of its bytes (``missing`` if there is none)."""
    path = Path(path).resolve()
    try:
        data = path.read_bytes()
    except OSError:
        return f"{path}\0missing"
    return f"{path}\0{hashlib.sha256(data).hexdigest()}"


def stored(kind: str, key: list, compute: Callable[[], T]) -> T:
    """``compute()``, or the result that an earlier call with the same ``kind`` and ``key`` stored.
    ``key`` is a list of JSON-able values that, with the environment, determine the result."""
    if _dir is None:
        return compute()
    text = json.dumps([kind, environment_digest(), key], sort_keys=True, default=str)
    path = _dir / kind / f"{hashlib.sha256(text.encode()).hexdigest()}.pickle"
    try:
        with path.open("rb") as f:
            value = pickle.load(f)
    except FileNotFoundError:
        pass
    except Exception as exc:
        logging.getLogger(__name__).warning(
            "The build's cache entry %s is damaged (%s): made again", path, type(exc).__name__
        )
        path.unlink(missing_ok=True)
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # used: kept by prune()
        return value
    value = compute()
    _refuse_geometries(kind, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, when two processes store the same entry
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return value


def _is_geometric(obj) -> bool:
    """A shapely geometry, a GeoDataFrame or GeoSeries, or a table with a column of geometries."""
    if type(obj).__module__.startswith(("geopandas", "shapely")):
        return True
    columns = getattr(obj, "columns", None)  # a pandas DataFrame (pandas is not imported here)
    return columns is not None and len(obj) > 0 and any(_is_geometric(obj[c].iloc[0]) for c in columns)


def _refuse_geometries(kind: str, value) -> None:
    """Entries hold plain data: a shapely geometry loses its precision grid in a pickle (and the
    points derived from it move), so a geometry, or a table or GeoSeries of them, is refused."""
    parts = (
        list(value.values())
        if isinstance(value, dict)
        else list(value)
        if isinstance(value, (tuple, list))
        else [value]
    )
    for part in parts:
        if _is_geometric(part):
            raise TypeError(
                f"cache entry {kind!r}: keep geometries as WKB, not as {type(part).__name__} (see opencyber.cache)"
            )


def of_file(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: keep the results of a reader whose first argument is the path of the file it
    reads (its other arguments go into the key as they are written, so they must have a stable
    ``repr``)."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(path, *args, **kwargs):
            key = [fn.__module__, fn.__qualname__, file_digest(path), repr(args), repr(sorted(kwargs.items()))]
            return stored(kind, key, lambda: fn(path, *args, **kwargs))

        return wrapper

    return decorate


def prune(root: Path, days: float = KEEP_DAYS) -> int:
    """Delete the entries under ``root`` not used for ``days`` days (and any temporary file that an
    interrupted write left over an hour ago); return how many were deleted."""
    cutoff = time.time() - days * 86400
    removed = 0
    for path in Path(root).glob("*/*.pickle"):
        try:
            age_limit = cutoff if not path.name.startswith(".tmp-") else time.time() - 3600
            if path.stat().st_mtime < age_limit:
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed
