"""``opencyber serve`` serves the site's own files only, and says clearly when it cannot."""

from __future__ import annotations

import os
import socket
import threading
import urllib.error
import urllib.request

import pytest

from opencyber.cli import main
from opencyber.site.serve import make_server


@pytest.fixture
def served(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not the site's")
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / "assets" / "site.css").write_text("p{}")
    (site / ".opencyber-site.json").write_text("{}")
    (site / "empty").mkdir()
    os.symlink(outside, site / "leak.txt")
    os.symlink(tmp_path, site / "up")
    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_serves_the_sites_own_files_and_nothing_else(served):
    assert [status(f"{served}/{p}") for p in ("", "index.html", "assets/site.css")] == [200, 200, 200]
    assert [
        status(f"{served}/{p}")
        for p in (
            ".opencyber-site.json",
            "empty/",
            "assets/",
            "leak.txt",
            "up/secret.txt",
            "../secret.txt",
            "%2e%2e/secret.txt",
        )
    ] == [404] * 7


def test_a_busy_port_and_a_port_out_of_range_are_one_line_each(tmp_path, capsys):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("x")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--dir", str(tmp_path / "site"), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"error: 127.0.0.1 port {port}: Address already in use; another program uses that port: choose another with --port\n"
    )
    with pytest.raises(SystemExit) as e:
        main(["serve", "--port", "70000"])
    assert e.value.code == 2 and "'70000' is not a port: give a number from 1 to 65535" in capsys.readouterr().err
    assert main(["serve", "--dir", str(tmp_path / "nothing")]) == 2
    assert "There is no site in" in capsys.readouterr().err
