"""Test configuration.

- Real data: ``$OPEN_CYBER_DATA``, else ``data/`` in the checkout if the pack is unpacked there. Tests that need it
  skip when it is missing on a developer's machine, and FAIL in CI (``CI`` set), where it must be.
- Browser: Debian's Chromium at ``/usr/bin/chromium`` (or ``$OPEN_CYBER_CHROMIUM``), same policy.
- The nbval regression notebooks read ``$OPEN_CYBER_DATA`` and write to ``$OPEN_CYBER_BUILD``,
  which is set here, before any kernel starts, to a temporary folder of this session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))


def real_data_dir() -> Path | None:
    """The real data pack, where the library looks for it: ``$OPEN_CYBER_DATA``, else ``data/`` in
    the checkout if a pack is unpacked there (its MANIFEST.tsv)."""
    env = os.environ.get("OPEN_CYBER_DATA")
    if env:
        return Path(env) if Path(env).is_dir() else None
    local = ROOT / "data"
    return local if (local / "MANIFEST.tsv").is_file() else None


def chromium_path() -> str | None:
    path = os.environ.get("OPEN_CYBER_CHROMIUM", "/usr/bin/chromium")
    return path if Path(path).exists() else shutil.which("chromium")


def need(what: str, ok: bool) -> None:
    """Skip on a developer machine, fail in CI, when a test's prerequisite is missing."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI must have it (see .ci/run)", pytrace=False)
    pytest.skip(f"{what} is missing (in CI this fails)")


def pytest_configure(config):
    data = real_data_dir()
    if data is not None:
        os.environ["OPEN_CYBER_DATA"] = str(data.resolve())
    os.environ.setdefault("OPEN_CYBER_BUILD", tempfile.mkdtemp(prefix="opencyber-nbval-"))
    config.addinivalue_line("markers", "data: needs the real data pack")
    config.addinivalue_line("markers", "browser: needs headless Chromium")


def pytest_collection_modifyitems(config, items):
    if real_data_dir() is not None or IN_CI:
        return
    skip = pytest.mark.skip(reason="nbval regression needs the real data pack (in CI this fails)")
    for item in items:
        parts = Path(str(item.fspath)).parts
        # the sample edition and the site's own pages (a site of the sample alone) run everywhere
        if "regression" in parts and parts[-2] not in ("sample", "site"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = real_data_dir()
    need(f"the real data pack (OPEN_CYBER_DATA or {ROOT.parent / 'shared' / 'data'})", d is not None)
    return d


@pytest.fixture()
def synthetic(tmp_path, monkeypatch):
    """A synthetic 2023/24 edition: (data dir, registry path), the registry made current."""
    from tests.synthetic import write_edition, write_registry

    data = write_edition(tmp_path / "data")
    registry = write_registry(tmp_path / "editions.toml")
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(registry))
    return data, registry
