"""``opencyber fetch`` (src/opencyber/inputs/fetch.py) and its registry (src/opencyber/inputs/sources.toml).

No test touches the internet: downloads go to a local HTTP server on 127.0.0.1 (a thread of this
process), and the real registry is pointed at it with ``base_url``.
"""

from __future__ import annotations

import csv
import hashlib
import http.server
import json
import os
import socket
import struct
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from opencyber.inputs import fetch as F
from opencyber.settings import PROJECT_ROOT

BODY = b"code,name\nRA4,YEOVIL DISTRICT HOSPITAL NHS FOUNDATION TRUST\n" * 200  # 12 kB
BODY_SHA = hashlib.sha256(BODY).hexdigest()
OTHER_SHA = hashlib.sha256(b"something else").hexdigest()


# --------------------------------------------------------------------------------------------------
# A local HTTP server whose routes the tests set


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(unquote(urlsplit(self.path).path))
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, *args):  # keep the test output clean
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that gave up: not the test's business
        pass


@pytest.fixture(scope="module")
def _running_server():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes, server.requests = {}, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def server(_running_server):
    _running_server.routes.clear()
    _running_server.requests.clear()
    return _running_server


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch):
    monkeypatch.delenv(F.BASE_ENV, raising=False)
    monkeypatch.delenv(F.TIMEOUT_ENV, raising=False)
    for var in ("NO_PROXY", "no_proxy"):  # a proxy of the machine must not see the local server's requests
        monkeypatch.setenv(var, "127.0.0.1,localhost")


def send(body: bytes, status: int = 200, content_type: str = "text/csv"):
    def route(req):
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    return route


