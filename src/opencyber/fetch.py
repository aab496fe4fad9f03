"""``opencyber fetch``: download the public input files of the editions into the data directory.

What is downloaded, from where, and the sha256 each file must have is in the registry
``src/opencyber/sources.toml`` (one ``[[file]]`` table per file of the data directory):

* **pinned** files (the original project's repository ``nhsx/open-cyber`` at a fixed commit): the
  download must have the registry's sha256. It is written to a temporary file in the target folder
  and moved into place only when the hash matches (``pooch.retrieve``), so a partial, broken or
  mismatching download never appears under the file's name. A file already there with the right
  hash is not downloaded again ("already there"). A file already there with a **different** hash is
  downloaded again and replaced once the new download has the right hash ("replaced", the line
  gives the old hash); if that download fails, the local file is left as it was and the failure
  says so.
* **live** files (today's ODS files, ONS boundaries and lookups) change over time, so they carry no
  hash: they are fetched only when asked (``--current-ods``, ``--current-ons``) and the line reports
  the sha256 received. ONS ArcGIS queries are fetched page by page (``resultOffset`` /
  ``resultRecordCount``, while the server says ``exceededTransferLimit``) and saved as one GeoJSON
  FeatureCollection. They too are written to a temporary file first and moved into place at the end.
* **derived** files (``url = ""``) exist only in the data pack (made by its conversion script):
  fetch says "not downloadable: <note>" (the note names the official source to use instead) and
  does not count them as failures.

One line per file (name, outcome, bytes, sha256 prefix), then a summary. Exit status (``run``): 0 when
every file is in place or not downloadable, 1 when a file failed (wrong hash, HTTP error, broken
transfer), 2 for a usage or registry error, 3 when a server cannot be reached at all (no network,
DNS failure, connection refused or timed out): fetch stops there and says so in one line.

For tests and mirrors, ``base_url`` (``--base-url``, environment ``OPEN_CYBER_FETCH_BASE``) sends every
request to another server: ``https://host/path?query`` becomes ``<base_url>/path?query``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import socket
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pooch
import requests
from urllib3.exceptions import ConnectTimeoutError, ProtocolError, ReadTimeoutError

from .errors import RegistryError
from .registry import DATA_ENV, default_data_dir, load_registry

DEFAULT_SOURCES = Path(__file__).resolve().with_name("sources.toml")
BASE_ENV = "OPEN_CYBER_FETCH_BASE"
TIMEOUT_ENV = "OPEN_CYBER_FETCH_TIMEOUT"
#: seconds to wait for a connection and between two reads (requests' timeout)
DEFAULT_TIMEOUT = 30.0
#: ArcGIS: features asked per page, and a bound on the number of pages of one query
DEFAULT_PAGE_SIZE = 1000
MAX_PAGES = 1000
GROUPS = ("ods", "ons")
USER_AGENT = f"opencyber-fetch (pooch/{pooch.__version__})"

DOWNLOADED = "downloaded"
REPLACED = "replaced"
PRESENT = "already there"
NOT_DOWNLOADABLE = "not downloadable"
FAILED = "failed"
OUTCOMES = (DOWNLOADED, REPLACED, PRESENT, NOT_DOWNLOADABLE, FAILED)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NETWORK = 0, 1, 2, 3

_KEYS = {"name", "url", "sha256", "editions", "source", "note", "live", "group", "paged", "page_size"}


class FetchError(Exception):
    """A problem with the request or the registry (sources.toml): nothing was downloaded for it."""


class FetchNetworkError(FetchError):
    """A server could not be reached at all (no network, DNS failure, refused, timed out).

    ``report`` holds the files handled before fetch stopped.
    """

    def __init__(self, host: str, reason: str, report: FetchReport | None = None) -> None:
        self.host = host
        self.reason = reason
        self.report = report
        super().__init__(f"cannot reach {host} (no network?): {reason}")


class _FileFailure(Exception):
    """One file failed; the message says why (file name added by the caller)."""


@dataclass(frozen=True)
class Source:
    """One entry of sources.toml."""

    name: str
    url: str
    sha256: str
    editions: tuple[str, ...]
    source: str
    note: str = ""
    live: bool = False
    group: str = ""
    paged: bool = False
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def derived(self) -> bool:
        return not self.url


@dataclass
class FileResult:
    name: str
    outcome: str
    url: str = ""
    bytes: int | None = None
    sha256: str = ""
    message: str = ""
    live: bool = False

    def line(self) -> str:
        if self.outcome == NOT_DOWNLOADABLE:
            return f"{self.name}: {NOT_DOWNLOADABLE}: {self.message}"
        if self.outcome == FAILED:
            return f"{self.name}: FAILED: {self.message}"
        size = f"{self.bytes:,} bytes" if self.bytes is not None else "? bytes"
        hash_word = "sha256 received" if self.live else "sha256"
        text = f"{self.name}: {self.outcome}, {size}, {hash_word} {self.sha256[:12]}"
        if self.live and self.outcome != PRESENT:
            text += f" (live, full sha256 {self.sha256})"
        if self.message:
            text += f"; {self.message}"
        return text


@dataclass
class FetchReport:
    data_dir: Path
    results: list[FileResult] = field(default_factory=list)
    #: live entries of the chosen editions not fetched because their flag was not given, by group
    live_not_asked: dict[str, int] = field(default_factory=dict)
    #: edition id -> required input files still missing from the data directory after the fetch
    missing_inputs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.results)

    def summary(self) -> str:
        parts = [f"{self.count(o)} {o}" for o in OUTCOMES if self.count(o) or o in (DOWNLOADED, FAILED)]
        text = f"fetch: {len(self.results)} files: " + ", ".join(parts) + f" (data directory {self.data_dir})"
        flags = {"ods": "--current-ods", "ons": "--current-ons"}
        skipped = [f"{n} {g.upper()} (add {flags[g]})" for g, n in sorted(self.live_not_asked.items()) if n]
        if skipped:
            text += "; live files not fetched: " + ", ".join(skipped)
        return text


# --------------------------------------------------------------------------------------------------
# The registry


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
        value = t[key]
        if not isinstance(value, kind):
            raise FetchError(f"{where}: {key} must be a {kind.__name__}, not {value!r}")
        return value

    name = need("name", str)
    where = f"{where} ({name})"
    unknown = set(t) - _KEYS
    if unknown:
        raise FetchError(f"{where}: unknown keys {sorted(unknown)}")
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name or name.endswith("/"):
        raise FetchError(f"{where}: name must be a relative path inside the data directory, like 22_23/etr.csv")
    url = need("url", str).strip()
    sha = need("sha256", str).strip().lower()
    editions = need("editions", list)
    if not all(isinstance(e, str) for e in editions):
        raise FetchError(f"{where}: editions must be a list of edition ids")
    source = need("source", str)
    note = t.get("note", "")
    live = bool(t.get("live", False))
    group = t.get("group", "")
    paged = bool(t.get("paged", False))
    page_size = t.get("page_size", DEFAULT_PAGE_SIZE)
    if sha and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
        raise FetchError(f"{where}: sha256 must be 64 hex digits or empty, not {sha!r}")
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{where}: url must be http(s), not {url!r}")
    if not url and not note:
        raise FetchError(f"{where}: a file without url needs a note saying what it is derived from")
    if live:
        if group not in GROUPS:
            raise FetchError(f"{where}: a live file needs group = one of {GROUPS}")
        if sha:
            raise FetchError(f"{where}: a live file cannot have a pinned sha256")
        if not url:
            raise FetchError(f"{where}: a live file needs a url")
    elif url and not sha:
        raise FetchError(f"{where}: a file with a url needs its sha256 (or live = true)")
    if paged and not live:
        raise FetchError(f"{where}: paged queries are live files")
    if not isinstance(page_size, int) or page_size < 1:
        raise FetchError(f"{where}: page_size must be a positive integer")
    return Source(name, url, sha, tuple(editions), " ".join(source.split()), " ".join(str(note).split()),
                  live, group, paged, page_size)


def select(
    sources: Sequence[Source],
    editions: Iterable[str] | None = None,
    *,
    current_ods: bool = False,
    current_ons: bool = False,
) -> tuple[list[Source], dict[str, int]]:
    """The entries to fetch, and the number of live entries left out for want of their flag.

    No editions: every entry (live ones only with their flag). Editions: the entries whose
    ``editions`` name one of them; live entries that belong to no edition (today's ODS files) go with
    their flag whatever the editions.
    """
    wanted = None if editions is None else set(editions)
    if wanted is not None:
        known = {e for s in sources for e in s.editions} | _registry_ids()
        unknown = sorted(wanted - known)
        if unknown:
            raise FetchError(
                f"no edition {', '.join(unknown)} in editions.toml or sources.toml (known: {', '.join(sorted(known))})"
            )
    chosen, not_asked = [], {}
    for s in sources:
        in_editions = wanted is None or bool(wanted & set(s.editions)) or (s.live and not s.editions)
        if not in_editions:
            continue
        if s.live and not {"ods": current_ods, "ons": current_ons}[s.group]:
            not_asked[s.group] = not_asked.get(s.group, 0) + 1
            continue
        chosen.append(s)
    return chosen, not_asked


# --------------------------------------------------------------------------------------------------
# Downloading


def rebase(url: str, base_url: str | None) -> str:
    """``url`` sent to ``base_url`` instead: scheme and host replaced, base path prefixed."""
    if not base_url:
        return url
    u, b = urlsplit(url), urlsplit(base_url)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + u.path, u.query, u.fragment))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Downloader:
    """pooch's HTTPDownloader (no progress bar, our timeout), remembering what the last call received."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._http = pooch.HTTPDownloader(
            progressbar=False, chunk_size=1 << 16, timeout=timeout, headers={"User-Agent": USER_AGENT}
        )
        self.received_bytes: int | None = None
        self.received_sha256 = ""

    def __call__(self, url: str, output_file: str, pooch_instance) -> None:
        self.received_bytes, self.received_sha256 = None, ""
        self._http(url, output_file, pooch_instance)
        self.received_bytes = os.path.getsize(output_file)
        self.received_sha256 = sha256_of(Path(output_file))


