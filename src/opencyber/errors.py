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
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.problem}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class RegistryError(Exception):
    """The edition registry (editions.toml) is wrong: names the edition and the key."""


class NoDataError(Exception):
    """No input data was found: the message says where the build looked and what to do."""


class NotebookDataError(Exception):
    """An InputError, RegistryError or NoDataError raised inside a notebook the build executed:
    the message is the original one plus the edition and notebook it stopped in."""
