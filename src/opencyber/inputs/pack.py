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
import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pooch

from opencyber.errors import RegistryError
from opencyber.inputs.fetch import Downloader, FetchNetworkError, _FileFailure, _pooch_actions, _timeout
from opencyber.inputs.locations import default_data_dir
from opencyber.inputs.registry import load_registry
from opencyber.inputs.sources import FetchError

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

_CHUNK = 1 << 20

_SHA256 = re.compile(r"[0-9a-f]{64}")


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


def _hash_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
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
    hashes = {rel: _hash_file(path) for rel, path in files}
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
                    while chunk := src.read(_CHUNK):
                        h.update(chunk)
                        dst.write(chunk)
                if h.hexdigest() != expected:
                    raise PackError(f"{path}: the file changed while it was packed: pack again")
        sha, zip_bytes = _hash_file(tmp)
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
            wanted = [
                p.relative_to(root).as_posix() for role in ed.required_roles() for p in ed.input_paths(role, root)
            ]
        except (RegistryError, ValueError):
            continue
        missing = [name for name in wanted if name not in packed]
        if missing:
            lines.append(f"note: edition {ed.id} cannot be built from this pack: it lacks {', '.join(missing)}")
    return lines


# --------------------------------------------------------------------------------------------------
# Fetching a pack


@dataclass
class FetchPackResult:
    data_dir: Path
    url: str
    zip_bytes: int = 0
    placed: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.placed) + len(self.replaced) + len(self.already_there)


def parse_manifest(text: str) -> tuple[dict[str, str], list[str]]:
    """The entries of a ``MANIFEST.sha256`` (path -> sha256) and its problems, each naming the line."""
    entries: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line)
        if not m:
            problems.append(f"{MANIFEST}, line {number}: not '<sha256>  <path>' ({line[:80]!r})")
            continue
        sha, name = m.group(1).lower(), m.group(2)
        why = safe_name(name)
        if why:
            problems.append(f"{name}: {MANIFEST}, line {number}: {why}")
        elif name in entries:
            problems.append(f"{name}: {MANIFEST}, line {number}: listed twice")
        else:
            entries[name] = sha
    return entries, problems


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.removesuffix("/") if info.is_dir() else info.filename
    why = safe_name(name)
    if why:
        return why
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "not a regular file (a link or a device)"
    return None


def _unpack_verified(zip_path: Path, into: Path, log: Callable[[str], object]) -> list[str]:
    """Every member of the pack checked against its MANIFEST.sha256 and written under ``into``; the
    members' paths, sorted. A PackError lists every problem, each naming the member."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise PackError(f"the pack is not a zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        problems = []
        seen: set[str] = set()
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            why = _member_problem(info)
            if why:
                problems.append(f"{info.filename!r}: {why}")
            elif info.filename in seen:
                problems.append(f"{info.filename}: in the zip twice")
            elif not info.is_dir():
                members[info.filename] = info
            seen.add(info.filename)
        if MANIFEST not in members:
            raise PackError(f"the pack has no {MANIFEST} at its root: it is not an opencyber data pack")
        try:
            manifest, bad_lines = parse_manifest(zf.read(members.pop(MANIFEST)).decode("utf-8"))
        except UnicodeDecodeError:
            raise PackError(f"the pack's {MANIFEST} is not UTF-8 text") from None
        problems += bad_lines
        problems += [f"{name}: in the zip but not in {MANIFEST}" for name in sorted(set(members) - set(manifest))]
        problems += [f"{name}: in {MANIFEST} but not in the zip" for name in sorted(set(manifest) - set(members))]
        if problems:
            raise PackError(_problems(problems))
        log(f"pack: verifying {len(members)} files against {MANIFEST}")
        for name in sorted(members):
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            try:
                with zf.open(members[name]) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        h.update(chunk)
                        dst.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
                problems.append(f"{name}: cannot be read from the zip ({exc})")
                continue
            except OSError as exc:  # e.g. a member "a" and a member "a/b"
                problems.append(f"{name}: cannot be unpacked ({exc.strerror or exc})")
                continue
            if h.hexdigest() != manifest[name]:
                problems.append(f"{name}: sha256 {h.hexdigest()}, but {MANIFEST} says {manifest[name]}")
        if problems:
            raise PackError(_problems(problems))
    return sorted(members)


def _problems(problems: list[str]) -> str:
    shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
    return f"the pack does not match its {MANIFEST}, nothing was placed: {shown}"


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and _hash_file(a)[0] == _hash_file(b)[0]


def _move(src: Path, dst: Path) -> None:
    """``src`` renamed to ``dst``; across file systems (a folder of the data directory that is a link
    to another disk), copied beside ``dst`` first, then renamed."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)


