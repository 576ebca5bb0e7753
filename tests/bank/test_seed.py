"""The built-in seed bank is faithful to the article and complete in both languages."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import LANGS, Text

SEED = resolve_bank("seed")
KEYS = ["C", None, "C", "B", "B", "A", "A", "B", "C", "B"]
LABS = [
    "calibration",
    "vector-store",
    "alignment",
    "reward-hacking",
    "finetune-base",
    "attention",
    "subword",
    "adaptive-softmax",
    "sampling",
    "sharding",
]


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def test_ten_questions_with_the_article_keys_and_labs() -> None:
    assert len(SEED.questions) == 10
    assert [q.answer[0] if q.answer else None for q in SEED.questions] == KEYS
    assert [q.lab for q in SEED.questions] == LABS
    assert SEED.source is not None
    assert SEED.source.url == "https://avoid.overfit.cn/post/5cbf407986584cfab3efd5ee3801b697"


def test_question_2_is_open_with_short_accepted_answers() -> None:
    q2 = SEED.questions[1]
    assert q2.kind == "open"
    assert {"不需要", "不", "否", "no"} <= {a.casefold() for a in q2.accepted}


def _texts(question) -> list[Text]:
    texts = [question.prompt, *question.key_points]
    texts += [t for t in (question.explanation, question.reference) if t is not None]
    for option in question.options:
        texts.append(option.text)
        assert option.why is not None, f"{question.id} option {option.key} has no why"
        texts.append(option.why)
    return texts


@pytest.mark.parametrize("question", SEED.questions, ids=lambda q: q.id)
def test_every_text_is_in_both_languages_with_a_why_per_option(question) -> None:
    assert question.explanation is not None
    assert question.topics
    for text in _texts(question):
        assert all(text.has(lang) for lang in LANGS)


def _article_questions(article: str) -> list[tuple[str, list[str]]]:
    """(prompt, option texts) of each numbered question, read straight off the article."""
    body = article.split("https://avoid.overfit.cn")[0]
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if re.match(rf"{len(found) + 1}、", line):
            found.append((line.split("、", 1)[1], []))
        elif found and (option := re.match(r"([A-D])\.\s*(.+)", line)):
            expected_key = chr(ord("A") + len(found[-1][1]))
            if option.group(1) == expected_key:
                found[-1][1].append(option.group(2))
    return found


def test_chinese_prompts_and_options_match_the_article(seed_article: Path) -> None:
    """Faithful to the article: typo fixes aside, the Chinese text is the article's."""
    article = _article_questions(seed_article.read_text("utf-8"))
    assert len(article) == 10
    for ours, (prompt, options) in zip(SEED.questions, article, strict=True):
        similarity = SequenceMatcher(None, _squash(ours.prompt.get("zh")), _squash(prompt)).ratio()
        assert similarity > 0.9, (ours.id, ours.prompt.get("zh"), prompt)
        assert [_squash(o.text.get("zh")) for o in ours.options] == [
            _squash(text) for text in options
        ]