@contextlib.contextmanager
def _quiet_pooch():
    """pooch logs every download at INFO to stderr; fetch prints its own lines."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _temporary(folder: Path, name: str):
    """A temporary file name in ``folder`` (same file system as the target), removed at the end."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    os.close(fd)
    try:
        yield Path(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _unreachable_reason(exc: BaseException, timeout: float) -> str | None:
    """Why the host could not be reached at all, or None when the failure came after connecting."""
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(exc, requests.exceptions.SSLError):
        return None
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)  # urllib3 MaxRetryError.reason
    if not isinstance(reason, ConnectTimeoutError):  # NewConnectionError, NameResolutionError are subclasses
        if isinstance(exc, requests.exceptions.ProxyError):
            return f"proxy error: {inner}"
        return None
    cause = reason.__cause__ or reason.__context__
    if isinstance(cause, socket.gaierror) or type(reason).__name__ == "NameResolutionError":
        detail = getattr(cause, "strerror", None) or cause or getattr(reason, "args", ["?"])[-1]
        return f"name not resolved ({detail})"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError) or type(reason) is ConnectTimeoutError:
        return f"no connection within {timeout:g} s"
    if isinstance(cause, OSError):
        return cause.strerror or str(cause)
    return str(reason)


def _failure_message(exc: BaseException, url: str, timeout: float) -> str:
    """One line for a download that failed after the server was reached."""
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        r = exc.response
        return f"HTTP {r.status_code} {r.reason or ''} for {url}".replace("  ", " ")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        inner = exc.args[0] if exc.args else exc
        detail = inner.args[0] if isinstance(inner, ProtocolError) and inner.args else inner
        return f"the transfer broke off before the end ({detail}) for {url}"
    if isinstance(exc, requests.exceptions.ReadTimeout) or (
        isinstance(exc, requests.exceptions.ConnectionError) and exc.args and isinstance(exc.args[0], ReadTimeoutError)
    ):
        return f"no data for {timeout:g} s (timed out) from {url}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, ProtocolError) and len(inner.args) > 1:
            return f"the connection was closed ({inner.args[1]}) for {url}"
        return f"connection failed ({inner}) for {url}"
    if isinstance(exc, requests.exceptions.RequestException):
        return f"{type(exc).__name__}: {exc} for {url}"
    return f"{type(exc).__name__}: {exc}"