def send_truncated(body: bytes):
    """Content-Length of the whole body, then half of it, then the connection is closed."""

    def route(req):
        req.send_response(200)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[: len(body) // 2])
        req.wfile.flush()
        req.close_connection = True

    return route


def send_then_stop(body: bytes, how: str):
    """The server stops half-way: a chunked body that never ends, or the socket reset (TCP RST)."""

    def route(req):
        req.send_response(200)
        half = body[: len(body) // 2]
        if how == "chunked":
            req.send_header("Transfer-Encoding", "chunked")
            req.end_headers()
            req.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
            req.wfile.flush()
            req.close_connection = True
        else:
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(half)
            req.wfile.flush()
            time.sleep(0.2)  # let the client read the headers and the first half
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            req.connection.close()
            req.close_connection = True

    return route


def send_unsized_half(body: bytes):
    """No Content-Length and half the body, then close: only the hash can tell it is short."""

    def route(req):
        req.send_response(200)
        req.send_header("Connection", "close")
        req.end_headers()
        req.wfile.write(body[: len(body) // 2])
        req.wfile.flush()
        req.close_connection = True

    return route


def entry(name: str, url: str, sha: str = BODY_SHA, **kw) -> F.Source:
    return F.Source(name=name, url=url, sha256=sha, source="test file", **kw)


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def run_fetch(sources, data, lines=None, **kw) -> F.FetchReport:
    return F.fetch(None, data, sources=sources, log=(lines.append if lines is not None else None), **kw)


# --------------------------------------------------------------------------------------------------
# One file: every outcome


def test_good_file_is_downloaded_verified_and_in_place(server, tmp_path):
    server.routes["/data/etr.csv"] = send(BODY)
    lines: list[str] = []
    report = run_fetch([entry("22_23/etr.csv", server.url + "/data/etr.csv")], tmp_path, lines)
    (r,) = report.results
    assert report.ok and r.outcome == F.DOWNLOADED
    assert (tmp_path / "22_23/etr.csv").read_bytes() == BODY
    assert files_in(tmp_path) == ["22_23/etr.csv"]  # no temporary file left
    assert lines[0] == f"22_23/etr.csv: downloaded, {len(BODY):,} bytes, sha256 {BODY_SHA[:12]}"
    assert lines[1].startswith("fetch: 1 files: 1 downloaded, 0 failed")


def test_wrong_hash_names_file_and_both_hashes_and_keeps_nothing(server, tmp_path):
    server.routes["/etr.csv"] = send(BODY)
    lines: list[str] = []
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv", sha=OTHER_SHA)], tmp_path, lines)
    (r,) = report.results
    assert not report.ok and r.outcome == F.FAILED
    assert lines[0].startswith("22_23/etr.csv: FAILED: hash mismatch")
    assert f"expected sha256 {OTHER_SHA}, received {BODY_SHA} from {server.url}/etr.csv; nothing was saved" in lines[0]
    assert files_in(tmp_path) == []  # neither the file nor a temporary one
    assert list(tmp_path.iterdir()) == []  # nor the folder made for it


def test_truncated_body_is_not_kept(server, tmp_path):
    server.routes["/etr.csv"] = send_truncated(BODY)
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path)
    (r,) = report.results
    assert r.outcome == F.FAILED
    assert "broke off before the end" in r.message and "IncompleteRead" in r.message
    assert r.message.endswith(f"for {server.url}/etr.csv")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("how", ["chunked", "reset"])
def test_server_stopping_mid_transfer_leaves_no_file(server, tmp_path, how):
    server.routes["/etr.csv"] = send_then_stop(BODY, how)
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path)
    (r,) = report.results
    assert r.outcome == F.FAILED and "broke off before the end" in r.message, r.message
    assert files_in(tmp_path) == []


def test_short_body_without_length_is_caught_by_the_hash(server, tmp_path):
    server.routes["/etr.csv"] = send_unsized_half(BODY)
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path)
    (r,) = report.results
    assert r.outcome == F.FAILED and "hash mismatch" in r.message
    assert f"received {hashlib.sha256(BODY[: len(BODY) // 2]).hexdigest()}" in r.message
    assert files_in(tmp_path) == []


def test_404_names_url_and_status(server, tmp_path):
    url = server.url + "/nhsx/open-cyber/abc/data/missing.csv"
    lines: list[str] = []
    report = run_fetch([entry("22_23/missing.csv", url)], tmp_path, lines)
    (r,) = report.results
    assert r.outcome == F.FAILED
    assert lines[0] == f"22_23/missing.csv: FAILED: HTTP 404 Not Found for {url}"
    assert files_in(tmp_path) == []


def test_file_already_there_with_the_right_hash_is_not_downloaded_again(server, tmp_path):
    server.routes["/etr.csv"] = send(BODY)
    (tmp_path / "22_23").mkdir()
    (tmp_path / "22_23/etr.csv").write_bytes(BODY)
    lines: list[str] = []
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path, lines)
    assert report.results[0].outcome == F.PRESENT
    assert lines[0] == f"22_23/etr.csv: already there, {len(BODY):,} bytes, sha256 {BODY_SHA[:12]}"
    assert server.requests == []


def test_file_there_with_a_wrong_hash_is_replaced_by_a_verified_download(server, tmp_path):
    """Documented choice: a local file whose hash differs is replaced, once the new download verifies."""
    server.routes["/etr.csv"] = send(BODY)
    (tmp_path / "22_23").mkdir()
    (tmp_path / "22_23/etr.csv").write_bytes(b"something else")
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path)
    (r,) = report.results
    assert r.outcome == F.REPLACED and "the local file had another sha256" in r.line()
    assert (tmp_path / "22_23/etr.csv").read_bytes() == BODY
    assert files_in(tmp_path) == ["22_23/etr.csv"]


def test_file_there_with_a_wrong_hash_is_left_alone_when_the_download_fails(server, tmp_path):
    server.routes["/etr.csv"] = send(b"a third content")
    (tmp_path / "22_23").mkdir()
    (tmp_path / "22_23/etr.csv").write_bytes(b"something else")
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path)
    (r,) = report.results
    assert r.outcome == F.FAILED and "hash mismatch" in r.message and "left unchanged" in r.message
    assert (tmp_path / "22_23/etr.csv").read_bytes() == b"something else"
    assert files_in(tmp_path) == ["22_23/etr.csv"]


