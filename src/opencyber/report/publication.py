"""Who publishes the report and when: the publisher's contact and repository (``site.toml``), the
site's version and the dates on every edition page.

The dates come from the data and the repository, never from the clock, so that two builds of the
same commit give the same pages on any machine:

- *data snapshot*: the day the DSPT export was downloaded (the registry's ``snapshot``);
- *first published*: the day of the commit that added the edition to ``editions.toml``;
- *last updated*: the day of the commit the site was built from, with its short hash (and "with
  local changes" when tracked files differ from it).

Without git (a copy of the project that is not a clone) the last two are left out and the page
says so in the footer.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from opencyber.inputs.registry import Edition, RegistryError
from opencyber.settings import PROJECT_ROOT

SITE_FILE = PROJECT_ROOT / "site.toml"


@dataclass(frozen=True)
class Publisher:
    """``site.toml``: who publishes this copy of the report, and where readers reach them."""

    name: str
    repository: str  # a public repository readers can see the code in and report problems to
    contact: str  # an e-mail address for readers
    statement_prepared: str  # the accessibility statement: prepared and last reviewed (ISO dates)
    statement_reviewed: str

    @property
    def contact_href(self) -> str:
        return (
            f"mailto:{self.contact}"
            if self.contact and "@" in self.contact and ":" not in self.contact
            else self.contact
        )

    @property
    def issues_href(self) -> str:
        return self.repository.rstrip("/") + "/issues" if "github.com/" in self.repository else self.repository


@functools.lru_cache(maxsize=4)
def load_publisher(path: Path = SITE_FILE) -> Publisher:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path} is missing: it names the report's publisher, repository and contact") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    keys = ("name", "repository", "contact", "statement_prepared", "statement_reviewed")
    table = {"repository": "", "contact": "", **raw.get("publisher", {})}
    missing = [k for k in keys if k not in ("repository", "contact") and not str(table.get(k, "")).strip()]
    if missing:
        raise RegistryError(f"{path}: [publisher] needs {', '.join(missing)}")
    for k in ("statement_prepared", "statement_reviewed"):
        value = table[k]
        if not isinstance(value, dt.date):
            raise RegistryError(f"{path}: [publisher] {k} = {value!r} is not a date (write it like 2026-12-01)")
    return Publisher(*(" ".join(table[k].split()) if isinstance(table[k], str) else table[k].isoformat() for k in keys))


def missing_contact(publisher: Publisher) -> list[str]:
    """The keys of ``site.toml`` a publisher must still set (the build warns; the pages say so)."""
    return [k for k in ("repository", "contact") if not getattr(publisher, k)]


def contact_sentence(publisher: Publisher) -> str:
    """``To contact us, e-mail ... or open an issue at ....`` (or that there is no address yet)."""
    how = contact_html(publisher)
    return f"To contact us, {how}." if publisher.contact or publisher.repository else how[0].upper() + how[1:] + "."


def contact_html(publisher: Publisher) -> str:
    """How readers reach the publisher, as HTML (the footer, the accessibility statement)."""
    parts = []
    if publisher.contact:
        parts.append(f'e-mail <a href="{escape(publisher.contact_href)}">{escape(publisher.contact)}</a>')
    if publisher.repository:
        parts.append(f'open an issue at <a href="{escape(publisher.issues_href)}">{escape(publisher.issues_href)}</a>')
    if not parts:
        return "this copy of the report has no contact address yet"
    return " or ".join(parts)


def long_date(value: dt.date | str) -> str:
    """``2023-11-16`` -> ``16 November 2023`` (the GOV.UK style)."""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{d.day} {d:%B %Y}"


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


@dataclass(frozen=True)
class Version:
    """The commit the site is built from: short hash, its date, and whether tracked files differ."""

    commit: str
    date: str
    local_changes: bool

    def text(self) -> str:
        return f"version {self.commit}" + (", with local changes" if self.local_changes else "")


@functools.lru_cache(maxsize=1)
def release_tag() -> str | None:
    """The release tag of the commit the site is built from (``v0.1.0``), or None when it is not a
    tagged release (or there is no git)."""
    return _git("describe", "--tags", "--exact-match", "HEAD") or None


def package_version() -> str:
    """The package's version (``pyproject.toml``), as the installed metadata gives it."""
    from opencyber import __version__

    return __version__


