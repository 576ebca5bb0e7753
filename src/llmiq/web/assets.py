"""/static: the app's stylesheet and script, served from memory on the event loop.

Starlette's ``StaticFiles`` looks a file up and reads it in the thread pool, where the
routes that wait for the database run too: when a locked SQLite file or a database that is
down holds every pool thread, the stylesheet waited behind them. These files are a few
kilobytes, so they are read once, kept in memory, and read again only when the file on disk
changes (one ``stat``: a development edit shows without a restart)."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class _Asset:
    stamp: tuple[int, int]  # (mtime_ns, size) of the file read
    body: bytes
    headers: dict[str, str]


class StaticAssets:
    """An ASGI app serving the files directly in ``directory`` (no subfolders, nothing added
    after start-up: only names listed when the app was made can be asked for)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._names = {entry.name for entry in directory.iterdir() if entry.is_file()}
        self._cache: dict[str, _Asset] = {}

    def _load(self, name: str) -> _Asset:
        path = self.directory / name
        try:
            status = os.stat(path)
            cached = self._cache.get(name)
            stamp = (status.st_mtime_ns, status.st_size)
            if cached is not None and cached.stamp == stamp:
                return cached
            body = path.read_bytes()
        except OSError:
            raise HTTPException(404) from None
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type == "application/javascript":
            media_type += "; charset=utf-8"
        asset = _Asset(
            stamp,
            body,
            {
                "content-type": media_type,
                "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                "last-modified": formatdate(status.st_mtime, usegmt=True),
                "cache-control": "no-cache",  # revalidate: 304 while the ETag still matches
            },
        )
        self._cache[name] = asset
        return asset

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        path, root = scope["path"], scope.get("root_path", "")
        name = (path[len(root) :] if path.startswith(root) else path).lstrip("/")
        if name not in self._names:
            raise HTTPException(404)
        asset = self._load(name)
        etags = {
            tag.strip().removeprefix("W/")
            for tag in _header(scope, b"if-none-match").split(",")
            if tag.strip()
        }
        if asset.headers["etag"] in etags:
            response = Response(status_code=304, headers={"etag": asset.headers["etag"]})
        else:
            body = b"" if scope["method"] == "HEAD" else asset.body
            response = Response(body, headers=asset.headers)
            if scope["method"] == "HEAD":
                response.headers["content-length"] = str(len(asset.body))
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""
