"""The library's log (:mod:`logging`, logger ``opencyber``): a line per step on the console, and every
record, with its time, in the build's log file.

The commands call :func:`console` once (``-q``: warnings only; ``-v``: debug records too); a build
writes ``build/opencyber.log`` for its whole run (:func:`to_file`), where a failed cell's traceback
is kept while the console shows one line. Modules log through ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

LOGGER = "opencyber"


class _Console(logging.StreamHandler):
    """Messages as they are, to the standard output of the moment (a test may have replaced it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        pass


def console(verbosity: int = 0) -> None:
    """Log the library's records to the console: INFO and up (``verbosity`` -1: WARNING and up;
    1: DEBUG). Called again, it replaces its handler (never two)."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _Console)]:
        logger.removeHandler(handler)
    handler = _Console()
    handler.setLevel(logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


@contextlib.contextmanager
def to_file(path: Path) -> Iterator[Path]:
    """Every record of the library, with its time and level, in ``path`` (written anew) for the
    ``with`` block."""
    logger = logging.getLogger(LOGGER)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    previous = logger.level
    if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
        logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(previous)
