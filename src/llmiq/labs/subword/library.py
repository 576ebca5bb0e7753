"""Word-level, BPE and WordPiece tokenizers trained with Hugging Face ``tokenizers``, and how
one of them handles held-out text: unknown words, tokens per word, exact round trip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

UNK = "[UNK]"
PREFIX = "##"  # WordPiece's continuation marker
KINDS = ("word", "bpe", "wordpiece")
LABELS = {"word": "word-level", "bpe": "BPE", "wordpiece": "WordPiece"}


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
    """How one tokenizer handles a held-out text."""

    kind: str
    budget: int  # vocabulary size asked for
    vocab_size: int  # entries it really has (special token included)
    words: int  # held-out words (pre-tokenizer pieces)
    oov_words: int  # held-out words with at least one [UNK] token
    tokens: int  # tokens for the whole held-out text
    lossless: bool  # the tokens spell the held-out words exactly (no [UNK], nothing dropped)
    word_oov: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, bool))
    word_tokens: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, int))

    @property
    def oov_rate(self) -> float:
        return self.oov_words / self.words

    @property
    def tokens_per_word(self) -> float:
        return self.tokens / self.words

    def chunked(self, size: int) -> tuple[list[float], list[float]]:
        """(OOV rate, tokens per word) of each run of ``size`` consecutive words (the last
        run may be shorter): the items the intervals resample.

        >>> s = HeldOutScore("word", 9, 9, 4, 1, 4, False, np.array([0, 1, 0, 0]), np.ones(4))
        >>> s.chunked(2)
        ([0.5, 0.0], [1.0, 1.0])
        """
        starts = range(0, len(self.word_oov), size)
        oov = [float(self.word_oov[i : i + size].mean()) for i in starts]
        tokens = [float(self.word_tokens[i : i + size].mean()) for i in starts]
        return oov, tokens


def score_held_out(tokenizer: Tokenizer, kind: str, budget: int, text: str) -> HeldOutScore:
    """Encode ``text`` once: unknown words, tokens per word, and whether it round-trips. The
    text is read as text: a literal "[UNK]" in it (the question banks discuss tokenizers) is
    spelled like any other word, not taken for the special token."""
    tokenizer.encode_special_tokens = True
    encoding = tokenizer.encode(text, add_special_tokens=False)
    pieces = [piece for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text)]
    unk_id = tokenizer.token_to_id(UNK)
    word_ids = np.array([-1 if w is None else w for w in encoding.word_ids])
    word_oov = np.zeros(len(pieces), dtype=bool)
    word_oov[word_ids[(np.array(encoding.ids) == unk_id) & (word_ids >= 0)]] = True
    word_tokens = np.bincount(word_ids[word_ids >= 0], minlength=len(pieces))
    # only a continuation (a token of the same word as the one before) carries the ## prefix:
    # a word-initial token may itself be "##..." (the corpus has "##" in it)
    spelled = "".join(
        tok.removeprefix(PREFIX) if kind == "wordpiece" and i > 0 and w == word_ids[i - 1] else tok
        for i, (tok, w) in enumerate(zip(encoding.tokens, word_ids, strict=True))
    )
    return HeldOutScore(
        kind=kind,
        budget=budget,
        vocab_size=tokenizer.get_vocab_size(),
        words=len(pieces),
        oov_words=int(word_oov.sum()),
        tokens=len(encoding.ids),
        lossless=not word_oov.any() and spelled == "".join(pieces),
        word_oov=word_oov,
        word_tokens=word_tokens,
    )


def _batches(paragraphs: list[str], size: int) -> list[str]:
    return ["\n\n".join(paragraphs[i : i + size]) for i in range(0, len(paragraphs), size)]