def test_slow_server_times_out_quickly(server, tmp_path):
    def slow(req):
        time.sleep(1.5)
        send(BODY)(req)

    server.routes["/etr.csv"] = slow
    started = time.monotonic()
    report = run_fetch([entry("22_23/etr.csv", server.url + "/etr.csv")], tmp_path, timeout=0.3)
    assert time.monotonic() - started < 1.2
    (r,) = report.results
    assert r.outcome == F.FAILED and "timed out" in r.message
    assert files_in(tmp_path) == []


def test_derived_file_is_reported_not_downloadable_and_is_not_a_failure(server, tmp_path):
    note = "Derived: made by the pack's conversion script. Official source: a DSPT export."
    derived = F.Source("boundaries/icb_2023.geojson", "", "", "ICB polygons", note=note)
    lines: list[str] = []
    report = run_fetch([derived], tmp_path, lines)
    assert report.ok and report.results[0].outcome == F.NOT_DOWNLOADABLE
    assert lines[0] == f"boundaries/icb_2023.geojson: not downloadable: {note}"
    assert server.requests == []


# --------------------------------------------------------------------------------------------------
# No network: one line, non-zero exit, no traceback


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv: list[str]) -> int:
    from opencyber.cli import main

    return main(["fetch", *argv])


def test_no_network_says_so_in_one_line(tmp_path, capsys):
    port = closed_port()
    code = run(["--data", str(tmp_path / "d"), "--base-url", f"http://127.0.0.1:{port}", "--timeout", "2"])
    out, err = capsys.readouterr()
    assert code == F.EXIT_NETWORK != 0
    assert err.splitlines() == [f"error: cannot reach 127.0.0.1:{port} (no network?): Connection refused"]
    assert "Traceback" not in out + err
    assert list((tmp_path / "d").iterdir()) == []  # no file, no temporary file, no empty folder


def test_a_name_that_does_not_resolve_is_unreachable(tmp_path):
    with pytest.raises(F.FetchNetworkError) as e:
        F.Downloader(2)("http://no-such-host.invalid/x.csv", tmp_path / "x.csv")
    assert e.value.host == "no-such-host.invalid" and e.value.reason  # the system's words (no network here: DNS fails)
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------------------------------------
# Live files: ODS reports and paged ONS ArcGIS queries


def arcgis_layer(features: list[dict], flag_in: str):
    """An ArcGIS FeatureServer query answering GeoJSON pages (resultOffset / resultRecordCount)."""

    def route(req):
        q = parse_qs(urlsplit(req.path).query)
        assert q["f"] == ["geojson"] and q["where"] == ["1=1"]
        offset, count = int(q["resultOffset"][0]), int(q["resultRecordCount"][0])
        page = {"type": "FeatureCollection", "features": features[offset : offset + count]}
        if offset + count < len(features):
            if flag_in == "properties":  # where ArcGIS puts it in f=geojson output
                page["properties"] = {"exceededTransferLimit": True}
            else:
                page["exceededTransferLimit"] = True
        send(json.dumps(page).encode(), content_type="application/geo+json")(req)

    return route


def feature(i: int) -> dict:
    return {
        "type": "Feature",
        "id": i,
        "geometry": {"type": "Point", "coordinates": [-1.5 + i, 53.0]},
        "properties": {"ICB23CD": f"E5400{i:04d}", "ICB23NM": f"ICB {i}"},
    }


@pytest.mark.parametrize("flag_in", ["properties", "top level"])
def test_paged_arcgis_query_gives_one_feature_collection(server, tmp_path, flag_in):
    path = "/ESMARspQHYMw9BZ9/arcgis/rest/services/ICB_TEST/FeatureServer/0/query"
    server.routes[path] = arcgis_layer([feature(i) for i in range(3)], flag_in)
    ons = entry(
        "ons/ICB_TEST.geojson",
        "https://services1.arcgis.com" + path + "?where=1%3D1&outFields=*&outSR=4326&f=geojson",
        sha="",
        live=True,
        group="ons",
        paged=True,
        page_size=2,
    )
    lines: list[str] = []
    report = run_fetch([ons], tmp_path, lines, base_url=server.url, current_ons=True)
    (r,) = report.results
    assert r.outcome == F.DOWNLOADED, r.line()
    offsets = [parse_qs(urlsplit(p).query)["resultOffset"][0] for p in server.requests]
    assert offsets == ["0", "2"]  # two pages, the first one flagged exceededTransferLimit
    saved = json.loads((tmp_path / "ons/ICB_TEST.geojson").read_text())
    assert saved["type"] == "FeatureCollection"
    assert [f["id"] for f in saved["features"]] == [0, 1, 2]
    sha = hashlib.sha256((tmp_path / "ons/ICB_TEST.geojson").read_bytes()).hexdigest()
    assert lines[0].startswith("ons/ICB_TEST.geojson: downloaded, ") and f"sha256 received {sha[:12]}" in lines[0]
    assert "3 features" in lines[0] and sha in lines[0]
    assert files_in(tmp_path) == ["ons/ICB_TEST.geojson"]


