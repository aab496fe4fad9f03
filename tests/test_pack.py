"""``opencyber pack`` and ``opencyber fetch --pack URL --sha256 HEX`` (src/opencyber/inputs/pack.py).

No test touches the internet: the packs are served from a temporary folder by a local HTTP server on
127.0.0.1 (a thread of this process)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from opencyber.cli import main
from opencyber.inputs import pack as P
from opencyber.settings import FETCH_BASE_ENV, FETCH_TIMEOUT_ENV

# --------------------------------------------------------------------------------------------------
# A local HTTP server over a temporary folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(the folder served, its URL)."""
    folder = tmp_path_factory.mktemp("served")
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch):
    monkeypatch.delenv(FETCH_BASE_ENV, raising=False)
    monkeypatch.delenv(FETCH_TIMEOUT_ENV, raising=False)
    for var in ("NO_PROXY", "no_proxy"):  # a proxy of the machine must not see the local server's requests
        monkeypatch.setenv(var, "127.0.0.1,localhost")


# --------------------------------------------------------------------------------------------------
# Helpers

FILES = {
    "22_23/etr.csv": b"RA4,YEOVIL DISTRICT HOSPITAL NHS FOUNDATION TRUST\n" * 300,
    "22_23/dspt_export.csv": b"Code,Name,Latest Status\nRH5,SOMERSET NHS FOUNDATION TRUST,22/23 Standards Met\n",
    "boundaries/deep/icb.geojson": b'{"type": "FeatureCollection", "features": []}\n',
    "MANIFEST.tsv": b"path\tbytes\tsha256\tsource\n",
    "editions.toml": b"# no edition\n",
}


def synthetic_data(folder: Path) -> Path:
    """A small data directory: the files above, and what a pack leaves out (hidden files, sample/,
    the top-level README.md)."""
    for name, body in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    (folder / ".DS_Store").write_bytes(b"finder")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_bytes(b"ref: main\n")
    (folder / "sample").mkdir()
    (folder / "sample" / "dspt_export.csv").write_bytes(b"fictional\n")
    (folder / "README.md").write_bytes(b"# the data directory's own README\n")
    return folder


