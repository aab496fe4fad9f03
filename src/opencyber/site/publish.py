"""What the build owns, one build at a time, and the switch to a new site in one step.

**The build folder** (``build/``, ``--build-dir``) is marked with ``.opencyber-build`` the first time
a build uses it. A folder that is not empty and carries no mark is refused, unless everything in it
is something the build makes (a build folder of an earlier version, which is then marked): the
build never writes into, or deletes from, a folder of someone else's files.

**The site** (``_site/``, ``--site-dir``) is a symbolic link to a *release*, a folder in
``<site>.releases/`` beside it. A new site is written into a new release; when it is complete, a new
link is made and renamed over the site's path (``os.replace``, atomic on POSIX), so that at every
instant the site's path is the whole previous site or the whole new one, even if the build is
killed. Then the older releases are deleted. A site folder that is neither such a link, nor empty,
nor a site of an earlier version of the build (``.site-digest``), is refused. Where symbolic links
cannot be made (Windows without developer mode), the release is renamed into the site's place,
which leaves a moment without a site.

**One build at a time**: the build holds an OS file lock (:mod:`filelock`) on the build folder for
its whole run, and on the releases folder while it writes a site; a second build into the same
folders waits for the first and says so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from opencyber.errors import FolderError

log = logging.getLogger(__name__)

BUILD_MARK = ".opencyber-build"
RELEASES_MARK = ".opencyber-releases"
LOCK = ".lock"
#: what each release carries: the digest it was made from, and the editions it shows
MANIFEST = ".opencyber-site.json"
#: the mark of a site written by earlier versions of the build (a folder, not a link)
LEGACY_SITE_MARK = ".site-digest"


def _names(folder: Path, limit: int = 5) -> str:
    names = sorted(p.name for p in folder.iterdir())
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def claim_build_dir(build_dir: Path, made_by_the_build: set[str]) -> None:
    """Make sure that ``build_dir`` is the build's own: new, empty, marked, or holding only entries
    named in ``made_by_the_build`` (then it is marked); else a FolderError that names what is there."""
    if (build_dir / BUILD_MARK).is_file():
        return
    if build_dir.exists() and not build_dir.is_dir():
        raise FolderError(f"the build folder {build_dir} is a file: give --build-dir a folder")
    if build_dir.is_dir():
        strange = sorted(p.name for p in build_dir.iterdir() if p.name not in made_by_the_build)
        if strange:
            raise FolderError(
                f"the build folder {build_dir} holds files the build did not make ({', '.join(strange[:5])}"
                + (f" and {len(strange) - 5} more" if len(strange) > 5 else "")
                + "): give --build-dir an empty or new folder (the build writes and deletes files in it)"
            )
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / BUILD_MARK).write_text("This folder is written by `opencyber build`; it may be deleted.\n")


@contextlib.contextmanager
def exclusive(folder: Path, what: str) -> Iterator[None]:
    """Hold an OS file lock on ``folder`` (its ``.lock`` file) for the ``with`` block; if another
    build holds it, say so and wait for it."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("Another build is using %s %s: waiting for it to finish (Ctrl-C to stop) ...", what, folder)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def releases_dir(site_dir: Path) -> Path:
    return site_dir.with_name(site_dir.name + ".releases")


def claim_site_dir(site_dir: Path) -> None:
    """Make sure that the build may replace ``site_dir``: absent, an empty folder, a link to one of its
    releases, or a site of an earlier version of the build; else a FolderError naming what is there."""
    releases = releases_dir(site_dir)
    if (
        releases.is_dir()
        and not (releases / RELEASES_MARK).is_file()
        and any(p.name != LOCK for p in releases.iterdir())
    ):
        raise FolderError(
            f"{releases} holds files the build did not make ({_names(releases)}): the site's releases go there; "
            "move them, or choose another --site-dir"
        )
    if site_dir.is_symlink():
        if Path(os.path.realpath(site_dir)).parent != releases.resolve():
            raise FolderError(
                f"the site {site_dir} is a link to {os.readlink(site_dir)}, not to a site this build made: "
                "remove the link, or choose another --site-dir"
            )
        return
    if not site_dir.exists():
        return
    if not site_dir.is_dir():
        raise FolderError(f"the site {site_dir} is a file: give --site-dir a new or empty folder")
    ours = (site_dir / MANIFEST).is_file() or (site_dir / LEGACY_SITE_MARK).is_file()
    if any(site_dir.iterdir()) and not ours:
        raise FolderError(
            f"the site folder {site_dir} holds files the build did not make ({_names(site_dir)}): give --site-dir "
            "a new or empty folder (the build replaces the whole folder with the site)"
        )


def current_release(site_dir: Path) -> Path | None:
    """The folder the site is now (a release, or a site folder of an earlier version), or None."""
    if site_dir.is_symlink() or site_dir.is_dir():
        return Path(os.path.realpath(site_dir))
    return None


def manifest(site_dir: Path) -> dict:
    """The manifest of the site now: ``{"digest": ..., "editions": [...]}`` (empty if there is none)."""
    current = current_release(site_dir)
    if current is None:
        return {}
    try:
        data = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        legacy = current / LEGACY_SITE_MARK
        if legacy.is_file():  # a site of an earlier version: its editions are its edition pages
            return {"digest": legacy.read_text().strip(), "editions": [p.stem for p in current.glob("*-scoring.html")]}
        return {}
    return data if isinstance(data, dict) else {}


def new_release(site_dir: Path) -> Path:
    """A new, empty folder in the releases folder to write a site into (``*.partial`` until
    :func:`switch`); any other partial release, left by a build that was killed, is deleted."""
    releases = releases_dir(site_dir)
    releases.mkdir(parents=True, exist_ok=True)
    (releases / RELEASES_MARK).write_text(
        "The releases of the site beside this folder, written by `opencyber build`.\n"
    )
    for old in releases.glob("*.partial"):
        shutil.rmtree(old, ignore_errors=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 0
    while (releases / f"{stamp}-{n}").exists() or (releases / f"{stamp}-{n}.partial").exists():
        n += 1
    staged = releases / f"{stamp}-{n}.partial"
    staged.mkdir()
    return staged


def switch(site_dir: Path, staged: Path, contents: dict) -> Path:
    """Make the complete site in ``staged`` the site: write its manifest (``contents``), then point
    ``site_dir`` at it in one rename; delete the releases before it. Returns the release."""
    (staged / MANIFEST).write_text(json.dumps(contents, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    release = staged.with_name(staged.name.removesuffix(".partial"))
    staged.rename(release)
    releases = release.parent
    if site_dir.is_dir() and not site_dir.is_symlink():  # empty, or a site of an earlier version: moved aside once
        site_dir.rename(releases / f"{release.name}-previous")
    link = site_dir.with_name(f".{site_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    try:
        os.symlink(os.path.relpath(release, site_dir.parent), link, target_is_directory=True)
    except OSError:  # no symbolic links here (Windows without developer mode): move the folder in place
        if site_dir.exists():
            site_dir.rename(releases / f"{release.name}-replaced")
        release.rename(site_dir)
        release = site_dir
    else:
        os.replace(link, site_dir)
    for old in releases.iterdir():
        if old.is_dir() and old != release and not old.name.endswith(".partial"):
            shutil.rmtree(old, ignore_errors=True)
    return release
