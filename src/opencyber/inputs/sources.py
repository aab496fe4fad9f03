"""The registry of the data directory's files (sources.toml): where each file comes from and the sha256 it must have, which files an edition reads (from editions.toml: said there only), and which files a fetch asks for."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from opencyber.errors import RegistryError
from opencyber.inputs.registry import load_registry

DEFAULT_SOURCES = Path(__file__).resolve().with_name("sources.toml")


#: ArcGIS: features asked per page, and a bound on the number of pages of one query
DEFAULT_PAGE_SIZE = 1000


GROUPS = ("ods", "ons")


_KEYS = {"name", "url", "sha256", "source", "note", "live", "group", "paged", "page_size"}


class FetchError(Exception):
    """A problem with the request or the registry (sources.toml): nothing was downloaded for it."""


@dataclass(frozen=True)
class Source:
    """One entry of sources.toml."""

    name: str
    url: str
    sha256: str
    source: str
    note: str = ""
    live: bool = False
    group: str = ""
    paged: bool = False
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def derived(self) -> bool:
        return not self.url


def load_sources(path: str | Path | None = None) -> list[Source]:
    """The entries of sources.toml (default: the package's), checked."""
    path = Path(path) if path else DEFAULT_SOURCES
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FetchError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"{path}: not valid TOML: {exc}") from None
    tables = raw.get("file")
    if not isinstance(tables, list) or not tables:
        raise FetchError(f"{path}: no [[file]] tables")
    sources = [_source_from_table(t, f"{path}: [[file]] {i + 1}") for i, t in enumerate(tables)]
    names = [s.name for s in sources]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise FetchError(f"{path}: names repeat: {', '.join(repeated)}")
    return sources


def _source_from_table(t: dict, where: str) -> Source:
    def need(key: str, kind: type):
        if key not in t:
            raise FetchError(f"{where}: missing key {key}")
        if not isinstance(t[key], kind):
            raise FetchError(f"{where}: {key} must be a {kind.__name__}, not {t[key]!r}")
        return t[key]

    name = need("name", str)
    where = f"{where} ({name})"
    unknown = set(t) - _KEYS
    if unknown:
        raise FetchError(f"{where}: unknown keys {sorted(unknown)}")
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name or name.endswith("/"):
        raise FetchError(f"{where}: name must be a relative path inside the data directory, like 22_23/etr.csv")
    url, sha = need("url", str).strip(), need("sha256", str).strip().lower()
    source, note = need("source", str), t.get("note", "")
    live, group, paged = bool(t.get("live", False)), t.get("group", ""), bool(t.get("paged", False))
    page_size = t.get("page_size", DEFAULT_PAGE_SIZE)
    if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise FetchError(f"{where}: sha256 must be 64 hex digits or empty, not {sha!r}")
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{where}: url must be http(s), not {url!r}")
    if not url and not note:
        raise FetchError(f"{where}: a file without url needs a note saying what it is derived from")
    if live and group not in GROUPS:
        raise FetchError(f"{where}: a live file needs group = one of {GROUPS}")
    if live and sha:
        raise FetchError(f"{where}: a live file cannot have a pinned sha256")
    if live and not url:
        raise FetchError(f"{where}: a live file needs a url")
    if url and not live and not sha:
        raise FetchError(f"{where}: a file with a url needs its sha256 (or live = true)")
    if paged and not live:
        raise FetchError(f"{where}: paged queries are live files")
    if not isinstance(page_size, int) or page_size < 1:
        raise FetchError(f"{where}: page_size must be a positive integer")
    return Source(name, url, sha, " ".join(source.split()), " ".join(str(note).split()), live, group, paged, page_size)


def edition_files(registry=None) -> dict[str, set[str]]:
    """For each file name of the data directory that an edition of editions.toml reads, those editions."""
    registry = load_registry() if registry is None else registry
    used: dict[str, set[str]] = {}
    for ed in registry.values():
        for value in ed.inputs.values():
            for name in value if isinstance(value, list) else [value]:
                used.setdefault(name, set()).add(ed.id)
    return used


def select(
    sources: Sequence[Source],
    editions: Iterable[str] | None = None,
    *,
    current_ods: bool = False,
    current_ons: bool = False,
) -> tuple[list[Source], dict[str, int]]:
    """The entries to fetch, and the number of live entries left out for want of their flag.

    No editions: every entry (live ones only with their flag). Editions: the files those editions
    read (editions.toml), and the live files, which belong to no edition, with their flag."""
    wanted = None if editions is None else set(editions)
    used = edition_files(_registry_or_empty())
    if wanted is not None:
        known = set().union(*used.values()) if used else set()
        unknown = sorted(wanted - known)
        if unknown:
            raise FetchError(f"no edition {', '.join(unknown)} in editions.toml (known: {', '.join(sorted(known))})")
    chosen: list[Source] = []
    not_asked: dict[str, int] = {}
    for s in sources:
        if not (wanted is None or s.live or wanted & used.get(s.name, set())):
            continue
        if s.live and not {"ods": current_ods, "ons": current_ons}[s.group]:
            not_asked[s.group] = not_asked.get(s.group, 0) + 1
            continue
        chosen.append(s)
    return chosen, not_asked


def _registry_or_empty() -> dict:
    try:
        return load_registry()
    except (RegistryError, OSError):  # a broken editions.toml is the build's business, not fetch's
        return {}
