"""Security headers on every response, the policy without 'unsafe-inline', templates with
nothing inline for it to block, and the API docs served without any external URL (the
browser side of all this is test_csp_browser.py)."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from llmiq.web.api_docs import inline_script_hashes

TEMPLATES = Path(str(files("llmiq.web").joinpath("templates")))
# An inline script or style element, a style attribute, an on* event handler attribute, or a
# javascript: URL: all blocked by a policy without 'unsafe-inline'.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


@pytest.fixture
def client(make_app: Any, client_of: Any) -> Any:
    return client_of(make_app())


def policy(response: Any) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: (rest[0] if rest else "") for name, *rest in directives}


def assert_protected(response: Any) -> None:
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    directives = policy(response)
    assert directives["frame-ancestors"] == "'none'"
    if response.headers.get("content-type", "").startswith("image/svg+xml"):
        # no script at all in an SVG document; matplotlib's inline styles only
        assert directives["default-src"] == "'none'"
        assert "script-src" not in directives
        assert "sandbox" in directives
    else:
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert directives["script-src"].startswith("'self'")
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/banks/seed",
        "/practice/seed/review",
        "/practice/seed/quiz",
        "/practice/seed/mock",
        "/stats",
        "/stats.svg",
        "/exams",
        "/import",
        "/admin",
        "/admin/flags",
        "/api/banks",
        "/api/openapi.json",
        "/api/docs",
        "/static/app.js",
        "/banks/seed/export.csv",
        "/no/such/page",
        "/api/no/such/thing",
    ],
)
def test_every_response_carries_the_security_headers(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert_protected(response)


def test_refusals_before_the_app_carry_them_too(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    too_large = client.post("/login", content=b"x" * (2 * 1024 * 1024))
    assert too_large.status_code == 413
    assert_protected(too_large)
    wrong_host = client.get("/", headers={"host": "evil.example"})
    assert wrong_host.status_code == 400
    assert_protected(wrong_host)


def test_templates_hold_nothing_inline() -> None:
    found = [
        f"{template.name}: {match.group(0)}"
        for template in sorted(TEMPLATES.glob("*.html"))
        for match in INLINE.finditer(template.read_text("utf-8"))
    ]
    assert not found


def test_the_inline_pattern_finds_what_the_policy_blocks() -> None:
    for markup in (
        "<script>alert(1)</script>",
        '<p style="color: red">',
        '<select onchange="this.form.submit()">',
        "<style>p{}</style>",
        '<a href="javascript:go()">',
    ):
        assert INLINE.search(markup), markup
    assert not INLINE.search('<script src="/static/app.js" defer></script>')


def test_api_docs_use_no_external_url_and_their_assets_load(client: Any) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assert not re.search(r"(?:https?:)?//[^\s\"'<>]", page.text), "an external URL"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 3  # the script, its stylesheet and the icon
    for asset in assets:
        assert asset.startswith("/api/docs/assets/")
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 500, asset
    # the one inline script runs by its digest, named in the page's own policy
    (digest,) = inline_script_hashes(page.text)
    assert f"'sha256-{digest}'" in policy(page)["script-src"]
    assert policy(page)["img-src"] == "'self' data:"


def test_a_response_gets_the_page_policy_unless_it_set_its_own(client: Any) -> None:
    assert "sha256-" not in policy(client.get("/"))["script-src"]
    assert "sha256-" in policy(client.get("/api/docs"))["script-src"]
