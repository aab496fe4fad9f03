"""``opencyber fetch``: download the public files of the data directory, verified, with pooch.

``sources.toml`` names each file of the data directory once: where it comes from and the sha256 it
must have. Which editions read a file is in ``editions.toml`` and is not written again there:
``fetch --edition ID`` downloads the inputs that edition names.

* **pinned** files (``url`` and ``sha256``; the original project's repository at a fixed commit):
  one pooch registry (``pooch.create``) over them. pooch downloads into a temporary file and moves
  it into place only when its hash matches, downloads again a file whose hash differs ("replaced",
  once the new download has the right hash; if it fails, the file is left as it was) and leaves a
  file with the right hash alone ("already there"). What it did is read from its log.
* **live** files (today's ODS files, ONS boundaries and lookups: no hash, they change) are fetched
  only when asked (``--current-ods``, ``--current-ons``) into a temporary file and moved into place;
  the line gives the sha256 received. ONS ArcGIS queries are asked page by page
  (``resultOffset``/``resultRecordCount``, while the server says ``exceededTransferLimit``) and saved
  as one GeoJSON FeatureCollection.
* **derived** files (``url = ""``) exist only in the data pack: fetch says "not downloadable: <note>"
  (the note names the official source to use instead); they are not failures.

One line per file, then a summary. :func:`fetch` returns the report; the command's exit status is 0
when every file is in place or not downloadable, 1 when a file failed (wrong hash, HTTP error, a
transfer that broke off), 3 when a server cannot be reached at all (fetch stops there).

For tests and mirrors, ``base_url`` (``--base-url``, ``$OPEN_CYBER_FETCH_BASE``) sends every request
to another server: ``https://host/path?query`` becomes ``<base_url>/path?query``."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pooch
import requests

from opencyber import settings
from opencyber.inputs.locations import default_data_dir
from opencyber.inputs.registry import input_name
from opencyber.inputs.sources import (
    FetchError,
    Source,
    _registry_or_empty,
    edition_files,
    load_sources,
    select,
)

BASE_ENV = settings.FETCH_BASE_ENV


TIMEOUT_ENV = settings.FETCH_TIMEOUT_ENV


#: seconds to wait for a connection and between two reads
DEFAULT_TIMEOUT = 30.0


MAX_PAGES = 1000


USER_AGENT = f"opencyber-fetch (pooch/{pooch.__version__})"


DOWNLOADED = "downloaded"


REPLACED = "replaced"


PRESENT = "already there"


NOT_DOWNLOADABLE = "not downloadable"


FAILED = "failed"


OUTCOMES = (DOWNLOADED, REPLACED, PRESENT, NOT_DOWNLOADABLE, FAILED)


EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NETWORK = 0, 1, 2, 3


class FetchNetworkError(FetchError):
    """A server could not be reached at all (no network, a name not resolved, refused, timed out).
    ``report`` holds the files handled before fetch stopped."""

    def __init__(self, host: str, reason: str, report: FetchReport | None = None) -> None:
        self.host, self.reason, self.report = host, reason, report
        super().__init__(f"cannot reach {host} (no network?): {reason}")


class _FileFailure(Exception):
    """One file failed; the message says why."""


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
        text = f"{self.name}: {self.outcome}, {size}, {'sha256 received' if self.live else 'sha256'} {self.sha256[:12]}"
        if self.live and self.outcome != PRESENT:
            text += f" (live, full sha256 {self.sha256})"
        return text + (f"; {self.message}" if self.message else "")


@dataclass
class FetchReport:
    data_dir: Path
    results: list[FileResult] = field(default_factory=list)
    #: live entries not fetched because their flag was not given, by group
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
        return text + ("; live files not fetched: " + ", ".join(skipped) if skipped else "")


def rebase(url: str, base_url: str | None) -> str:
    """``url`` sent to ``base_url`` instead: scheme and host replaced, base path prefixed."""
    if not base_url:
        return url
    u, b = urlsplit(url), urlsplit(base_url)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + u.path, u.query, u.fragment))


class Downloader:
    """A pooch downloader (``downloader(url, output_file, pooch)``): one GET with ``timeout``,
    streamed to the file. A server that cannot be reached (the request fails before any answer) is a
    :class:`FetchNetworkError`; an answer that is an HTTP error, or a transfer that breaks off or
    stalls, a :class:`_FileFailure` that says so."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def get(self, url: str) -> requests.Response:
        try:
            response = requests.get(url, stream=True, timeout=self.timeout, headers={"User-Agent": USER_AGENT})
        except requests.exceptions.ConnectTimeout:
            raise FetchNetworkError(urlsplit(url).netloc, f"no connection within {self.timeout:g} s") from None
        except requests.exceptions.ReadTimeout:
            raise _FileFailure(f"no answer for {self.timeout:g} s (timed out) from {url}") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.InvalidURL) as exc:
            said = re.findall(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))  # the system's words, e.g. Connection refused
            raise FetchNetworkError(urlsplit(url).netloc, said[-1].strip() if said else type(exc).__name__) from None
        if response.status_code >= 400:
            response.close()
            raise _FileFailure(f"HTTP {response.status_code} {response.reason or ''} for {url}".replace("  ", " "))
        return response

    def __call__(self, url: str, output_file, pooch_instance=None) -> None:
        with self.get(url) as response, open(output_file, "wb") as out:
            try:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
            except requests.exceptions.ConnectionError as exc:
                if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in str(exc):
                    raise _FileFailure(f"no data for {self.timeout:g} s (timed out) from {url}") from None
                raise _FileFailure(f"the transfer broke off before the end ({_short(exc)}) for {url}") from None
            except requests.exceptions.RequestException as exc:  # ChunkedEncodingError and the like
                raise _FileFailure(f"the transfer broke off before the end ({_short(exc)}) for {url}") from None


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


