"""Real-world articles (tests/fixtures/real_world: the layouts people publish, Chinese and
English, with expectations written by hand before the parser saw them) import exactly: every
expected question with its kind, option keys and answer keys or reference phrases, no
question that is not one, no page text inside a question, and the title a person expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmiq.ingest import import_article
from llmiq.ingest.evaluation import Score, article_for, score_file

CORPUS = Path(__file__).parents[1] / "fixtures" / "real_world"
EXPECTATIONS = sorted(CORPUS.glob("*.expect.json"))


def test_the_corpus_covers_every_family_in_both_languages() -> None:
    families = {p.name.split("_")[0] for p in EXPECTATIONS}
    assert families >= {"answer-markers", "qa-notes", "end-matter", "answer-key",
                        "option-layouts", "page-furniture", "numbering", "multi-answer",
                        "cosmetics", "html"}  # fmt: skip
    for lang in ("zh", "en"):
        assert {p.name.split("_")[0] for p in EXPECTATIONS if f"_{lang}_" in p.name} == families
    assert len(EXPECTATIONS) >= 30


@pytest.mark.parametrize("expectation", EXPECTATIONS, ids=lambda p: p.name.split(".")[0])
def test_article_imports_exactly(expectation: Path) -> None:
    score = score_file(expectation)
    assert score.problems == []
    assert score.exact


@pytest.mark.parametrize(
    "expectation",
    [p for p in EXPECTATIONS if json.loads(p.read_text("utf-8")).get("uncertain")],
    ids=lambda p: p.name.split(".")[0],
)
def test_inferred_answers_are_reported(expectation: Path) -> None:
    """Where a person would want to check an answer (a key from the end of the article, a
    key given as text, options named in prose), the import says what it inferred."""
    expected = json.loads(expectation.read_text("utf-8"))
    result = import_article(article_for(expectation), bank_id="t")
    noted = {str(note.question) for note in result.notes}
    for number in expected["uncertain"]:
        assert str(number) in noted, f"no note for question {number}"


@pytest.mark.slow  # ~50 s: 1,346 articles
def test_the_held_out_articles_meet_the_quality_goal() -> None:
    """tests/fixtures/held_out* up to _68: sixty-eight sets written apart from the parser,
    each first measured unseen (recall 45%, 85%, 80%, 73%, 83%, 84%, 77%, 95%, 58%, 39%, 53%,
    59%, 60%, 55%, 79%, 84%, 64%, 75%, 85%, 62%, 90%, 60%, 85%, 89%, 80%, 93%, 77%, 59%, 71%,
    77%, 65%, 74%, 12%, 78%, 79%, 78%, 79%, 95%, 56%, 79%, 70%, 94%, 90%, 89%, 86%, 78%, 77%,
    94%, 96%, 84%, 97%, 92%, 95%, 95%, 90%, 94%, 85%, 94%, 98%, 99%, 84%, 91%, 99%, 96%, 95%,
    91%, 95%, 98%: see
    their READMEs); the goal of issue 8 holds on them as a whole."""
    total = Score()
    folders = ["held_out", *(f"held_out_{n}" for n in range(2, 69))]
    for folder in folders:
        for expectation in sorted((CORPUS.parent / folder).glob("*.expect.json")):
            total += score_file(expectation)
    assert total.files >= 1346
    assert total.recall >= 0.90, total.problems
    assert total.precision >= 0.97, total.problems
    assert total.key_accuracy >= 0.97, total.problems
