"""The reader: a real language model (SmolLM2-135M-Instruct) answering a question from what is
in its prompt, scored by the log-likelihood it gives each candidate answer.

Scoring is cloze-style multiple choice, as lm-evaluation-harness's ``acc`` (Gao et al.,
"A framework for few-shot language model evaluation"): the prompt ends where the answer
begins and each candidate's total log-probability is computed; the reader's answer is the
most likely candidate. A 135M model can do this where it could not be trusted to write an
exact answer, and the candidates never appear in the prompt, so a model that has not read the
fact is at chance (1 in 4).

One forward pass scores every candidate of a question: the row is the prompt followed by the
candidates one after another, and a 4-D attention mask lets each candidate's tokens see the
prompt and the candidate's own earlier tokens only, with position ids restarting after the
prompt for each (the "tree" of a shared prefix). A text shared by every row (the collection,
for the whole-collection arm, or the instruction header) is run once and its key/value cache
reused by every row. Rows are batched, right-padded; time is measured as process CPU
seconds and shared among a batch's rows by their token counts.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

#: SmolLM2's chat template, as its tokenizer writes it (default system message included).
CHAT_SYSTEM = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n"
)
HEADER = "Internal documents of Corvane Instruments:\n"


@dataclass(frozen=True)
class PromptFormat:
    """How documents, question and answer are laid out; ``name`` is "chat" or "plain"."""

    name: str

    def prefix(self) -> str:
        """Opens every prompt (cached once)."""
        return CHAT_SYSTEM + "<|im_start|>user\n" if self.name == "chat" else ""

    def documents(self, texts: Sequence[str]) -> str:
        """The documents block: a header, then :meth:`passages` ("" for none)."""
        return HEADER + self.passages(texts) if texts else ""

    def passages(self, texts: Sequence[str]) -> str:
        """The documents themselves, one a line: a longer collection's block starts with a
        shorter one's, so its cache can be extended rather than recomputed."""
        return "".join(text + "\n" for text in texts)

    def question(self, text: str) -> str:
        if self.name == "chat":
            return f"Question: {text}<|im_end|>\n<|im_start|>assistant\n"
        return f"Question: {text}\nAnswer:"

    def answer(self, text: str) -> str:
        return text if self.name == "chat" else " " + text


FORMATS = ("chat", "plain")


@dataclass(frozen=True)
class Row:
    """One question to score: ``context`` (the part of the prompt after the shared prefix, up
    to the question) and the candidates."""

    context: str
    question: str
    candidates: tuple[str, ...]


@dataclass
class Scored:
    logprobs: np.ndarray  # (C,) total log-probability of each candidate
    prompt_tokens: int  # tokens of this row's prompt after the shared prefix
    cpu_seconds: float  # this row's share of its batch's forward pass


@dataclass
class Prefix:
    """A shared prompt prefix run once: its tokens, key/value cache and cost."""

    ids: list[int]
    cache: Any  # transformers DynamicCache for batch 1, or None when empty
    cpu_seconds: float