def test_arcgis_error_answer_is_a_failure(server, tmp_path):
    error = {"error": {"code": 400, "message": "Invalid query parameters"}}
    server.routes["/q"] = send(json.dumps(error).encode(), content_type="application/json")
    ons = entry("ons/x.geojson", server.url + "/q?f=geojson", sha="", live=True, group="ons", paged=True)
    report = run_fetch([ons], tmp_path, current_ons=True)
    (r,) = report.results
    assert r.outcome == F.FAILED and "ArcGIS server answered error 400: Invalid query parameters" in r.message
    assert files_in(tmp_path) == []


def test_live_ods_file_only_when_asked_and_reports_the_hash_received(server, tmp_path):
    server.routes["/api/getReport"] = send(BODY)
    ods = entry(
        "ods/etr.csv",
        "https://www.odsdatasearchandexport.nhs.uk/api/getReport?report=etr",
        sha="",
        live=True,
        group="ods",
    )
    lines: list[str] = []
    report = run_fetch([ods], tmp_path, lines, base_url=server.url)
    assert report.results == [] and server.requests == []
    assert "live files not fetched: 1 ODS (add --current-ods)" in lines[-1]

    report = run_fetch([ods], tmp_path, base_url=server.url, current_ods=True)
    assert server.requests == ["/api/getReport?report=etr"]
    (r,) = report.results
    assert r.outcome == F.DOWNLOADED and f"sha256 received {BODY_SHA[:12]}" in r.line() and BODY_SHA in r.line()
    assert (tmp_path / "ods/etr.csv").read_bytes() == BODY

    report = run_fetch([ods], tmp_path, base_url=server.url, current_ods=True)  # live: always asked again
    assert report.results[0].outcome == F.PRESENT and "unchanged" in report.results[0].line()
    server.routes["/api/getReport"] = send(b"<!DOCTYPE html><html>Service unavailable</html>", content_type="text/html")
    report = run_fetch([ods], tmp_path, base_url=server.url, current_ods=True)
    assert report.results[0].outcome == F.FAILED and "HTML page" in report.results[0].message
    assert (tmp_path / "ods/etr.csv").read_bytes() == BODY
    assert files_in(tmp_path) == ["ods/etr.csv"]


def test_rebase_points_every_url_at_the_test_server():
    assert F.rebase("https://raw.githubusercontent.com/nhsx/open-cyber/c/data/a%20b.csv", "http://127.0.0.1:9/m/") == (
        "http://127.0.0.1:9/m/nhsx/open-cyber/c/data/a%20b.csv"
    )
    assert F.rebase("https://www.odsdatasearchandexport.nhs.uk/api/getReport?report=etr", "http://127.0.0.1:9") == (
        "http://127.0.0.1:9/api/getReport?report=etr"
    )
    assert F.rebase("https://x/y", None) == "https://x/y"


# --------------------------------------------------------------------------------------------------
# The real registry: valid, pinned to the data pack, complete for editions.toml


def pack_dir() -> Path | None:
    from tests.conftest import real_data_dir

    d = real_data_dir()
    return d if d is not None and (d / "MANIFEST.tsv").is_file() else None


