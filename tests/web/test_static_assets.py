"""/static is served from memory on the event loop (web/assets.py): the files, their
validators, 304s, and nothing outside the folder."""

from __future__ import annotations

from importlib.resources import files
from typing import Any


def test_static_files_with_validators(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    on_disk = files("llmiq.web").joinpath("static", "style.css").read_bytes()
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.content == on_disk
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["content-length"] == str(len(on_disk))
    etag = css.headers["etag"]
    again = client.get("/static/style.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    js = client.head("/static/app.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert int(js.headers["content-length"]) > 0
    assert js.content == b""


def test_nothing_else_is_served(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    for path in ("/static/nope.css", "/static/../main.py", "/static/%2e%2e/main.py",
                 "/static/", "/static/templates/base.html"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert client.post("/static/app.js").status_code == 405
