"""Where things are: the project's folders, and the environment variables the library reads (each
one read here, and only here; the build makes ``$OPEN_CYBER_REGISTRY`` absolute before its kernels
start, since they run in ``notebooks/``).

- ``OPEN_CYBER_DATA``: the data directory (default: ``data/`` in the checkout, where a data pack is
  unpacked; git ignores it but for its README and the bundled sample);
- ``OPEN_CYBER_BUILD``: the build folder a notebook run by hand writes to (default: ``build/``;
  ``opencyber build`` takes ``--build-dir`` instead, and passes its folder to each notebook);
- ``OPEN_CYBER_REGISTRY``: another edition registry than ``editions.toml`` (the tests use it);
- ``OPEN_CYBER_FETCH_BASE``, ``OPEN_CYBER_FETCH_TIMEOUT``: a mirror to fetch from, and how long to
  wait for a server.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = PROJECT_ROOT / "editions.toml"
#: where the data pack goes in a checkout, and the bundled, fictional sample edition (scripts/make_sample.py)
DEFAULT_DATA = PROJECT_ROOT / "data"
SAMPLE_DATA = DEFAULT_DATA / "sample"
DEFAULT_BUILD = PROJECT_ROOT / "build"

DATA_ENV = "OPEN_CYBER_DATA"
BUILD_ENV = "OPEN_CYBER_BUILD"
REGISTRY_ENV = "OPEN_CYBER_REGISTRY"
FETCH_BASE_ENV = "OPEN_CYBER_FETCH_BASE"
FETCH_TIMEOUT_ENV = "OPEN_CYBER_FETCH_TIMEOUT"


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def data_dir() -> Path | None:
    """``$OPEN_CYBER_DATA``, if set."""
    value = _env(DATA_ENV)
    return Path(value) if value else None


def build_dir() -> Path:
    """``$OPEN_CYBER_BUILD``, else ``build/`` in the checkout."""
    value = _env(BUILD_ENV)
    return Path(value) if value else DEFAULT_BUILD


def registry_file() -> Path | None:
    """``$OPEN_CYBER_REGISTRY``, if set."""
    value = _env(REGISTRY_ENV)
    return Path(value).resolve() if value else None


def fetch_base() -> str | None:
    return _env(FETCH_BASE_ENV)


def fetch_timeout() -> str | None:
    return _env(FETCH_TIMEOUT_ENV)
