"""The docs' commands run as written: every ``opencyber`` command that README.md, CONTRIBUTING.md,
data/README.md and docs/*.md show (in a fenced block or in a code span) is one the command line
accepts, options and all; and the README's block of checks runs, as written, and passes.

Every other fenced command of the README is run by another test (``quarto render`` and ``quarto
preview``: ``tests/browser/test_quarto_project.py``, in a copy of the checkout, where Quarto is), needs
the network (``pip install``, ``pip-compile``), starts a server (``jupyter lab``) or is the test suite
itself; ``.ci/run`` and the newcomer's run cover those. :func:`test_every_fenced_command_of_the_readme_is_run_somewhere`
keeps that list whole."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from opencyber.cli import build_parser, fetch_problem
from tests.conftest import ROOT

DOCS = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "data" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]

#: how a command starts in the docs
_COMMAND = re.compile(r"^(?:\.venv/bin/)?(?:python -m opencyber|opencyber)\s+(?=[a-z-])")

#: the placeholders the docs use, as values the parser takes
PLACEHOLDERS = {"HEX": "0" * 64, "URL": "http://127.0.0.1:9/pack.zip", "DIR": "some/folder", "FILE.zip": "pack.zip"}


def _fenced_lines(text: str) -> list[str]:
    lines = []
    for block in re.findall(r"^```(?:sh|bash|console)?\n(.*?)^```", text, re.M | re.S):
        lines += [line.strip() for line in block.splitlines()]
    return lines


def docs_commands() -> list[tuple[str, str, bool]]:
    """(file, command, fenced) for every opencyber command in the docs: each line of a fenced block
    (``fenced``), each code span, and each part of a line joined by ``&&``."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for fenced, candidates in ((True, _fenced_lines(text)), (False, re.findall(r"`([^`\n]+)`", text))):
            for candidate in candidates:
                for part in candidate.split("&&"):
                    command = re.sub(r"\s+#.*$", "", part).strip()
                    if _COMMAND.match(command) and "..." not in command:
                        out.append((doc.relative_to(ROOT).as_posix(), command, fenced))
    return sorted(set(out))


COMMANDS = docs_commands()

#: what a code span in prose may leave out: it names a command or an option (`opencyber pack`,
#: `fetch --pack`), the reader is not meant to run it as it is
_A_MENTION = ("the following arguments are required", "expected one argument")


def test_the_docs_show_commands_of_every_subcommand():
    shown = {_COMMAND.sub("", c).split()[0] for _, c, _ in COMMANDS}
    assert {"build", "check", "fetch", "pack", "serve", "golden"} <= shown, shown


def _parse(words: list[str]):
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            return build_parser().parse_args(words), ""
        except SystemExit:
            return None, err.getvalue()


@pytest.mark.parametrize(("doc", "command", "fenced"), COMMANDS, ids=[f"{d}: {c}" for d, c, _ in COMMANDS])
def test_each_opencyber_command_of_the_docs_is_accepted(doc, command, fenced):
    words = shlex.split(_COMMAND.sub("", command).replace("[", "").replace("]", ""))
    words = [PLACEHOLDERS.get(w, w) for w in words]
    # a syntax summary (`--renderer auto|quarto|nbconvert`): each alternative
    variants = [words]
    for k, w in enumerate(words):
        if "|" in w:
            variants = [[*v[:k], alt, *v[k + 1 :]] for v in variants for alt in w.split("|")]
    for v in variants:
        args, error = _parse(v)
        if args is None:
            if not fenced and any(m in error for m in _A_MENTION):
                continue
            pytest.fail(f"{doc}: `{command}` is refused by the command line: {error.strip().splitlines()[-1]}")
        if args.command == "fetch":
            assert fetch_problem(args) is None, f"{doc}: `{command}`: {fetch_problem(args)}"


def test_a_stale_command_is_caught():
    """The check above can fail: an option the command line does not have is refused."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fetch", "--pack", "u", "--sha", "x", "--no-such-option"])


def test_the_readmes_checks_run_as_written():
    """The README's block of checks (lint, format, types, layers, workflows), run from the checkout
    with the environment's own tools (``.venv/bin/`` is where CI and the README put them)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```sh\n(.*?)^```", readme, re.M | re.S) if ".venv/bin/ruff check" in b)
    tools = Path(sys.executable).parent
    for line in filter(None, (x.strip() for x in block.splitlines())):
        command = line.replace(".venv/bin/", f"{tools}/")
        done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"`{line}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def test_each_module_the_docs_run_with_python_m_exists():
    """``python -m opencyber.something`` in the docs names a module that exists (``opencyber.fetch``
    moved to ``opencyber.inputs.fetch`` once, and the docs kept the old name)."""
    import importlib.util

    named = {
        (doc.relative_to(ROOT).as_posix(), m)
        for doc in DOCS
        for m in re.findall(r"python -m (opencyber\.[\w.]+)", doc.read_text(encoding="utf-8"))
    }
    assert [(doc, m) for doc, m in sorted(named) if importlib.util.find_spec(m) is None] == []


#: each fenced command of the README that this module does not run, and what runs it instead
RUN_ELSEWHERE = {
    "python3 -m venv .venv": ".ci/run and the newcomer's run (needs PyPI)",
    ".venv/bin/python -m pytest": "is the test suite (.ci/run runs it)",
    ".venv/bin/pip install pip-tools": "needs PyPI (re-locking)",
    ".venv/bin/ruff check": "test_the_readmes_checks_run_as_written",
    ".venv/bin/check-jsonschema": "test_the_readmes_checks_run_as_written",
    ".venv/bin/pip install -r requirements-authoring.txt": "needs PyPI, then starts JupyterLab (a server)",
    "quarto preview": "tests/browser/test_quarto_project.py::test_quarto_preview_draws_the_maps_with_no_cdn_request",
    "quarto render": "tests/browser/test_quarto_project.py (the whole module)",
}


def test_every_fenced_command_of_the_readme_is_run_somewhere():
    """A command added to the README is either run here or named above with what runs it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in _fenced_lines(readme) if line and not line.startswith("#")]
    unaccounted = [line for line in lines if not any(line.startswith(k) for k in RUN_ELSEWHERE)]
    assert unaccounted == [], "run these in a test, or say in RUN_ELSEWHERE what runs them"
    for where in RUN_ELSEWHERE.values():  # the tests named exist
        path, _, name = where.partition("::")
        if where.startswith("test_"):
            assert where in globals(), where
        elif where.startswith("tests/"):
            source = (ROOT / path.split()[0]).read_text(encoding="utf-8")
            assert not name or f"def {name}(" in source, where
