"""The learned proxy: a Bradley-Terry reward model fitted to preference pairs that a rater
labelled with the true reward, and the two data sets it is fitted on.

The model scores a reply from its features: which words of the vocabulary it contains, its
length in words, and its length beyond the longest reply the reference was taught (8
words). That class contains the true reward (politeness minus 0.1 per word of padding), so
whatever the RM gets wrong comes from its data, not from what it can express:

- the *loophole* data are the usual comparisons, a polite template reply against a rude one
  (synonyms swapped in at random). The polite replies are the longer ones, so length
  separates every pair as well as politeness does, and no reply is ever longer than 8 words:
  the data cannot tell the fit whether the rater likes length or politeness, nor what padding
  costs. A ridge fit spreads its weight over both, and the excess-length weight stays 0;
- the *clean* data keep half of those pairs and add as many between replies from a broader
  set — templates, templates padded with 1-8 extra words, cut-off templates, strings of
  random words — still labelled by the true reward. Long and short replies now win and lose
  on their merits.

Fitted by Newton's method on the ridge-penalised Bradley-Terry log-likelihood (convex; 15
iterations reach machine precision at these sizes) and normalised, as RLHF pipelines do, to
mean 0 and spread 1 on the reference's own replies (Ouyang et al. 2022 normalise theirs on
the demonstrations), so a KL coefficient means the same for every RM and seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from llmiq.labs.preference import REPLIES, SYNONYMS, RequestWorld, Tokens

KINDS = ("template", "padded", "cut", "random")  # the clean data's broader replies


def features(world: RequestWorld, responses: Sequence[Tokens]) -> torch.Tensor:
    """(B, V - 2 + 2): presence of each word (``<end>`` and ``<bot>`` left out), the length in
    words, and the words beyond the world's longest reply.

    >>> from llmiq.labs.preference import request_world
    >>> world = request_world(0)
    >>> x = features(world, [world.vocab.encode("no way ! <end>")])
    >>> x.shape[1] == len(world.vocab), x[0, -2:].tolist(), int(x[0, :-2].sum())
    (True, [3.0, 0.0], 3)
    """
    n_words = len(world.vocab) - 2
    x = torch.zeros(len(responses), n_words + 2)
    for row, response in enumerate(responses):
        words = world.words(response)
        for word in set(words):
            x[row, world.vocab.index[word] - 2] = 1.0
        x[row, n_words] = len(words)
        x[row, n_words + 1] = max(0, len(words) - world.longest_reply)
    return x


@dataclass
class RewardModel:
    """A fitted linear Bradley-Terry reward model, normalised on the reference's replies."""

    world: RequestWorld
    weights: torch.Tensor  # (V,) one per feature of ``features``
    shift: float  # mean raw score of the six template replies
    scale: float  # their standard deviation
    data: str  # "loophole" or "clean"

    def raw(self, responses: Sequence[Tokens]) -> torch.Tensor:
        return features(self.world, responses) @ self.weights

    def __call__(self, prompts: Sequence[Tokens], responses: Sequence[Tokens]) -> torch.Tensor:
        """The normalised score of each reply (the RM reads the reply, not the request: the
        rater's rule does not depend on it)."""
        return (self.raw(responses) - self.shift) / self.scale

    def named_weights(self) -> dict[str, float]:
        """Weight per feature, in units of the normalised score."""
        names = [*self.world.vocab.words[2:], "<length>", "<length over 8>"]
        return {
            n: round(w / self.scale, 4) for n, w in zip(names, self.weights.tolist(), strict=True)
        }

    def prefers(self, pairs: Sequence[tuple[Tokens, Tokens]]) -> torch.Tensor:
        """(N,) bool: the RM scores the first reply of each pair higher than the second."""
        return self.raw([a for a, _ in pairs]) > self.raw([b for _, b in pairs])


def fit_bradley_terry(
    chosen: torch.Tensor, rejected: torch.Tensor, l2: float, iterations: int = 15
) -> torch.Tensor:
    """Weights minimising mean(-log sigmoid((x_c - x_r) . w)) + l2 |w|^2 by Newton's method.

    Feature 0 wins both pairs, feature 1 loses both: weights a and -a with
    1 - sigmoid(2a) = 2 l2 a, so a = 0.817 for l2 = 0.1.

    >>> x = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    >>> [round(v, 3) for v in fit_bradley_terry(x, x.flip(1), l2=0.1).tolist()]
    [0.817, -0.817]
    """
    d = (chosen - rejected).double()  # (N, F)
    w = torch.zeros(d.shape[1], dtype=torch.float64)
    eye = torch.eye(d.shape[1], dtype=torch.float64)
    for _ in range(iterations):
        p = torch.sigmoid(d @ w)  # P(chosen wins)
        grad = -(d * (1 - p)[:, None]).mean(0) + 2 * l2 * w
        hessian = (d * (p * (1 - p))[:, None]).T @ d / len(d) + 2 * l2 * eye
        w = w - torch.linalg.solve(hessian, grad)
    return w.float()


