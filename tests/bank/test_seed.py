"""The built-in seed bank is faithful to the article and complete in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import LANGS, Text
from llmiq.ingest import import_article

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


def test_chinese_prompts_and_options_match_the_article(seed_article: Path) -> None:
    """Faithful to the article: typo fixes aside, the Chinese text is the article's."""
    imported = import_article(seed_article, bank_id="check").bank
    for ours, theirs in zip(SEED.questions, imported.questions, strict=True):
        a, b = _squash(ours.prompt.get("zh")), _squash(theirs.prompt.get("zh"))
        common = sum(1 for ch in a if ch in b) / max(len(a), len(b))
        assert common > 0.9, (ours.id, a, b)
        assert [_squash(o.text.get("zh")) for o in ours.options] == [
            _squash(o.text.get("zh")) for o in theirs.options
        ]
        assert ours.answer == theirs.answer
