"""Fine-tuning lab (seed question 5, "finetune-base", answer B: the pre-trained model's
architecture and size matter more than the size of the fine-tuning data set).

The article's claim is debatable, so the lab measures both factors on the same footing.
Four bases -- tiny GPTs (``llmiq.labs.tinylm``) of two sizes, each either freshly initialised
or pre-trained on general English (``llmiq.labs.corpus``: docstrings of Python's standard
library) -- are fine-tuned on a *target style* they have not seen, at several data sizes
(1k, 4k and 16k characters). Every cell of the base x data-size grid gets the same recipe
(AdamW, one learning rate, one step budget, early stopping on a dev set) and is scored by its
loss on held-out test text of the target style, in nats per byte. The verdict compares

- the effect of the base: the range (max - min) of the test loss across bases at a fixed
  data size, averaged over the data sizes, with
- the effect of data size: the range across data sizes at a fixed base, averaged over bases,

and also reports a two-way main-effect decomposition of the grid (the share of its sum of
squares each factor explains). The claim is supported only if the base effect is the larger
one *and* every fine-tuning run converged (early stopping ended it before its step budget);
when a run was still improving at the end of its budget, the data effect was not fully
measured, so the lab does not call it for the base.

What the article's side usually rests on is measured too: pre-training makes fine-tuning
data-efficient, which matters most where target data is scarce (Howard & Ruder 2018, ULMFiT;
Hernandez et al. 2021, "Scaling Laws for Transfer": pre-training acts as "effective data
transferred", worth relatively less as the fine-tuning data grows). The lab checks the gain at
the smallest data size and reports it at every size; it also checks the effect of the base's
size, and that more data helps every base.

The target style is creative writing generated here from templates: short titled four-line
poems and "once upon a time" fables, filled from small word lists by a seeded
``random.Random`` (verse, dialogue and narrative: nothing like reference docstrings).
Training, dev and test text come from independent generator seeds; a smaller training set is
a prefix of a larger one, so the data sizes are nested.

Left out: bases big enough for the article's setting (GPT-3-size models pre-trained on the
web; here bases have 8k-70k parameters and pre-train for seconds, so what they bring is
spelling and common words, not knowledge), architecture families other than the decoder-only
transformer, data quality and diversity (template text is as clean as it gets), parameter-
efficient fine-tuning (LoRA, adapters), a learning-rate search per base, and repeated seeds
(one seed; every number that decides a verdict is printed with it).
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch.nn import functional as F

from llmiq.labs import tinylm
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.corpus import split_held_out, stdlib_corpus
from llmiq.labs.report import Claim, LabResult


@dataclass(frozen=True)
class Base:
    """A starting point for fine-tuning: a GPT shape, pre-trained or not."""

    name: str  # label in the grid, the report and the plot
    n_layer: int  # transformer blocks
    n_embd: int  # width (4 attention heads)
    pretrained: bool  # pre-trained on the general corpus before fine-tuning


@dataclass
class Config:
    bases: tuple[Base, ...] = (
        Base("small, fresh", 1, 32, pretrained=False),
        Base("small, pre-trained", 1, 32, pretrained=True),
        Base("large, fresh", 2, 48, pretrained=False),
        Base("large, pre-trained", 2, 48, pretrained=True),
    )  # one factor of the grid: ~22k and ~68k parameters, fresh and pre-trained
    data_sizes: tuple[int, ...] = (1_000, 4_000, 16_000)  # the other: fine-tuning characters
    block_size: int = 32  # context of every model, in bytes
    pretrain_data: str = "stdlib"  # "stdlib" docstrings, or "random" bytes (a broken set-up)
    pretrain_chars: int = 300_000  # characters of the general corpus
    pretrain_steps: int = 1_500  # AdamW steps of pre-training for each pre-trained base
    pretrain_lr: float = 3e-3  # pre-training learning rate (cosine-decayed)
    batch_size: int = 16  # windows per step, pre-training and fine-tuning
    finetune_steps: int = 600  # step budget of every fine-tuning run
    finetune_lr: float = 3e-3  # one fine-tuning learning rate for every cell (constant)
    eval_every: int = 30  # fine-tuning steps between dev evaluations
    patience: int = 4  # evaluations that improve the dev loss by < min_gain before a stop
    grace_steps: int = 150  # no early stop before this: a fresh model's loss sits at the
    # unigram level (~3 nats/byte) for ~100 steps before it starts to drop
    dev_chars: int = 3_000  # target-style dev text (early stopping, convergence)
    test_chars: int = 12_000  # target-style test text (the reported loss)
    min_gain: float = 0.02  # nats/byte: a difference below this counts as no difference

    @classmethod
    def fast(cls) -> Config:
        """Smaller bases and a few dozen steps: the mechanics, the pre-training gain and the
        broken set-ups, but no run converges, so the main verdict is "inconclusive"."""
        return cls(
            bases=(
                Base("small, fresh", 1, 16, pretrained=False),
                Base("small, pre-trained", 1, 16, pretrained=True),
                Base("large, fresh", 2, 32, pretrained=False),
                Base("large, pre-trained", 2, 32, pretrained=True),
            ),
            pretrain_chars=60_000,
            pretrain_steps=120,
            pretrain_lr=1e-2,
            finetune_steps=60,
            finetune_lr=1e-2,
            eval_every=10,
            patience=3,
            dev_chars=1_000,
            test_chars=3_000,
        )


# --- the target style: poems and fables from templates --------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJ = _words(
    "silver quiet golden hollow gentle wild lonely bright ancient tender broken "
    "crimson pale restless velvet frozen"
)
_NOUN = _words(
    "moon river fox willow lantern sparrow harbour meadow candle garden mountain "
    "ocean feather stone orchard star"
)
_VERB = _words("sings sleeps burns wanders trembles waits dances weeps glows drifts")
_PAST = _words("sang slept burned wandered trembled waited danced wept glowed drifted")
_BARE = _words("sing sleep burn wander tremble wait dance weep glow drift")
_PREP = _words("over under beyond beside through across")
_ADV = _words("softly slowly alone forever tonight again")
_NAME = _words("Mira Tobin Elsa Finn Ada Rowan Juniper Oskar")
_CREATURE = _words("fox hare owl mouse bear heron badger wren")
_HOME = _words("cottage burrow tower boat nest mill")
_HABIT = (
    "counted the stars",
    "baked bread for the birds",
    "sang to the river",
    "mended old nets",
    "painted the clouds",
    "listened to the wind",
)
_FOUND = (
    "a golden key",
    "a map of the sea",
    "a singing shell",
    "a tiny door",
    "a lost lantern",
    "a letter with no name",
)
_SAID = (
    "What a strange thing",
    "I must follow it",
    "Who left you here",
    "This changes everything",
    "Come with me",
    "I knew this day would come",
)
_ENDING = (
    "never felt lonely again",
    "kept the secret forever",
    "sailed away at dawn",
    "told the tale to every child",
    "laughed at the rain",
    "slept beneath the stars",
)


def poem(rng: random.Random) -> str:
    """A titled four-line poem ("the pale fox sings beyond the golden stone, ...")."""
    c = rng.choice
    return "\n".join(
        [
            f"~ {c(_ADJ).title()} {c(_NOUN).title()} ~",
            f"the {c(_ADJ)} {c(_NOUN)} {c(_VERB)} {c(_PREP)} the {c(_ADJ)} {c(_NOUN)},",
            f"and {c(_ADV)} the {c(_NOUN)} {c(_PAST)} {c(_PREP)} my {c(_NOUN)};",
            f"o {c(_NOUN)}, so {c(_ADJ)} and {c(_ADJ)}, do not {c(_BARE)} {c(_ADV)},",
            f"for every {c(_NOUN)} {c(_VERB)} {c(_ADV)}.",
        ]
    )


def fable(rng: random.Random) -> str:
    """Six sentences: a named creature, its home, its habit, a find, a line of speech, an end."""
    c = rng.choice
    name, creature = c(_NAME), c(_CREATURE)
    return (
        f"Once upon a time there was a {c(_ADJ)} {creature} called {name}. "
        f"{name} lived in a {c(_ADJ)} {c(_HOME)} by the {c(_NOUN)}. "
        f"Every night, {name} {c(_HABIT)}. "
        f"One day, {name} found {c(_FOUND)} {c(_PREP)} the {c(_NOUN)}. "
        f'"{c(_SAID)}," said the {creature}. '
        f"And from that day on, {name} {c(_ENDING)}."
    )


def target_corpus(n_chars: int, seed: int) -> str:
    """``n_chars`` characters of poems and fables, separated by blank lines. The same seed
    gives the same text, and a shorter corpus is a prefix of a longer one."""
    rng = random.Random(f"finetune-base/{seed}")
    parts: list[str] = []
    size = 0
    while size < n_chars:
        parts.append(poem(rng) if rng.random() < 0.5 else fable(rng))
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)[:n_chars]


def random_bytes(n: int, seed: int) -> torch.Tensor:
    """``n`` uniformly random byte ids: "pre-training" data with nothing to learn."""
    return torch.randint(0, tinylm.VOCAB, (n,), generator=torch.Generator().manual_seed(seed))


# --- the loss, from scratch -----------------------------------------------------------------


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in nats, written out: -log softmax(logits)[target].

    logits (B, T, V), targets (B, T). Uniform logits over V = 256 bytes cost log 256 = 5.545
    nats whatever the target: the loss of a model that knows nothing.
    """
    log_probs = logits - logits.logsumexp(-1, keepdim=True)  # (B, T, V)
    return -log_probs.gather(-1, targets.unsqueeze(-1)).mean()