def tree(folder: Path) -> dict[str, bytes | None]:
    """Everything under ``folder``, hidden entries included: path -> bytes (None for a folder)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def craft(path: Path, members: dict[str, bytes], manifest: str | None) -> Path:
    """A zip of ``members`` with ``manifest`` as its MANIFEST.sha256 (None: none)."""
    with zipfile.ZipFile(path, "w") as zf:
        if manifest is not None:
            zf.writestr(P.MANIFEST, manifest)
        for name, body in members.items():
            zf.writestr(zipfile.ZipInfo(name), body)
    return path


def manifest_of(members: dict[str, bytes]) -> str:
    return "".join(f"{sha(body)}  {name}\n" for name, body in sorted(members.items()))


def pack(data: Path, out: Path, *more: str) -> int:
    return main(["pack", "--data", str(data), "--out", str(out), *more])


def fetch(url: str, hexdigest: str | None, data: Path, *more: str) -> int:
    return main(["fetch", "--pack", url, *(["--sha256", hexdigest] if hexdigest else []), "--data", str(data), *more])


def publish(served, zip_path: Path, name: str) -> tuple[str, str]:
    """``zip_path`` put on the server as ``name``: (its URL, its sha256)."""
    folder, url = served
    body = zip_path.read_bytes()
    (folder / name).write_bytes(body)
    return f"{url}/{name}", sha(body)


# --------------------------------------------------------------------------------------------------
# pack, then fetch


def test_pack_then_fetch_into_an_empty_dir_gives_the_same_files(served, tmp_path, capsys):
    data = synthetic_data(tmp_path / "data")
    out = tmp_path / "out" / "pack.zip"
    assert pack(data, out) == 0
    printed = capsys.readouterr().out.splitlines()
    zip_sha = sha(out.read_bytes())
    assert printed[-1] == (
        f"pack: {len(FILES)} files, {sum(map(len, FILES.values())):,} bytes, into {out} "
        f"({out.stat().st_size:,} bytes), sha256 {zip_sha}"
    )
    assert printed[0].startswith("note: left out .DS_Store (hidden), .git/ (hidden), README.md (")
    assert "sample/ (the bundled fictional sample edition)" in printed[0]

    url, digest = publish(served, out, "pack1.zip")
    assert digest == zip_sha
    target = tmp_path / "fetched" / "data"  # neither it nor its parent exists yet
    assert fetch(url, digest, target) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"pack: downloading {url}",
        f"pack: downloaded {out.stat().st_size:,} bytes, sha256 as given",
        f"pack: verifying {len(FILES)} files against MANIFEST.sha256",
        f"pack: placed {len(FILES)} files into {target}",
    ]
    assert tree(target) == {**dict.fromkeys(["22_23", "boundaries", "boundaries/deep"]), **FILES}
    assert sorted(p.name for p in target.parent.iterdir()) == ["data"]  # no temporary folder left beside it

    # again into the same folder: every file already there, identical, nothing changed
    before = tree(target)
    assert fetch(url, digest, target) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"pack: placed 0 files into {target}; 5 already there, identical"
    assert tree(target) == before


def test_the_same_data_give_the_same_zip_bytes(tmp_path):
    data = synthetic_data(tmp_path / "data")
    first = P.make_pack(data, tmp_path / "a.zip", log=None)
    later = time.time() + 3600
    for p in data.rglob("*"):  # other timestamps, the same bytes
        os.utime(p, (later, later))
    second = P.make_pack(data, tmp_path / "b.zip", log=None)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert first.sha256 == second.sha256 == sha((tmp_path / "a.zip").read_bytes())

    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [P.MANIFEST, *sorted(FILES)]  # the manifest first, then sorted
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        # sha256sum format: "<hex>  <path>", sorted, POSIX paths
        assert zf.read(P.MANIFEST).decode() == "".join(f"{sha(FILES[n])}  {n}\n" for n in sorted(FILES))


def test_pack_refuses_an_existing_out_file_unless_forced(tmp_path, capsys):
    data = synthetic_data(tmp_path / "data")
    out = tmp_path / "pack.zip"
    out.write_bytes(b"someone's zip")
    assert pack(data, out) == 2
    out_err = capsys.readouterr()
    assert out_err.err.splitlines() == [f"error: {out} already exists: give --force to replace it, or another --out"]
    assert out.read_bytes() == b"someone's zip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pack.zip"]  # no temporary file left

    assert pack(data, out, "--force") == 0
    assert zipfile.is_zipfile(out) and sorted(p.name for p in tmp_path.iterdir()) == ["data", "pack.zip"]


def test_pack_refuses_a_link_that_leads_out_of_the_data_directory(tmp_path, capsys):
    data = synthetic_data(tmp_path / "data")
    (tmp_path / "secret.txt").write_text("not data")
    (data / "22_23" / "inside.csv").symlink_to(data / "22_23" / "etr.csv")  # inside: packed as a file
    assert P.make_pack(data, tmp_path / "ok.zip", log=None).files == len(FILES) + 1
    (data / "22_23" / "secret.csv").symlink_to(tmp_path / "secret.txt")
    out = tmp_path / "pack.zip"
    assert pack(data, out) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"error: {data / '22_23' / 'secret.csv'}: a symbolic link that leads out"
    )
    assert not out.exists() and "Traceback" not in "".join(err)


# --------------------------------------------------------------------------------------------------
# fetch --pack refuses what does not verify, and leaves the data directory as it was


@pytest.fixture()
def existing(tmp_path) -> Path:
    """A data directory with a file of its own."""
    data = tmp_path / "mine"
    (data / "22_23").mkdir(parents=True)
    (data / "22_23" / "notes.txt").write_text("my notes\n")
    return data


def test_a_wrong_sha256_is_refused_and_the_data_directory_untouched(served, tmp_path, existing, capsys):
    zip_path = P.make_pack(synthetic_data(tmp_path / "data"), tmp_path / "p.zip", log=None).out
    url, digest = publish(served, zip_path, "wrong-hash.zip")
    other = sha(b"another pack")
    before = tree(existing)
    assert fetch(url, other, existing) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: the pack's sha256 is not the one given: expected {other}, received {digest} from {url}; nothing was placed"
    ]
    assert tree(existing) == before
    assert fetch(url, other, tmp_path / "new" / "data") == 1  # a data directory that did not exist is not made
    assert not (tmp_path / "new").exists()


def test_a_member_whose_hash_differs_from_the_manifest_is_named_and_nothing_placed(served, tmp_path, existing, capsys):
    members = {"22_23/etr.csv": FILES["22_23/etr.csv"], "22_23/b.csv": b"b\n"}
    got, said = sha(b"b\n"), sha(b"what the publisher packed\n")
    manifest = manifest_of(members).replace(got, said)
    url, digest = publish(served, craft(tmp_path / "bad.zip", members, manifest), "bad-member.zip")
    before = tree(existing)
    assert fetch(url, digest, existing) == 1
    out, err = capsys.readouterr()
    assert f"pack: verifying 2 files against {P.MANIFEST}" in out and "placed" not in out
    assert err.splitlines() == [
        f"error: the pack does not match its {P.MANIFEST}, nothing was placed: "
        f"22_23/b.csv: sha256 {got}, but {P.MANIFEST} says {said}"
    ]
    assert tree(existing) == before


@pytest.mark.parametrize(
    "members, manifest, named",
    [
        ({"../evil": b"x"}, None, "'../evil': '..' in its path"),
        ({"a/../../evil": b"x"}, None, "'a/../../evil': '..' in its path"),
        ({"/etc/evil": b"x"}, None, "'/etc/evil': an absolute path"),
        ({"a.csv": b"a", "extra.csv": b"e"}, manifest_of({"a.csv": b"a"}), "extra.csv: in the zip but not in"),
        ({"a.csv": b"a"}, manifest_of({"a.csv": b"a", "gone.csv": b"g"}), "gone.csv: in MANIFEST.sha256 but not in"),
        ({"a.csv": b"a"}, f"{sha(b'a')}  ../a.csv\n", "../a.csv: MANIFEST.sha256, line 1: '..' in its path"),
        ({"a.csv": b"a"}, "", "a.csv: in the zip but not in"),  # an empty manifest
    ],
    ids=["dotdot", "dotdot-inside", "absolute", "extra-member", "missing-member", "manifest-dotdot", "empty-manifest"],
)
def test_a_pack_with_a_bad_member_is_refused(served, tmp_path, existing, capsys, request, members, manifest, named):
    if manifest is None:  # the manifest lists the bad member as it is, so only its name is wrong
        manifest = manifest_of(members)
    zip_path = craft(tmp_path / "x.zip", members, manifest)
    url, digest = publish(served, zip_path, f"bad-{request.node.callspec.id}.zip")
    before = tree(existing)
    assert fetch(url, digest, existing) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: the pack does not match its {P.MANIFEST}, nothing was placed: ")
    assert named in err and err.count("\n") == 1, err
    assert tree(existing) == before
    assert not (tmp_path / "evil").exists() and not (existing.parent / "evil").exists()


def test_a_zip_without_manifest_is_not_a_pack(served, tmp_path, existing, capsys):
    url, digest = publish(served, craft(tmp_path / "x.zip", {"a.csv": b"a"}, None), "no-manifest.zip")
    assert fetch(url, digest, existing) == 1
    assert capsys.readouterr().err == (
        f"error: the pack has no {P.MANIFEST} at its root: it is not an opencyber data pack\n"
    )


def test_a_pack_that_cannot_be_downloaded_places_nothing(served, tmp_path, existing, capsys):
    url = served[1]
    before = tree(existing)
    assert fetch(f"{url}/no-such-pack.zip", "0" * 64, existing) == 1
    assert capsys.readouterr().err == (
        f"error: HTTP 404 File not found for {url}/no-such-pack.zip; nothing was placed\n"
    )
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert fetch(f"http://127.0.0.1:{port}/pack.zip", "0" * 64, existing, "--timeout", "2") == 3
    assert capsys.readouterr().err.startswith(f"error: cannot reach 127.0.0.1:{port} (no network?): ")
    assert tree(existing) == before


def test_a_file_that_differs_is_kept_without_force_and_replaced_with_it(served, tmp_path, existing, capsys):
    zip_path = P.make_pack(synthetic_data(tmp_path / "data"), tmp_path / "p.zip", log=None).out
    url, digest = publish(served, zip_path, "conflict.zip")
    (existing / "22_23" / "etr.csv").write_bytes(b"my own etr\n")  # differs
    (existing / "MANIFEST.tsv").write_bytes(FILES["MANIFEST.tsv"])  # identical: fine
    before = tree(existing)
    assert fetch(url, digest, existing) == 1
    err = capsys.readouterr().err
    assert err == (
        f"error: 1 file(s) in {existing} differ from the pack's, nothing was placed: 22_23/etr.csv "
        "(give --force to replace them with the pack's)\n"
    )
    assert tree(existing) == before

    assert fetch(url, digest, existing, "--force") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"pack: placed 4 files into {existing} (1 replaced); 1 already there, identical"
    assert (existing / "22_23" / "etr.csv").read_bytes() == FILES["22_23/etr.csv"]
    assert (existing / "22_23" / "notes.txt").read_text() == "my notes\n"  # nothing deleted
    assert tree(existing) == {**before, **FILES, "boundaries": None, "boundaries/deep": None}  # no temporary folder


def test_a_pack_needs_its_sha256(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        fetch("http://127.0.0.1:9/pack.zip", None, tmp_path / "d")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "error: --pack needs --sha256 HEX" in err and "a pack without a known hash is not fetched" in err
    assert fetch("http://127.0.0.1:9/pack.zip", "abc", tmp_path / "d") == 2
    assert "--sha256 must be the pack's sha256 (64 hex digits" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["fetch", "--sha256", "0" * 64, "--data", str(tmp_path / "d")])
    assert "error: --sha256 can only be given with --pack URL" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


# --------------------------------------------------------------------------------------------------
# The real data pack


def test_the_real_pack_fetched_back_passes_check(served, data_dir, tmp_path, capsys):
    """The real data directory packed, served, fetched into an empty folder: the same files (all but
    its README.md), and ``opencyber check`` passes on them."""
    out = tmp_path / "real.zip"
    assert pack(data_dir, out) == 0
    url, digest = publish(served, out, "real.zip")
    target = tmp_path / "fetched"
    assert fetch(url, digest, target) == 0
    capsys.readouterr()
    packed = {
        p.relative_to(data_dir).as_posix(): p.read_bytes()
        for p in data_dir.rglob("*")
        if p.is_file() and p.relative_to(data_dir).as_posix() != "README.md"
    }
    assert {k: v for k, v in tree(target).items() if v is not None} == packed
    assert main(["check", "--data", str(target)]) == 0
    out_text = capsys.readouterr().out
    assert "inputs OK" in out_text and "not checked" not in out_text