def need_pack() -> Path:
    d = pack_dir()
    if d is None:
        if os.environ.get("CI"):
            pytest.fail("the data pack is missing, and CI must have it", pytrace=False)
        pytest.skip("the data pack is missing (in CI this fails)")
    return d


def test_registry_loads_and_every_pinned_hash_matches_the_pack():
    sources = F.load_sources()
    pinned = [s for s in sources if s.sha256]
    assert pinned, "no pinned file in sources.toml"
    data = need_pack()
    for s in pinned:
        path = data / s.name
        assert path.is_file(), f"{s.name}: in sources.toml with a sha256 but not in the pack {data}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == s.sha256, f"{s.name}: sha256 differs from the pack"


def test_registry_urls_follow_the_manifest():
    """Pack copies -> the original repository at the MANIFEST's commit and path; derived -> no url."""
    sources = {s.name: s for s in F.load_sources()}
    data = need_pack()
    with open(data / "MANIFEST.tsv", encoding="utf-8") as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    for row in manifest:
        s = sources.get(row["path"])
        assert s is not None, f"{row['path']}: a pack file without a sources.toml entry"
        if row["source"].startswith("copy of nhsx/open-cyber@"):
            commit, original = row["source"].removeprefix("copy of nhsx/open-cyber@").split(":", 1)
            assert s.url == f"https://raw.githubusercontent.com/nhsx/open-cyber/{commit}/{quote(original, safe='/()')}"
            assert s.sha256 == row["sha256"]
        else:
            assert s.url == "" and s.note.startswith("Derived"), row["path"]


def test_every_input_of_every_edition_has_an_entry():
    """Each file an edition of editions.toml reads is described in sources.toml (once: which editions
    read it is said in editions.toml only)."""
    names = {s.name for s in F.load_sources()}
    missing = sorted(name for name in F.edition_files() if name not in names)
    assert not missing, f"inputs of editions.toml without a sources.toml entry: {missing}"


def test_an_edition_without_sources_is_fetched_as_nothing_and_said_so(synthetic, tmp_path, capsys):
    """A new edition of the registry with no sources.toml entry: fetch downloads nothing for it, exits
    0 and names the inputs to put there by hand (adding an edition needs no code)."""
    data = tmp_path / "empty"
    data.mkdir()
    assert run(["--data", str(data), "--edition", "2023-24"]) == 0
    out = capsys.readouterr().out
    assert "note: edition 2023-24 cannot be built from" in out
    assert "no source is recorded in sources.toml for 23_24/dspt_export.csv" in out


def test_live_entries_are_ods_reports_and_paged_arcgis_queries():
    live = [s for s in F.load_sources() if s.live]
    ods = [s for s in live if s.group == "ods"]
    ons = [s for s in live if s.group == "ons"]
    assert {s.name for s in ods} == {"ods/etr.csv", "ods/ect.csv", "ods/eccg.csv", "ods/ecsu.csv"}
    for s in ods:
        report = s.name.removeprefix("ods/").removesuffix(".csv")
        assert s.url == f"https://www.odsdatasearchandexport.nhs.uk/api/getReport?report={report}" and not s.sha256
    assert ons and all(s.paged and not s.sha256 for s in ons)
    for s in ons:
        assert s.url.startswith("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/")
        assert "/FeatureServer/0/query?" in s.url and "f=geojson" in s.url


def test_data_readme_lists_every_registry_entry():
    readme = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Getting the data: `opencyber fetch`", 1)[1]
    rows = {line.split("|")[1].strip().strip("`"): line for line in section.splitlines() if line.startswith("| `")}
    for s in F.load_sources():
        assert s.name in rows, f"data/README.md does not list {s.name}"
        assert (s.url or "not downloadable") in rows[s.name], f"data/README.md: {s.name} has another URL"


