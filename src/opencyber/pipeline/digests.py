"""What an executed notebook depends on, as digests: the build executes a notebook again only when
one of them changed, and says which.

A notebook's executed copy depends on the edition's registry entry and the bytes of its inputs
(and those of the edition it compares with, ``previous``), the notebook's source, the library
modules it imports (directly or through other modules: found by reading the import statements,
:func:`notebook_modules`, so that an edit of any module a notebook uses executes it again, and an
edit of the site's code executes none), Python's version and every installed package's version,
and the notebook before it, whose outputs it reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path

from opencyber import stages
from opencyber.inputs.registry import Edition
from opencyber.stages import STAGES

LIBRARY = Path(__file__).resolve().parents[1]
PACKAGE = LIBRARY.name


def _module_file(name: str) -> Path | None:
    """The file of a module of the library (``opencyber.analysis.curation`` -> analysis/curation.py), or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = LIBRARY.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(LIBRARY).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: an import statement: ``import a.b, c`` or ``from .a import (b, c)`` (parenthesised over several lines)
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))", re.M
)


def _imported(source: str, package: str) -> set[str]:
    """The library modules a piece of code imports anywhere (in functions too), ``package`` being
    the package a relative import starts from. Read from the import statements' text (an import in
    a string counts too: a module too many in a digest executes a notebook once too often, one too
    few would leave it out of date)."""
    names: set[str] = set()
    for base, what, plain in _IMPORT.findall(source):
        if plain:
            names |= {part.split(" as ")[0].strip() for part in plain.split(",")}
            continue
        level = len(base) - len(base.lstrip("."))
        if level:
            parts = package.split(".")
            module = ".".join(parts[: len(parts) - level + 1] + ([base.lstrip(".")] if base.lstrip(".") else []))
        else:
            module = base
        names.add(module)
        names |= {f"{module}.{part.split(' as ')[0].strip()}" for part in what.strip("()").split(",") if part.strip()}
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


@functools.cache
def _imports_of_file(path: Path, stat: tuple[int, int]) -> frozenset[str]:
    """:func:`_imported` of a module file, read once per version of the file (``stat``: its mtime and size)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    return frozenset(_imported(path.read_text(encoding="utf-8"), package))


def _closure(names: set[str]) -> frozenset[Path]:
    files: set[Path] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        # a module is imported with the packages that hold it
        for k in range(1, name.count(".") + 2):
            path = _module_file(".".join(name.split(".")[:k]))
            if path is None or path in files:
                continue
            files.add(path)
            stat = path.stat()
            todo += sorted(_imports_of_file(path, (stat.st_mtime_ns, stat.st_size)))
    return frozenset(files)


def modules_used(*names: str) -> frozenset[Path]:
    """Every file of the library that the modules ``names`` are, or import, directly or not."""
    return _closure(set(names))


def notebook_modules(notebook: Path) -> frozenset[Path]:
    """Every file of the library that the notebook's code imports, directly or through the modules it
    imports (import statements anywhere in them, in functions too)."""
    stat = notebook.stat()
    return _closure(set(_notebook_imports(notebook, (stat.st_mtime_ns, stat.st_size))))


@functools.cache
def _notebook_imports(notebook: Path, stat: tuple[int, int]) -> frozenset[str]:
    names: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            names |= _imported(source, PACKAGE)
    return frozenset(names)


@functools.cache
def packages_digest() -> str:
    """Python's version and every installed package's name and version, as the names of the
    installed distributions' metadata folders say them (``pandas-3.1.0.dist-info``), once per process."""
    import sysconfig

    folders = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")} | {
        p for p in sys.path if p.endswith("-packages")
    }
    installed = sorted({d.name for f in folders for d in Path(f).glob("*.dist-info")} if folders else ())
    return hashlib.sha256(sys.version.encode() + json.dumps(installed).encode()).hexdigest()


def files_digest(paths) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(LIBRARY).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def inputs_digest(edition: Edition, data_dir: Path, registry: dict[str, Edition]) -> str:
    """The edition's registry entry and the bytes of its inputs, and those of its previous edition,
    whose organisations its key points compare with."""
    h = hashlib.sha256()
    previous = registry.get(edition.previous or "")
    for ed in (edition, previous) if previous is not None else (edition,):
        h.update(json.dumps(asdict(ed), sort_keys=True, default=str).encode())
        for role in sorted(ed.inputs):
            for path in ed.input_paths(role, data_dir):
                h.update(role.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
    return h.hexdigest()


def notebook_digests(
    edition: Edition, data_dir: Path, registry: dict[str, Edition], notebooks: Path | None = None
) -> dict[str, str]:
    """For each notebook of an edition (in order), a digest of everything its executed copy depends
    on; and, under ``part:`` keys, the digest of each part (the inputs, the packages, each
    notebook's source and the library modules it imports), which say why a notebook is out of date."""
    notebooks = notebooks or stages.NOTEBOOKS
    parts = {"part:inputs": inputs_digest(edition, data_dir, registry), "part:packages": packages_digest()}
    chained = hashlib.sha256((parts["part:inputs"] + parts["part:packages"]).encode()).hexdigest()
    digests = {}
    for s in STAGES:
        path = notebooks / s.notebook
        parts[f"part:{s.notebook}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        parts[f"part:library:{s.notebook}"] = files_digest(notebook_modules(path))
        step = chained + parts[f"part:{s.notebook}"] + parts[f"part:library:{s.notebook}"]
        chained = digests[s.notebook] = hashlib.sha256(step.encode()).hexdigest()
    return {**digests, **parts}