class ArcGisPages(Downloader):
    """A pooch downloader of an ArcGIS REST GeoJSON query: every page, saved as one FeatureCollection."""

    def __init__(self, timeout: float, page_size: int) -> None:
        super().__init__(timeout)
        self.page_size = page_size
        self.features = 0

    def __call__(self, url: str, output_file, pooch_instance=None) -> None:
        features: list = []
        offset = 0
        for page in range(MAX_PAGES):
            u = urlsplit(url)
            query = [
                (k, v)
                for k, v in parse_qsl(u.query, keep_blank_values=True)
                if k not in ("resultOffset", "resultRecordCount")
            ]
            query += [("resultOffset", str(offset)), ("resultRecordCount", str(self.page_size))]
            page_url = urlunsplit((u.scheme, u.netloc, u.path, urlencode(query, safe="*,"), u.fragment))
            with self.get(page_url) as response:
                try:
                    data = response.json()
                except ValueError as exc:
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
            features += data["features"]
            props = data["properties"] if isinstance(data.get("properties"), dict) else {}
            if not (data.get("exceededTransferLimit") or props.get("exceededTransferLimit")):
                Path(output_file).write_text(
                    json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8",
                )
                self.features = len(features)
                return
            if not data["features"]:
                raise _FileFailure(
                    f"the server says there are more features but sent none, at offset {offset} of {url}"
                )
            offset += len(data["features"])
        raise _FileFailure(f"more than {MAX_PAGES} pages from {url}: stopped")


class _PoochActions(logging.Handler):
    """What pooch did for a file, read from its log: ``Downloading`` (it was not there) or
    ``Updating`` (its hash differed); nothing when the file was there with the right hash."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.verbs: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.verbs.append(record.getMessage().split(" ", 1)[0])


@contextlib.contextmanager
def _pooch_actions():
    """pooch's log for the ``with`` block: to the handler, not to the console (fetch says what it did)."""
    logger = pooch.get_logger()
    handlers, level, actions = logger.handlers[:], logger.level, _PoochActions()
    logger.handlers[:] = [actions]
    logger.setLevel(logging.INFO)
    try:
        yield actions
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)


def _pinned(s: Source, registry: pooch.Pooch, downloader: Downloader) -> FileResult:
    """A pinned file through the pooch registry."""
    target = Path(registry.abspath) / s.name
    there = target.is_file()
    with _pooch_actions() as actions:
        try:
            registry.fetch(s.name, downloader=downloader)
        except ValueError as exc:  # pooch: the download's hash is not the registry's (it deleted the download)
            mismatch = re.search(r"expected (\S+) but got (\S+?)\.? ", str(exc) + " ")
            expected, got = (mismatch.group(1), mismatch.group(2)) if mismatch else (s.sha256, "?")
            kept = "; the local file was left unchanged" if there else ""
            raise _FileFailure(
                f"hash mismatch: expected sha256 {expected.removeprefix('sha256:')}, received {got} from "
                f"{registry.get_url(s.name)}; nothing was saved{kept}"
            ) from None
        except _FileFailure as exc:
            raise _FileFailure(f"{exc}" + ("; the local file was left unchanged" if there else "")) from None
    size = target.stat().st_size
    if "Updating" in actions.verbs:
        return FileResult(
            s.name, REPLACED, registry.get_url(s.name), size, s.sha256, "the local file had another sha256"
        )
    if "Downloading" in actions.verbs:
        return FileResult(s.name, DOWNLOADED, registry.get_url(s.name), size, s.sha256)
    return FileResult(s.name, PRESENT, registry.get_url(s.name), size, s.sha256)