def _check_live_body(path: Path, url: str) -> None:
    with open(path, "rb") as f:
        head = f.read(512).lstrip().lower()
    if not head:
        raise _FileFailure(f"the server sent an empty file for {url}")
    if head.startswith((b"<!doctype html", b"<html")):
        raise _FileFailure(f"the server sent an HTML page, not the data, for {url}")


def _page_url(url: str, offset: int, count: int) -> str:
    u = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(u.query, keep_blank_values=True) if k not in ("resultOffset", "resultRecordCount")]
    params += [("resultOffset", str(offset)), ("resultRecordCount", str(count))]
    return urlunsplit((u.scheme, u.netloc, u.path, urlencode(params, safe="*,"), u.fragment))


def _arcgis_pages(url: str, folder: Path, name: str, downloader: _Downloader, page_size: int) -> dict:
    """All features of an ArcGIS REST GeoJSON query, page by page, as one FeatureCollection."""
    features: list = []
    offset = 0
    for page in range(MAX_PAGES):
        page_url = _page_url(url, offset, page_size)
        with _temporary(folder, name) as tmp:
            downloader(page_url, str(tmp), None)
            try:
                data = json.loads(tmp.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise _FileFailure(f"page {page + 1} is not JSON ({exc}) from {page_url}") from None
        if not isinstance(data, dict):
            raise _FileFailure(f"page {page + 1} is not a GeoJSON object from {page_url}")
        if "error" in data:  # ArcGIS reports errors with HTTP 200
            err = data["error"] if isinstance(data["error"], dict) else {"message": data["error"]}
            raise _FileFailure(
                f"the ArcGIS server answered error {err.get('code', '?')}: {err.get('message', '')} for {page_url}"
            )
        if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise _FileFailure(f"page {page + 1} is not a GeoJSON FeatureCollection from {page_url}")
        page_features = data["features"]
        features.extend(page_features)
        props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
        more = bool(data.get("exceededTransferLimit") or props.get("exceededTransferLimit"))
        if not more:
            return {"type": "FeatureCollection", "features": features}
        if not page_features:
            raise _FileFailure(f"the server says there are more features but sent none, at offset {offset} of {url}")
        offset += len(page_features)
    raise _FileFailure(f"more than {MAX_PAGES} pages from {url}: stopped")


def _fetch_one(s: Source, url: str, data_dir: Path, downloader: _Downloader, timeout: float) -> FileResult:
    """Fetch one registry entry; raises _FileFailure or a requests exception on failure."""
    target = data_dir / s.name
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    old_sha = sha256_of(target) if target.is_file() else ""

    if not s.live:
        if old_sha == s.sha256:
            return FileResult(s.name, PRESENT, url, target.stat().st_size, old_sha)
        try:
            with _quiet_pooch():
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{s.sha256}",
                    fname=target.name,
                    path=folder,
                    downloader=downloader,
                    progressbar=False,
                )
        except ValueError as exc:  # pooch: hash mismatch (it has already deleted the temporary file)
            if not downloader.received_sha256:
                raise _FileFailure(f"{exc} ({url})") from None
            kept = f"; the local file (sha256 {old_sha}) was left unchanged" if old_sha else ""
            raise _FileFailure(
                f"hash mismatch: expected sha256 {s.sha256}, received {downloader.received_sha256} "
                f"({downloader.received_bytes:,} bytes) from {url}; nothing was saved{kept}"
            ) from None
        new_sha = sha256_of(target)
        if new_sha != s.sha256:  # never expected: pooch checked it
            target.unlink()
            raise _FileFailure(f"hash mismatch after saving {s.name}: expected {s.sha256}, found {new_sha}; removed")
        if old_sha:
            return FileResult(s.name, REPLACED, url, target.stat().st_size, new_sha, f"the local file had sha256 {old_sha}")
        return FileResult(s.name, DOWNLOADED, url, target.stat().st_size, new_sha)

    # live: always asked for; saved under a temporary name, moved into place at the end
    with _temporary(folder, target.name) as tmp:
        if s.paged:
            collection = _arcgis_pages(url, folder, target.name, downloader, s.page_size)
            tmp.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
            message = f"{len(collection['features'])} features"
        else:
            downloader(url, str(tmp), None)
            _check_live_body(tmp, url)
            message = ""
        new_sha = sha256_of(tmp)
        size = tmp.stat().st_size
        os.replace(tmp, target)
    if not old_sha:
        outcome = DOWNLOADED
    elif old_sha == new_sha:
        outcome, message = PRESENT, "; ".join(m for m in (message, "unchanged: the same as the server's") if m)
    else:
        outcome = REPLACED
        message = "; ".join(m for m in (message, f"the local file had sha256 {old_sha}") if m)
    return FileResult(s.name, outcome, url, size, new_sha, message, live=True)


