"""/api/docs: Swagger UI served from this app, so it works offline.

FastAPI's own docs page loads Swagger UI from a CDN. Its assets come here from the
``fastapi-offline`` package (Swagger UI 5, which reads FastAPI's OpenAPI 3.1), served under
/api/docs/assets; the page is FastAPI's ``get_swagger_ui_html`` pointed at them. Its one inline
script (``SwaggerUIBundle({...})``) is allowed by its SHA-256 digest in the page's
Content-Security-Policy, never by 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from llmiq.web.security_headers import page_policy

DOCS_URL = "/api/docs"
ASSETS_URL = "/api/docs/assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def swagger_assets_dir() -> Path:
    """The folder of Swagger UI's files in the fastapi-offline package (the web extra)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def inline_script_hashes(html: str) -> list[str]:
    """Base64 SHA-256 digests of the inline ``<script>`` elements of ``html``, as a
    Content-Security-Policy's ``'sha256-...'`` sources want them."""
    return [
        base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for body in _INLINE_SCRIPT.findall(html)
    ]


def add_api_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve Swagger UI at :data:`DOCS_URL` from local assets (create the app with
    ``docs_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=swagger_assets_dir()), "api-docs-assets")
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )
    html = bytes(page.body).decode()
    policy = page_policy(script_hashes=inline_script_hashes(html), data_images=True)

    @app.get(DOCS_URL, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})