def test_the_whole_registry_fetched_from_a_local_mirror(server, tmp_path):
    """Every pinned file of the real registry, served from the pack, lands verified; derived ones are said."""
    data = need_pack()
    sources = F.load_sources()
    for s in sources:
        if s.sha256:
            server.routes[unquote(urlsplit(F.rebase(s.url, server.url)).path)] = send((data / s.name).read_bytes())
    lines: list[str] = []
    report = F.fetch(None, tmp_path, base_url=server.url, log=lines.append)
    pinned = [s.name for s in sources if s.sha256]
    derived = [s.name for s in sources if not s.url]
    assert report.ok and report.count(F.DOWNLOADED) == len(pinned)
    assert report.count(F.NOT_DOWNLOADABLE) == len(derived)
    assert sorted(files_in(tmp_path)) == sorted(pinned)
    assert report.live_not_asked == {"ods": 4, "ons": 5}
    # the editions whose inputs are derived say what is still missing
    assert "22_23/dspt_export_2023-11-16.csv" in report.missing_inputs["2022-23"]
    assert any(line.startswith("note: edition 2022-23 cannot be built") for line in lines)

    server.requests.clear()
    again = F.fetch(["2022-23"], tmp_path, base_url=server.url, log=None)
    assert server.requests == [] and {r.outcome for r in again.results} == {F.PRESENT, F.NOT_DOWNLOADABLE}


# --------------------------------------------------------------------------------------------------
# The command line and the registry's checks


def write_sources(path: Path, tables: list[dict]) -> Path:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(json.dumps(x) for x in v) + "]"
        return json.dumps(v)

    path.write_text("".join("[[file]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in t.items()) + "\n" for t in tables))
    return path


def test_run_fetches_an_edition_and_exits_0_or_1(server, tmp_path, capsys, monkeypatch):
    server.routes["/a.csv"] = send(BODY)
    toml = write_sources(
        tmp_path / "sources.toml",
        [
            {"name": "x/a.csv", "url": server.url + "/a.csv", "sha256": BODY_SHA, "source": "a"},
            {"name": "x/b.csv", "url": server.url + "/b.csv", "sha256": BODY_SHA, "source": "b"},
            {"name": "x/c.csv", "url": "", "sha256": "", "source": "c", "note": "Derived."},
        ],
    )
    data = tmp_path / "data"
    from opencyber.inputs import sources

    files = lambda registry=None: {"x/a.csv": {"t"}, "x/c.csv": {"t"}, "x/b.csv": {"u"}}  # noqa: E731
    monkeypatch.setattr(sources, "edition_files", files)
    monkeypatch.setattr(F, "edition_files", files)
    assert run(["--data", str(data), "--sources", str(toml), "--edition", "t"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[:2] == [
        f"x/a.csv: downloaded, {len(BODY):,} bytes, sha256 {BODY_SHA[:12]}",
        "x/c.csv: not downloadable: Derived.",
    ]
    assert err == ""
    assert run(["--data", str(data), "--sources", str(toml)]) == F.EXIT_FAILED  # b.csv: 404
    out, err = capsys.readouterr()
    assert "x/b.csv: FAILED: HTTP 404" in out and "x/a.csv: already there" in out
    assert err.splitlines() == ["error: 1 file(s) failed: x/b.csv"]
    assert run(["--data", str(data), "--sources", str(toml), "--edition", "2099-00"]) == F.EXIT_USAGE
    assert "no edition 2099-00 in editions.toml" in capsys.readouterr().err


@pytest.mark.parametrize(
    "table, problem",
    [
        ({"url": "https://x/a", "sha256": ""}, "needs its sha256"),
        ({"url": "https://x/a", "sha256": "", "live": True}, "group"),
        ({"url": "https://x/a", "sha256": BODY_SHA, "live": True, "group": "ods"}, "cannot have a pinned sha256"),
        ({"url": "", "sha256": ""}, "needs a note"),
        ({"name": "../outside.csv", "url": "https://x/a", "sha256": BODY_SHA}, "relative path inside"),
        ({"url": "https://x/a", "sha256": "abc"}, "64 hex digits"),
        ({"url": "https://x/a", "sha256": BODY_SHA, "colour": "red"}, "unknown keys"),
    ],
)
def test_bad_registry_entries_are_refused(tmp_path, table, problem):
    t = {"name": "x/a.csv", "source": "a", **table}
    with pytest.raises(F.FetchError, match=problem):
        F.load_sources(write_sources(tmp_path / "s.toml", [t]))
