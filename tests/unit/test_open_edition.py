"""What a notebook gets when it asks for an edition (locations.open_edition): the edition it asked
for, from the data directory, or an error that names the folder; only an empty edition or the
sample edition itself fall back to the bundled sample."""

from __future__ import annotations

import pytest

from opencyber import settings
from opencyber.errors import NoDataError
from opencyber.inputs import locations


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    """A fresh clone: no $OPEN_CYBER_DATA, and no data pack in the checkout's data/ folder."""
    monkeypatch.delenv("OPEN_CYBER_DATA", raising=False)
    monkeypatch.delenv("OPEN_CYBER_REGISTRY", raising=False)
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(settings, "DEFAULT_DATA", tmp_path / "data")
    monkeypatch.setenv("OPEN_CYBER_BUILD", str(tmp_path / "build"))


def test_a_real_edition_without_the_data_pack_is_an_error_not_the_sample(no_data, tmp_path):
    with pytest.raises(
        NoDataError,
        match=rf"No input data found: \$OPEN_CYBER_DATA is not set and {tmp_path / 'data'} holds no edition's DSPT export",
    ):
        locations.open_edition("2021-22")


@pytest.mark.parametrize("asked", ["", "sample"])
def test_no_edition_or_the_sample_without_data_is_the_sample(no_data, asked, capsys):
    ed, data, out = locations.open_edition(asked)
    assert ed.id == "sample" and data == settings.SAMPLE_DATA and out.name == "sample"
    assert "FICTIONAL sample" in capsys.readouterr().out


def test_the_data_pack_unpacked_in_the_checkout_is_the_default(no_data, synthetic, monkeypatch):
    data, _ = synthetic
    monkeypatch.setattr(settings, "DEFAULT_DATA", data)
    ed, found, _ = locations.open_edition("")
    assert ed.id == "2023-24" and found == data


def test_an_edition_whose_inputs_are_not_in_the_data_directory_names_it(tmp_path, monkeypatch):
    monkeypatch.delenv("OPEN_CYBER_REGISTRY", raising=False)
    (tmp_path / "data").mkdir()
    with pytest.raises(NoDataError) as e:
        locations.open_edition("2021-22", tmp_path / "data", tmp_path / "build")
    assert str(e.value).startswith(
        f"Edition 2021-22: its input files are not in the data directory {tmp_path / 'data'} (e.g. "
    )
    with pytest.raises(NoDataError, match="Edition '1999-00' is not in the registry"):
        locations.open_edition("1999-00", tmp_path / "data", tmp_path / "build")


def test_no_edition_named_is_the_newest_in_the_data_directory(synthetic, tmp_path):
    data, _ = synthetic
    ed, _, _ = locations.open_edition("", data, tmp_path / "build")
    assert ed.id == "2023-24"
