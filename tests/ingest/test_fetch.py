"""Importing from a URL, against a local server on 127.0.0.1: formats by content type,
charsets (GBK in the header or only in ``<meta>``), redirects, and one sentence per failure."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import import_article
from llmiq.ingest.fetch import USER_AGENT, bank_id_from_url, fetch_page, import_url, is_url
from llmiq.textfile import MAX_TEXT_BYTES

FIXTURES = Path(__file__).parents[1] / "fixtures"
CSDN = FIXTURES / "html" / "zh_csdn_strong_answers.html"
UTF8_META = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'


def _gbk_page(meta: str) -> bytes:
    """The CSDN page in GBK (its characters outside GBK replaced), declaring ``meta``."""
    text = CSDN.read_text("utf-8").replace("²", "^2").replace("©", "(c)").replace(UTF8_META, meta)
    return text.encode("gbk")


def _questions(result: object) -> list[tuple[str, str, list[str]]]:
    bank = result.bank  # type: ignore[attr-defined]
    return [(q.id, q.prompt.get(result.lang), q.answer) for q in bank.questions]  # type: ignore[attr-defined]


def test_a_page_from_a_file_and_from_a_url_make_the_same_bank(page_server: object) -> None:
    url = page_server.serve("/posts/LLM-Quiz.html", CSDN.read_bytes())  # type: ignore[attr-defined]
    from_url = import_url(url)
    from_file = import_article(CSDN, bank_id="llm-quiz")
    assert from_url.bank.id == "llm-quiz"
    assert from_url.bank.source is not None
    assert from_url.bank.source.url == url
    assert from_url.bank.model_dump(exclude={"source"}) == from_file.bank.model_dump(
        exclude={"source"}
    )
    assert len(from_url.bank.questions) == 6


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html", '<meta charset="gbk">'),  # the charset only in the page
        ("text/html; charset=GBK", ""),  # the charset only in the header
        ("text/html; charset=gb2312", '<meta charset="gb2312">'),
    ],
)
def test_gbk_pages_decode_right(page_server: object, content_type: str, meta: str) -> None:
    url = page_server.serve("/gbk.html", _gbk_page(meta), content_type=content_type)  # type: ignore[attr-defined]
    page = fetch_page(url)
    assert page.format == "html"
    assert "大模型面试题精选：Transformer 与微调（附答案）" in page.text
    result = import_url(url)
    assert _questions(result)[0] == ("q1", "Transformer 中多头注意力的主要作用是？", ["B"])


def test_the_content_type_picks_the_format(page_server: object, seed_article: Path) -> None:
    text = seed_article.read_bytes()
    serve = page_server.serve  # type: ignore[attr-defined]
    markdown = fetch_page(serve("/a", text, content_type="text/markdown; charset=utf-8"))
    plain = fetch_page(serve("/b", text, content_type="text/plain"))
    raw_markdown = fetch_page(serve("/c.md", text, content_type="text/plain; charset=utf-8"))
    untyped = fetch_page(serve("/d.md", text, content_type=None))
    assert (markdown.format, plain.format, raw_markdown.format, untyped.format) == (
        "markdown", "text", "markdown", "markdown"
    )  # fmt: skip
    assert markdown.text == seed_article.read_text("utf-8")
    assert len(import_url(serve("/seed.txt", text, content_type="text/plain")).bank.questions) == 10


def test_redirects_are_followed_to_a_bound(page_server: object) -> None:
    serve = page_server.serve  # type: ignore[attr-defined]
    target = serve("/final.html", CSDN.read_bytes())
    start = serve("/old", status=301, headers={"Location": "/final.html"}, content_type=None)
    page = fetch_page(start)
    assert page.url == target
    serve("/loop", status=302, headers={"Location": "/loop"}, content_type=None)
    with pytest.raises(LlmiqError, match=r"/loop: redirects more than 5 times$"):
        fetch_page(page_server.url("/loop"))  # type: ignore[attr-defined]


def test_the_user_agent_names_llmiq(page_server: object) -> None:
    fetch_page(page_server.serve("/ua.html", CSDN.read_bytes()))  # type: ignore[attr-defined]
    assert page_server.user_agents == [USER_AGENT]  # type: ignore[attr-defined]
    assert USER_AGENT.startswith("llmiq/")


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, r"the server answered 404 Not Found$"),
        ({"status": 500}, r"the server answered 500 Internal Server Error$"),
        (
            {"body": b"%PDF-1.7", "content_type": "application/pdf"},
            r"is application/pdf, not a web page or text$",
        ),
        ({"body": b"\x89PNG....", "content_type": "image/png"}, "is image/png, not a web page"),
        ({"body": b"%PDF-1.7 ...", "content_type": None}, "is a PDF document, not a text file"),
        (
            {"headers": {"Content-Length": str(MAX_TEXT_BYTES + 1)}, "length": False},
            r"is 10\.0 MiB; the limit is 10 MiB$",
        ),
    ],
)
def test_each_failure_is_one_sentence(page_server: object, route: dict, message: str) -> None:
    url = page_server.serve("/x", **{"body": b"", **route})  # type: ignore[attr-defined]
    with pytest.raises(LlmiqError, match=message) as caught:
        fetch_page(url)
    assert str(caught.value).startswith(url)
    assert "\n" not in str(caught.value)


def test_a_body_over_the_cap_is_cut_off_while_streaming(page_server: object) -> None:
    body = b"<p>" + b"x" * MAX_TEXT_BYTES + b"</p>"
    url = page_server.serve("/huge.html", body, length=False)  # type: ignore[attr-defined]
    with pytest.raises(LlmiqError, match=r"is larger than 10 MiB; the limit is 10 MiB$"):
        fetch_page(url)


def test_a_slow_server_hits_the_timeout(page_server: object) -> None:
    url = page_server.serve("/slow", b"late", delay=1.0)  # type: ignore[attr-defined]
    started = time.monotonic()
    with pytest.raises(LlmiqError, match=r"the server did not answer within 0\.2 s$"):
        fetch_page(url, timeout=0.2)
    assert time.monotonic() - started < 1.0


def test_a_refused_connection(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/page.html"
    with pytest.raises(LlmiqError, match=r"cannot connect \(.*[Rr]efused.*\)$"):
        fetch_page(url)


def test_not_a_url() -> None:
    assert is_url("https://example.org/a")
    assert is_url("HTTP://x")
    assert not is_url("ftp://x")
    assert not is_url("notes/quiz.md")
    with pytest.raises(LlmiqError, match="is not an http:// or https:// URL"):
        fetch_page("file:///etc/passwd")


@pytest.mark.parametrize(
    ("url", "bank_id"),
    [
        ("https://blog.example.org/2024/05/LLM-Interview-Qs.html", "llm-interview-qs"),
        ("https://example.org/quiz/", "quiz"),
        ("https://example.org/notes/index.html", "notes"),
        ("https://example.org/", "example-org"),
        ("https://example.org/%E9%9D%A2%E8%AF%95%E9%A2%98", "article-"),
    ],
)
def test_bank_ids_from_urls(url: str, bank_id: str) -> None:
    assert bank_id_from_url(url).startswith(bank_id)


def test_the_cli_imports_a_url(
    run_cli: Callable, page_server: object, tmp_path: Path, closed_port: int
) -> None:
    url = page_server.serve("/zh/csdn-quiz.html", CSDN.read_bytes())  # type: ignore[attr-defined]
    out = tmp_path / "bank.yaml"
    result = run_cli("import", url, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Imported 6 questions (3 single, 1 multiple, 2 open; language zh) from {url}" in (
        result.output
    )
    assert "lines refer to the text extracted from the page" in result.output
    assert "id: csdn-quiz" in out.read_text("utf-8")
    assert f"url: {url}" in out.read_text("utf-8")
    refused = run_cli("import", f"http://127.0.0.1:{closed_port}/a.html")
    assert refused.exit_code == 1
    assert len(refused.output.strip().splitlines()) == 1


def test_private_addresses_can_be_refused(page_server: Any) -> None:
    url = page_server.serve("/quiz.md", b"1. Q?\nAnswer: Yes\n", content_type="text/markdown")
    with pytest.raises(LlmiqError, match=r"127\.0\.0\.1 is an address of this server's own"):
        fetch_page(url, allow_private=False)
    assert page_server.user_agents == []
    assert fetch_page(url).text.startswith("1. Q?")