def _live(s: Source, url: str, data_dir: Path, timeout: float) -> FileResult:
    """A live file: downloaded into a temporary file beside its place, checked, moved into place."""
    target = data_dir / s.name
    target.parent.mkdir(parents=True, exist_ok=True)
    old = pooch.file_hash(str(target)) if target.is_file() else ""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        downloader = ArcGisPages(timeout, s.page_size) if s.paged else Downloader(timeout)
        downloader(url, tmp)
        head = Path(tmp).read_bytes()[:512].lstrip().lower()
        if not head:
            raise _FileFailure(f"the server sent an empty file for {url}")
        if head.startswith((b"<!doctype html", b"<html")):
            raise _FileFailure(f"the server sent an HTML page, not the data, for {url}")
        new, size = pooch.file_hash(tmp), os.path.getsize(tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
    message = f"{downloader.features} features" if isinstance(downloader, ArcGisPages) else ""
    if not old:
        outcome = DOWNLOADED
    elif old == new:
        outcome, message = PRESENT, "; ".join(m for m in (message, "unchanged: the same as the server's") if m)
    else:
        outcome, message = REPLACED, "; ".join(m for m in (message, f"the local file had sha256 {old}") if m)
    return FileResult(s.name, outcome, url, size, new, message, live=True)


def _timeout(value: float | str | None) -> float:
    raw = value if value is not None else settings.fetch_timeout() or DEFAULT_TIMEOUT
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
    """Download the files of ``editions`` (default: every file of sources.toml) into ``data_dir``.

    ``sources``: the entries (default: the package's sources.toml), or the path of such a file.
    ``base_url`` (default ``$OPEN_CYBER_FETCH_BASE``): send every request to this server instead.
    ``timeout`` (default ``$OPEN_CYBER_FETCH_TIMEOUT``, else 30): seconds to wait for a server.
    ``log`` receives one line per file as it is handled, then the summary.

    Returns the report (``report.ok`` is False when a file failed). Raises FetchNetworkError when a
    server cannot be reached at all (fetch stops there), FetchError for a bad request or registry.
    """
    log = log or (lambda line: None)
    entries = list(sources) if isinstance(sources, (list, tuple)) else load_sources(sources)  # type: ignore[arg-type]
    chosen, not_asked = select(entries, editions, current_ods=current_ods, current_ons=current_ons)
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if data_dir.exists() and not data_dir.is_dir():
        raise FetchError(f"the data directory {data_dir} is not a folder")
    data_dir.mkdir(parents=True, exist_ok=True)
    base = base_url if base_url is not None else settings.fetch_base() or None
    seconds = _timeout(timeout)
    downloader = Downloader(seconds)
    pinned = [s for s in chosen if s.sha256]
    registry = pooch.create(
        path=data_dir,
        base_url="",
        retry_if_failed=0,
        registry={s.name: f"sha256:{s.sha256}" for s in pinned},
        urls={s.name: rebase(s.url, base) for s in pinned},
    )
    report = FetchReport(data_dir, live_not_asked=not_asked)
    for s in chosen:
        if s.derived:
            result = FileResult(s.name, NOT_DOWNLOADABLE, message=s.note)
        else:
            url = rebase(s.url, base)
            new_folders = [d for d in (data_dir / s.name).parents if d.is_relative_to(data_dir) and not d.exists()]
            try:
                result = _live(s, url, data_dir, seconds) if s.live else _pinned(s, registry, downloader)
            except _FileFailure as exc:
                result = FileResult(s.name, FAILED, url, message=str(exc), live=s.live)
            except FetchNetworkError as exc:
                _remove_empty(new_folders)
                exc.report = report
                raise
            except OSError as exc:  # the data directory: permissions, disk full
                result = FileResult(
                    s.name, FAILED, url, message=f"cannot write {data_dir / s.name}: {exc}", live=s.live
                )
            if result.outcome == FAILED:
                _remove_empty(new_folders)
        report.results.append(result)
        log(result.line())

    if editions is None:  # the editions that read a file of the registry fetched from
        editions = set().union(
            *(ids for name, ids in edition_files(_registry_or_empty()).items() if name in {e.name for e in entries})
        )
    report.missing_inputs = _missing_inputs(editions, data_dir)
    log(report.summary())
    recorded = {s.name for s in entries}
    for edition_id, missing in report.missing_inputs.items():
        log(f"note: edition {edition_id} cannot be built from {data_dir} yet: missing {', '.join(missing)}")
        unrecorded = [m for m in missing if m not in recorded]
        if unrecorded:  # a new edition needs no sources.toml entry: its files are then put there by hand
            log(
                f"note: no source is recorded in sources.toml for {', '.join(unrecorded)}: put them in the data directory by hand (data/README.md)"
            )
    return report


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this fetch made for a file that failed, if they stayed empty (deepest first)."""
    for folder in folders:  # Path.parents: deepest first
        with contextlib.suppress(OSError):
            folder.rmdir()


def _missing_inputs(editions: Iterable[str], data_dir: Path) -> dict[str, list[str]]:
    """Required inputs of these editions still absent: said after the fetch, not an error."""
    registry = _registry_or_empty()
    wanted = set(editions)
    out = {}
    for edition_id, edition in registry.items():
        if edition_id in wanted:
            missing = edition.missing_inputs(data_dir)
            if missing:
                out[edition_id] = [input_name(p, data_dir) for p in missing]
    return out
