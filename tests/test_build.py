"""The build command end to end: a new edition by registry entry only; the no-data message."""

import subprocess
import sys

import pandas as pd

from opencyber.pipeline.build import build


def test_new_edition_by_configuration_builds(synthetic, tmp_path):
    data, _ = synthetic
    result = build(data, build_dir=tmp_path / "build", site_dir=tmp_path / "site", renderer="nbconvert")
    out = tmp_path / "build" / "2023-24"
    ct = pd.read_csv(out / "crosstab.csv")
    assert ct["n"].sum() == 9
    assert list(ct.columns) == ["sector", "status", "n"]
    scores = pd.read_csv(out / "area_scores.csv").set_index("area_code")
    assert scores.loc["QAA", "composite"] == 0.5 and scores.loc["QBB", "composite"] == 1.0
    orgs = pd.read_csv(out / "organisations.csv", keep_default_na=False)
    assert list(orgs.columns) == [
        "code",
        "name",
        "sector",
        "status_raw",
        "status",
        "score",
        "area_code",
        "area_name",
        "region_code",
        "region_name",
        "in_scope",
        "reason",
    ]
    assert len(orgs) == 15
    for name in ("index.html", "2023-24.html", "2023-24-curation.html", "2023-24-scoring.html"):
        assert (tmp_path / "site" / name).is_file()
    assert (tmp_path / "site" / "downloads" / "2023-24" / "organisations.csv").is_file()
    assert [e.id for e in result.editions] == ["2023-24"]
    assert not (tmp_path / "site.partial").exists()


