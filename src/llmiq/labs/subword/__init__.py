"""Subword tokenizers limit the vocabulary: word-level vs BPE vs WordPiece on held-out text.

Seed question ``subword-tokenizers`` (answer A). Three tokenizers are trained with Hugging
Face ``tokenizers`` on the training part of the stdlib-docstring corpus, at several
vocabulary budgets, and measured on held-out text: vocabulary size, out-of-vocabulary (OOV)
rate — the share of held-out words with an unknown token — and tokens per word. Two kinds of
held-out text: paragraphs of the corpus held out at random (each seed draws them, so the
seeds vary the split), and text from another source, the question banks shipped with llmiq
(prompts and explanations about language models, in English, and their Chinese versions).
Intervals are over seeds x chunks of 500 held-out words.

What is measured and what holds by construction: word-level OOV on new text is a
measurement (it could be 0 if the held-out text only reused training words; the tests show
that). Subwords with every byte in the vocabulary spell any text, so their OOV of 0 is a
definition check of the tokenizers (an exact count, said so); that they cost at least one
token per word is also by construction, and the measurement is how many more, in and out of
the corpus's domain. The from-scratch BPE agreeing with the library is an implementation
check. Literature: Sennrich et al. 2016 report that BPE removes unknown words in translation
(an open vocabulary from a fixed one of tens of thousands of symbols) at the cost of longer
sequences; GPT-2's byte-level BPE needs no [UNK] at all (Radford et al. 2019).

- word-level: one entry per word (``models.WordLevel``); a word not seen in training (or
  cut by the budget) is ``[UNK]``. No budget reaches zero on new text.
- BPE (Sennrich et al., 2016, "Neural Machine Translation of Rare Words with Subword Units",
  https://arxiv.org/abs/1508.07909) over the *bytes* of each word (GPT-2's byte-level trick,
  Radford et al., 2019): the 256 bytes are in the vocabulary, so any text is spelled and
  ``[UNK]`` is never produced.
- WordPiece (Schuster & Nakajima, 2012; Wu et al., 2016, https://arxiv.org/abs/1609.08144)
  over the same bytes, with every byte also present as a ``##`` continuation piece, so no
  word falls back to ``[UNK]``.

All three split text the same way first (``pre_tokenizers.Whitespace``: runs of letters and
digits, or of punctuation); those pieces are the "words". The trade-off is reported too: a
subword vocabulary spells a word with more than one token, so the same text becomes *more*
tokens, not fewer (the article's options B and C: subwords neither shrink the training data
nor aim at speed).

The lab also holds (``bpe``) a from-scratch BPE trainer in the style of Karpathy's minbpe
(characters of whitespace-split words with their counts, merge the most frequent adjacent
pair, repeat) and compares its first merges with ``tokenizers``' ``BpeTrainer``.

Left out: normalisation (lower-casing, Unicode NFKC), unigram/SentencePiece tokenizers,
WordPiece's likelihood-based merge score as in the original paper (``tokenizers`` trains
WordPiece with BPE's frequency merges), and any model trained on the tokens.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tokenizers import pre_tokenizers

from llmiq.labs.context import LabContext
from llmiq.labs.corpus import stdlib_corpus
from llmiq.labs.report import LabResult
from llmiq.labs.subword import claims as verdicts
from llmiq.labs.subword.bpe import library_bpe_merges, merge_agreement, merge_pair, train_bpe
from llmiq.labs.subword.claims import MIN_OOV
from llmiq.labs.subword.figures import plot
from llmiq.labs.subword.library import (
    KINDS,
    LABELS,
    PREFIX,
    UNK,
    HeldOutScore,
    _batches,
    score_held_out,
    train_tokenizer,
)

OTHER = "question banks (en)"  # held-out text from another source
ALL_WORDS = 0  # the word-level "budget" of a vocabulary holding every training word
CHINESE = "question banks (zh)"


@dataclass
class Config:
    corpus_chars: int = 1_000_000  # characters of stdlib docstrings (3 seeds in the time)
    held_out_share: float = 0.1  # paragraphs held out, drawn at random by each seed
    budgets: tuple[int, ...] = (1000, 2000, 4000, 8000, 16000)  # vocabulary sizes trained
    byte_fallback: bool = True  # False: subwords over the training characters only (can [UNK])
    held_out_text: str | None = None  # None: the seed's held-out paragraphs; else this text
    other_source: bool = True  # also score the question banks' text (English and Chinese)
    chunk_words: int = 500  # held-out words per item of the intervals
    merge_corpus_chars: int = 40_000  # characters of training text for the BPE-vs-library check
    merges_compared: int = 200  # first N merges compared, from scratch vs tokenizers
    merge_agreement_needed: float = 0.9  # share of the first N merges (as sets) that must agree
    batch_paragraphs: int = 256  # paragraphs per item of the training iterator

    @classmethod
    def fast(cls) -> Config:
        return cls(
            corpus_chars=200_000,
            budgets=(1000, 2000, 4000),
            merge_corpus_chars=12_000,
            merges_compared=50,
            chunk_words=250,
        )


@dataclass
class SubwordMetrics:
    """What the lab measured, as report.json's ``metrics`` (first seed unless said)."""

    train_chars: int
    held_out_chars: int
    held_out_words: int
    train_word_types: int
    held_out_word_types: int
    held_out_types_unseen_in_training: int
    word_vocab_needed_for_zero_oov: int
    word_oov_ci: list[float]  # every training word: 95% interval over seeds x chunks
    other_source_words: int  # 0 when not measured
    other_source_word_oov: float  # word-level, every training word, mean over seeds
    other_source_word_oov_ci: list[float]
    chinese_words: int
    smallest_budget: int
    byte_fallback: bool
    merges_compared: int
    merge_agreement_set: float  # the smallest over the seeds
    merge_agreement_in_order: float
    first_merges: list[list[str]]
    #: per kind and budget, means over seeds: vocab_size, oov_rate, tokens_per_word (and the
    #: same on the other source: other_oov_rate, other_tokens_per_word)
    tokenizers: dict[str, list[dict[str, Any]]]


