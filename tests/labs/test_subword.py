"""The subword lab: word-level vs BPE vs WordPiece on held-out text, and a from-scratch BPE
trainer checked against ``tokenizers``."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.labs import subword
from llmiq.labs.context import LabContext
from llmiq.labs.corpus import stdlib_corpus
from llmiq.labs.report import LabReport

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

# Words in scripts and accents the English docstrings never show, plus an emoji.
FOREIGN = "模型把单词切成子词。 Naïve café façade — Größe ändern, 東京 🙂 übermäßig."


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("subword")


def _run(tmp_path: Path, **changes: object) -> LabReport:
    config = dataclasses.replace(
        subword.Config.fast(), corpus_chars=60_000, budgets=(1000,), **changes
    )
    return subword.run(config, LabContext(tmp_path, fast=True, show_progress=False))


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    word, spelled, cost, merges = report.claims
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.seeds == (0,), claim.text
        assert claim.measure, claim.text
    assert word.interval is not None
    assert cost.interval is not None
    assert word.interval.over.startswith("1 seeds x")  # chunks of held-out words
    assert word.interval.low < word.interval.estimate < word.interval.high
    assert cost.interval.low > 1.0
    for claim in (spelled, merges):  # by construction: exact, and said so
        assert claim.interval is not None
        assert claim.interval.over.startswith("exact")
    assert "definition check" in spelled.evidence
    assert "implementation check" in merges.evidence


def test_text_from_another_source_is_measured(report: LabReport) -> None:
    m = report.metrics
    assert m.other_source_words > 10_000
    assert m.chinese_words > 1_000
    low, high = m.other_source_word_oov_ci
    assert low <= m.other_source_word_oov <= high
    assert m.other_source_word_oov > m.word_oov_ci[1]  # new subject, more unknown words
    for kind in ("bpe", "wordpiece"):
        for row in m.tokenizers[kind]:
            assert row["other_tokens_per_word"] > row["tokens_per_word"]


def test_seeds_hold_out_different_paragraphs() -> None:
    text = stdlib_corpus(60_000)
    (_, held_a), (_, held_b) = (subword.held_out_split(text, s, 0.1) for s in (0, 1))
    assert held_a != held_b
    assert subword.held_out_split(text, 0, 0.1)[1] == held_a


def test_a_literal_special_token_in_the_text_is_spelled_not_unknown() -> None:
    batches = ["the cat sat on the mat", "the dog sat"]
    for kind in ("bpe", "wordpiece"):
        tokenizer = subword.train_tokenizer(kind, batches, 600)
        score = subword.score_held_out(tokenizer, kind, 600, "a [UNK] token and ## marks")
        assert score.oov_words == 0
        assert score.lossless


def test_every_claim_is_supported(report: LabReport) -> None:
    assert len(report.claims) == 4
    for claim in report.claims:
        assert claim.supported, claim.evidence
    assert report.lab == "subword"
    assert report.question == "subword-tokenizers"


def test_word_level_has_unknown_words_and_subwords_have_none(report: LabReport) -> None:
    metrics = report.metrics
    rows = metrics.tokenizers
    word = rows["word"]
    assert all(r["oov_words"] > 0 for r in word)
    assert 0.0 < word[-1]["oov_rate"] < 0.2  # all training words: still some unknown
    assert word[0]["oov_rate"] > word[-1]["oov_rate"]  # a bigger vocabulary helps, not fully
    assert word[-1]["vocab_size"] == metrics.train_word_types + 1  # one seed: no averaging
    assert metrics.held_out_types_unseen_in_training > 0
    assert metrics.word_vocab_needed_for_zero_oov > metrics.train_word_types
    for kind in ("bpe", "wordpiece"):
        for row in rows[kind]:
            assert row["oov_words"] == 0
            assert row["lossless"]
            assert row["vocab_size"] <= row["budget"] * 1.02
    assert metrics.held_out_words > 1000


def test_subwords_cost_more_tokens_and_less_as_the_vocabulary_grows(report: LabReport) -> None:
    rows = report.metrics.tokenizers
    assert all(r["tokens_per_word"] == 1.0 for r in rows["word"])
    for kind in ("bpe", "wordpiece"):
        lengths = [r["tokens_per_word"] for r in rows[kind]]
        assert all(1.0 < n < 3.0 for n in lengths)
        assert lengths == sorted(lengths, reverse=True)


def test_merges_agree_with_the_library(report: LabReport) -> None:
    assert report.metrics.merge_agreement_set == 1.0
    assert report.metrics.merge_agreement_in_order == 1.0


def test_figure_is_a_png(report: LabReport) -> None:
    assert len(report.figures) == 1
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_merge_pair_by_hand() -> None:
    assert subword.merge_pair([1, 2, 1, 2, 2], (1, 2), 9) == [9, 9, 2]
    assert subword.merge_pair([1, 1, 1], (1, 1), 5) == [5, 1]  # left to right, no overlap


def test_textbook_example_by_hand_and_by_library() -> None:
    # Sennrich et al. (2016): low x5, lower x2, newest x6, widest x3. Pair counts: es 9 and
    # st 9 tie (e, s have the smaller ids), then est 9; lo 7 and ow 7 tie, then low 7.
    counts = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    expected = [("e", "s"), ("es", "t"), ("l", "o"), ("lo", "w")]
    assert subword.train_bpe(counts, 4) == expected
    text = " ".join(word for word, n in counts.items() for _ in range(n))
    assert subword.library_bpe_merges(text, 4) == expected


def test_from_scratch_bpe_equals_the_library_on_real_text() -> None:
    text = stdlib_corpus(8_000)
    ours = subword.train_bpe(Counter(text.split()), 60)
    theirs = subword.library_bpe_merges(text, 60)
    assert subword.merge_agreement(ours, theirs, 60) == (1.0, 1.0)


def test_a_trainer_that_ignores_word_counts_disagrees() -> None:
    text = stdlib_corpus(8_000)
    theirs = subword.library_bpe_merges(text, 60)
    once_each = subword.train_bpe(dict.fromkeys(text.split(), 1), 60)
    as_set, in_order = subword.merge_agreement(once_each, theirs, 60)
    assert as_set < 0.9
    assert in_order < as_set


def test_score_held_out_counts_unknown_words() -> None:
    batches = ["the cat sat on the mat", "the dog sat"]
    word = subword.train_tokenizer("word", batches, 100)
    score = subword.score_held_out(word, "word", 100, "the bird sat")
    assert (score.words, score.oov_words, score.tokens) == (3, 1, 3)
    assert not score.lossless
    for kind in ("bpe", "wordpiece"):
        tokenizer = subword.train_tokenizer(kind, batches, 600)
        score = subword.score_held_out(tokenizer, kind, 600, "the bird sat " + FOREIGN)
        assert score.oov_words == 0
        assert score.lossless
        assert score.tokens > score.words


def test_without_byte_fallback_unseen_characters_flip_the_verdict(tmp_path: Path) -> None:
    broken = _run(tmp_path / "chars", byte_fallback=False, held_out_text=FOREIGN)
    claims = {claim.text: claim for claim in broken.claims}
    subword_claim = next(c for text, c in claims.items() if text.startswith("BPE and WordPiece"))
    assert not subword_claim.supported
    assert broken.metrics.tokenizers["bpe"][0]["oov_words"] > 0
    assert broken.metrics.tokenizers["wordpiece"][0]["oov_words"] > 0

    fixed = _run(tmp_path / "bytes", byte_fallback=True, held_out_text=FOREIGN)
    assert all(claim.supported for claim in fixed.claims), [c.evidence for c in fixed.claims]
    assert fixed.metrics.tokenizers["bpe"][0]["oov_words"] == 0


def test_held_out_text_seen_in_training_flips_the_word_level_verdict(tmp_path: Path) -> None:
    seen = stdlib_corpus(60_000).split("\n\n")[0]  # the first paragraph is in training
    report = _run(tmp_path, held_out_text=seen)
    word_claim = report.claims[0]
    assert word_claim.text.startswith("A word-level vocabulary")
    assert not word_claim.supported, word_claim.evidence
    assert report.metrics.tokenizers["word"][-1]["oov_words"] == 0