def _timeout(value: float | str | None) -> float:
    raw = value if value is not None else os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT
    try:
        t = float(raw)
    except (TypeError, ValueError):
        raise FetchError(f"the timeout must be a number of seconds, not {raw!r}") from None
    if t <= 0:
        raise FetchError(f"the timeout must be positive, not {t:g}")
    return t


def fetch(
    editions: Iterable[str] | None = None,
    data_dir: str | Path | None = None,
    *,
    sources: Sequence[Source] | str | Path | None = None,
    base_url: str | None = None,
    current_ods: bool = False,
    current_ons: bool = False,
    timeout: float | None = None,
    log: Callable[[str], object] | None = print,
) -> FetchReport:
    """Download the input files of ``editions`` (default: all) into ``data_dir``.

    ``sources``: the entries (default: the package's sources.toml), or the path of such a file.
    ``base_url`` (default ``$OPEN_CYBER_FETCH_BASE``): send every request to this server instead.
    ``timeout`` (default ``$OPEN_CYBER_FETCH_TIMEOUT``, else 30): seconds to wait for a server.
    ``log`` receives one line per file as it is handled, then the summary.

    Returns the report (``report.ok`` is False when a file failed). Raises FetchNetworkError when a
    server cannot be reached at all (fetch stops there), FetchError for a bad request or registry.
    """
    log = log or (lambda line: None)
    entries = list(sources) if isinstance(sources, (list, tuple)) else load_sources(sources)
    chosen, not_asked = select(entries, editions, current_ods=current_ods, current_ons=current_ons)
    if data_dir is None:
        data_dir = default_data_dir()
        if data_dir is None:
            raise FetchError(f"no data directory: give --data DIR or set {DATA_ENV}")
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise FetchError(f"the data directory {data_dir} is not a folder")
    data_dir.mkdir(parents=True, exist_ok=True)
    base = base_url if base_url is not None else os.environ.get(BASE_ENV) or None
    seconds = _timeout(timeout)
    downloader = _Downloader(seconds)
    report = FetchReport(data_dir, live_not_asked=not_asked)

    for s in chosen:
        if s.derived:
            result = FileResult(s.name, NOT_DOWNLOADABLE, message=s.note)
        else:
            url = rebase(s.url, base)
            new_folders = [d for d in (data_dir / s.name).parents if d.is_relative_to(data_dir) and not d.exists()]
            try:
                result = _fetch_one(s, url, data_dir, downloader, seconds)
            except _FileFailure as exc:
                result = FileResult(s.name, FAILED, url, message=str(exc), live=s.live)
            except requests.exceptions.RequestException as exc:
                reason = _unreachable_reason(exc, seconds)
                if reason is not None:
                    _remove_empty(new_folders)
                    raise FetchNetworkError(_host(url), reason, report) from None
                message = _failure_message(exc, url, seconds)
                if not s.live and (data_dir / s.name).is_file():
                    message += "; the local file was left unchanged"
                result = FileResult(s.name, FAILED, url, message=message, live=s.live)
            except OSError as exc:  # the data directory: permissions, disk full
                result = FileResult(s.name, FAILED, url, message=f"cannot write {data_dir / s.name}: {exc}", live=s.live)
            if result.outcome == FAILED:
                _remove_empty(new_folders)
        report.results.append(result)
        log(result.line())

    covered = {e for s in entries for e in s.editions}
    report.missing_inputs = _missing_inputs(covered if editions is None else set(editions), data_dir)
    log(report.summary())
    recorded = {s.name for s in entries}
    for edition_id, missing in report.missing_inputs.items():
        log(f"note: edition {edition_id} cannot be built from {data_dir} yet: missing {', '.join(missing)}")
        unrecorded = [m for m in missing if m not in recorded]
        if unrecorded:  # a new edition needs no sources.toml entry: its files are then put there by hand
            log(f"note: no source is recorded in sources.toml for {', '.join(unrecorded)}: put them in the data directory by hand (data/README.md)")
    return report


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this fetch made for a file that failed, if they stayed empty (deepest first)."""
    for folder in folders:  # Path.parents: deepest first
        with contextlib.suppress(OSError):
            folder.rmdir()


def _registry_ids() -> set[str]:
    """The edition ids of editions.toml (none if it cannot be read: that is the build's business)."""
    try:
        return set(load_registry())
    except (RegistryError, OSError):
        return set()


def _missing_inputs(editions: set[str], data_dir: Path) -> dict[str, list[str]]:
    """Required inputs of these editions (editions.toml) still absent: said after the fetch, not an error."""
    if not editions:
        return {}
    try:
        registry = load_registry()
    except (RegistryError, OSError):  # a broken editions.toml is the build's business, not fetch's
        return {}
    out = {}
    for edition_id, edition in registry.items():
        if edition_id not in editions:
            continue
        try:
            missing = edition.missing_inputs(data_dir)
        except RegistryError:  # an input path outside the data directory: the build says so
            missing = []
        if missing:
            out[edition_id] = [p.relative_to(data_dir.resolve()).as_posix() for p in missing]
    return out


# --------------------------------------------------------------------------------------------------
# Command line (cli.py adds the subcommand with add_parser and calls run)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``fetch`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "fetch",
        help="download the public input files of the editions into the data directory",
        description=(
            "Download the input files of the editions (default: all) listed in sources.toml into the data "
            "directory, check each one's sha256, and say what was downloaded, already there, or cannot be "
            "downloaded (files derived for the data pack)."
        ),
    )
    p.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else ../shared/data); created if missing")
    p.add_argument("--edition", action="append", help="only the files of this edition id (repeatable; default: all)")
    p.add_argument(
        "--current-ods",
        action="store_true",
        help="also download today's ODS files (etr, ect, eccg, ecsu) into ods/ (live: no pinned hash)",
    )
    p.add_argument(
        "--current-ons",
        action="store_true",
        help="also download the editions' ONS boundaries and lookups from the ONS Open Geography Portal into ons/ (live)",
    )
    p.add_argument("--timeout", type=float, help=f"seconds to wait for a server (default: ${TIMEOUT_ENV}, else {DEFAULT_TIMEOUT:g})")
    p.add_argument("--base-url", help=f"send every request to this server instead, e.g. a mirror (default: ${BASE_ENV})")
    p.add_argument("--sources", type=Path, help="the registry of files (default: the package's sources.toml)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``opencyber fetch`` for parsed arguments; the exit status (0 ok, 1 a file failed, 2 usage, 3 network)."""
    try:
        report = fetch(
            getattr(args, "edition", None) or None,
            getattr(args, "data", None) or None,
            sources=getattr(args, "sources", None),
            base_url=getattr(args, "base_url", None),
            current_ods=bool(getattr(args, "current_ods", False)),
            current_ons=bool(getattr(args, "current_ons", False)),
            timeout=getattr(args, "timeout", None),
            log=print,
        )
    except FetchNetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NETWORK
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    if not report.ok:
        print(f"error: {len(report.failed)} file(s) failed: {', '.join(r.name for r in report.failed)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m opencyber.fetch ...`` (the same as ``opencyber fetch ...``)."""
    parser = argparse.ArgumentParser(prog="opencyber")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["fetch", *(argv if argv is not None else sys.argv[1:])]))


if __name__ == "__main__":
    sys.exit(main())
