"""The model the knobs are measured on: a Bengio et al. (2003) MLP language model over
characters, trained here in seconds, and its sampling loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from llmiq.labs.sampling.config import Config
from llmiq.labs.sampling.knobs import entropy_bits, next_token_distribution, sample_from


class CharMLP(nn.Module):
    """Bengio et al. (2003): embed the last ``context`` characters, one tanh layer, logits."""

    def __init__(self, vocab_size: int, context: int, embed_dim: int, hidden: int):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.hidden = nn.Linear(context * embed_dim, hidden)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids).flatten(1)  # (B, C) -> (B, C * E)
        return self.out(torch.tanh(self.hidden(x)))  # (B, V)


@dataclass
class CharVocab:
    chars: str  # index 0 is "?": any character outside printable ASCII

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        kept = sorted({c for c in text if c == "\n" or (c.isascii() and c.isprintable())})
        return cls("?" + "".join(c for c in kept if c != "?"))

    def encode(self, text: str) -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.chars)}
        return torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


def train_model(
    ids: torch.Tensor, vocab_size: int, config: Config, advance: Callable[[int], None]
) -> tuple[CharMLP, list[float]]:
    """AdamW on random windows of ``ids``; returns the model and the loss per step."""
    model = CharMLP(vocab_size, config.context, config.embed_dim, config.hidden)
    windows = ids.unfold(0, config.context + 1, 1)  # (N, C + 1), a view
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=config.train_steps, eta_min=config.learning_rate / 10
    )
    losses = []
    for _ in range(config.train_steps):
        batch = windows[torch.randint(0, windows.shape[0], (config.batch_size,))]  # (B, C + 1)
        loss = F.cross_entropy(model(batch[:, :-1]), batch[:, -1])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        advance(1)
    return model.eval(), losses


@torch.no_grad()
def generate(
    model: nn.Module,
    prefix: torch.Tensor,
    max_new_tokens: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample ``max_new_tokens`` tokens after each prefix row; returns (tokens (B, N), the
    entropy in bits of each step's sampling distribution (B, N)).

    Step t uses the t-th uniform draw of a generator seeded with ``seed``, so the same seed
    and prefix give the same first tokens whatever ``max_new_tokens`` is.
    """
    generator = torch.Generator().manual_seed(seed)
    window = prefix.clone()  # (B, C)
    tokens, entropies = [], []
    for _ in range(max_new_tokens):
        probs = next_token_distribution(model(window), temperature, top_k, top_p)  # (B, V)
        uniform = torch.rand(window.shape[0], generator=generator)  # (B,)
        token = sample_from(probs, uniform)  # (B,)
        tokens.append(token)
        entropies.append(entropy_bits(probs))
        window = torch.cat([window[:, 1:], token[:, None]], dim=1)
    if not tokens:
        empty = torch.empty(prefix.shape[0], 0)
        return empty.long(), empty
    return torch.stack(tokens, 1), torch.stack(entropies, 1)