Metrics = SubwordMetrics  # the lab contract's name for it


def held_out_split(text: str, seed: int, share: float) -> tuple[str, str]:
    """(training text, held-out text): paragraphs held out at random, drawn by ``seed``.

    >>> train, held = held_out_split("a\\n\\nb\\n\\nc", 0, 0.5)
    >>> sorted(train.split("\\n\\n") + held.split("\\n\\n"))
    ['a', 'b', 'c']
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rng = random.Random(seed)
    held = [rng.random() < share for _ in paragraphs]
    train = [p for p, h in zip(paragraphs, held, strict=True) if not h]
    return "\n\n".join(train), "\n\n".join(p for p, h in zip(paragraphs, held, strict=True) if h)


def other_source_texts() -> dict[str, str]:
    """The built-in question banks' prompts and explanations, English and Chinese: text on
    another subject, by other authors, than the Python docstrings the tokenizers learn from."""
    from llmiq.bank.catalog import all_areas_bank

    texts: dict[str, list[str]] = {"en": [], "zh": []}
    for question in all_areas_bank().questions:
        for part in (question.prompt, question.explanation):
            for language, out in texts.items():
                value = getattr(part, language, None) if part is not None else None
                if value:
                    out.append(value.strip().encode("utf-8", "ignore").decode())
    return {OTHER: "\n\n".join(texts["en"]), CHINESE: "\n\n".join(texts["zh"])}


def run(config: Config, context: LabContext) -> LabResult[SubwordMetrics]:
    text = stdlib_corpus(config.corpus_chars)
    others = other_source_texts() if config.other_source else {}
    splitter = pre_tokenizers.Whitespace()
    scores: verdicts.Scores = {}
    agreements: dict[int, tuple[float, float]] = {}
    first: dict[str, Any] = {}
    seeds = list(context.seeds)
    jobs_per_seed = 2 * len(config.budgets) + len(config.budgets) + 2
    with context.progress(len(seeds) * jobs_per_seed, "training tokenizers") as advance:
        for seed in context.replicate():
            train_text, held_text = held_out_split(text, seed, config.held_out_share)
            if config.held_out_text is not None:
                held_text = config.held_out_text.encode("utf-8", "ignore").decode()
            train_words = Counter(w for w, _ in splitter.pre_tokenize_str(train_text))
            held_words = Counter(w for w, _ in splitter.pre_tokenize_str(held_text))
            if not held_words:
                raise ValueError("the held-out text has no words to measure")
            full_vocab = len(train_words) + 1  # every training word, plus [UNK]
            # word-level budgets at or above the training word count all give the full vocabulary
            jobs = [(kind, budget) for budget in config.budgets for kind in KINDS
                    if kind != "word" or budget < full_vocab]  # fmt: skip
            jobs.append(("word", ALL_WORDS))  # its size differs by seed: one key for all
            paragraphs = [p for p in train_text.split("\n\n") if p.strip()]
            batches = _batches(paragraphs, config.batch_paragraphs)
            texts = {"held-out": held_text, **others}
            scores[seed] = {}
            for kind, budget in jobs:
                size = full_vocab if budget == ALL_WORDS else budget
                tokenizer = train_tokenizer(kind, batches, size, config.byte_fallback)
                scores[seed][kind, budget] = {
                    name: score_held_out(tokenizer, kind, size, body)
                    for name, body in texts.items()
                }
                advance(1)
            small = train_text[: config.merge_corpus_chars]
            ours = train_bpe(Counter(small.split()), config.merges_compared)
            theirs = library_bpe_merges(small, config.merges_compared)
            agreements[seed] = merge_agreement(ours, theirs, config.merges_compared)
            advance(1)
            if not first:
                unseen = [w for w in held_words if w not in train_words]
                first = {
                    "train_text": train_text, "held_text": held_text,
                    "train_words": train_words, "held_words": held_words, "unseen": unseen,
                    "needed": len(train_words.keys() | held_words.keys()), "ours": ours,
                    "small": small, "full_vocab": full_vocab,
                }  # fmt: skip
    return _report(config, context, scores, agreements, first, others)


def _report(
    config: Config,
    context: LabContext,
    scores: verdicts.Scores,
    agreements: dict[int, tuple[float, float]],
    first: dict[str, Any],
    others: dict[str, str],
) -> LabResult[SubwordMetrics]:
    seeds = list(scores)
    size = config.chunk_words
    by_seed = list(scores.values())
    # a word-level budget above a seed's training word count is not trained for that seed
    common = [job for job in by_seed[0] if all(job in s for s in by_seed)]
    jobs = {kind: [job for job in common if job[0] == kind] for kind in KINDS}
    full_job = jobs["word"][-1]
    other = OTHER if others else None
    claims = [
        verdicts.word_claim(
            scores, full_job, jobs["word"][:-1], size, len(first["unseen"]), first["needed"], other
        ),
        verdicts.subword_claim(scores, jobs["bpe"] + jobs["wordpiece"], config.byte_fallback),
        verdicts.cost_claim(scores, {k: jobs[k] for k in ("bpe", "wordpiece")}, size, other),
        verdicts.merge_claim(
            agreements, len(first["small"]), config.merges_compared, config.merge_agreement_needed
        ),
    ]

    def mean(job: tuple[str, int], text: str, attribute: str) -> float:
        return sum(getattr(s[job][text], attribute) for s in by_seed) / len(by_seed)

    rows: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        rows[kind] = []
        for job in jobs[kind]:
            row = {
                "budget": by_seed[0][job]["held-out"].budget,
                "vocab_size": round(mean(job, "held-out", "vocab_size")),
                "oov_rate": mean(job, "held-out", "oov_rate"),
                "oov_words": by_seed[0][job]["held-out"].oov_words,
                "tokens_per_word": mean(job, "held-out", "tokens_per_word"),
                "lossless": all(s[job]["held-out"].lossless for s in by_seed),
            }
            if other:
                row["other_oov_rate"] = mean(job, other, "oov_rate")
                row["other_tokens_per_word"] = mean(job, other, "tokens_per_word")
            rows[kind].append(row)
    figures = [
        context.save_figure(plot(rows, first["needed"], len(seeds)), "subword_oov_and_length")
    ]
    word_ci = claims[0].interval
    assert word_ci is not None
    if other:
        far = verdicts.chunk_interval(scores, full_job, other, 0, size)
        other_oov, other_ci = far.estimate, [far.low, far.high]
    else:
        other_oov, other_ci = 0.0, [0.0, 0.0]
    bpe_small, word_full = rows["bpe"][0], rows["word"][-1]
    first_scores = by_seed[0][full_job]
    key_figure = (
        f"OOV 0% for BPE at {bpe_small['vocab_size']:,} entries "
        f"({bpe_small['tokens_per_word']:.2f} tokens/word) vs word-level "
        f"{word_ci.format('.3f')} at {word_full['vocab_size']:,}"
        + (f", {other_oov:.1%} on another source" if other else "")
    )
    metrics = SubwordMetrics(
        train_chars=len(first["train_text"]),
        held_out_chars=len(first["held_text"]),
        held_out_words=first_scores["held-out"].words,
        train_word_types=len(first["train_words"]),
        held_out_word_types=len(first["held_words"]),
        held_out_types_unseen_in_training=len(first["unseen"]),
        word_vocab_needed_for_zero_oov=first["needed"],
        word_oov_ci=[word_ci.low, word_ci.high],
        other_source_words=first_scores[OTHER].words if other else 0,
        other_source_word_oov=other_oov,
        other_source_word_oov_ci=other_ci,
        chinese_words=first_scores[CHINESE].words if other else 0,
        smallest_budget=min(config.budgets),
        byte_fallback=config.byte_fallback,
        merges_compared=config.merges_compared,
        merge_agreement_set=min(a for a, _ in agreements.values()),
        merge_agreement_in_order=min(b for _, b in agreements.values()),
        first_merges=[list(m) for m in first["ours"][:10]],
        tokenizers=rows,
    )
    return LabResult(
        title="Subword tokenizers: vocabulary size, unknown words and sequence length",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )


__all__ = [
    "CHINESE",
    "KINDS",
    "LABELS",
    "MIN_OOV",
    "OTHER",
    "PREFIX",
    "UNK",
    "Config",
    "HeldOutScore",
    "Metrics",
    "SubwordMetrics",
    "held_out_split",
    "library_bpe_merges",
    "merge_agreement",
    "merge_pair",
    "other_source_texts",
    "run",
    "score_held_out",
    "train_bpe",
    "train_tokenizer",
]
