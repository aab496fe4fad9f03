"""The package's layering: imports run only down the stages, and no modules import each other in a
circle. The floors, lowest first: the base modules at the top of the package (errors, logs, status,
stages, cache, settings), then inputs/, analysis/, report/, site/, pipeline/, and the command line
(cli.py, __main__.py) on top. A module may import from its own floor or any floor below, never
above; imports inside functions count as well as those at the top of a module.

Also a script, for pre-commit: ``python tests/test_layers.py`` prints every arrow that runs up and
every circle, and exits 1 if there is one."""

from __future__ import annotations

import ast
import graphlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "opencyber"

#: the floors, lowest first (a top-level module that is not the command line is on floor 0)
FLOORS = {"inputs": 1, "analysis": 2, "report": 3, "site": 4, "pipeline": 5}
COMMAND_LINE = {"cli", "__main__"}
TOP = 9


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor(module: str) -> int:
    parts = module.split(".")[1:]
    if not parts:
        return 0
    if parts[0] in FLOORS:
        return FLOORS[parts[0]]
    return TOP if parts[0] in COMMAND_LINE else 0


def imports(path: Path, package: Path) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in it (``from x import y`` counts as
    module ``x.y`` when that is a module, else as ``x``)."""
    me = module_name(path, package)
    here = me if path.name == "__init__.py" else me.rpartition(".")[0]
    root = package.name
    found: set[str] = set()

    def is_module(name: str) -> bool:
        p = package.parent.joinpath(*name.split("."))
        return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == root}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != root:
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if is_module(full) else base)
    return {m for m in found if m != me and is_module(m)}


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports (a package's own
    ``__init__`` imported on the way to a module is not counted)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        me = module_name(path, package)
        out[me] = {m for m in imports(path, package) if not me.startswith(m + ".")}
    return out


def arrows_up(g: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{a} (floor {floor(a)}) imports {b} (floor {floor(b)})"
        for a, bs in g.items()
        for b in bs
        if floor(b) > floor(a)
    )


def circle(g: dict[str, set[str]]) -> list[str]:
    """One circle of imports, as the modules on it, or [] if there is none."""
    try:
        tuple(graphlib.TopologicalSorter(g).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def test_no_import_runs_up_the_floors():
    assert arrows_up(graph()) == []


def test_no_modules_import_each_other_in_a_circle():
    assert circle(graph()) == []


def test_every_module_is_on_a_floor_it_belongs_to():
    # a new folder must be given its floor here, or every module in it counts as the base
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders <= set(FLOORS), folders - set(FLOORS)


def test_the_check_finds_an_arrow_up_and_a_circle(tmp_path):
    pkg = tmp_path / "opencyber"
    for folder in ("inputs", "pipeline"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "errors.py").write_text("def f():\n    from opencyber.logs import x\n")  # inside a function
    (pkg / "logs.py").write_text("from opencyber import errors\n")
    (pkg / "inputs" / "reader.py").write_text("from ..pipeline import build\n")  # relative
    (pkg / "pipeline" / "build.py").write_text("from opencyber.inputs import reader\n")
    g = graph(pkg)
    assert arrows_up(g) == ["opencyber.inputs.reader (floor 1) imports opencyber.pipeline.build (floor 5)"]
    assert set(circle(g)) >= {"opencyber.errors", "opencyber.logs"} or set(circle(g)) >= {
        "opencyber.inputs.reader",
        "opencyber.pipeline.build",
    }


if __name__ == "__main__":
    g = graph()
    problems = arrows_up(g) + ([" -> ".join(circle(g))] if circle(g) else [])
    print("\n".join(problems) or f"{len(g)} modules, {sum(map(len, g.values()))} imports: none runs up, no circle")
    sys.exit(1 if problems else 0)
