"""Every phrase the templates ask to translate has its Chinese."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Any

from llmiq.web.flags import FLAG_REASONS
from llmiq.web.i18n import ZH, translator

PHRASE = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")


def template_phrases() -> set[str]:
    folder = files("llmiq.web").joinpath("templates")
    found = set()
    for template in folder.iterdir():
        found |= {match.group(2) for match in PHRASE.finditer(template.read_text("utf-8"))}
    return found


def test_every_template_phrase_has_chinese() -> None:
    phrases = template_phrases()
    assert len(phrases) > 50  # the pattern finds the phrases at all
    assert sorted(phrases - set(ZH)) == []


def test_phrases_passed_in_from_code_have_chinese() -> None:
    modes_and_notes = {"Review", "Quiz", "Mock interview", "due", "new", "learning"}
    page_titles = {"Score", "Nothing to do", "built-in", "imported"}
    from_code = set(FLAG_REASONS.values()) | modes_and_notes | page_titles
    assert sorted(from_code - set(ZH)) == []


def test_english_is_the_phrase_itself() -> None:
    assert translator("en")("Next") == "Next"
    assert translator("zh")("Next") == "下一题"
    assert translator("zh")("not in the catalog") == "not in the catalog"


def test_chinese_pages_name_topics_kinds_and_flash_in_chinese(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    client = client_of(make_app())
    client.get("/lang/zh")
    bank = client.get("/banks/seed").text
    assert "提示、偏差" in bank  # the first question's topics, prompting and bias
    assert "单选题" in bank
    assert "prompting, bias" not in bank
    assert ">检索增强生成</option>" in bank  # the topic filter shows names, keeps the ids
    assert 'value="rag"' in bank
    token = web_helpers.csrf_token(client)
    flagged = client.post(
        "/flags",
        data={"csrf_token": token, "bank_id": "seed", "question_id": "vector-store",
              "reason": "other", "next": "/banks/seed"},
    )  # fmt: skip
    assert "这道题已标记" in flagged.text
    assert "flagged for an admin" not in flagged.text


def test_chinese_error_pages(make_app: Any, client_of: Any, web_helpers: Any) -> None:
    app = make_app(multi_user=True)
    client = client_of(app)
    client.get("/lang/zh")
    refused = web_helpers.sign_in(client, "nobody")
    assert refused.status_code == 401
    assert "用户名或密码错误" in refused.text


def test_chinese_end_of_quiz_and_review(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    client.get("/lang/zh")
    done = client.get("/practice/seed/quiz", params={"i": 99, "right": 3}).text
    assert "得分：3/10" in done
    assert "Score" not in done
    review = client.get("/practice/seed/review").text  # a new profile: new questions first
    assert "新题" in review
    assert "提示、偏差" in review  # the first question's topics, by their Chinese names


def test_an_unreadable_answer_is_refused_in_chinese(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    client = client_of(make_app())
    client.get("/lang/zh")
    token = web_helpers.csrf_token(client)
    data = {"csrf_token": token, "mode": "quiz", "question_id": "prompt-calibration"}
    refused = client.post("/practice/seed/answer", data=data | {"answer": "Z"})
    assert refused.status_code == 422
    assert "请用字母 A, B, C, D 中的一个作答" in refused.text
    empty = client.post(
        "/practice/seed/answer", data=data | {"question_id": "vector-store", "answer": " "}
    )
    assert "请先输入答案" in empty.text


def test_a_missing_page_is_explained_in_chinese(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    client.get("/lang/zh")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "没有这个页面" in missing.text
    unknown = client.get("/banks/nope")
    assert unknown.status_code == 404
    assert "没有名为 &#39;nope&#39; 的题库" in unknown.text


def test_chinese_key_hints_and_import_report(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    client = client_of(make_app())
    client.get("/lang/zh")
    question = client.get("/practice/seed/quiz").text
    assert "回车" in question
    assert "Enter</span>" not in question
    token = web_helpers.csrf_token(client)
    article = "# 测验\n\n前言一段。\n\n1. 哪个是分词算法？\nA. BPE\nB. Adam\n答案：A\n"
    preview = client.post(
        "/import/preview",
        data={"csrf_token": token, "text": article, "bank_id": "quiz-zh"},
    ).text
    assert "第 3 行：第一题之前的文字：前言一段。" in preview
    assert "text before the first question" not in preview
