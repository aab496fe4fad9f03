"""What a build has to do: which editions the data directory holds (complete, incomplete, absent), which executed notebooks are out of date and why, and which editions compare with which."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from opencyber import stages
from opencyber.errors import NoDataError
from opencyber.inputs.registry import Edition, load_registry
from opencyber.pipeline import digests
from opencyber.stages import STAGES, stage


@dataclass
class Inputs:
    """What the data directory holds of each edition of the registry."""

    complete: list[Edition]  # every required input is a file (newest first)
    incomplete: dict[str, list[str]]  # edition id -> what is wrong: its export is there, other inputs are not
    absent: dict[str, list[Path]]  # edition id -> its missing inputs: not even its export is there

    def problems(self, on_site: set[str]) -> list[str]:
        """The editions that cannot be built although they are meant to be: an incomplete one, and an
        absent one that is on the site now (it would disappear from it)."""
        out = [f"edition {e}: {'; '.join(p)}" for e, p in self.incomplete.items()]
        out += [
            f"edition {e} is on the site, but none of its input files is in the data directory (e.g. {m[0]})"
            for e, m in self.absent.items()
            if e in on_site
        ]
        return out


def find_inputs(data_dir: Path, wanted: list[str] | None = None) -> Inputs:
    """Sort the editions of the registry (or those ``wanted``) by what the data directory holds of
    their inputs. An input that is a folder or cannot be read is wrong, as a missing one is."""
    registry = load_registry(data_dir=data_dir)
    if wanted:
        unknown = [w for w in wanted if w not in registry]
        if unknown:
            raise NoDataError(f"Unknown edition(s) {', '.join(unknown)}; the registry has {', '.join(registry)}.")
    found = Inputs([], {}, {})
    for ed in registry.values():
        if wanted and ed.id not in wanted:
            continue
        missing = ed.missing_inputs(data_dir)
        problems = [
            f"input {p} is a folder, not a file"
            for role in ed.inputs
            for p in ed.input_paths(role, data_dir)
            if p.is_dir()
        ]
        problems += [
            f"input {p} cannot be read ({exc.strerror})" for p in ed.present_inputs(data_dir) for exc in _unreadable(p)
        ]
        files = [p for p in missing if not p.is_dir()]
        if files:
            problems.append(f"{len(files)} input file(s) missing: " + ", ".join(str(p) for p in files[:5]))
        if files and len(problems) == 1 and all(p in files for p in ed.input_paths("export", data_dir)):
            found.absent[ed.id] = missing  # not even its export: the edition is not in this data directory
        elif problems:
            found.incomplete[ed.id] = problems
        else:
            found.complete.append(ed)
    return found


def _unreadable(path: Path) -> list[OSError]:
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError as exc:
        return [exc]
    return []


def select_editions(data_dir: Path, wanted: list[str] | None = None) -> tuple[list[Edition], dict[str, list[Path]]]:
    """Editions of the registry whose required inputs are all in ``data_dir`` (newest first), and
    those that are not, with their missing inputs (``check``'s view: every edition it can read)."""
    found = find_inputs(data_dir, wanted)
    skipped = dict(found.absent)
    registry = load_registry(data_dir=data_dir)
    for ed_id in found.incomplete:
        skipped[ed_id] = registry[ed_id].missing_inputs(data_dir)
    return found.complete, skipped


DIGEST_FILE = ".build-digest"


def notebook_digests(edition: Edition, data_dir: Path, registry: dict[str, Edition] | None = None) -> dict[str, str]:
    """:func:`opencyber.pipeline.digests.notebook_digests` of the build's notebooks."""
    return digests.notebook_digests(edition, data_dir, registry or load_registry(data_dir=data_dir), stages.NOTEBOOKS)


def read_stamp(build_dir: Path, edition: Edition) -> dict[str, str]:
    path = build_dir / edition.id / DIGEST_FILE
    try:
        stamp = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def page_path(build_dir: Path, edition: Edition, source: str) -> Path:
    return build_dir / "pages" / f"{edition.id}{stage(source).page_suffix}.ipynb"


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stale_notebooks(edition: Edition, build_dir: Path, digests_: dict[str, str]) -> list[str]:
    """The notebooks of an edition whose executed copy is missing, damaged (not the bytes the build
    wrote) or was made from other inputs. Once one is stale, every later one is too (it reads the
    earlier one's outputs)."""
    stamp = read_stamp(build_dir, edition)
    stale: list[str] = []
    for s in STAGES:
        page = page_path(build_dir, edition, s.notebook)
        if (
            stale
            or stamp.get(s.notebook) != digests_[s.notebook]
            or stamp.get(f"page:{s.notebook}") != file_digest(page)
        ):
            stale.append(s.notebook)
    return stale


def stale_reasons(edition: Edition, build_dir: Path, digests_: dict[str, str]) -> list[str]:
    """Why an edition's executed notebooks are out of date, in words for the build's log: ``not built``
    and ``damaged`` mean that they cannot be shown as they are."""
    stamp = read_stamp(build_dir, edition)
    for s in STAGES:
        page = page_path(build_dir, edition, s.notebook)
        if not page.is_file() or s.notebook not in stamp:
            return [f"not built yet ({page.name} missing)"]
        if stamp.get(f"page:{s.notebook}") != file_digest(page):
            return [f"damaged: {page} is not the notebook the build wrote"]
    reasons = []
    if stamp.get("part:inputs") != digests_["part:inputs"]:
        reasons.append("its input files or registry entry changed (or those of its previous edition)")
    if stamp.get("part:packages") != digests_["part:packages"]:
        reasons.append("Python or the installed packages changed")
    for s in STAGES:
        if stamp.get(f"part:{s.notebook}") != digests_[f"part:{s.notebook}"]:
            reasons.append(f"notebooks/{s.notebook} changed")
        elif stamp.get(f"part:library:{s.notebook}") != digests_[f"part:library:{s.notebook}"]:
            reasons.append(f"a library module that notebooks/{s.notebook} imports changed")
    return reasons or ["built from other inputs"]


def downstream(registry: dict[str, Edition], wanted: set[str]) -> set[str]:
    """``wanted`` and every edition that compares with one of them (its ``previous``), and so on."""
    out = set(wanted)
    grew = True
    while grew:
        more = {e.id for e in registry.values() if e.previous in out} - out
        out |= more
        grew = bool(more)
    return out
