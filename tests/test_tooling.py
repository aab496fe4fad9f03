"""The checks before a commit (.pre-commit-config.yaml) and in CI (.ci/run) are the same tools at
the same versions as the lock: a commit that passes pre-commit passes CI's checks."""

import re

from tests.conftest import ROOT


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_pre_commit_installs_the_locked_versions():
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pinned = dict(re.findall(r'"(ruff|mypy)==([^"]+)"', config))
    assert pinned, "no ruff pin found in .pre-commit-config.yaml"
    locked = _locked()
    assert {k: locked.get(k) for k in pinned} == pinned


def test_ci_runs_the_checks_the_readme_names():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy"):
        assert command in ci, f".ci/run does not run {command}"
        assert command in readme, f"the README does not say how to run {command}"
