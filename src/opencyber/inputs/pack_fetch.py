"""``opencyber fetch --pack URL --sha256 HEX``: a data pack (see :mod:`opencyber.inputs.pack`)
downloaded with pooch, every member checked against its manifest, then placed into the data
directory without replacing a file that differs (unless forced)."""

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pooch

from opencyber.inputs.fetch import Downloader, _FileFailure, _pooch_actions, _timeout
from opencyber.inputs.locations import default_data_dir
from opencyber.inputs.pack import CHUNK, MANIFEST, SHA256, PackConflict, PackError, hash_file, safe_name
from opencyber.inputs.sources import FetchError


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
                    while chunk := src.read(CHUNK):
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
    return a.stat().st_size == b.stat().st_size and hash_file(a)[0] == hash_file(b)[0]


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
    if not SHA256.fullmatch(sha):
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
