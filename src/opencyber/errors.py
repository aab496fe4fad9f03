"""Errors that name the input file, line and column, for data problems an analyst can fix."""

from __future__ import annotations

from pathlib import Path

#: how many problems of one file are listed (``opencyber check``); the others are counted
PROBLEMS_PER_FILE = 20


class InputError(Exception):
    """A problem with an input file: says which file, line, column and value, and what was expected.

    ``line`` is the 1-based line number of the file as a text editor shows it (the header is line 1
    of a CSV with a header). An error found with others in the same file carries them, in file
    order: ``problems`` holds every problem listed (itself first, up to :data:`PROBLEMS_PER_FILE`),
    ``more`` how many others there are; the message is the first one and that count, and
    ``opencyber check`` prints every problem listed.
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
        self.more = more  # how many other problems the file has
        self.problems: list[InputError] = [self]
        super().__init__(str(self))

    def where(self) -> tuple[int, int]:
        """Its place in the file, for sorting: (line or feature, 0)."""
        return (self.line or self.feature or 0, 0)

    def describe(self) -> str:
        """The problem alone, in one line: file, line, column, value, expectation."""
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
        return text

    def __str__(self) -> str:
        text = self.describe()
        if self.more:
            text += f" ({self.more} more problem{'s' if self.more > 1 else ''} in this file)"
        return text

    @classmethod
    def of(cls, problems: list[InputError]) -> InputError:
        """One error for the problems of one file, in file order: the first, carrying the others
        (the first :data:`PROBLEMS_PER_FILE` of them), and the count of the rest."""
        ordered = sorted(problems, key=lambda e: e.where())
        first = ordered[0]
        first.problems = ordered[:PROBLEMS_PER_FILE]
        first.more = len(ordered) - 1
        first.args = (str(first),)
        return first


class InputErrors(Exception):
    """The problems of several input files at once (``opencyber check`` reads every file): one
    InputError per file, each with the problems of its file."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__(f"{sum(1 + e.more for e in errors)} problem(s) in {len(errors)} file(s): " + str(errors[0]))

    def lines(self) -> list[str]:
        """One line per problem listed, and per file a line for those not listed."""
        out = []
        for e in self.errors:
            out += [p.describe() for p in e.problems]
            rest = e.more + 1 - len(e.problems)
            if rest > 0:
                out.append(f"{e.path}: {rest} more problem(s) (the first {PROBLEMS_PER_FILE} of each file are listed)")
        return out


class RegistryError(Exception):
    """The edition registry (editions.toml) is wrong: names the edition and the key."""


class NoDataError(Exception):
    """No input data was found: the message says where the build looked and what to do."""


class NotebookDataError(Exception):
    """A notebook of an edition that failed (an InputError, RegistryError or NoDataError inside it, or
    any other error of a cell): the message names the edition, the notebook and the cell. ``lines``:
    one message per edition when several failed."""

    def __init__(self, message: str, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.lines = lines or [message]


class RenderError(Exception):
    """The site could not be rendered (a page the renderer did not write, the renderer's own error):
    the message names the page and the renderer's message; the previous site is left as it was."""


class FolderError(Exception):
    """A build or site folder the build may not use (it holds someone else's files): the message
    names the folder, what is in it and what to do. Nothing is written or deleted."""
