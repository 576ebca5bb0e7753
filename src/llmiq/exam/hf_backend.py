"""A transformers causal LM taking the exam on the CPU, scored exactly as lm-evaluation-harness
scores multiple choice (``HFLM.loglikelihood``, Gao et al. 2023), only faster.

For each request the context and every continuation are tokenized the way lm-eval does
(``_encode_pair``: trailing spaces of the context move to the continuation, context +
continuation is encoded whole and split at the context's own length, so a token that spans
the boundary belongs to the continuation), and the answer is

    log P(continuation | context) = sum over the continuation's tokens of log-softmax(logits)

with ``greedy`` true when every continuation token is the argmax. What differs is the cost.
lm-eval runs context + continuation per option in padded batches, and the output layer on
every position. Here the tokens every request starts with (the prompt's header, few-shot
demonstrations) run once and their keys and values serve every row; the rest is packed
into token trees (:mod:`llmiq.exam.token_tree`), where a prefix shared by several
sequences (a question's context under its options, options' common first words) runs once
and no position is padding; the output layer runs only where a continuation token is
scored (``logits_to_keep``). A tree runs as
one sequence with an attention mask of ancestors and its depths as positions; whether the
model honours such a mask is checked once on a small tree, and a model that does not (or
whose sliding attention window a request outgrows) runs plain sequences instead.

Left out: lm-eval's rolling log-likelihood (perplexity) and its multi-GPU code; contexts
longer than the model's window are cut on the left as lm-eval does, but once per request.
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from llmiq.errors import LlmiqError
from llmiq.exam.backends import ModelBackend, Scores, ScoringRequest
from llmiq.exam.local_models import (
    ModelSource,
    import_transformers,
    quiet_transformers,
    resolve_model,
)
from llmiq.exam.token_tree import EncodedRequest, PackedRow, pack
from llmiq.messages import N_

_DEFAULT_MAX_LENGTH = 2048  # lm-eval's, for models whose config names no window
_SHARED_MIN = 4  # tokens every request starts with, worth one cached pass for all of them
_CHECK = (  # two trees under a shared prefix, options sharing first words
    ScoringRequest(
        "Question: which city is the capital of France?\nAnswer:",
        (" Paris, of course", " the city of Lyon", " the city of Paris"),
    ),
    ScoringRequest("Question: which city is the capital of Italy?\nAnswer:", (" Rome", " Milan")),
)


def load_backend(model_id: str) -> TransformersBackend:
    """The registry's factory for the built-in models and ``hf:PATH_OR_ID``."""
    return TransformersBackend.load(model_id, resolve_model(model_id))


@dataclass(frozen=True)
class BatchLimits:
    # Positions per packed tree. Attention over a tree costs its width per position, so a
    # larger tree shares more prefixes but spends more on attention; 192 was the fastest on
    # the real-world bank with SmolLM2 (letter 12.0 s; 160: 12.5 s, 256: 13.4 s).
    tree: int = 192
    logits: int = 1 << 26  # floats of scored logits per pass (256 MB; Gemma's vocab is 262k)
    tokens: int = 4096  # padded prompt tokens per generation batch
    rows: int = 32  # prompts per generation batch


