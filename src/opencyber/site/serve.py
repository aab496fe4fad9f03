"""``opencyber serve``: the built site over HTTP on this machine, for a preview.

Only the site's own files are served: no folder listings, no file or folder whose name starts with
a dot (the site's manifest), and nothing that a link inside the site points to outside it.
"""

from __future__ import annotations

import functools
import http.server
import os
from pathlib import Path

from opencyber.errors import NoDataError


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` restricted to the site's own files (404 for anything else)."""

    def list_directory(self, path):  # a folder without index.html
        self.send_error(404, "Not found")
        return None

    def send_head(self):
        root = os.path.realpath(self.directory)
        path = self.translate_path(self.path)
        inside = os.path.relpath(path, self.directory)
        hidden = any(part.startswith(".") for part in Path(inside).parts if part not in (".", ".."))
        real = os.path.realpath(path)
        if hidden or (real != root and not real.startswith(root + os.sep)):
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def log_message(self, format, *args):  # one line per request, as the http.server module writes them
        super().log_message(format, *args)


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of the site in ``site_dir`` (its current release: the path is resolved once)."""
    if not (site_dir / "index.html").is_file():
        raise NoDataError(f"There is no site in {site_dir}: run `opencyber build` first (or give --dir).")
    root = os.path.realpath(site_dir)
    handler = functools.partial(SiteRequestHandler, directory=root)
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:  # a busy port, an address not of this machine: said with the address
        raise OSError(exc.errno, exc.strerror, f"{host} port {port}") from None
