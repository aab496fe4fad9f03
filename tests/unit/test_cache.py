"""The build's cache (opencyber.cache): a result is served again only for the same inputs, a bad
entry or an error is never served, and nothing is kept where no build folder names the cache."""

from __future__ import annotations

import os
import time

import pytest

from opencyber import cache


class Counting:
    """A reader of one file that counts how often it really reads."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path, *, upper=False):
        self.calls += 1
        text = path.read_text()
        if text.startswith("bad"):
            raise ValueError(f"{path}: bad input")
        return text.upper() if upper else text


@pytest.fixture
def reader():
    counting = Counting()

    def read_text(path, *, upper=False):
        return counting(path, upper=upper)

    return counting, cache.of_file("test")(read_text)


@pytest.fixture
def f(tmp_path):
    """An input file holding ``abc``."""
    path = tmp_path / "in.txt"
    path.write_text("abc")
    return path


def test_without_a_cache_folder_every_call_computes(tmp_path, reader, f):
    counting, read = reader
    with cache.using(None):
        assert read(f) == read(f) == "abc"
    assert counting.calls == 2


def test_the_same_file_and_arguments_are_read_once(tmp_path, reader, f):
    counting, read = reader
    with cache.using(tmp_path / "cache"):
        assert read(f) == "abc" and read(f) == "abc"
        assert counting.calls == 1
        assert read(f, upper=True) == "ABC"  # other arguments: another entry
        assert counting.calls == 2
    assert len(list((tmp_path / "cache" / "test").glob("*.pickle"))) == 2


def test_changed_bytes_are_read_again(tmp_path, reader, f):
    counting, read = reader
    with cache.using(tmp_path / "cache"):
        assert read(f) == "abc"
        f.write_text("abd")
        assert read(f) == "abd"
    assert counting.calls == 2


def test_another_file_with_the_same_bytes_is_another_entry(tmp_path, reader):
    """Messages name the file: a copy elsewhere must not get the first one's result."""
    counting, read = reader
    (tmp_path / "a.txt").write_text("abc")
    (tmp_path / "b.txt").write_text("abc")
    with cache.using(tmp_path / "cache"):
        read(tmp_path / "a.txt")
        read(tmp_path / "b.txt")
    assert counting.calls == 2


@pytest.mark.parametrize("damage", [lambda b: b"not a pickle", lambda b: b[: len(b) // 2], lambda b: b""])
def test_a_damaged_entry_is_reported_and_computed_again(tmp_path, reader, f, caplog, damage):
    counting, read = reader
    with cache.using(tmp_path / "cache"):
        read(f)
        (entry,) = (tmp_path / "cache" / "test").glob("*.pickle")
        entry.write_bytes(damage(entry.read_bytes()))
        assert read(f) == "abc"
        assert counting.calls == 2
        (record,) = caplog.records
        assert record.levelname == "WARNING" and record.getMessage().startswith(
            f"The build's cache entry {entry} is damaged ("
        )
        assert record.getMessage().endswith("): made again")
        assert read(f) == "abc" and counting.calls == 2  # and stored again, whole


def test_an_error_is_not_stored_and_comes_again(tmp_path, reader):
    counting, read = reader
    f = tmp_path / "in.txt"
    f.write_text("bad row")
    with cache.using(tmp_path / "cache"):
        for _ in range(2):
            with pytest.raises(ValueError, match="bad input"):
                read(f)
    assert counting.calls == 2
    assert not list((tmp_path / "cache").rglob("*.pickle"))


def test_a_code_change_is_a_new_entry(tmp_path, reader, f, monkeypatch):
    counting, read = reader
    with cache.using(tmp_path / "cache"):
        read(f)
        monkeypatch.setattr(cache, "environment_digest", lambda: "another version of the library")
        read(f)
    assert counting.calls == 2


def test_prune_deletes_what_was_not_used_lately(tmp_path, reader):
    counting, read = reader
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("old")
    new.write_text("new")
    root = tmp_path / "cache"
    with cache.using(root):
        read(old)
        (old_entry,) = (root / "test").glob("*.pickle")
        read(new)
    long_ago = time.time() - (cache.KEEP_DAYS + 1) * 86400
    os.utime(old_entry, (long_ago, long_ago))
    assert cache.prune(root) == 1
    assert not old_entry.exists() and len(list((root / "test").glob("*.pickle"))) == 1
    with cache.using(root):
        read(new)
        assert counting.calls == 2  # the one kept is still served
        read(old)
        assert counting.calls == 3  # the one deleted is read again


def test_a_curation_from_the_cache_equals_one_from_the_inputs(synthetic, tmp_path):
    """The curation the build's input check stores is the one the notebook and the next edition's
    key points get; a changed export is curated again."""
    from opencyber.analysis.curation import curate_edition
    from opencyber.inputs.registry import load_registry

    data, _ = synthetic
    (edition,) = load_registry(data_dir=data).values()
    fresh = curate_edition(edition, data)
    with cache.using(tmp_path / "cache"):
        first = curate_edition(edition, data)
        again = curate_edition(edition, data)
        assert len(list((tmp_path / "cache" / "curation").glob("*.pickle"))) == 1
        for cur in (first, again):
            assert cur.organisations.equals(fresh.organisations)
            assert cur.reconciliation.equals(fresh.reconciliation)
            assert cur.areas.equals(fresh.areas) and cur.overrides_applied == fresh.overrides_applied
        export = edition.input_path("export", data)
        export.write_text(
            export.read_text(encoding="utf-8").replace("Standards Met", "Standards Exceeded", 1), encoding="utf-8"
        )
        changed = curate_edition(edition, data)
    assert not changed.organisations.equals(fresh.organisations)
    assert changed.organisations.equals(curate_edition(edition, data).organisations)


def test_a_geometry_is_never_stored(tmp_path):
    """A shapely geometry loses its precision grid in a pickle: entries hold WKB instead."""
    import geopandas as gpd
    import shapely

    square = shapely.set_precision(shapely.box(0, 0, 1, 1), 1e-4)
    with cache.using(tmp_path / "cache"):
        for value in (
            gpd.GeoDataFrame(geometry=[square]),
            (gpd.GeoSeries([square]), 1),
            [square],
            __import__("pandas").DataFrame({"g": [square]}),
        ):
            with pytest.raises(TypeError, match="keep geometries as WKB"):
                cache.stored("geo", [repr(type(value))], lambda v=value: v)
        assert cache.stored("geo", ["wkb"], lambda: [shapely.to_wkb(square)]) == [shapely.to_wkb(square)]