class TransformersBackend(ModelBackend):
    """A loaded transformers model and tokenizer, fp32 on the CPU."""

    batch = 48  # requests per call: enough to fill several trees, a few seconds to redo

    def __init__(
        self,
        model_id: str,
        model: Any,
        tokenizer: Any,
        *,
        limits: BatchLimits | None = None,
        trees: bool | None = None,
    ) -> None:
        """``trees``: pack requests into token trees (None: if a check shows the model
        scores them exactly), or run every sequence plainly (False)."""
        super().__init__(model_id)
        self._torch, _ = import_transformers()
        self.model = model
        self.tokenizer = tokenizer
        self.limits = limits or BatchLimits()
        config = model.config
        # lm-eval prepends BOS for the Gemma family only ("Gemma underperforms without it").
        self.add_bos = "gemma" in (getattr(config, "model_type", "") or "")
        self.max_length = next(
            (
                getattr(config, a)
                for a in ("n_positions", "max_position_embeddings", "n_ctx")
                if getattr(config, a, None)
            ),
            _DEFAULT_MAX_LENGTH,
        )
        eos = tokenizer.eos_token_id
        bos = tokenizer.bos_token_id
        self.prefix_token = bos if bos is not None else eos  # lm-eval's for an empty context
        pad = tokenizer.pad_token_id
        self.pad_token = pad if pad is not None else (eos if eos is not None else 0)
        params = inspect.signature(model.forward).parameters
        self._keeps_logits = "logits_to_keep" in params
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        kind = getattr(config, "_attn_implementation", None)
        self._mask_kind = kind if kind in ("sdpa", "eager") and "position_ids" in params else None
        self._window = getattr(config, "sliding_window", None)
        self._trees_agree = trees  # None: checked on first use

    @classmethod
    def load(cls, model_id: str, source: ModelSource) -> TransformersBackend:
        """Load ``source`` offline (``local_files_only``); errors are one sentence."""
        torch, transformers = import_transformers()
        _use_all_cores(torch)
        from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

        where, label = source.location, source.label
        with quiet_transformers(transformers):
            try:
                config = transformers.AutoConfig.from_pretrained(where, local_files_only=True)
            except OSError:
                raise LlmiqError(
                    N_(
                        "no model folder {model} and no {model} in your Hugging Face cache "
                        "(llmiq downloads nothing: fetch it first, e.g. with {command})"
                    ),
                    model=repr(label),
                    command="`hf download`",
                ) from None
            except ValueError as exc:
                reason = str(exc).strip().splitlines()[0]
                raise LlmiqError(
                    N_("transformers cannot read the model {model}: {reason}"),
                    model=repr(label),
                    reason=reason,
                ) from None
            if config.model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
                raise LlmiqError(
                    N_("{model} is not a causal language model (its type is {type})"),
                    model=repr(label),
                    type=config.model_type,
                )
            try:
                tokenizer = transformers.AutoTokenizer.from_pretrained(where, local_files_only=True)
                model = transformers.AutoModelForCausalLM.from_pretrained(
                    where, dtype=torch.float32, local_files_only=True
                )
            except (OSError, ValueError) as exc:
                reason = str(exc).strip().splitlines()[0]
                raise LlmiqError(
                    N_("cannot load the model {model}: {reason}"), model=repr(label), reason=reason
                ) from None
        model.eval()
        return cls(model_id, model, tokenizer)

    # --- tokenizing as lm-eval does -------------------------------------------------------

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=self.add_bos)["input_ids"])

    def encode(self, request: ScoringRequest) -> EncodedRequest:
        """lm-eval's ``_encode_pair`` for each continuation; the context ids are shared."""
        context = request.prompt
        spaces = len(context) - len(context.rstrip())
        tail, context = (context[-spaces:], context[:-spaces]) if spaces else ("", context)
        if not context:
            continuations = [self._encode(tail + c) for c in request.continuations]
            return EncodedRequest([self.prefix_token], continuations)
        context_ids = self._encode(context)
        continuations = [
            self._encode(context + tail + c)[len(context_ids) :] for c in request.continuations
        ]
        if any(not c for c in continuations):
            raise LlmiqError(
                N_("an answer option of {prompt} has no tokens"), prompt=repr(request.prompt[-40:])
            )
        longest = max(len(c) for c in continuations)
        keep = self.max_length + 1 - longest  # cut on the left, as lm-eval does
        return EncodedRequest(context_ids[-keep:], continuations)

    # --- scoring --------------------------------------------------------------------------

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        return self._score([self.encode(r) for r in requests], trees=self.runs_trees())

    def _score(self, encoded: list[EncodedRequest], *, trees: bool) -> list[Scores]:
        shared = _shared_prefix(encoded) if trees else []
        rest = [EncodedRequest(r.context[len(shared) :], r.continuations) for r in encoded]
        rows = pack(
            rest,
            size=self.limits.tree,
            scored=max(1, self.limits.logits // self.model.config.vocab_size),
            branches=lambda request: trees and self._fits_window(request, len(shared)),
        )
        return self._run(rows, rest, shared)

    def _fits_window(self, request: EncodedRequest, offset: int) -> bool:
        """Whether a sliding attention window (if any) is longer than every sequence of the
        request (after ``offset`` shared tokens), so that the tree's mask, which knows no
        window, is exact."""
        return not self._window or offset + request.depth < self._window

    def runs_trees(self) -> bool:
        """Whether this model scores a packed tree as it scores each sequence alone. Models
        whose attention is not steered by a custom mask and positions (ALiBi read from a 2-D
        mask, flash kernels, remote code) get plain sequences instead."""
        if self._trees_agree is None:
            self._trees_agree = False
            if self._mask_kind is not None:
                check = [self.encode(request) for request in _CHECK]
                trees, chains = (self._score(check, trees=t) for t in (True, False))
                self._trees_agree = all(
                    abs(a - b) < 1e-3
                    for tree, chain in zip(trees, chains, strict=True)
                    for a, b in zip(tree.logprobs, chain.logprobs, strict=True)
                )
        return self._trees_agree

    def _run(
        self, rows: Iterable[PackedRow], encoded: list[EncodedRequest], shared: list[int]
    ) -> list[Scores]:
        """Score packed ``rows`` of ``encoded`` requests, each of which follows the ``shared``
        tokens (run once, their keys and values given to every row)."""
        logprobs = [[0.0] * len(r.continuations) for r in encoded]
        greedy = [[False] * len(r.continuations) for r in encoded]
        torch = self._torch
        cache = self._cache_of(shared) if shared else None
        for batch in self._row_batches(rows):
            nodes = sorted({node for row in batch for node in row.scored_nodes()})
            width = max(len(row) for row in batch)
            kwargs: dict[str, Any] = {
                "input_ids": torch.tensor(
                    [row.tokens + [self.pad_token] * (width - len(row)) for row in batch]
                ),
                "position_ids": torch.tensor(
                    [row.depths + [0] * (width - len(row)) for row in batch]
                )
                + len(shared),
                "use_cache": cache is not None,
            }
            if cache is not None:
                own = copy.deepcopy(cache)
                own.batch_repeat_interleave(len(batch))
                kwargs[self._cache_arg] = own
            if len(batch) > 1 or not batch[0].is_chain:
                kwargs["attention_mask"] = self._tree_mask(
                    [row.parents for row in batch], width, len(shared)
                )
            if self._keeps_logits:
                kwargs["logits_to_keep"] = torch.tensor(nodes)
            with torch.inference_mode():
                logits = self.model(**kwargs).logits
                if not self._keeps_logits:
                    logits = logits[:, nodes]
                steps = torch.nn.functional.log_softmax(logits.float(), dim=-1)  # (B, K, V)
                best = steps.argmax(dim=-1)  # (B, K)
            where = {node: k for k, node in enumerate(nodes)}
            for b, row in enumerate(batch):
                for target in row.targets:
                    at = torch.tensor([where[node] for node in target.nodes])
                    tokens = torch.tensor(target.tokens)
                    logprobs[target.request][target.option] = float(steps[b, at, tokens].sum())
                    greedy[target.request][target.option] = bool((best[b, at] == tokens).all())
        return [Scores(tuple(lp), tuple(g)) for lp, g in zip(logprobs, greedy, strict=True)]

    def _row_batches(self, rows: Iterable[PackedRow]) -> Iterator[list[PackedRow]]:
        """Trees side by side in one forward pass while that costs little: the output layer
        runs on the union of the rows' scored positions in every row, so rows are batched only
        while that union stays under an eighth of the width (letter scoring, a few scored
        positions per tree), never for cloze, whose trees score most of their positions."""
        vocab = self.model.config.vocab_size
        batch: list[PackedRow] = []
        scored: set[int] = set()
        for row in rows:
            union = scored | set(row.scored_nodes())
            width = max([len(row), *(len(r) for r in batch)])
            rows_after = len(batch) + 1
            if batch and (
                rows_after * width > self.limits.tokens
                or len(union) * 8 > width
                or rows_after * len(union) * vocab > self.limits.logits
            ):
                yield batch
                batch, union = [], set(row.scored_nodes())
            batch.append(row)
            scored = union
        if batch:
            yield batch

    def _cache_of(self, shared: list[int]) -> Any:
        """The keys and values of ``shared``, one row, for every packed row to start from."""
        torch = self._torch
        kwargs: dict[str, Any] = {
            "input_ids": torch.tensor([shared]),
            "position_ids": torch.arange(len(shared)).unsqueeze(0),
            "use_cache": True,
        }
        if self._keeps_logits:
            kwargs["logits_to_keep"] = 1
        with torch.inference_mode():
            out = self.model(**kwargs)
        return getattr(out, "cache", None) or out.past_key_values

    def _tree_mask(self, trees: list[list[int]], width: int, shared: int) -> Any:
        """(B, 1, W, S + W), from each row's parent list: every position attends to the
        ``shared`` S cached tokens, node i to node j when j is i or one of its ancestors, and
        a padding position to itself; a boolean mask for SDPA, an additive one for eager."""
        torch = self._torch
        allowed = torch.eye(width, dtype=torch.bool).repeat(len(trees), 1, 1)
        for b, parents in enumerate(trees):
            for node, parent in enumerate(parents):
                if parent >= 0:
                    allowed[b, node] |= allowed[b, parent]
        allowed = torch.cat([allowed.new_ones((len(trees), width, shared)), allowed], dim=-1)
        if self._mask_kind == "eager":
            blocked = torch.finfo(self.model.dtype).min
            return torch.zeros(allowed.shape).masked_fill(~allowed, blocked)[:, None]
        return allowed[:, None]

    # --- generating -----------------------------------------------------------------------

    def generate(self, prompts: Sequence[str], *, max_new_tokens: int = 16) -> list[str]:
        """Greedy continuations, batched by length with left padding; stops at end of text."""
        torch = self._torch
        from transformers import GenerationConfig

        config = GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=self.pad_token,
            eos_token_id=self.tokenizer.eos_token_id,
        )
        encoded = [self._encode(p) or [self.prefix_token] for p in prompts]
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
        texts: list[str] = [""] * len(encoded)
        rows = max(
            1,
            min(
                self.limits.rows,
                self.limits.tokens // max(1, len(encoded[order[0]]) if order else 1),
            ),
        )
        for start in range(0, len(order), rows):
            batch = order[start : start + rows]
            width = max(len(encoded[i]) for i in batch)
            ids = torch.full((len(batch), width), self.pad_token, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, index in enumerate(batch):
                ids[row, width - len(encoded[index]) :] = torch.tensor(encoded[index])
                mask[row, width - len(encoded[index]) :] = 1
            with torch.inference_mode():
                out = self.model.generate(
                    input_ids=ids, attention_mask=mask, generation_config=config
                )
            for row, index in enumerate(batch):
                texts[index] = self.tokenizer.decode(out[row, width:], skip_special_tokens=True)
        return texts

    def close(self) -> None:
        self.model = None
        self.tokenizer = None


def _shared_prefix(encoded: list[EncodedRequest]) -> list[int]:
    """The tokens every context starts with (the prompt's header, few-shot demonstrations),
    short of each context's last token, when there are enough to be worth a cached pass."""
    if len(encoded) < 2:
        return []
    first, length = encoded[0].context, min(len(r.context) for r in encoded) - 1
    for request in encoded[1:]:
        length = next((i for i in range(length) if request.context[i] != first[i]), length)
    return first[:length] if length >= _SHARED_MIN else []


def _use_all_cores(torch: Any) -> None:
    """One intra-op thread per core this process may use (two here), no more: extra threads
    only contend on a small CPU."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores and torch.get_num_threads() != cores:
        torch.set_num_threads(cores)