def fetch_pack(
    url: str,
    sha256: str,
    data_dir: str | Path | None = None,
    *,
    force: bool = False,
    timeout: float | None = None,
    log: Callable[[str], object] | None = print,
) -> FetchPackResult:
    """Download the pack at ``url``, which must have ``sha256``, verify every member against its
    manifest and place the files into ``data_dir`` (default: the data directory); see the module's
    docstring. ``log`` receives one line per step. Raises PackError (a wrong hash, a damaged pack,
    files that differ without ``force``), FetchNetworkError (no server), FetchError (a request that
    is wrong: no sha256, not http(s), a bad timeout) and OSError (writing)."""
    log = log or (lambda line: None)
    sha = (sha256 or "").strip().lower().removeprefix("sha256:")
    if not _SHA256.fullmatch(sha):
        raise FetchError(
            f"--sha256 must be the pack's sha256 (64 hex digits, as `opencyber pack` printed it), not {sha256!r}: "
            "a pack without a known hash is not fetched"
        )
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"the pack's URL must be http(s), not {url!r}")
    seconds = _timeout(timeout)
    data = Path(data_dir) if data_dir else default_data_dir()
    if data.exists() and not data.is_dir():
        raise PackError(f"the data directory {data} is not a folder")
    result = FetchPackResult(data, url)
    new_dir = not data.exists()
    made = [p for p in data.parents if not p.exists()]  # folders made for it, removed again if the fetch fails
    placed = False
    if new_dir:  # unpacked beside it, then renamed into place whole
        data.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{data.name}.pack-", dir=data.parent))
    else:  # unpacked inside it (a hidden folder), then moved in file by file
        staging = Path(tempfile.mkdtemp(prefix=".opencyber-pack-", dir=data))
    try:
        log(f"pack: downloading {url}")
        with _pooch_actions():
            try:
                zip_path = Path(
                    pooch.retrieve(
                        url, known_hash=f"sha256:{sha}", fname="pack.zip", path=staging, downloader=Downloader(seconds)
                    )
                )
            except ValueError as exc:  # pooch: the download's hash is not the one given (it deleted it)
                got = re.search(r"but got (\S+?)\.? ", str(exc) + " ")
                raise PackError(
                    f"the pack's sha256 is not the one given: expected {sha}, received "
                    f"{got.group(1) if got else '?'} from {url}; nothing was placed"
                ) from None
            except _FileFailure as exc:
                raise PackError(f"{exc}; nothing was placed") from None
        result.zip_bytes = zip_path.stat().st_size
        log(f"pack: downloaded {result.zip_bytes:,} bytes, sha256 as given")
        unpacked = staging / "files"
        names = _unpack_verified(zip_path, unpacked, log)
        zip_path.unlink()
        if new_dir:
            os.rename(unpacked, data)
            result.placed = names
        else:
            _place(unpacked, data, names, force, result)
        log(
            f"pack: placed {len(result.placed) + len(result.replaced)} files into {data}"
            + (f" ({len(result.replaced)} replaced)" if result.replaced else "")
            + (f"; {len(result.already_there)} already there, identical" if result.already_there else "")
        )
        placed = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not placed:
            for folder in made:  # deepest first
                with contextlib.suppress(OSError):
                    folder.rmdir()
    return result


def _place(unpacked: Path, data: Path, names: list[str], force: bool, result: FetchPackResult) -> None:
    """Move the verified files into the existing data directory: none if one differs without
    ``force`` or if something that is not a file is in the way."""
    conflicts, blocked = [], []
    for name in names:
        target = data / name
        in_the_way = next(
            (p for p in reversed(target.parents) if p.is_relative_to(data) and p.exists() and not p.is_dir()), None
        )
        if in_the_way is not None:
            blocked.append(f"{name} (the file {in_the_way} is where a folder must be)")
        elif target.is_dir():
            blocked.append(f"{name} (a folder is there)")
        elif target.exists():
            if _same_file(unpacked / name, target):
                result.already_there.append(name)
            else:
                conflicts.append(name)
        elif target.is_symlink():  # a broken link: replaced like a file that differs
            conflicts.append(name)
    if blocked:
        raise PackError(
            f"{len(blocked)} file(s) of the pack cannot be placed in {data}, nothing was placed: " + ", ".join(blocked)
        )
    if conflicts and not force:
        raise PackConflict(data, conflicts)
    for name in names:
        if name in result.already_there:
            continue
        target = data / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (result.replaced if name in conflicts else result.placed).append(name)
        _move(unpacked / name, target)


def read_manifest(zip_path: str | Path) -> dict[str, str]:
    """The MANIFEST.sha256 of a pack (path -> sha256), e.g. to compare two packs."""
    with zipfile.ZipFile(zip_path) as zf:
        entries, problems = parse_manifest(zf.read(MANIFEST).decode("utf-8"))
    if problems:
        raise PackError(_problems(problems))
    return entries


__all__ = [
    "MANIFEST",
    "FetchNetworkError",
    "FetchPackResult",
    "PackConflict",
    "PackError",
    "PackResult",
    "fetch_pack",
    "make_pack",
    "pack_files",
    "parse_manifest",
    "read_manifest",
]
