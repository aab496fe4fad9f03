"""``quarto render`` and ``quarto preview`` in the root of a copy of the checkout (``_quarto.yml``):
the same pages, downloads and offline behaviour as ``opencyber build --renderer quarto``.

Skipped where ``quarto`` is not on PATH (it cannot be pip-installed, so CI has none).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_quarto_site import _site_files
from tests.browser.test_site import PageVisit
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")


def _copy_of_the_checkout(dest: Path) -> Path:
    """The checkout's files as a fresh clone has them (git's tracked files, as they are now in the
    working tree), with the installed npm packages beside them."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (t.decode() for t in tracked)):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "a clone"]):
        subprocess.run([*git, *args], cwd=dest, check=True, capture_output=True)
    return dest


def _environment(checkout: Path) -> dict:
    from opencyber.settings import DATA_ENV

    env = dict(os.environ)
    env[DATA_ENV] = str(checkout / "data" / "sample")
    env["QUARTO_PYTHON"] = sys.executable  # this environment, as `.venv/bin/python` would be
    env["PYTHONPATH"] = str(checkout / "src")  # the copy's code, as its editable install would be
    return env


def _run(args: list[str], checkout: Path) -> None:
    proc = subprocess.run(args, cwd=checkout, env=_environment(checkout), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    checkout = _copy_of_the_checkout(tmp_path_factory.mktemp("checkout"))
    _run(["quarto", "render"], checkout)
    return checkout


@pytest.fixture(scope="module")
def built(rendered, tmp_path_factory):
    """`opencyber build --renderer quarto` in the same clone, into folders of its own."""
    out = tmp_path_factory.mktemp("built")
    _run(
        [sys.executable, "-m", "opencyber", "build", "--renderer", "quarto"]
        + ["--build-dir", str(out / "build"), "--site-dir", str(out / "_site")],
        rendered,
    )
    return out / "_site"


def test_quarto_render_in_the_root_gives_opencyber_builds_site(rendered, built):
    quarto_site = built
    site = rendered / "_site"
    assert site.is_symlink(), "published into _site/ as opencyber build publishes (a link to a release)"
    assert _site_files(site) == _site_files(quarto_site)
    different = [
        str(f.relative_to(site))
        for f in sorted(site.rglob("*"))
        if f.is_file()
        and f.name != ".opencyber-site.json"
        and f.read_bytes() != (quarto_site / f.relative_to(site)).read_bytes()
    ]
    assert different == []
    for page in site.glob("*.html"):
        assert "cdn.jsdelivr.net" not in page.read_text(encoding="utf-8"), page.name
    # what `quarto preview` serves is the same site
    served = rendered / "build" / "quarto" / "_site"
    assert (served / "sample.html").read_bytes() == (site / "sample.html").read_bytes()


def test_the_page_notebooks_in_the_root_are_marked_and_ignored_by_git(rendered):
    from opencyber.site.quarto import is_page_notebook

    pages = sorted(p.name for p in rendered.glob("*.ipynb") if p.name != "START_HERE.ipynb")
    assert "index.ipynb" in pages and "sample.ipynb" in pages and len(pages) == 10
    assert all(is_page_notebook(rendered / p) for p in pages)
    assert not is_page_notebook(rendered / "START_HERE.ipynb")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *pages, "2022-23.ipynb", "START_HERE.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == [*pages, "2022-23.ipynb"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def preview(rendered):
    port = _free_port()
    proc = subprocess.Popen(
        ["quarto", "preview", "--no-browser", "--no-watch-inputs", "--port", str(port)],
        cwd=rendered,
        env=_environment(rendered),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(f"{base}/sample.html", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("quarto preview did not serve the site: " + (proc.stdout.read() if proc.stdout else ""))
                time.sleep(1)
        yield base
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_quarto_preview_draws_the_maps_with_no_cdn_request(browser, preview):
    visit = PageVisit(browser, preview, "sample")
    visit.page.wait_for_selector("path.oc-trust", timeout=60_000)
    visit.screenshot("quarto-preview-sample")
    assert visit.page.locator(".leaflet-container").nth(0).locator("path.oc-area").count() == 5
    assert visit.non_tile_external() == [] and visit.failed_local == []
    assert visit.page_errors == []
    visit.page.close()


def test_a_render_of_one_page_keeps_the_whole_site_offline(rendered, built):
    """`quarto render PAGE` (as `quarto preview` does after an edit) renders that page only: the
    post-render step assembles the site from it and the other pages as Quarto last wrote them."""
    before = {p.name: p.read_bytes() for p in (rendered / "_site").glob("*.html")}
    _run(["quarto", "render", "sample-scoring.ipynb"], rendered)
    after = {p.name: p.read_bytes() for p in (rendered / "_site").glob("*.html")}
    assert after == before
    served = rendered / "build" / "quarto" / "_site"
    assert {p.name: p.read_bytes() for p in served.glob("*.html")} == after