# --- the preference data --------------------------------------------------------------------------


def _variant(text: str, generator: torch.Generator) -> list[str]:
    """A template reply with each word swapped for its synonym with probability 1/2."""
    return [
        SYNONYMS[w] if w in SYNONYMS and torch.rand((), generator=generator) < 0.5 else w
        for w in text.split()
    ]


def _pick(options: Sequence[str], generator: torch.Generator) -> str:
    return options[int(torch.randint(len(options), (), generator=generator))]


def template_reply(kind: str, generator: torch.Generator) -> list[str]:
    """A polite or rude template reply, synonyms swapped in at random."""
    return _variant(_pick(REPLIES[kind], generator), generator)


def broad_reply(world: RequestWorld, generator: torch.Generator) -> list[str]:
    """One reply of the clean data's broader set: a template, a template padded with 1-8
    random words, a template cut short (possibly to nothing), or 0-16 random words."""
    words = world.vocab.words[2:]
    kind = _pick(KINDS, generator)
    base = template_reply(_pick(("polite", "rude"), generator), generator)
    if kind == "template":
        return base
    if kind == "padded":
        extra = int(torch.randint(1, 9, (), generator=generator))
        return base + [_pick(words, generator) for _ in range(extra)]
    if kind == "cut":
        return base[: int(torch.randint(len(base), (), generator=generator))]
    return [_pick(words, generator) for _ in range(int(torch.randint(17, (), generator=generator)))]


def labelled(world: RequestWorld, a: list[str], b: list[str]) -> tuple[Tokens, Tokens] | None:
    """(chosen, rejected) by the true reward, or None on a tie."""
    x, y = (world.vocab.encode(" ".join([*words, "<end>"])) for words in (a, b))
    gx, gy = world.gold(x), world.gold(y)
    if gx == gy:
        return None
    return (x, y) if gx > gy else (y, x)


def loophole_pairs(
    world: RequestWorld, n: int, generator: torch.Generator
) -> list[tuple[Tokens, Tokens]]:
    """``n`` (polite, rude) template pairs: the chosen reply is always the longer one."""
    pairs = []
    while len(pairs) < n:
        pair = labelled(
            world, template_reply("polite", generator), template_reply("rude", generator)
        )
        if pair is not None:
            pairs.append(pair)
    return pairs


def clean_pairs(
    world: RequestWorld, n: int, generator: torch.Generator
) -> list[tuple[Tokens, Tokens]]:
    """``n`` pairs: half the loophole data's kind, half between broader replies (ties
    redrawn), in random order."""
    pairs = loophole_pairs(world, n // 2, generator)
    while len(pairs) < n:
        pair = labelled(world, broad_reply(world, generator), broad_reply(world, generator))
        if pair is not None:
            pairs.append(pair)
    order = torch.randperm(len(pairs), generator=generator).tolist()
    return [pairs[i] for i in order]


def padding_pairs(
    world: RequestWorld, n: int, generator: torch.Generator
) -> list[tuple[Tokens, Tokens]]:
    """``n`` (concise, padded) pairs: a polite reply, and the same reply padded with its own
    words to 9-16 words, which the rater likes less (0.1 per word over 8)."""
    pairs = []
    for _ in range(n):
        reply = template_reply("polite", generator)
        target = int(torch.randint(world.longest_reply + 1, 17, (), generator=generator))
        padded = reply + [_pick(reply, generator) for _ in range(target - len(reply))]
        # the same words, more of them: politeness is unchanged and the padding costs
        concise, long = (world.vocab.encode(" ".join([*w, "<end>"])) for w in (reply, padded))
        pairs.append((concise, long))
    return pairs


def fit_reward_model(
    world: RequestWorld, pairs: Sequence[tuple[Tokens, Tokens]], l2: float, data: str
) -> RewardModel:
    """The ridge Bradley-Terry fit on ``pairs``, normalised on the six template replies."""
    weights = fit_bradley_terry(
        features(world, [c for c, _ in pairs]), features(world, [r for _, r in pairs]), l2
    )
    templates = [world.vocab.encode(t + " <end>") for kind in REPLIES.values() for t in kind]
    raw = features(world, templates) @ weights
    return RewardModel(world, weights, raw.mean().item(), raw.std().item(), data)
