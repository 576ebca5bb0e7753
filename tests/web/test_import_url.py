"""The web import page takes a URL (fetched once, by the server, from a local test server on
127.0.0.1) and saved or pasted HTML pages, which are extracted instead of refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from llmiq.store.models import StoredBank

FIXTURES = Path(__file__).parents[1] / "fixtures"
CSDN = FIXTURES / "html" / "zh_csdn_strong_answers.html"


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app()


@pytest.fixture
def client(app: Any, client_of: Any) -> Any:
    return client_of(app)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name}"
    return found.group(1)


def _stored(app: Any) -> int:
    with app.state.web.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(StoredBank))


def test_the_import_page_has_a_url_field(client: Any) -> None:
    page = client.get("/import").text
    assert '<input type="url" name="url"' in page
    assert ".html" in page


def test_a_url_is_fetched_once_previewed_then_saved_with_its_source(
    app: Any, client: Any, web_helpers: Any, page_server: Any
) -> None:
    url = page_server.serve("/zh/csdn-quiz.html", CSDN.read_bytes())
    token = web_helpers.csrf_token(client, "/import")
    preview = client.post("/import/preview", data={"csrf_token": token, "url": url})
    assert preview.status_code == 200
    assert 'id="found">6 questions' in preview.text
    assert 'value="csdn-quiz"' in preview.text
    assert f'href="{url}"' in preview.text
    assert 'id="extracted-note"' in preview.text
    assert _hidden(preview.text, "source_url") == url
    assert _hidden(preview.text, "format") == "html"
    hidden_text = re.search(r'<textarea name="text" hidden>(.*?)</textarea>', preview.text, re.S)
    assert hidden_text is not None
    saved = client.post(
        "/import/save",
        data={
            "csrf_token": token,
            "text": _unescape(hidden_text.group(1)),
            "bank_id": "csdn-quiz",
            "source_url": url,
            "format": "html",
        },
    )
    assert str(saved.url).endswith("/banks/csdn-quiz")
    assert "Saved 6 question(s)" in saved.text
    assert len(page_server.user_agents) == 1  # the save did not fetch again
    with app.state.web.database.transaction() as session:
        assert session.scalars(select(StoredBank)).one().source == url


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_pasted_html_is_extracted_not_refused(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client, "/import")
    page = client.post(
        "/import/preview",
        data={"csrf_token": token, "text": (FIXTURES / "bad" / "page.html").read_text("utf-8")},
    )
    assert page.status_code == 200
    assert 'id="found">3 questions' in page.text


def test_an_uploaded_gbk_page_is_decoded_by_its_meta_charset(client: Any, web_helpers: Any) -> None:
    html = (
        '<html><head><meta charset="gbk"><title>面试题</title></head><body><article>'
        "<h1>大模型面试题</h1><p>1、注意力机制的作用是？</p><p>A. 加权求和<br>B. 排序</p>"
        "<p>答案：A</p></article></body></html>"
    )
    token = web_helpers.csrf_token(client, "/import")
    page = client.post(
        "/import/preview",
        data={"csrf_token": token},
        files={"upload": ("面试 Quiz.html", html.encode("gbk"), "text/html")},
    )
    assert page.status_code == 200
    assert 'id="found">1 questions' in page.text
    assert "注意力机制的作用是？" in page.text
    assert 'value="quiz"' in page.text


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, "the server answered 404 Not Found"),
        ({"body": b"%PDF-1.7", "content_type": "application/pdf"}, "is application/pdf"),
    ],
)
def test_a_failed_fetch_is_one_sentence_and_saves_nothing(
    app: Any, client: Any, web_helpers: Any, page_server: Any, route: dict, message: str
) -> None:
    url = page_server.serve("/x.html", **{"body": b"", **route})
    token = web_helpers.csrf_token(client, "/import")
    for action in ("preview", "save"):
        page = client.post(
            f"/import/{action}", data={"csrf_token": token, "url": url, "bank_id": "x"}
        )
        assert page.status_code in (400, 422)
        error = re.search(r'<p class="error" role="alert">([^<]+)</p>', page.text)
        assert error is not None
        assert message in error.group(1)
    assert _stored(app) == 0


def test_only_http_urls_are_fetched(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client, "/import")
    page = client.post("/import/preview", data={"csrf_token": token, "url": "file:///etc/passwd"})
    assert page.status_code in (400, 422)
    assert "URL: give an http:// or https:// URL" in page.text


def test_a_url_import_needs_an_admin_and_the_csrf_token(
    make_app: Any, client_of: Any, web_helpers: Any, page_server: Any
) -> None:
    app = make_app(multi_user=True)
    client = client_of(app)
    url = page_server.serve("/quiz.html", CSDN.read_bytes())
    web_helpers.add_account(app, "ada")
    web_helpers.sign_in(client, "ada")
    token = web_helpers.csrf_token(client, "/")
    refused = client.post("/import/preview", data={"csrf_token": token, "url": url})
    assert refused.status_code == 403
    web_helpers.add_account(app, "root", admin=True)
    web_helpers.sign_in(client, "root")
    forged = client.post("/import/preview", data={"csrf_token": "forged", "url": url})
    assert forged.status_code in (400, 403)
    assert page_server.user_agents == []


@pytest.mark.parametrize("allowed", [None, True])
def test_a_shared_instance_fetches_no_address_of_its_own_network(
    make_app: Any, client_of: Any, web_helpers: Any, page_server: Any, allowed: bool | None
) -> None:
    """Multi-user: an admin's URL that resolves to loopback (or any private address) is
    refused before a byte is fetched, unless LLMIQ_IMPORT_PRIVATE_URLS says otherwise."""
    app = make_app(multi_user=True, import_private_urls=allowed)
    client = client_of(app)
    url = page_server.serve("/quiz.html", CSDN.read_bytes())
    web_helpers.add_account(app, "root", admin=True)
    web_helpers.sign_in(client, "root")
    token = web_helpers.csrf_token(client, "/import")
    preview = client.post("/import/preview", data={"csrf_token": token, "url": url})
    if allowed:
        assert preview.status_code == 200
        assert len(page_server.user_agents) == 1
    else:
        assert preview.status_code == 400
        assert "a shared instance fetches only public addresses" in preview.text
        assert page_server.user_agents == []
