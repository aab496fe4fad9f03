"""The data pack: the data directory as one zip, made by ``opencyber pack`` and downloaded by
``opencyber fetch --pack URL --sha256 HEX``.

**What a pack holds.** Every regular file under the data directory, at its path relative to it,
except: hidden files and folders (any part of the path starting with ``.``), the top-level
``sample/`` folder (the bundled fictional edition of a checkout), the top-level ``README.md`` (in a
checkout ``data/README.md`` is the project's own, tracked by git: a pack that brought another would
collide with it where packs are unpacked by default) and a top-level ``MANIFEST.sha256`` (the pack's
own, written anew). That covers every file the registries read (the inputs of each edition of
``editions.toml``, every file of ``sources.toml`` that is present, a data directory's own
``editions.toml``) and the pack's provenance table ``MANIFEST.tsv``. A symbolic link is packed as
the file it points to if that is inside the data directory; one that leads out of it is refused (a
link to a folder inside it is left out: its files are packed where they really are). File names
with a newline or a backslash are refused (``sha256sum`` could not list them plainly).

**The zip.** ``MANIFEST.sha256`` first, in ``sha256sum`` format (``<hex>  <path>`` per line, sorted
by path, POSIX paths; after unzipping, ``sha256sum -c MANIFEST.sha256`` checks the files), then the
files sorted by path. Every entry has the timestamp 1980-01-01 00:00, Unix permissions 0644, no
folder entries, and is deflated at zlib's default level (6): the same data give the same zip bytes
(with the same Python and zlib). It is written to a temporary file beside the target and renamed at
the end, so there is never a half-written pack at the target; an existing target is replaced only
with ``force``.

**Fetching a pack.** ``pooch.retrieve`` downloads the zip (the fetch's downloader: its user agent and
timeout) and checks it against the sha256 given: a pack without a known hash is refused. Then every
member is checked against ``MANIFEST.sha256`` (a member not in the manifest, an entry of the manifest
with no member, a hash that differs, an absolute path or ``..`` in a name, a link): any of these is
an error naming the member, and nothing is placed. The files are unpacked into a temporary folder
(inside the data directory, or beside it when it does not exist yet) and only then moved in: a new
data directory appears whole (one rename), an existing one receives each file by a rename once the
whole pack is verified. A file of the data directory that differs from the pack's is never replaced
without ``force`` (the error lists them all); files identical to the pack's are left as they are;
no file is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from opencyber.errors import RegistryError
from opencyber.inputs.locations import default_data_dir
from opencyber.inputs.registry import input_name, load_registry

#: the manifest at the zip's root
MANIFEST = "MANIFEST.sha256"

#: what a pack leaves out at the top of the data directory (besides hidden files): folder -> why
LEFT_OUT_FOLDERS = {"sample": "the bundled fictional sample edition"}

#: files at the top of the data directory a pack leaves out
LEFT_OUT_FILES = {
    "README.md": "data/README.md of a checkout is the project's own",
    MANIFEST: "the pack writes its own",
}

#: every entry's timestamp: the earliest a zip can hold
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: every entry's Unix mode: a regular file, rw-r--r--
ZIP_MODE = stat.S_IFREG | 0o644

CHUNK = 1 << 20

SHA256 = re.compile(r"[0-9a-f]{64}")


class PackError(Exception):
    """A pack could not be made or fetched; the message names the file or member. Nothing was
    written to the target (``pack``) or placed in the data directory (``fetch --pack``)."""


class PackConflict(PackError):
    """Files of the data directory differ from the pack's, and ``force`` was not given."""

    def __init__(self, data_dir: Path, names: list[str]) -> None:
        self.names = names
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        super().__init__(
            f"{len(names)} file(s) in {data_dir} differ from the pack's, nothing was placed: {shown} "
            "(give --force to replace them with the pack's)"
        )


# --------------------------------------------------------------------------------------------------
# Making a pack


@dataclass
class PackResult:
    out: Path
    files: int
    bytes: int
    zip_bytes: int
    sha256: str
    #: what the rule left out, as "path (why)"
    left_out: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"pack: {self.files} files, {self.bytes:,} bytes, into {self.out} ({self.zip_bytes:,} bytes), "
            f"sha256 {self.sha256}"
        )


def safe_name(name: str) -> str | None:
    """Why ``name`` cannot be a file's path in a pack (absolute, ``..``, a backslash, a newline,
    empty parts), or None when it can."""
    if not name:
        return "an empty name"
    if "\\" in name or any(ord(c) < 32 for c in name):
        return "a backslash or a control character (a newline) in its name"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if any(part == ".." for part in name.split("/")):
        return "'..' in its path (it would land outside the data directory)"
    if any(part in ("", ".") for part in name.split("/")):
        return "an empty or '.' part in its path"
    return None


