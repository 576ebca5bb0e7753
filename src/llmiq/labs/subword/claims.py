"""The subword lab's verdicts, decided on 95% intervals over seeds x chunks of held-out words
(the seeds draw which paragraphs are held out), or, for what holds by construction, on
``exact`` counts that say so."""

from __future__ import annotations

from llmiq.labs.report import Claim
from llmiq.labs.subword.library import LABELS, HeldOutScore
from llmiq.labs.uncertainty import Interval, exact, nested_interval

#: word-level OOV rate that counts as "cannot cover new text": one word in a hundred becomes
#: [UNK] (fixed before measuring)
MIN_OOV = 0.01

Scores = dict[int, dict[tuple[str, int], dict[str, HeldOutScore]]]  # seed -> job -> text


def chunk_interval(scores: Scores, job: tuple[str, int], text: str, part: int, size: int
                   ) -> Interval:  # fmt: skip
    """Interval of the OOV rate (``part`` 0) or tokens per word (1) of ``job`` on ``text``,
    over seeds x chunks of ``size`` words."""
    groups = [by_job[job][text].chunked(size)[part] for by_job in scores.values()]
    return nested_interval(groups, seed=next(iter(scores)))


def word_claim(
    scores: Scores, full_job: tuple[str, int], budgets: list[tuple[str, int]], size: int,
    unseen: int, needed: int, other: str | None,
) -> Claim:  # fmt: skip
    """Supported when the whole interval of the word-level OOV rate, with every training word
    in the vocabulary, lies above :data:`MIN_OOV` on the held-out paragraphs of the corpus and
    (when measured) on text from another source."""
    seeds = list(scores)
    held = chunk_interval(scores, full_job, "held-out", 0, size)
    first = next(iter(scores.values()))
    words = first[full_job]["held-out"].words
    rates = ", ".join(
        f"{100 * first[job]['held-out'].oov_rate:.1f}% at {first[job]['held-out'].vocab_size:,}"
        for job in budgets
    )
    also, elsewhere = True, ""
    if other is not None:
        far = chunk_interval(scores, full_job, other, 0, size)
        also = far.above(MIN_OOV)
        elsewhere = (
            f" On text from another source ({other}, "
            f"{first[full_job][other].words:,} words) it is {far.format('.3f')}."
        )
    return Claim.on_interval(
        "A word-level vocabulary cannot cover new text: words outside it become [UNK].",
        held,
        measure="share of held-out words that are [UNK], word-level with every training word",
        seeds=seeds,
        above=MIN_OOV,
        also=also,
        evidence=(
            f"On {words:,} held-out words of the corpus (first seed) word-level OOV is {rates} "
            f"entries; with every one of the {first[full_job]['held-out'].vocab_size - 1:,} "
            f"training words {held.format('.3f')} over {held.over} of {size} words (needed "
            f"above {MIN_OOV}).{elsewhere} {unseen:,} held-out word types never occur in "
            f"training, so OOV 0 would need at least {needed:,} entries, and the next text "
            f"brings new ones."
        ),
    )


def subword_claim(scores: Scores, jobs: list[tuple[str, int]], byte_fallback: bool) -> Claim:
    """Supported when no held-out word of any text gets an [UNK] from any BPE or WordPiece
    tokenizer of any seed, and every text is spelled back exactly."""
    seeds = list(scores)
    first = next(iter(scores.values()))
    texts = list(first[jobs[0]])
    unknown = sum(s[job][t].oov_words for s in scores.values() for job in jobs for t in texts)
    lossless = all(s[job][t].lossless for s in scores.values() for job in jobs for t in texts)
    sizes = [first[job][texts[0]].vocab_size for job in jobs]
    described = ", ".join(f"{t} ({first[jobs[0]][t].words:,} words)" for t in texts)
    return Claim.on_interval(
        "BPE and WordPiece with a small fixed vocabulary spell every held-out word: OOV 0.",
        exact(unknown, "exact: a count over every seed, tokenizer and text"),
        measure="held-out words with an [UNK] token, every BPE and WordPiece tokenizer",
        seeds=seeds,
        below=0.5,
        also=lossless,
        evidence=(
            f"A definition check: with {'byte' if byte_fallback else 'character'}-level "
            f"pieces in every vocabulary any text can be spelled, so the count can only be 0 "
            f"if the tokenizers are built right (WordPiece needs its missing ## byte pieces "
            f"added). Counted on {described}: {unknown:,} words with an [UNK] over "
            f"{len(seeds)} seed(s) x {len(jobs)} tokenizers of {min(sizes):,}-{max(sizes):,} "
            f"entries (exact); the tokens spell every text exactly: "
            f"{'yes' if lossless else 'no'}."
        ),
    )