def windows(ids: torch.Tensor, block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every non-overlapping window of ``ids`` as (inputs, next-byte targets), each
    (N, block_size): a deterministic cover of held-out text (tinylm samples random windows).

    >>> x, y = windows(torch.arange(7), 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    n = (len(ids) - 1) // block_size
    x = ids[: n * block_size].view(n, block_size)
    y = ids[1 : n * block_size + 1].view(n, block_size)
    return x, y


@torch.no_grad()
def held_out_loss(model: tinylm.GPT, ids: torch.Tensor, chunk: int = 128) -> float:
    """Mean next-byte loss (nats) of ``model`` over every window of ``ids``."""
    model.eval()
    x, y = windows(ids, model.config.block_size)  # (N, T) each
    total = 0.0
    for start in range(0, len(x), chunk):
        xs, ys = x[start : start + chunk], y[start : start + chunk]
        total += next_token_loss(model(xs), ys).item() * len(xs)
    return total / len(x)


# --- pre-training and fine-tuning -----------------------------------------------------------


def pretrain(
    base: Base,
    config: Config,
    seed: int,
    data: torch.Tensor | None,
    advance: Callable[[int], None] = lambda n: None,
) -> tinylm.GPT:
    """The base: a fresh GPT, seeded by its shape (a fresh and a pre-trained base of one
    shape start from the same weights), then ``pretrain_steps`` on ``data`` if pre-trained."""
    shape = tinylm.GPTConfig(block_size=config.block_size, n_layer=base.n_layer, n_embd=base.n_embd)
    torch.manual_seed(seed * 1_000_003 + base.n_layer * 1_000 + base.n_embd)
    model = tinylm.GPT(shape)
    if base.pretrained and data is not None and config.pretrain_steps > 0:
        tinylm.train(
            model,
            data,
            steps=config.pretrain_steps,
            batch_size=config.batch_size,
            lr=config.pretrain_lr,
            generator=torch.Generator().manual_seed(seed),
            on_step=advance,
        )
    model.eval()
    return model


@dataclass
class FineTuned:
    model: tinylm.GPT  # the weights of the best dev evaluation
    best_step: int  # step of that evaluation (0: the base itself)
    steps: int  # steps actually run
    converged: bool  # stopped early: the dev loss had stopped improving before the budget
    dev_curve: list[float] = field(default_factory=list)  # dev loss at 0, eval_every, ...


def fine_tune(
    base: tinylm.GPT,
    train_ids: torch.Tensor,
    dev_ids: torch.Tensor,
    config: Config,
    seed: int,
    advance: Callable[[int], None] = lambda n: None,
) -> FineTuned:
    """A copy of ``base`` fine-tuned on ``train_ids`` with AdamW at a constant learning rate
    and early stopping: the dev loss is measured every ``eval_every`` steps, and once past
    ``grace_steps`` the run stops when ``patience`` evaluations in a row have not improved it
    by ``min_gain``; the weights of the lowest dev loss are kept. A run that reaches
    ``finetune_steps`` first is not converged: it was still improving. ``advance`` gets every
    step (and the unused rest of the budget at a stop).

    The learning rate is constant so that a flat dev loss means the model has learnt what it
    can from the data, not that a decaying schedule has frozen it."""
    model = copy.deepcopy(base)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.finetune_lr, weight_decay=0.0, fused=True
    )  # fused: one kernel for the whole update, faster for tiny models
    generator = torch.Generator().manual_seed(seed)
    curve = [held_out_loss(model, dev_ids)]
    best_step, best_state = 0, copy.deepcopy(model.state_dict())
    gain_step, reference = 0, curve[0]  # the last evaluation that beat the best by min_gain

    def stalled() -> bool:
        return step >= config.grace_steps and step - gain_step >= wait

    wait, step = config.patience * config.eval_every, 0
    while step < config.finetune_steps and not stalled():
        model.train()
        x, y = tinylm.batches(train_ids, config.block_size, config.batch_size, generator)
        logits = model(x)  # (B, T, V)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        advance(1)
        if step % config.eval_every == 0:
            dev_loss = held_out_loss(model, dev_ids)
            if dev_loss < min(curve):
                best_step, best_state = step, copy.deepcopy(model.state_dict())
            if dev_loss < reference - config.min_gain:
                gain_step, reference = step, dev_loss
            curve.append(dev_loss)
    advance(config.finetune_steps - step)
    model.load_state_dict(best_state)
    model.eval()
    return FineTuned(model, best_step, step, stalled(), curve)


# --- how much each factor matters ------------------------------------------------------------


def effects(grid: Sequence[Sequence[float]]) -> dict[str, Any]:
    """Ranges of a (bases x data sizes) loss grid along each factor.

    >>> e = effects([[3.0, 2.0], [2.5, 1.0]])  # two bases (rows), two data sizes (columns)
    >>> e["base_range_by_size"], e["data_range_by_base"]
    ([0.5, 1.0], [1.0, 1.5])
    >>> e["base_effect"], e["data_effect"]
    (0.75, 1.25)
    """
    rows = [list(r) for r in grid]
    cols = [list(c) for c in zip(*rows, strict=True)]
    base_ranges = [max(c) - min(c) for c in cols]
    data_ranges = [max(r) - min(r) for r in rows]
    return {
        "base_range_by_size": base_ranges,
        "data_range_by_base": data_ranges,
        "base_effect": sum(base_ranges) / len(base_ranges),
        "data_effect": sum(data_ranges) / len(data_ranges),
    }


def variance_shares(grid: Sequence[Sequence[float]]) -> dict[str, float]:
    """Two-way main-effect decomposition (one observation per cell): the shares of the
    grid's total sum of squares explained by the base (rows), by the data size (columns),
    and left to their interaction.

    >>> variance_shares([[3.0, 2.0], [2.0, 1.0]])  # additive: each factor moves it by 1
    {'base': 0.5, 'data': 0.5, 'interaction': 0.0}
    """
    rows = [list(r) for r in grid]
    n_rows, n_cols = len(rows), len(rows[0])
    mean = sum(map(sum, rows)) / (n_rows * n_cols)
    total = sum((v - mean) ** 2 for r in rows for v in r)
    if total == 0:
        return {"base": 0.0, "data": 0.0, "interaction": 0.0}
    ss_base = n_cols * sum((sum(r) / n_cols - mean) ** 2 for r in rows)
    ss_data = n_rows * sum((sum(c) / n_rows - mean) ** 2 for c in zip(*rows, strict=True))
    return {
        "base": round(ss_base / total, 6),
        "data": round(ss_data / total, 6),
        "interaction": round(max(total - ss_base - ss_data, 0.0) / total, 6),
    }


def _k(sizes: Sequence[int]) -> str:
    return "/".join(f"{s / 1000:g}k" for s in sizes)


def _nums(values: Sequence[float], sign: bool = False) -> str:
    return ", ".join(f"{v:+.3f}" if sign else f"{v:.3f}" for v in values)


def base_vs_data_claim(
    sizes: Sequence[int], grid: Sequence[Sequence[float]], unconverged: int = 0
) -> Claim:
    """The article's claim: the base moves the fine-tuned loss more than the data size does
    (and every run converged, so the data effect was measured in full)."""
    e, shares = effects(grid), variance_shares(grid)
    larger = e["base_effect"] > e["data_effect"]
    supported = larger and unconverged == 0
    if supported:
        verdict = "the base matters more here."
    elif larger:
        verdict = (
            f"the base moved it more, but {unconverged} run(s) were still improving at "
            "the end of their budget, so the data effect was not fully measured: "
            "inconclusive."
        )
    else:
        verdict = "the data size matters as much or more here, with these tiny bases"
        verdict += (
            f" ({unconverged} run(s) were still improving when their step budget ran out)."
            if unconverged
            else "."
        )
    return Claim(
        "the pre-trained base (its size and pre-training) changes the loss after fine-tuning "
        "more than the size of the fine-tuning data does",
        supported,
        f"test loss after fine-tuning (nats/byte), {len(grid)} bases x {_k(sizes)} chars: "
        f"changing the base at a fixed data size moves it by {e['base_effect']:.3f} on average "
        f"(range at each size {_nums(e['base_range_by_size'])}); changing the data size at a "
        f"fixed base by {e['data_effect']:.3f} (range for each base "
        f"{_nums(e['data_range_by_base'])}); the base explains {shares['base']:.0%} of the "
        f"grid's variance, the data size {shares['data']:.0%}; {verdict}",
    )


def _pretraining_gains(
    bases: Sequence[Base], grid: Sequence[Sequence[float]]
) -> dict[str, list[float]]:
    """For each pre-trained base with a fresh twin of its shape: fresh minus pre-trained loss
    at every data size (positive: pre-training helped)."""
    gains = {}
    for fresh, row_fresh in zip(bases, grid, strict=True):
        for pre, row_pre in zip(bases, grid, strict=True):
            twins = (fresh.n_layer, fresh.n_embd) == (pre.n_layer, pre.n_embd)
            if twins and not fresh.pretrained and pre.pretrained:
                gains[pre.name] = [a - b for a, b in zip(row_fresh, row_pre, strict=True)]
    return gains


def pretraining_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """Pre-training on general text lowers the loss after fine-tuning where target data is
    scarce: at the smallest data size, for every shape measured fresh and pre-trained."""
    gains = _pretraining_gains(bases, grid)
    scarce = [g[0] for g in gains.values()]
    supported = bool(scarce) and min(scarce) > min_gain
    detail = "; ".join(f"{name}: {_nums(g, sign=True)}" for name, g in gains.items())
    return Claim(
        f"pre-training on general text lowers the loss after fine-tuning when target data is "
        f"scarce ({sizes[0] / 1000:g}k chars)",
        supported,
        f"fresh minus pre-trained loss of the same shape at {_k(sizes)} chars: "
        f"{detail or 'no fresh/pre-trained pair measured'} nats/byte; at "
        f"{sizes[0] / 1000:g}k the smallest gain is "
        f"{min(scarce, default=0.0):+.3f} ({'above' if supported else 'not above'} {min_gain}).",
    )


def size_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """A larger pre-trained base ends lower than a smaller one at every data size."""
    pre = sorted((b.n_layer * b.n_embd**2, i) for i, b in enumerate(bases) if b.pretrained)
    text = "a larger pre-trained base fine-tunes to a lower loss, at every data size"
    if len(pre) < 2:
        return Claim(text, False, "fewer than two pre-trained bases were measured.")
    small, large = pre[0][1], pre[-1][1]
    gains = [a - b for a, b in zip(grid[small], grid[large], strict=True)]
    supported = min(gains) > min_gain
    return Claim(
        text,
        supported,
        f"{bases[small].name} minus {bases[large].name} at {_k(sizes)} chars: "
        f"{_nums(gains, sign=True)} nats/byte ({'all' if supported else 'not all'} above "
        f"{min_gain}).",
    )


def data_claim(
    bases: Sequence[Base], sizes: Sequence[int], grid: Sequence[Sequence[float]], min_gain: float
) -> Claim:
    """The other option of the question: more fine-tuning data lowers every base's loss."""
    gains = [row[0] - row[-1] for row in grid]
    supported = min(gains) > min_gain
    return Claim(
        "more fine-tuning data lowers the loss of every base (the data size matters too)",
        supported,
        f"loss at {sizes[0] / 1000:g}k minus loss at {sizes[-1] / 1000:g}k chars: "
        + ", ".join(f"{b.name} {g:+.3f}" for b, g in zip(bases, gains, strict=True))
        + f" nats/byte ({'all' if supported else 'not all'} above {min_gain}).",
    )


# --- the lab --------------------------------------------------------------------------------


@dataclass
class FinetuneBaseMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    bases: list[dict[str, Any]]
    data_sizes: list[int]
    test_loss_grid: list[list[float]]
    base_range_by_size: list[float]
    data_range_by_base: list[float]
    base_effect: float
    data_effect: float
    variance_share: dict[str, float]
    pretraining_gain_by_size: dict[str, list[float]]
    pretrained_least_data_minus_fresh_most_data: float
    base_test_loss_before_fine_tuning: list[float]
    base_general_held_out_loss: list[float]
    uniform_loss: float
    best_step_grid: list[list[int]]
    steps_run_grid: list[list[int]]
    converged_grid: list[list[bool]]
    unconverged_runs: int
    pretrain_data: str
    pretrain_steps: int
    finetune_steps: int
    finetune_lr: float
    bases_from_cache: list[bool]
    pretrain_seconds: float
    finetune_seconds: float
    target_sample: str
    torch_threads_used: int


Metrics = FinetuneBaseMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    with torch_threads(1):
        return _run(config, context)


def general_corpus(config: Config, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(training ids, held-out ids) of the pre-training corpus named by ``pretrain_data``."""
    if config.pretrain_data == "random":
        ids = random_bytes(config.pretrain_chars, seed)
        return ids[: len(ids) * 9 // 10], ids[len(ids) * 9 // 10 :]
    if config.pretrain_data != "stdlib":
        raise ValueError(f"pretrain_data is 'stdlib' or 'random', not {config.pretrain_data!r}")
    train_text, held_text = split_held_out(stdlib_corpus(config.pretrain_chars))
    return torch.tensor(tinylm.encode(train_text)), torch.tensor(tinylm.encode(held_text))


def _bases(
    config: Config, context: LabContext, corpus: Callable[[], torch.Tensor]
) -> tuple[list[tinylm.GPT], list[bool]]:
    """Every base, pre-trained here or read from the cache; and which came from the cache."""
    models, cached = [], []
    total = sum(b.pretrained for b in config.bases) * config.pretrain_steps
    with context.progress(total, "finetune-base: pre-training bases") as advance:
        for base in config.bases:
            shape = tinylm.GPTConfig(
                block_size=config.block_size, n_layer=base.n_layer, n_embd=base.n_embd
            )
            key = tinylm.cache_key(
                shape,
                context.seed,
                config.pretrain_chars,
                config.pretrain_data,
                config.pretrain_steps,
                config.pretrain_lr,
                config.batch_size,
            )
            path = context.cached(f"finetune-base-{key}.pt") if base.pretrained else None
            if path is not None and path.exists() and not context.fresh:
                models.append(tinylm.load(path))
                cached.append(True)
                advance(config.pretrain_steps)
                continue
            data = corpus() if base.pretrained else None
            models.append(pretrain(base, config, context.seed, data, advance))
            cached.append(False)
            if path is not None:
                tinylm.save(models[-1], path)
    return models, cached


def _run(config: Config, context: LabContext) -> LabResult[FinetuneBaseMetrics]:
    seed, sizes, bases = context.seed, list(config.data_sizes), list(config.bases)
    target = torch.tensor(tinylm.encode(target_corpus(max(sizes), seed)))
    dev = torch.tensor(tinylm.encode(target_corpus(config.dev_chars, seed + 10_000)))
    test = torch.tensor(tinylm.encode(target_corpus(config.test_chars, seed + 20_000)))

    general: list[tuple[torch.Tensor, torch.Tensor]] = []  # read once, when first needed

    def general_ids() -> tuple[torch.Tensor, torch.Tensor]:
        if not general:
            general.append(general_corpus(config, seed))
        return general[0]

    started = time.perf_counter()
    models, cached = _bases(config, context, lambda: general_ids()[0])
    pretrain_seconds = time.perf_counter() - started

    grid: list[list[float]] = []  # (bases, sizes): test loss after fine-tuning
    runs: list[list[FineTuned]] = []
    total = len(models) * len(sizes) * config.finetune_steps
    with context.progress(total, "finetune-base: fine-tuning every base x data size") as advance:
        for model in models:
            row = [
                fine_tune(model, target[:n], dev, config, seed + k, advance)
                for k, n in enumerate(sizes)
            ]  # the same batches for every base
            runs.append(row)
            grid.append([held_out_loss(r.model, test) for r in row])
    finetune_seconds = time.perf_counter() - started - pretrain_seconds

    done = [[r.converged for r in row] for row in runs]
    unconverged = sum(not c for row in done for c in row)
    e = effects(grid)
    claims = [
        base_vs_data_claim(sizes, grid, unconverged),
        pretraining_claim(bases, sizes, grid, config.min_gain),
        size_claim(bases, sizes, grid, config.min_gain),
        data_claim(bases, sizes, grid, config.min_gain),
    ]
    fresh_most = [r[-1] for r, b in zip(grid, bases, strict=True) if not b.pretrained]
    pre_least = [r[0] for r, b in zip(grid, bases, strict=True) if b.pretrained]
    general_held = general_ids()[1] if config.pretrain_data == "stdlib" else None
    if e["base_effect"] <= e["data_effect"]:
        larger = "the data size moves the loss more"
    elif unconverged:
        larger = f"inconclusive ({unconverged} runs still improving)"
    else:
        larger = "the base moves the loss more"
    key_figure = (
        f"{larger}: {e['base_effect']:.2f} nats/byte across bases vs "
        f"{e['data_effect']:.2f} across {_k(sizes)} chars of fine-tuning data"
    )
    metrics = FinetuneBaseMetrics(
        bases=[asdict(b) | {"params": m.num_params()} for b, m in zip(bases, models, strict=True)],
        data_sizes=sizes,
        test_loss_grid=[[round(v, 4) for v in row] for row in grid],
        base_range_by_size=[round(v, 4) for v in e["base_range_by_size"]],
        data_range_by_base=[round(v, 4) for v in e["data_range_by_base"]],
        base_effect=round(e["base_effect"], 4),
        data_effect=round(e["data_effect"], 4),
        variance_share=variance_shares(grid),
        pretraining_gain_by_size={
            k: [round(g, 4) for g in v] for k, v in _pretraining_gains(bases, grid).items()
        },
        pretrained_least_data_minus_fresh_most_data=(
            round(min(pre_least) - min(fresh_most), 4) if pre_least and fresh_most else None
        ),
        base_test_loss_before_fine_tuning=[round(held_out_loss(m, test), 4) for m in models],
        base_general_held_out_loss=(
            [round(held_out_loss(m, general_held), 4) for m in models]
            if general_held is not None
            else None
        ),
        uniform_loss=round(math.log(tinylm.VOCAB), 4),
        best_step_grid=[[r.best_step for r in row] for row in runs],
        steps_run_grid=[[r.steps for r in row] for row in runs],
        converged_grid=done,
        unconverged_runs=unconverged,
        pretrain_data=config.pretrain_data,
        pretrain_steps=config.pretrain_steps,
        finetune_steps=config.finetune_steps,
        finetune_lr=config.finetune_lr,
        bases_from_cache=cached,
        pretrain_seconds=round(pretrain_seconds, 2),
        finetune_seconds=round(finetune_seconds, 2),
        target_sample=target_corpus(400, seed),
        torch_threads_used=torch.get_num_threads(),
    )
    return LabResult(
        title="Fine-tuning: the pre-trained base versus the size of the fine-tuning data",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=[_plot(context, bases, sizes, grid)],
    )


def _plot(context: LabContext, bases: list[Base], sizes: list[int], grid: list[list[float]]) -> str:
    plt = pyplot()
    e = effects(grid)
    fig, (ax, bars) = plt.subplots(1, 2, figsize=(10.5, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    shapes = sorted({(b.n_layer, b.n_embd) for b in bases})
    palette = plt.get_cmap("tab10")
    for base, row in zip(bases, grid, strict=True):
        ax.plot(
            sizes,
            row,
            marker="o",
            label=base.name,
            color=palette(2 + shapes.index((base.n_layer, base.n_embd))),  # not the bars colours
            linestyle="-" if base.pretrained else "--",
        )
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{s / 1000:g}k" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("fine-tuning data (characters of the target style)")
    ax.set_ylabel("test loss after fine-tuning (nats/byte)")
    ax.set_title("One line per base (dashed: no pre-training)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)

    labels = [f"bases @ {s / 1000:g}k" for s in sizes] + [f"data @ {b.name}" for b in bases]
    values = e["base_range_by_size"] + e["data_range_by_base"]
    colors = ["tab:blue"] * len(sizes) + ["tab:orange"] * len(bases)
    bars.barh(range(len(values)), values, color=colors)
    bars.set_yticks(range(len(values)), labels, fontsize=8)
    bars.invert_yaxis()
    for y, mean in (
        (len(sizes) / 2 - 0.5, e["base_effect"]),
        (len(sizes) + len(bases) / 2 - 0.5, e["data_effect"]),
    ):
        bars.annotate(f"mean {mean:.2f}", (mean, y), fontsize=8, color="black")
    bars.set_xlabel("range of the loss (nats/byte)")
    bars.set_title("Effect of the base (blue) vs the data size (orange)")
    fig.tight_layout()
    return context.save_figure(fig, "loss_vs_data")