@functools.lru_cache(maxsize=1)
def site_version() -> Version | None:
    """The checkout's commit, or None when the project is not a git clone (or git is absent)."""
    head = _git("log", "-1", "--format=%h %cs")
    if not head:
        return None
    commit, date = head.split()
    status = _git("status", "--porcelain", "--untracked-files=no")
    return Version(commit, date, bool(status))


@functools.lru_cache(maxsize=32)
def first_published(edition_id: str) -> str | None:
    """The day of the commit that added the edition to the project's registry (None without git, or
    for an edition that is not in the project's editions.toml, such as the bundled sample's)."""
    out = _git("log", "--reverse", "--format=%cs", "-S", f'id = "{edition_id}"', "--", "editions.toml")
    return out.splitlines()[0] if out else None


#: when the next edition comes: the DSPT publishes its statuses continuously, and this report adds an
#: edition when a new snapshot is downloaded, on no fixed date
NEXT_UPDATE = "to be confirmed (when the next DSPT edition's statuses are downloaded)"


def edition_dates(edition: Edition) -> list[tuple[str, str]]:
    """``(label, text)`` for an edition page (the GOV.UK release elements): data snapshot, first
    published, last updated, next update."""
    out = [("Data snapshot", long_date(edition.snapshot))]
    first = first_published(edition.id)
    if first:
        out.append(("First published", long_date(first)))
    version = site_version()
    if version:
        out.append(("Last updated", long_date(version.date)))
    out.append(("Next update", NEXT_UPDATE))
    return out


def dates_html(edition: Edition, publisher: Publisher | None = None) -> str:
    """The release elements under an edition page's title: its dates and the contact."""
    items = "".join(f"<li><strong>{escape(k)}:</strong> {escape(v)}</li>" for k, v in edition_dates(edition))
    pub = publisher or load_publisher()
    how = contact_html(pub)
    items += f"<li><strong>Contact:</strong> {how[0].upper() + how[1:]}</li>"
    return f'\n<ul class="oc-dates" aria-label="About this release">{items}</ul>'


def footer_html(publisher: Publisher) -> str:
    """The footer of every page: what the report is, its data licence, the publisher and how to reach them."""
    version = site_version()
    tag = release_tag()
    updated = f"Last updated {escape(long_date(version.date))}." if version else ""
    release = f"Version {escape(package_version())}" + (f" (release {escape(tag)})" if tag else "") + "."
    built = (
        f"Built from commit {escape(version.commit)} of the Open Cyber code"
        + (", with local changes" if version.local_changes else "")
        + "."
        if version
        else "Not built from a git clone: no commit or dates."
    )
    return (
        "<p>An independent, open report: not official statistics and not an NHS England publication. "
        "Data: NHS England (DSPT, ODS) and ONS, Open Government Licence v3.0.</p>"
        f"<p>Published by {escape(publisher.name)}. {contact_sentence(publisher)} "
        + (
            f'Code: <a href="{escape(publisher.repository)}">{escape(publisher.repository)}</a>. '
            if publisher.repository
            else ""
        )
        + f"{updated} {release}</p>"
        + f'<details class="oc-analysts"><summary>For analysts: this copy of the report</summary><p>{built}</p></details>'
    )


def digest_text() -> str:
    """What of this module's inputs the site digest must follow (the pages change when they do)."""
    version = site_version()
    return f"{SITE_FILE.read_bytes() if SITE_FILE.is_file() else b''!r}|{version}|{package_version()}|{release_tag()}"
