"""`releases serve`: the artifacts over plain HTTP for the stores to download.

Plain HTTP is enough for integrity: a store checks the sha256 and the signature from the release before
it unpacks anything. Only files under `artifacts/` are served, never a directory listing, and nothing
outside the folder however the path is spelled (`..`, encoded slashes, symlinks out).
"""

import logging
import shutil
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)


def resolve_artifact(root: Path, url_path: str) -> Path | None:
    """The file under `root/artifacts` that `url_path` names, or None (pure apart from the file system)."""
    path = unquote(urlsplit(url_path).path)
    if not path.startswith("/artifacts/"):
        return None
    artifacts = (root / "artifacts").resolve()
    candidate = (root / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(artifacts) or not candidate.is_file():
        return None
    return candidate


class _ArtifactHandler(BaseHTTPRequestHandler):
    server: "ArtifactServer"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        found = resolve_artifact(self.server.root, self.path)
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND, "no such artifact")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/x-tar")
        self.send_header("Content-Length", str(found.stat().st_size))
        # Named by sha256: the bytes at a URL never change, so caches (a store's proxy) may keep them.
        self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        self.end_headers()
        if send_body:
            with found.open("rb") as file:
                shutil.copyfileobj(file, self.wfile)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class ArtifactServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, host: str, port: int) -> None:
        self.root = root
        super().__init__((host, port), _ArtifactHandler)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8200) -> ArtifactServer:
    """A server bound now (port 0 picks a free one: see `server_address`); call serve_forever()."""
    return ArtifactServer(root, host, port)
