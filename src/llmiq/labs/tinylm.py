"""A tiny GPT for the labs that need a model that learns: decoder-only transformer, byte-level
tokens, trained in seconds on a CPU.

After Radford et al. 2019 (GPT-2) by way of Karpathy's nanoGPT: pre-norm blocks of causal
self-attention and an MLP, learned positions, weights tied between the token embedding and
the output layer. Left out: dropout (the labs train for seconds), weight decay groups,
flash-attention switches and checkpoint loading from the hub.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from llmiq.atomic import write_atomic

VOCAB = 256  # bytes: every text is representable, nothing to train for the tokenizer


def encode(text: str) -> list[int]:
    """UTF-8 bytes: ``encode("hi")`` -> ``[104, 105]``."""
    return list(text.encode("utf-8"))


def decode(ids: Sequence[int]) -> str:
    return bytes(int(i) for i in ids).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = VOCAB  # byte-level
    block_size: int = 64  # longest context, in tokens
    n_layer: int = 2  # transformer blocks
    n_head: int = 4  # attention heads per block
    n_embd: int = 64  # model width; must divide by n_head


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.proj = nn.Linear(config.n_embd, config.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, nh, T, hs)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.tok = nn.Embedding(config.vocab_size, config.n_embd)
        self.pos = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.tok.weight  # weight tying (Press & Wolf 2017)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab) for token ids (B, T), T <= block_size."""
        T = idx.shape[1]
        if self.config.block_size < T:
            raise ValueError(f"sequence of {T} tokens > block_size {self.config.block_size}")
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))  # (B, T, C)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def batches(
    data: torch.Tensor, block_size: int, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """A random batch of (inputs, next-token targets), each (batch, block_size)."""
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    x = torch.stack([data[s : s + block_size] for s in starts.tolist()])
    y = torch.stack([data[s + 1 : s + 1 + block_size] for s in starts.tolist()])
    return x, y


def train(
    model: GPT,
    data: torch.Tensor,
    *,
    steps: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    generator: torch.Generator,
    on_step: Callable[[int], None] | None = None,
) -> list[float]:
    """AdamW on next-token cross-entropy with a cosine decay; returns the loss per step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses = []
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        x, y = batches(data, model.config.block_size, batch_size, generator)
        loss = F.cross_entropy(model(x).view(-1, model.config.vocab_size), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(1)
    model.eval()
    return losses


@torch.no_grad()
def evaluate(model: GPT, data: torch.Tensor, *, batches_: int = 8, batch_size: int = 32,
             generator: torch.Generator) -> float:  # fmt: skip
    """Mean next-token loss (nats) on random windows of ``data``."""
    model.eval()
    total = 0.0
    for _ in range(batches_):
        x, y = batches(data, model.config.block_size, batch_size, generator)
        total += F.cross_entropy(model(x).view(-1, model.config.vocab_size), y.view(-1)).item()
    return total / batches_


def sampled_windows(
    ids: torch.Tensor, block_size: int, count: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` windows of ``ids`` that share no byte, at a random phase and random slots
    drawn from ``generator``: each seed's own sample of held-out text, as (inputs, next-byte
    targets), each (count, block_size). Windows that share no byte are independent items of
    an interval.

    >>> x, y = sampled_windows(torch.arange(100), 4, 6, torch.Generator().manual_seed(0))
    >>> x.shape, bool((y - x == 1).all()), len({int(s) // 5 for s in x[:, 0]}) == 6
    (torch.Size([6, 4]), True, True)
    """
    stride = block_size + 1
    phase = int(torch.randint(stride, (1,), generator=generator))
    slots = (len(ids) - phase) // stride
    if slots < count:
        raise ValueError(f"{len(ids)} held-out bytes hold {slots} windows of {stride}, not {count}")
    chosen = torch.randperm(slots, generator=generator)[:count].sort().values
    starts = (phase + chosen * stride).tolist()
    x = torch.stack([ids[s : s + block_size] for s in starts])
    y = torch.stack([ids[s + 1 : s + 1 + block_size] for s in starts])
    return x, y


@torch.no_grad()
def window_losses(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 64
) -> torch.Tensor:
    """Mean next-byte cross-entropy (nats/byte) of ``model`` on each window of (N, T): (N,),
    the items an interval is bootstrapped over."""
    model.eval()
    losses = []
    for start in range(0, len(x), chunk):
        logits = model(x[start : start + chunk])  # (n, T, V)
        per_byte = F.cross_entropy(
            logits.transpose(1, 2), y[start : start + chunk], reduction="none"
        )
        losses.append(per_byte.mean(dim=1))  # (n,)
    return torch.cat(losses)


@torch.no_grad()
def sequence_logprob(model: GPT, prompt: Sequence[int], continuation: Sequence[int]) -> float:
    """Sum of log p(continuation | prompt) under the model (the context is cut to fit)."""
    ids = torch.tensor([*prompt, *continuation])[-(model.config.block_size + 1) :]
    logits = model(ids[:-1].unsqueeze(0))[0]  # (T, vocab)
    logp = F.log_softmax(logits, dim=-1)
    n = len(continuation)
    targets = ids[1:][-n:]
    return logp[-n:].gather(1, targets.unsqueeze(1)).sum().item()


@torch.no_grad()
def generate(
    model: GPT,
    prompt: Sequence[int],
    max_new_tokens: int,
    *,
    temperature: float = 1.0,
    generator: torch.Generator,
) -> list[int]:
    """Sample ``max_new_tokens`` tokens after ``prompt``."""
    ids = list(prompt)
    for _ in range(max_new_tokens):
        context = torch.tensor(ids[-model.config.block_size :]).unsqueeze(0)
        logits = model(context)[0, -1] / max(temperature, 1e-6)
        ids.append(int(torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)))
    return ids[len(prompt) :]


def cache_key(*parts: object) -> str:
    """A file-name-safe key for a trained model: its config, data and seed, hashed."""
    blob = json.dumps(
        [asdict(p) if hasattr(p, "__dataclass_fields__") else p for p in parts],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def save(model: GPT, path: Path) -> None:
    buffer = io.BytesIO()
    torch.save({"config": asdict(model.config), "state": model.state_dict()}, buffer)
    write_atomic(path, buffer.getvalue())


def load(path: Path) -> GPT:
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = GPT(GPTConfig(**saved["config"]))
    model.load_state_dict(saved["state"])
    model.eval()
    return model