class Reader:
    """Scores rows with a causal LM; ``tokens(text)`` counts tokens as the model sees them."""

    def __init__(self, model: Any, tokenizer: Any, fmt: PromptFormat, batch: int = 8) -> None:
        self.model, self.tokenizer, self.format, self.batch = model, tokenizer, fmt, batch
        self.window = int(model.config.max_position_embeddings)
        self.pad = int(tokenizer.pad_token_id or tokenizer.eos_token_id)
        self._ids: dict[str, list[int]] = {}

    def ids(self, text: str) -> list[int]:
        if text not in self._ids:
            self._ids[text] = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return self._ids[text]

    def tokens(self, text: str) -> int:
        return len(self.ids(text))

    @torch.no_grad()
    def prefix(self, text: str, after: Prefix | None = None) -> Prefix:
        """Run the shared ``text`` once (after the prefix ``after``, whose cache is reused)
        and keep its cache; refuses more than the window."""
        new = self.ids(text)
        if after is not None and not new:
            return after
        ids = (after.ids if after else []) + new
        if not ids:
            return Prefix([], None, 0.0)
        if len(ids) > self.window:
            raise ValueError(f"a {len(ids)}-token prefix exceeds the {self.window}-token window")
        cache = copy.deepcopy(after.cache) if after and after.cache is not None else None
        started = time.process_time()
        out = self.model(input_ids=torch.tensor([new]), cache=cache, use_cache=True,
                         logits_to_keep=1)  # fmt: skip
        seconds = time.process_time() - started + (after.cpu_seconds if after else 0.0)
        return Prefix(ids, out.cache, seconds)

    def score(self, prefix: Prefix, rows: Sequence[Row]) -> list[Scored]:
        """Every row's candidates scored after ``prefix``; rows batched by length."""
        encoded = [
            (
                self.ids(row.context) + self.ids(self.format.question(row.question)),
                [self.ids(self.format.answer(c)) for c in row.candidates],
            )
            for row in rows
        ]
        longest = len(prefix.ids) + max(len(p) + sum(map(len, c)) for p, c in encoded)
        if longest > self.window:
            raise ValueError(f"a {longest}-token prompt exceeds the {self.window}-token window")
        order = sorted(range(len(rows)), key=lambda i: len(encoded[i][0]))
        results: list[Scored | None] = [None] * len(rows)
        for start in range(0, len(order), self.batch):
            chunk = order[start : start + self.batch]
            batch = self._score_batch(prefix, [encoded[i] for i in chunk])
            for i, scored in zip(chunk, batch, strict=True):
                results[i] = scored
        return [r for r in results if r is not None]

    @torch.no_grad()
    def _score_batch(
        self, prefix: Prefix, batch: Sequence[tuple[list[int], list[list[int]]]]
    ) -> list[Scored]:
        p0 = len(prefix.ids)
        lengths = [len(p) + sum(map(len, c)) for p, c in batch]
        width = max(lengths)
        b = len(batch)
        ids = torch.full((b, width), self.pad, dtype=torch.long)  # (B, W), right-padded
        positions = torch.zeros((b, width), dtype=torch.long)
        sees = torch.zeros((b, width, width), dtype=torch.bool)  # query token -> key token
        spans = []  # per row: (prompt length, [(start, length) of each candidate])
        for r, (prompt, candidates) in enumerate(batch):
            n = len(prompt)
            ids[r, :n] = torch.tensor(prompt)
            positions[r, :n] = torch.arange(n) + p0
            sees[r, :n, :n] = torch.ones(n, n, dtype=torch.bool).tril()
            start, row_spans = n, []
            for cand in candidates:
                m = len(cand)
                ids[r, start : start + m] = torch.tensor(cand)
                positions[r, start : start + m] = torch.arange(m) + p0 + n
                sees[r, start : start + m, :n] = True
                sees[r, start : start + m, start : start + m] = torch.ones(m, m).tril().bool()
                row_spans.append((start, m))
                start += m
            for pad in range(start, width):
                sees[r, pad, pad] = True  # padding sees itself: no row is fully masked
            spans.append((n, row_spans))
        mask = torch.cat([torch.ones((b, width, p0), dtype=torch.bool), sees], dim=2)[:, None]
        cache = None
        if prefix.cache is not None:
            cache = copy.deepcopy(prefix.cache)
            cache.batch_repeat_interleave(b)
        # log-probabilities only where a candidate token is predicted: token 0 follows the
        # prompt's last token, token j follows token j - 1 (the vocabulary projection of every
        # other position would cost a fifth of the pass)
        rows, before, targets, owner = [], [], [], []
        for r, (n, row_spans) in enumerate(spans):
            for c, (start, m) in enumerate(row_spans):
                rows += [r] * m
                before += [n - 1, *range(start, start + m - 1)]
                targets += ids[r, start : start + m].tolist()
                owner += [(r, c)] * m
        started = time.process_time()
        hidden = self.model.model(
            input_ids=ids,
            attention_mask=mask,  # (B, 1, W, P0 + W)
            position_ids=positions,
            cache=cache,
            use_cache=cache is not None,
        ).last_hidden_state  # (B, W, D)
        logits = self.model.lm_head(hidden[torch.tensor(rows), torch.tensor(before)])  # (N, V)
        picked = torch.log_softmax(logits.float(), dim=-1)[torch.arange(len(targets)), targets]
        seconds = time.process_time() - started
        totals = np.zeros((b, len(spans[0][1])))
        np.add.at(totals, tuple(np.array(owner).T), picked.numpy())
        return [
            Scored(totals[r], spans[r][0], seconds * lengths[r] / sum(lengths)) for r in range(b)
        ]
