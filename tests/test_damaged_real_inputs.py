"""The real data pack, damaged as downloads and hand edits damage it: each case must stop
``opencyber check`` (and so the build) with one line naming the file, line and column, never build
with wrong figures. Each case copies the data pack's folder structure with links to the real files,
then writes the damaged file in place of one of them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from opencyber.cli import main

FULL = "21_22/dspt_export_2022-09-09.csv"
XLSX = "20_21/dspt_progress_2019-06-17.xlsx"
RTH = "RTH,OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST,21/22 Standards Met,30/06/2022,NHS Trust,\n"


def damaged_pack(real: Path, root: Path, name: str, damage) -> Path:
    """A copy of the data pack (links to the real files) with ``name`` replaced by ``damage(bytes)``."""
    for src in real.rglob("*"):
        dst = root / src.relative_to(real)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        elif src.relative_to(real).as_posix() != name:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dst)
    (root / name).write_bytes(damage((real / name).read_bytes()))
    return root


def check(data: Path, edition: str, capsys) -> tuple[int, str]:
    rc = main(["check", "--data", str(data), "--edition", edition])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, err


def cut_in_the_middle_of_a_row(data: bytes) -> bytes:
    """The first half of the file, ending inside a row (a download that stopped early)."""
    half = len(data) // 2
    return data[: data.index(b"\n", half) + 25]


CASES = [
    (
        "the full export cut in the middle of a row",
        FULL,
        "2021-22",
        cut_in_the_middle_of_a_row,
        "{f}, line 30024: the row has 2 fields, the header 6; the file looks cut short (a download that stopped "
        "early?) (found ['P01L', 'Shadforth Pharmaceu']); expected 6 fields in every row",
    ),
    (
        "a trust's row with 2 of its 6 fields",
        FULL,
        "2021-22",
        lambda b: b.replace(RTH.encode(), b"RTH,OXFORD UNIVERSITY HOSPITALS\n"),
        "{f}, line 31344: the row has 2 fields, the header 6 (found ['RTH', 'OXFORD UNIVERSITY HOSPITALS']); "
        "expected 6 fields in every row (a field with a comma must be in quotes)",
    ),
    (
        "the same trust twice with different names",
        FULL,
        "2021-22",
        lambda b: b + RTH.replace("OXFORD UNIVERSITY", "OXFORD").encode(),
        "{f}, line 64203, column 'Organisation Name': code RTH appears on lines 31344 and 64203 with different values "
        "(Organisation Name 'OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST' on line 31344) (found 'OXFORD "
        "HOSPITALS NHS FOUNDATION TRUST'); expected one row per organisation (take the export from the original "
        "download)",
    ),
    (
        "a NUL byte inside a name of the full export",
        FULL,
        "2021-22",
        lambda b: b.replace(b"OXFORD UNIVERSITY HOSPITALS", b"OXFORD\x00UNIVERSITY HOSPITALS"),
        "{f}, line 31344, column 'Organisation Name': the field holds a control character (U+0000) (found "
        "'OXFORD\\x00UNIVERSITY HOSPITALS NHS FOUNDATION TRUST'); expected text without control characters (a tab, "
        "a line break or a NUL byte inside a field means the file was damaged or saved by a program that added them)",
    ),
    (
        "the 2019 workbook cut short",
        XLSX,
        "2018-19",
        lambda b: b[: len(b) // 2],
        "{f}: cannot read the workbook: ",
    ),
]


@pytest.mark.data
@pytest.mark.parametrize("name, edition, damage, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_damaged_real_input_stops_the_check_with_one_line(
    data_dir, tmp_path, capsys, name, edition, damage, expected
):
    data = damaged_pack(data_dir, tmp_path / "data", name, damage)
    rc, err = check(data, edition, capsys)
    message = expected.format(f=data / name)
    assert rc == 2
    assert err.startswith(f"error: {message}") if expected.endswith(": ") else err == f"error: {message}\n"


@pytest.mark.data
def test_the_undamaged_pack_checks_clean(data_dir, capsys):
    rc, err = check(data_dir, "2021-22", capsys)
    assert (rc, err) == (0, "")


def test_the_damaged_pack_helper_links_every_other_file(tmp_path):
    real = tmp_path / "real"
    (real / "a").mkdir(parents=True)
    (real / "a" / "x.csv").write_text("x")
    (real / "a" / "y.csv").write_text("y")
    copy = damaged_pack(real, tmp_path / "copy", "a/x.csv", lambda b: b + b"!")
    assert (copy / "a" / "x.csv").read_text() == "x!" and not (copy / "a" / "x.csv").is_symlink()
    assert (copy / "a" / "y.csv").is_symlink() and (real / "a" / "x.csv").read_text() == "x"
    shutil.rmtree(copy)
    assert (real / "a" / "y.csv").read_text() == "y"


@pytest.mark.data
def test_the_full_export_re_encoded_is_read_with_the_same_figures(data_dir, tmp_path, capsys):
    """Saved again as Windows-1252 with Windows line endings (as a spreadsheet program may save it):
    read, the repairs reported, and the same organisations with the same statuses."""
    from opencyber.analysis.curation import curate_edition
    from opencyber.analysis.scoring import crosstab
    from opencyber.inputs.registry import get_edition

    def windows(b: bytes) -> bytes:
        return b.decode("utf-8").replace("\n", "\r\n").encode("cp1252", errors="strict")

    data = damaged_pack(data_dir, tmp_path / "data", FULL, windows)
    rc, err = check(data, "2021-22", capsys)
    assert (rc, err) == (0, "")
    ed = get_edition("2021-22")
    damaged, real = curate_edition(ed, data), curate_edition(ed, data_dir)
    assert crosstab(damaged.organisations).equals(crosstab(real.organisations))
    assert damaged.organisations[["code", "name", "status"]].equals(real.organisations[["code", "name", "status"]])
    repairs = " ".join(damaged.reconciliation["repairs"])
    assert "Windows line endings read" in repairs  # (the export is ASCII: its Windows-1252 bytes are the same)
