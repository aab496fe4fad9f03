"""Errors that name the input file, line and column, for data problems an analyst can fix."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with an input file: says which file, line, column and value, and what was expected.

    ``line`` is the 1-based line number of the file as a text editor shows it (the header is line 1
    of a CSV with a header).
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        expected: str | None = None,
        more: int = 0,
        feature: int | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        self.feature = feature  # the 1-based feature number of a GeoJSON file (it has no useful lines)
        self.more = more  # how many other rows of the file have problems
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.feature is not None:
            where += f", feature {self.feature}"
        if self.column is not None:
            where += f", {'property' if self.feature is not None else 'column'} '{self.column}'"
        text = f"{where}: {self.problem}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.more:
            text += f" ({self.more} more row{'s' if self.more > 1 else ''} of the file with problems)"
        return text


class RegistryError(Exception):
    """The edition registry (editions.toml) is wrong: names the edition and the key."""


class NoDataError(Exception):
    """No input data was found: the message says where the build looked and what to do."""


class NotebookDataError(Exception):
    """An InputError, RegistryError or NoDataError that stopped an edition's build (in the input
    check, or inside a notebook): the original message plus the edition and stage it stopped in."""


class RenderError(Exception):
    """The site could not be rendered (a page the renderer did not write, the renderer's own error):
    the message names the page and the renderer's message; the previous site is left as it was."""


class FolderError(Exception):
    """A build or site folder the build may not use (it holds someone else's files): the message
    names the folder, what is in it and what to do. Nothing is written or deleted."""
