"""The string literals of the library's source, for the tests that check what the code may say."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal of a Python file but its docstrings (which may give examples), as
    (line, text); the fixed parts of an f-string are literals too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value