def test_build_without_data_says_what_to_do(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "OPEN_CYBER_DATA": str(tmp_path / "nowhere"), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "opencyber.cli", "build"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "OPEN_CYBER_DATA" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_build_with_an_empty_data_dir_lists_what_is_missing(tmp_path):
    (tmp_path / "empty").mkdir()
    env = {"PATH": "/usr/bin:/bin", "OPEN_CYBER_DATA": str(tmp_path / "empty"), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "opencyber.cli",
            "build",
            "--build-dir",
            str(tmp_path / "b"),
            "--site-dir",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "Edition 2022-23 not built: none of its input files is in" in proc.stdout
    assert "No edition can be built" in proc.stderr and "data/README.md" in proc.stderr


def test_unchanged_edition_is_not_executed_again(synthetic, tmp_path):
    data, _ = synthetic
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    first = build(data, renderer="nbconvert", **dirs)
    assert first.seconds["2023-24"] > 0
    again = build(data, renderer="nbconvert", **dirs)
    assert again.seconds["2023-24"] == 0.0  # nothing changed: not executed
    export = data / "23_24" / "dspt_export.csv"
    export.write_text(
        export.read_text().replace(
            "RAB,ALPHA COMMUNITY NHS TRUST,23/24 Approaching Standards",
            "RAB,ALPHA COMMUNITY NHS TRUST,23/24 Standards Met",
        )
    )
    changed = build(data, renderer="nbconvert", **dirs)
    assert changed.seconds["2023-24"] > 0  # an input changed: executed again
    ct = pd.read_csv(tmp_path / "build" / "2023-24" / "crosstab.csv").set_index(["sector", "status"])["n"]
    assert ct[("NHS Trust", "Standards Met")] == 2
    assert build(data, force=True, renderer="nbconvert", **dirs).seconds["2023-24"] > 0


def test_a_data_error_in_a_notebook_is_one_clear_message(synthetic, tmp_path):
    data, registry = synthetic
    export = data / "23_24" / "dspt_export.csv"
    export.write_text(export.read_text().replace("23/24 Approaching Standards", "23/24 Nearly There"))
    env = {
        "PATH": "/usr/bin:/bin",
        "OPEN_CYBER_DATA": str(data),
        "OPEN_CYBER_REGISTRY": str(registry),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "opencyber.cli",
            "build",
            "--build-dir",
            str(tmp_path / "b"),
            "--site-dir",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "dspt_export.csv, line 8, column 'Status': not a DSPT status (found '23/24 Nearly There')" in proc.stderr
    assert proc.stderr.endswith(" (edition 2023-24, notebooks/01_curation.ipynb)\n") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "s").exists()  # no half-written site


def _comparable_notebook(path):
    """An executed notebook without what legitimately differs between two builds: papermill's
    timings and the injected parameters (they hold the build folder's path)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = ""
    return nbformat.writes(nb)


def test_two_builds_from_the_same_inputs_are_identical(synthetic, tmp_path):
    """Two cold builds, one with a notebook at a time and one with two; then the first again, every
    notebook executed, with all the cache holds."""
    data, _ = synthetic
    for run, jobs in (("a", 1), ("b", 2)):
        build(
            data, build_dir=tmp_path / run / "build", site_dir=tmp_path / run / "site", renderer="nbconvert", jobs=jobs
        )
    a, b = tmp_path / "a", tmp_path / "b"
    csvs = sorted(p.relative_to(a) for p in (a / "build").rglob("*.csv"))
    assert len(csvs) >= 6
    for rel in csvs:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    data_files = sorted(p.relative_to(a) for p in (a / "site" / "assets" / "data").glob("*"))
    assert len(data_files) == 4  # the finder's JSON, each also as a script
    for rel in data_files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    notebooks = sorted(p.relative_to(a) for p in (a / "build" / "pages").glob("*.ipynb"))
    assert len(notebooks) == 10  # the edition's 3 and the site's 7 (pages/)
    for rel in notebooks:
        assert _comparable_notebook(a / rel) == _comparable_notebook(b / rel), rel
    pages = sorted(p.relative_to(a) for p in (a / "site").rglob("*.html"))
    assert len(pages) == 10  # 7 + the finder, trends and sectors pages
    for rel in pages:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # built again in a, every notebook executed, with everything it can take from the cache: the same
    assert len(list((a / "build" / ".cache").glob("*/*.pickle"))) >= 10
    build(data, build_dir=a / "build", site_dir=a / "site", renderer="nbconvert", force=True)
    for rel in csvs + data_files + pages:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    for rel in notebooks:
        assert _comparable_notebook(a / rel) == _comparable_notebook(b / rel), rel


def test_a_parallel_build_is_identical_to_a_sequential_one(synthetic, tmp_path, monkeypatch, caplog):
    """Two editions built one notebook at a time (--jobs 1) and two at once (--jobs 2): the same
    files, byte for byte, and the same log lines in the same order."""
    import logging

    from tests.synthetic import write_registry_of

    data, _ = synthetic
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(write_registry_of(tmp_path / "two.toml", 2)))
    caplog.set_level(logging.INFO, logger="opencyber")
    logs = {}
    for run, jobs in (("seq", 1), ("par", 2)):
        caplog.clear()
        result = build(
            data, build_dir=tmp_path / run / "build", site_dir=tmp_path / run / "site", renderer="nbconvert", jobs=jobs
        )
        assert len(result.executed) == 6
        logs[run] = [r.getMessage().split(": ")[0] for r in caplog.records if r.getMessage().lstrip().startswith("[")]
    assert logs["seq"] == logs["par"] and len(logs["seq"]) == 6 + 7  # 3 notebooks per edition, then the 7 pages
    a, b = tmp_path / "seq", tmp_path / "par"
    files = sorted(p.relative_to(a) for p in (a / "build").rglob("*.csv"))
    files += sorted(p.relative_to(a) for p in (a / "site").rglob("*.html"))
    assert len(files) >= 12
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    notebooks = sorted(p.relative_to(a) for p in (a / "build" / "pages").glob("*.ipynb"))
    assert len(notebooks) == 6 + 7
    for rel in notebooks:
        assert _comparable_notebook(a / rel) == _comparable_notebook(b / rel), rel


def test_a_build_interrupted_half_way_leaves_the_previous_site_intact(synthetic, tmp_path, monkeypatch):
    import hashlib

    import pytest

    from opencyber.site import nbconvert as render

    data, _ = synthetic
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    build(data, renderer="nbconvert", **dirs)

    def snapshot():
        return {
            p.relative_to(tmp_path / "site"): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((tmp_path / "site").rglob("*"))
            if p.is_file()
        }

    before = snapshot()
    assert len(before) > 10
    real, calls = render.render_page, []

    def interrupted(*args, **kwargs):  # Ctrl-C while the third page is being written
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_page", interrupted)
    export = data / "23_24" / "dspt_export.csv"  # a changed input: the edition is executed again
    export.write_text(export.read_text().replace("23/24 Approaching Standards", "23/24 Standards Met"))
    with pytest.raises(KeyboardInterrupt):
        build(data, renderer="nbconvert", **dirs)
    assert len(calls) == 3  # it did stop half-way through the pages
    assert snapshot() == before  # the previous site, byte for byte
    monkeypatch.setattr(render, "render_page", real)
    build(data, renderer="nbconvert", **dirs)  # the next build replaces the leftovers and the site
    assert snapshot() != before
    assert not (tmp_path / "site.partial").exists() and not (tmp_path / "site.old").exists()


def _links(site):
    """Every local link of every page of a site: (page, target) pairs whose target is missing."""
    import re

    broken = []
    for page in sorted(site.glob("*.html")):
        for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            if not (site / href).exists():
                broken.append((page.name, href))
    return broken


def _rel_links(page):
    """The page's links to its previous and next edition: {rel: href}."""
    import re

    links = {}
    for tag in re.findall(r"<a [^>]*>", page.read_text(encoding="utf-8")):
        rel, href = re.search(r'rel="([^"]+)"', tag), re.search(r'href="([^"]+)"', tag)
        if rel and href:
            links[rel.group(1)] = href.group(1)
    return links


def test_a_one_edition_rebuild_keeps_every_edition_on_the_site(tmp_path, monkeypatch):
    from tests.synthetic import write_edition, write_registry_of

    data = write_edition(tmp_path / "data")
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(write_registry_of(tmp_path / "editions.toml", 2)))
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    first = build(data, renderer="nbconvert", **dirs)
    assert sorted(first.executed) == sorted(
        f"{e}/{nb}"
        for e in ("2023-24", "2024-25")
        for nb in ("01_curation.ipynb", "02_scoring.ipynb", "03_report.ipynb")
    )
    one = build(data, editions=["2024-25"], renderer="nbconvert", **dirs)
    assert one.executed == []  # nothing changed: nothing executed, whichever editions are named
    assert [e.id for e in one.editions] == ["2024-25", "2023-24"]  # both stay on the site
    site = tmp_path / "site"
    for name in ("2023-24.html", "2024-25.html", "2023-24-scoring.html", "2024-25-curation.html"):
        assert (site / name).is_file(), name
    assert _links(site) == []
    assert _rel_links(site / "2024-25.html") == {"prev": "2023-24.html"}
    assert _rel_links(site / "2023-24.html") == {"next": "2024-25.html"}
    home = (site / "index.html").read_text()
    assert "2023-24.html" in home and "2024-25.html" in home


def test_editing_the_report_notebook_re_executes_only_it(synthetic, tmp_path, monkeypatch):
    import shutil

    from opencyber import stages

    data, _ = synthetic
    notebooks = tmp_path / "notebooks"
    shutil.copytree(stages.NOTEBOOKS, notebooks)
    monkeypatch.setattr(stages, "NOTEBOOKS", notebooks)
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    build(data, renderer="nbconvert", **dirs)
    report = notebooks / "03_report.ipynb"
    report.write_text(report.read_text().replace("## Caveats", "## Caveats and limits"))
    home = (tmp_path / "site" / "index.html").read_bytes()
    again = build(data, renderer="nbconvert", **dirs)
    assert again.executed == ["2023-24/03_report.ipynb"]
    assert "Caveats and limits" in (tmp_path / "site" / "2023-24.html").read_text()
    # the site's own pages read what 01 and 02 wrote, and 03's tables, which came out the same: they
    # are not executed again, and the home page is as it was
    assert (tmp_path / "site" / "index.html").read_bytes() == home
    from opencyber.pipeline.site_pages import execute_site_pages

    assert execute_site_pages(again.editions, tmp_path / "build", data) == []
    crosstab = tmp_path / "build" / "2023-24" / "crosstab.csv"
    crosstab.write_text(crosstab.read_text() + "\n")  # an output they read, changed: they are made again
    assert execute_site_pages(again.editions, tmp_path / "build", data) == list(stages.SITE_PAGES)
    assert (
        build(data, renderer="nbconvert", **dirs).pages and build(data, renderer="nbconvert", **dirs).executed == []
    )  # and then nothing to do


def test_editing_a_page_notebook_re_executes_only_it_and_changes_its_page(synthetic, tmp_path, monkeypatch):
    """The site's own pages are notebooks in pages/: an edit of one's prose executes that page alone
    again, and the site shows the edit."""
    import shutil

    from opencyber import stages

    data, _ = synthetic
    pages = tmp_path / "pages"
    shutil.copytree(stages.SITE_PAGES_DIR, pages)
    monkeypatch.setattr(stages, "SITE_PAGES_DIR", pages)
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    assert build(data, renderer="nbconvert", **dirs).site_pages == list(stages.SITE_PAGES)
    source = pages / "methodology.ipynb"
    source.write_text(source.read_text().replace("## Successors", "## Successors and mergers"))
    again = build(data, renderer="nbconvert", **dirs)
    assert again.executed == [] and again.site_pages == ["methodology"]
    assert "Successors and mergers" in (tmp_path / "site" / "methodology.html").read_text()


def test_with_nothing_changed_the_site_is_not_rendered_again(synthetic, tmp_path):
    data, _ = synthetic
    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    build(data, renderer="nbconvert", **dirs)
    stamp = (tmp_path / "site" / "index.html").stat().st_mtime_ns
    again = build(data, renderer="nbconvert", **dirs)
    assert "render" in again.seconds and (tmp_path / "site" / "index.html").stat().st_mtime_ns == stamp
