"""The checks before a commit (.pre-commit-config.yaml) and in CI (.ci/run) are the same tools at
the same versions as the lock: a commit that passes pre-commit passes CI's checks."""

import re
from pathlib import Path

from tests.conftest import ROOT


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_pre_commit_installs_the_locked_versions():
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pinned = dict(re.findall(r'"(ruff|mypy|check-jsonschema)==([^"]+)"', config))
    assert pinned, "no ruff pin found in .pre-commit-config.yaml"
    locked = _locked()
    assert {k: locked.get(k) for k in pinned} == pinned


def test_ci_runs_the_checks_the_readme_names():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        ".venv/bin/ruff check",
        ".venv/bin/ruff format --check",
        ".venv/bin/mypy",
        ".venv/bin/python tests/test_layers.py",
        ".venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml",
    ):
        assert command in ci, f".ci/run does not run {command}"
        assert command in readme, f"the README does not say how to run {command}"


def test_the_tests_workflow_runs_ci_and_the_release_checks_its_tag():
    """GitHub runs the same .ci/run on pull requests; a release builds and deploys only from a tag that
    is the package's version."""
    tests = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    release = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert "pull_request" in tests and ".ci/run" in tests
    assert 'tags: ["v*"]' in release and "opencyber --version" in release and "deploy-pages" in release


def test_the_workflow_check_fails_on_a_broken_workflow(tmp_path):
    """The check .ci/run makes of the workflow files can fail: a job without ``runs-on`` is refused."""
    import subprocess
    import sys

    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: echo\n", encoding="utf-8")
    good = ROOT / ".github" / "workflows" / "tests.yml"
    tool = Path(sys.executable).parent / "check-jsonschema"
    args = [str(tool), "--builtin-schema", "vendor.github-workflows"]
    assert subprocess.run([*args, str(good)], capture_output=True).returncode == 0
    assert subprocess.run([*args, str(bad)], capture_output=True).returncode != 0
