"""Subword tokenizers limit the vocabulary: word-level vs BPE vs WordPiece on held-out text.

Seed question ``subword-tokenizers`` (answer A). Three tokenizers are trained with Hugging
Face ``tokenizers`` on the training part of the stdlib-docstring corpus, at several
vocabulary budgets, and measured on the held-out part: vocabulary size, out-of-vocabulary
(OOV) rate — the share of held-out words with an unknown token — and tokens per word.

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

The lab also holds a from-scratch BPE trainer in the style of Karpathy's minbpe (characters
of whitespace-split words with their counts, merge the most frequent adjacent pair, repeat)
and compares its first merges with ``tokenizers``' ``BpeTrainer`` on a small corpus.

Left out: normalisation (lower-casing, Unicode NFKC), unigram/SentencePiece tokenizers,
WordPiece's likelihood-based merge score as in the original paper (``tokenizers`` trains
WordPiece with BPE's frequency merges), and any model trained on the tokens.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import Claim, LabResult

UNK = "[UNK]"
PREFIX = "##"  # WordPiece's continuation marker
KINDS = ("word", "bpe", "wordpiece")
LABELS = {"word": "word-level", "bpe": "BPE", "wordpiece": "WordPiece"}


@dataclass
class Config:
    corpus_chars: int = 1_700_000  # characters of stdlib docstrings (train 90% / held-out 10%)
    held_out_every: int = 10  # every 10th paragraph is held out
    budgets: tuple[int, ...] = (1000, 2000, 4000, 8000, 16000)  # vocabulary sizes trained
    byte_fallback: bool = True  # False: subwords over the training characters only (can [UNK])
    held_out_text: str | None = None  # None: the corpus' held-out part; else this text
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
        )


# --------------------------------------------------------------------------------------
# From-scratch BPE (minbpe style)


def merge_pair(symbols: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace each non-overlapping occurrence of ``pair``, left to right, by ``new_id``.

    >>> merge_pair([1, 2, 1, 2, 2], (1, 2), 9)
    [9, 9, 2]
    """
    out: list[int] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Learn up to ``num_merges`` BPE merges from words and their counts.

    Each word starts as its characters; every step counts adjacent pairs (weighted by the
    word's count), merges the most frequent pair everywhere and records it. Ties go to the
    pair of smaller ids, characters being numbered in sorted order and new tokens after
    them, which is how ``tokenizers``' BpeTrainer breaks them too.

    >>> train_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 4)
    [('e', 's'), ('es', 't'), ('l', 'o'), ('lo', 'w')]
    """
    tokens = sorted({ch for word in word_counts for ch in word})  # id -> string
    ids = {tok: i for i, tok in enumerate(tokens)}
    words = [([ids[ch] for ch in word], count) for word, count in word_counts.items()]
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        stats: Counter[tuple[int, int]] = Counter()
        for symbols, count in words:
            for pair in pairwise(symbols):
                stats[pair] += count
        if not stats:
            break  # every word is a single token
        pair = max(stats, key=lambda p: (stats[p], -p[0], -p[1]))
        merged = tokens[pair[0]] + tokens[pair[1]]
        if merged not in ids:
            ids[merged] = len(tokens)
            tokens.append(merged)
        merges.append((tokens[pair[0]], tokens[pair[1]]))
        words = [
            (merge_pair(symbols, pair, ids[merged]) if len(symbols) > 1 else symbols, count)
            for symbols, count in words
        ]
    return merges


def library_bpe_merges(text: str, num_merges: int) -> list[tuple[str, str]]:
    """The first merges of ``tokenizers``' BpeTrainer on ``text`` split on whitespace (no
    normalizer, no special tokens), the same input ``train_bpe`` sees."""
    alphabet = {ch for word in text.split() for ch in word}
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(
        vocab_size=len(alphabet) + num_merges, min_frequency=0, show_progress=False
    )
    tokenizer.train_from_iterator([text], trainer=trainer)
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    return [(left, right) for left, right in merges][:num_merges]


def merge_agreement(
    ours: Sequence[tuple[str, str]], theirs: Sequence[tuple[str, str]], n: int
) -> tuple[float, float]:
    """(share of the first ``n`` merges equal as sets, share equal position by position)."""
    as_set = len(set(ours[:n]) & set(theirs[:n])) / n
    in_order = sum(a == b for a, b in zip(ours[:n], theirs[:n], strict=False)) / n
    return as_set, in_order


# --------------------------------------------------------------------------------------
# Library tokenizers


def _word_splitter(byte_fallback: bool) -> Any:
    """Words first (shared by all three); then each word's UTF-8 bytes as 256 printable
    characters when subwords fall back to bytes."""
    if not byte_fallback:
        return pre_tokenizers.Whitespace()
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Whitespace(),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )


def train_tokenizer(
    kind: str, batches: Sequence[str], vocab_size: int, byte_fallback: bool = True
) -> Tokenizer:
    """A word-level, BPE or WordPiece tokenizer trained from an in-memory iterator over
    ``batches`` (strings of text), with at most about ``vocab_size`` entries.

    Byte-level WordPiece needs every ``##byte`` piece besides what the trainer learns; it is
    trained once to see how many are missing, then again with that much smaller a budget.
    """
    tokenizer = _train_once(kind, batches, vocab_size, byte_fallback)
    if kind == "wordpiece":
        missing = _missing_byte_pieces(tokenizer) if byte_fallback else []
        if missing and vocab_size - len(missing) > len(pre_tokenizers.ByteLevel.alphabet()) + 1:
            tokenizer = _train_once(kind, batches, vocab_size - len(missing), byte_fallback)
            missing = _missing_byte_pieces(tokenizer)
        tokenizer.model = _wordpiece_model(tokenizer.get_vocab(), missing)
    return tokenizer


def _train_once(
    kind: str, batches: Sequence[str], vocab_size: int, byte_fallback: bool
) -> Tokenizer:
    byte_alphabet = pre_tokenizers.ByteLevel.alphabet() if byte_fallback else []
    if kind == "word":
        tokenizer = Tokenizer(models.WordLevel(unk_token=UNK))
        tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
        trainer: Any = trainers.WordLevelTrainer(
            vocab_size=vocab_size, min_frequency=0, special_tokens=[UNK], show_progress=False
        )
    elif kind == "bpe":
        tokenizer = Tokenizer(models.BPE(unk_token=UNK))
        tokenizer.pre_tokenizer = _word_splitter(byte_fallback)
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=0,
            special_tokens=[UNK],
            initial_alphabet=byte_alphabet,
            show_progress=False,
        )
    elif kind == "wordpiece":
        tokenizer = Tokenizer(models.WordPiece(unk_token=UNK, continuing_subword_prefix=PREFIX))
        tokenizer.pre_tokenizer = _word_splitter(byte_fallback)
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size,
            min_frequency=0,
            special_tokens=[UNK],
            initial_alphabet=byte_alphabet,
            continuing_subword_prefix=PREFIX,
            show_progress=False,
        )
    else:
        raise ValueError(f"unknown tokenizer kind {kind!r}")
    tokenizer.train_from_iterator(iter(batches), trainer=trainer)
    return tokenizer


def _missing_byte_pieces(tokenizer: Tokenizer) -> list[str]:
    """Bytes and ``##`` bytes the WordPiece trainer did not put in the vocabulary: it only
    adds continuation pieces it saw, and a word with a piece missing becomes ``[UNK]``."""
    vocab = tokenizer.get_vocab()
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    return [p for p in (*alphabet, *(PREFIX + ch for ch in alphabet)) if p not in vocab]


def _wordpiece_model(vocab: dict[str, int], extra_pieces: list[str]) -> Any:
    """WordPiece over ``vocab`` plus ``extra_pieces``, without the default limit of 100
    characters a word (longer words, e.g. a URL spelled in bytes, would become ``[UNK]``)."""
    vocab = dict(vocab)
    for piece in extra_pieces:
        vocab[piece] = len(vocab)
    return models.WordPiece(
        vocab, unk_token=UNK, continuing_subword_prefix=PREFIX, max_input_chars_per_word=10**6
    )


@dataclass
class HeldOutScore:
    """How one tokenizer handles the held-out text."""

    kind: str
    budget: int  # vocabulary size asked for
    vocab_size: int  # entries it really has (special token included)
    words: int  # held-out words (pre-tokenizer pieces)
    oov_words: int  # held-out words with at least one [UNK] token
    tokens: int  # tokens for the whole held-out text
    lossless: bool  # the tokens spell the held-out words exactly (no [UNK], nothing dropped)

    @property
    def oov_rate(self) -> float:
        return self.oov_words / self.words

    @property
    def tokens_per_word(self) -> float:
        return self.tokens / self.words


def score_held_out(tokenizer: Tokenizer, kind: str, budget: int, text: str) -> HeldOutScore:
    """Encode ``text`` once: unknown words, tokens per word, and whether it round-trips."""
    encoding = tokenizer.encode(text, add_special_tokens=False)
    pieces = [piece for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text)]
    unk_id = tokenizer.token_to_id(UNK)
    oov = {word for token, word in zip(encoding.ids, encoding.word_ids, strict=True)
           if token == unk_id}  # fmt: skip
    spelled = "".join(tok.removeprefix(PREFIX) for tok in encoding.tokens)
    return HeldOutScore(
        kind=kind,
        budget=budget,
        vocab_size=tokenizer.get_vocab_size(),
        words=len(pieces),
        oov_words=len(oov),
        tokens=len(encoding.ids),
        lossless=not oov and spelled == "".join(pieces),
    )


def _batches(paragraphs: list[str], size: int) -> list[str]:
    return ["\n\n".join(paragraphs[i : i + size]) for i in range(0, len(paragraphs), size)]


# --------------------------------------------------------------------------------------
# The experiment


@dataclass
class SubwordMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    train_chars: int
    held_out_chars: int
    held_out_words: int
    train_word_types: int
    held_out_word_types: int
    held_out_types_unseen_in_training: int
    word_vocab_needed_for_zero_oov: int
    smallest_budget: int
    byte_fallback: bool
    merges_compared: int
    merge_agreement_set: float
    merge_agreement_in_order: float
    first_merges: list[list[str]]
    tokenizers: dict[str, list[dict[str, Any]]]


Metrics = SubwordMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[SubwordMetrics]:
    text = stdlib_corpus(config.corpus_chars)
    train_text, held_text = split_held_out(text, every=config.held_out_every)
    if config.held_out_text is not None:
        held_text = config.held_out_text.encode("utf-8", "ignore").decode()
    paragraphs = [p for p in train_text.split("\n\n") if p.strip()]
    splitter = pre_tokenizers.Whitespace()
    train_words = Counter(w for w, _ in splitter.pre_tokenize_str(train_text))
    held_words = Counter(w for w, _ in splitter.pre_tokenize_str(held_text))
    if not held_words:
        raise ValueError("the held-out text has no words to measure")
    unseen_types = [w for w in held_words if w not in train_words]
    needed_for_zero = len(train_words.keys() | held_words.keys())  # every distinct word

    scores: dict[str, list[HeldOutScore]] = {kind: [] for kind in KINDS}
    full_vocab = len(train_words) + 1  # every training word, plus [UNK]
    # word-level budgets at or above the training word count all give the full vocabulary
    jobs = [(kind, budget) for budget in config.budgets for kind in KINDS
            if kind != "word" or budget < full_vocab]  # fmt: skip
    jobs.append(("word", full_vocab))
    batches = _batches(paragraphs, config.batch_paragraphs)
    with context.progress(len(jobs) + 1, "training tokenizers") as advance:
        for kind, budget in jobs:
            tokenizer = train_tokenizer(kind, batches, budget, config.byte_fallback)
            scores[kind].append(score_held_out(tokenizer, kind, budget, held_text))
            advance(1)
        small = train_text[: config.merge_corpus_chars]
        ours = train_bpe(Counter(small.split()), config.merges_compared)
        theirs = library_bpe_merges(small, config.merges_compared)
        advance(1)
    as_set, in_order = merge_agreement(ours, theirs, config.merges_compared)

    word_full = scores["word"][-1]
    word_budgeted = scores["word"][:-1]
    subwords = scores["bpe"] + scores["wordpiece"]
    smallest_budget = min(config.budgets)
    n_held = word_full.words

    def pct(x: float) -> str:
        return f"{100 * x:.1f}%"

    def worst(kind: str) -> HeldOutScore:
        return max(scores[kind], key=lambda s: (s.oov_words, s.budget))

    word_claim = Claim(
        text="A word-level vocabulary cannot cover new text: words outside it become [UNK].",
        supported=all(s.oov_words > 0 for s in scores["word"]),
        evidence=(
            f"On {n_held:,} held-out words, word-level OOV is "
            + "".join(f"{pct(s.oov_rate)} at {s.vocab_size:,} entries, " for s in word_budgeted)
            + f"{pct(word_full.oov_rate)} with every one of the"
            f" {word_full.vocab_size - 1:,} training words; {len(unseen_types):,} held-out word"
            f" types never occur in training, so OOV 0 would need at least {needed_for_zero:,}"
            " entries (every distinct word of training and held-out text), and the next text"
            " brings new ones."
        ),
    )
    subword_claim = Claim(
        text="BPE and WordPiece with a small fixed vocabulary spell every held-out word: OOV 0.",
        supported=all(s.oov_words == 0 and s.lossless for s in subwords),
        evidence=(
            f"With {'byte' if config.byte_fallback else 'character'}-level pieces, held-out"
            f" words with an [UNK] token: BPE {worst('bpe').oov_words:,},"
            f" WordPiece {worst('wordpiece').oov_words:,} (worst budget) of {n_held:,};"
            f" vocabularies of {min(s.vocab_size for s in subwords):,}"
            f"-{max(s.vocab_size for s in subwords):,} entries; the tokens spell the text"
            f" exactly: {'yes' if all(s.lossless for s in subwords) else 'no'}."
        ),
    )
    lengths = {kind: [s.tokens_per_word for s in scores[kind]] for kind in ("bpe", "wordpiece")}
    cost_claim = Claim(
        text=(
            "The price is longer sequences: subwords give more tokens than words, not fewer,"
            " so they do not reduce the training data."
        ),
        supported=all(t > 1.0 for ts in lengths.values() for t in ts),
        evidence=(
            "Tokens per held-out word (word-level: 1 by definition): "
            + "; ".join(
                f"{LABELS[kind]} "
                + ", ".join(f"{s.tokens_per_word:.2f} at {s.vocab_size:,}" for s in scores[kind])
                for kind in ("bpe", "wordpiece")
            )
            + " — a bigger vocabulary shortens the sequence, a smaller one lengthens it."
        ),
    )
    merge_claim = Claim(
        text="A from-scratch BPE trainer learns the same merges as tokenizers' BpeTrainer.",
        supported=as_set >= config.merge_agreement_needed,
        evidence=(
            f"On {len(small):,} characters split on whitespace, {pct(as_set)} of the first"
            f" {config.merges_compared} merges agree as a set and {pct(in_order)} in order"
            " (ties between equally frequent pairs could reorder them; both break ties by the"
            " smaller pair of ids)."
        ),
    )

    figure = _plot(scores, word_full, needed_for_zero)
    figures = [context.save_figure(figure, "subword_oov_and_length")]

    bpe_small = scores["bpe"][0]
    key_figure = (
        f"OOV {pct(bpe_small.oov_rate)} for BPE at {bpe_small.vocab_size:,} entries"
        f" ({bpe_small.tokens_per_word:.2f} tokens/word) vs word-level"
        f" {pct(word_full.oov_rate)} at {word_full.vocab_size:,}; 0% needs ≥{needed_for_zero:,}"
    )
    metrics = SubwordMetrics(
        train_chars=len(train_text),
        held_out_chars=len(held_text),
        held_out_words=n_held,
        train_word_types=len(train_words),
        held_out_word_types=len(held_words),
        held_out_types_unseen_in_training=len(unseen_types),
        word_vocab_needed_for_zero_oov=needed_for_zero,
        smallest_budget=smallest_budget,
        byte_fallback=config.byte_fallback,
        merges_compared=config.merges_compared,
        merge_agreement_set=as_set,
        merge_agreement_in_order=in_order,
        first_merges=[list(m) for m in ours[:10]],
        tokenizers={
            kind: [
                {
                    "budget": s.budget,
                    "vocab_size": s.vocab_size,
                    "oov_rate": s.oov_rate,
                    "oov_words": s.oov_words,
                    "tokens_per_word": s.tokens_per_word,
                    "lossless": s.lossless,
                }
                for s in scores[kind]
            ]
            for kind in KINDS
        },
    )
    return LabResult(
        title="Subword tokenizers: vocabulary size, unknown words and sequence length",
        key_figure=key_figure,
        metrics=metrics,
        claims=[word_claim, subword_claim, cost_claim, merge_claim],
        figures=figures,
    )


def _plot(
    scores: dict[str, list[HeldOutScore]], word_full: HeldOutScore, needed_for_zero: int
) -> Any:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    styles = {"word": "o-", "bpe": "s-", "wordpiece": "^-"}
    ticks = sorted({s.budget for s in scores["bpe"]})
    for kind in KINDS:
        rows = sorted(scores[kind], key=lambda s: s.vocab_size)
        sizes = [s.vocab_size for s in rows]
        left.plot(sizes, [100 * s.oov_rate for s in rows], styles[kind], label=LABELS[kind])
        right.plot(sizes, [s.tokens_per_word for s in rows], styles[kind], label=LABELS[kind])
    left.annotate(
        f"all {word_full.vocab_size - 1:,} training words",
        (word_full.vocab_size, 100 * word_full.oov_rate),
        xytext=(0.5, 0.6),
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "->", "alpha": 0.6},
        fontsize=8,
    )
    left.plot([needed_for_zero], [0], "o", mfc="none", mec="C0", ms=10)
    left.annotate(
        f"word-level OOV 0 needs ≥{needed_for_zero:,}\n(training + held-out words)",
        (needed_for_zero, 0),
        xytext=(0.12, 0.14),
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "->", "alpha": 0.6},
        fontsize=8,
    )
    for axis, ylabel in ((left, "held-out words with [UNK] (%)"), (right, "tokens per word")):
        axis.set_xscale("log")
        axis.set_xticks(ticks, [f"{t:,}" for t in ticks])
        axis.minorticks_off()
        axis.set_xlabel("vocabulary size (entries)")
        axis.set_ylabel(ylabel)
        axis.grid(True, alpha=0.3)
        axis.legend()
    left.set_title("Out-of-vocabulary rate on held-out text")
    right.set_title("Sequence length: the price of a small vocabulary")
    figure.tight_layout()
    return figure