def pack_files(data_dir: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """The files a pack of ``data_dir`` holds, as (path in the pack, file), sorted by path, and what
    the rule left out ("path (why)"). A PackError names a link that leads out of the data directory
    or a name a pack cannot hold."""
    root = data_dir.resolve()
    files: list[tuple[str, Path]] = []
    left_out: list[str] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        rel_folder = here.relative_to(root)
        for d in sorted(dirs):
            rel = (rel_folder / d).as_posix()
            path = here / d
            if d.startswith("."):
                left_out.append(f"{rel}/ (hidden)")
            elif rel_folder == Path(".") and d in LEFT_OUT_FOLDERS:
                left_out.append(f"{rel}/ ({LEFT_OUT_FOLDERS[d]})")
            elif path.is_symlink():
                _inside(root, path)
                left_out.append(f"{rel}/ (a link to a folder inside the data directory: its files are packed there)")
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and not (rel_folder == Path(".") and d in LEFT_OUT_FOLDERS)
            and not (here / d).is_symlink()
        )
        for n in sorted(names):
            rel = (rel_folder / n).as_posix()
            path = here / n
            if n.startswith("."):
                left_out.append(f"{rel} (hidden)")
                continue
            if rel_folder == Path(".") and n in LEFT_OUT_FILES:
                left_out.append(f"{rel} ({LEFT_OUT_FILES[n]})")
                continue
            if path.is_symlink():
                _inside(root, path)
            if not path.is_file():
                left_out.append(f"{rel} (not a file)")
                continue
            why = safe_name(rel)
            if why:
                raise PackError(f"{path}: a pack cannot hold this file: {why}")
            files.append((rel, path))
    return sorted(files), sorted(left_out)


def _inside(root: Path, link: Path) -> None:
    """A PackError unless the symbolic link ``link`` leads to a place inside ``root``."""
    try:
        target = link.resolve()
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise PackError(f"{link}: a symbolic link that cannot be followed ({exc})") from None
    if not target.is_relative_to(root):
        raise PackError(
            f"{link}: a symbolic link that leads out of the data directory (to {target}); "
            "copy the file into the data directory, or remove the link"
        )


def hash_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def manifest_text(hashes: Iterable[tuple[str, str]]) -> str:
    """``sha256sum`` format: ``<hex>  <path>`` per line, sorted by path."""
    return "".join(f"{sha}  {name}\n" for name, sha in sorted(hashes))


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED  # at zlib's default level
    info.create_system = 3  # Unix, whatever the machine (the mode below is a Unix mode)
    info.external_attr = ZIP_MODE << 16
    info.file_size = size  # zipfile decides on ZIP64 from it
    return info


def make_pack(
    data_dir: str | Path | None,
    out: str | Path,
    *,
    force: bool = False,
    log: Callable[[str], object] | None = print,
) -> PackResult:
    """Write the pack of ``data_dir`` (default: the data directory) to ``out``; see the module's
    docstring for what it holds. ``log`` receives a note per edition whose inputs the pack lacks.
    Raises PackError (target exists without ``force``, a link out of the data directory, a file
    that changed while it was packed, no file at all) and OSError (reading, writing)."""
    log = log or (lambda line: None)
    data = Path(data_dir) if data_dir else default_data_dir()
    if not data.is_dir():
        raise PackError(f"the data directory {data} does not exist or is not a folder")
    out = Path(out)
    root = data.resolve()
    if out.resolve().is_relative_to(root):
        raise PackError(f"{out}: the pack cannot be written inside the data directory it packs ({data})")
    if out.is_dir():
        raise PackError(f"{out} is a folder: give the path of the zip to write")
    if (out.exists() or out.is_symlink()) and not force:
        raise PackError(f"{out} already exists: give --force to replace it, or another --out")
    files, left_out = pack_files(data)
    if not files:
        raise PackError(f"the data directory {data} holds no file to pack")
    hashes = {rel: hash_file(path) for rel, path in files}
    manifest = manifest_text((rel, sha) for rel, (sha, _) in hashes.items()).encode("utf-8")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as raw, zipfile.ZipFile(raw, "w") as zf:
            with zf.open(_zip_info(MANIFEST, len(manifest)), "w") as dst:
                dst.write(manifest)
            for rel, path in files:
                expected, size = hashes[rel]
                h = hashlib.sha256()
                with open(path, "rb") as src, zf.open(_zip_info(rel, size), "w") as dst:
                    while chunk := src.read(CHUNK):
                        h.update(chunk)
                        dst.write(chunk)
                if h.hexdigest() != expected:
                    raise PackError(f"{path}: the file changed while it was packed: pack again")
        sha, zip_bytes = hash_file(tmp)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
    for line in _editions_lacking(data, {rel for rel, _ in files}):
        log(line)
    total = sum(size for _, size in hashes.values())
    return PackResult(out, len(files), total, zip_bytes, sha, left_out)


def _editions_lacking(data: Path, packed: set[str]) -> list[str]:
    """A note per edition of the registry (the data directory's own, else the project's) whose
    required inputs are not all in the pack."""
    try:
        registry = load_registry(data_dir=data)
    except (RegistryError, OSError):
        return []
    root = data.resolve()
    lines = []
    for ed in registry.values():
        try:
            paths = [p for role in ed.required_roles() for p in ed.input_paths(role, root)]
        except RegistryError:
            continue
        wanted = [input_name(p, root) for p in paths]
        missing = [name for name in wanted if name not in packed]
        if missing:
            lines.append(f"note: edition {ed.id} cannot be built from this pack: it lacks {', '.join(missing)}")
    return lines