def cost_claim(
    scores: Scores, jobs: dict[str, list[tuple[str, int]]], size: int, other: str | None
) -> Claim:
    """Supported when the whole interval of BPE's tokens per held-out word at the largest
    budget (the cheapest case) lies above 1, and every subword tokenizer's mean is above 1."""
    seeds = list(scores)
    largest = jobs["bpe"][-1]
    interval = chunk_interval(scores, largest, "held-out", 1, size)
    first = next(iter(scores.values()))

    def mean(job: tuple[str, int], text: str) -> float:
        return sum(s[job][text].tokens_per_word for s in scores.values()) / len(scores)

    every = all(mean(job, "held-out") > 1.0 for kind in jobs.values() for job in kind)
    lengths = "; ".join(
        f"{LABELS[kind]} "
        + ", ".join(
            f"{mean(job, 'held-out'):.2f} at {first[job]['held-out'].vocab_size:,}"
            for job in kind_jobs
        )
        for kind, kind_jobs in jobs.items()
    )
    elsewhere = ""
    if other is not None:
        far = chunk_interval(scores, largest, other, 1, size)
        near_small = mean(jobs["bpe"][0], "held-out")
        far_small = mean(jobs["bpe"][0], other)
        elsewhere = (
            f" On {other} the same tokenizers need more: BPE {far_small:.2f} at the smallest "
            f"vocabulary (vs {near_small:.2f}) and {far.format('.2f')} at the largest."
        )
    return Claim.on_interval(
        "The price is longer sequences: subwords give more tokens than words, not fewer,"
        " so they do not reduce the training data.",
        interval,
        measure=f"BPE tokens per held-out word at {first[largest]['held-out'].vocab_size:,} "
        "entries",
        seeds=seeds,
        above=1.0,
        also=every,
        evidence=(
            "At least 1 token per word holds by construction (every word is one token or more; "
            "word-level is 1 by definition); the measurement is how many more. Tokens per "
            f"held-out word, mean of {len(seeds)} seed(s): {lengths}; at the largest BPE "
            f"vocabulary {interval.format('.3f')} over {interval.over} of {size} words (needed "
            f"above 1).{elsewhere} A bigger vocabulary shortens the sequence, a smaller one "
            "lengthens it."
        ),
    )


def merge_claim(
    agreements: dict[int, tuple[float, float]], chars: int, merges: int, needed: float
) -> Claim:
    """Supported when, for every seed's slice of training text, the share of the first
    ``merges`` merges that agree as a set is above ``needed``."""
    seeds = list(agreements)
    worst_set = min(a for a, _ in agreements.values())
    worst_order = min(b for _, b in agreements.values())
    return Claim.on_interval(
        "A from-scratch BPE trainer learns the same merges as tokenizers' BpeTrainer.",
        exact(worst_set, "exact: the smallest agreement over the seeds"),
        measure=f"share of the first {merges} merges equal as a set (from scratch vs library)",
        seeds=seeds,
        above=needed,
        evidence=(
            f"An implementation check (exact): on {chars:,} characters of each seed's training "
            f"text split on whitespace, at least {worst_set:.1%} of the first {merges} merges "
            f"agree as a set and {worst_order:.1%} in order (needed above {needed:.0%}; ties "
            "between equally frequent pairs could reorder them; both break ties by the smaller "
            "pair of ids)."
        ),
    )
