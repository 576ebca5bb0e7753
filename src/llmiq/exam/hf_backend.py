"""A transformers causal LM taking the exam on the CPU, scored exactly as lm-evaluation-harness
scores multiple choice (``HFLM.loglikelihood``, Gao et al. 2023), only faster.

For each request the context and every continuation are tokenized the way lm-eval does
(``_encode_pair``: trailing spaces of the context move to the continuation, context +
continuation is encoded whole and split at the context's own length, so a token that spans
the boundary belongs to the continuation), and the answer is

    log P(continuation | context) = sum over the continuation's tokens of log-softmax(logits)

with ``greedy`` true when every continuation token is the argmax. What differs is the cost:

- contexts are batched, sorted by length, left-padded with an attention mask and explicit
  position ids, so padding changes nothing;
- the context runs once per request, not once per option: when every continuation is a single
  token (letters `` A``, `` B``...) the last position's log-softmax answers all of them and
  the output layer runs on that position only (``logits_to_keep=1``);
- longer continuations (cloze) reuse the context's key/value cache and run only their own
  tokens, all continuations of a batch together.

Left out: lm-eval's rolling log-likelihood (perplexity) and its multi-GPU code; contexts
longer than the model's window are cut on the left as lm-eval does, but once per request.
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Iterator, Sequence
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
from llmiq.messages import N_

_DEFAULT_MAX_LENGTH = 2048  # lm-eval's, for models whose config names no window
_MAX_PADDING = 1.3  # a group of continuations runs at most 30% more tokens than it holds


def load_backend(model_id: str) -> TransformersBackend:
    """The registry's factory for the built-in models and ``hf:PATH_OR_ID``."""
    return TransformersBackend.load(model_id, resolve_model(model_id))


@dataclass(frozen=True)
class EncodedRequest:
    """One request as token ids: the shared context and each continuation's own tokens."""

    context: list[int]
    continuations: list[list[int]]


@dataclass(frozen=True)
class BatchLimits:
    tokens: int = 4096  # padded context tokens per forward pass
    rows: int = 32  # contexts per forward pass
    logits: int = 1 << 26  # floats of continuation logits per pass (256 MB; Gemma's vocab is 262k)


class TransformersBackend(ModelBackend):
    """A loaded transformers model and tokenizer, fp32 on the CPU."""

    def __init__(
        self, model_id: str, model: Any, tokenizer: Any, *, limits: BatchLimits | None = None
    ) -> None:
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
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        self._keeps_logits = "logits_to_keep" in params

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
        encoded = [self.encode(r) for r in requests]
        results: list[Scores | None] = [None] * len(encoded)
        for batch in self._batches(encoded):
            for index, scores in zip(
                batch, self._score_batch([encoded[i] for i in batch]), strict=True
            ):
                results[index] = scores
        return [s for s in results if s is not None]

    def _batches(self, encoded: list[EncodedRequest]) -> Iterator[list[int]]:
        """Indices of ``encoded`` in batches of similar length, longest first."""
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i].context))
        vocab = self.model.config.vocab_size
        batch: list[int] = []
        width = rows = 0
        for index in order:
            item = encoded[index]
            longer = [c for c in item.continuations if len(c) > 1]
            new_width = max(width, max((len(c) for c in longer), default=0))
            new_rows = rows + len(longer)
            if batch and (
                (len(batch) + 1) * len(encoded[batch[0]].context) > self.limits.tokens
                or len(batch) + 1 > self.limits.rows
                or new_rows * new_width * vocab > self.limits.logits
            ):
                yield batch
                batch, new_width, new_rows = (
                    [],
                    max((len(c) for c in longer), default=0),
                    len(longer),
                )
            batch.append(index)
            width, rows = new_width, new_rows
        if batch:
            yield batch

    def _score_batch(self, items: list[EncodedRequest]) -> list[Scores]:
        torch = self._torch
        functional = torch.nn.functional
        lengths = [len(item.context) for item in items]
        width = max(lengths)
        ids = torch.full((len(items), width), self.pad_token, dtype=torch.long)  # (B, P)
        mask = torch.zeros((len(items), width), dtype=torch.long)
        for row, item in enumerate(items):
            ids[row, width - len(item.context) :] = torch.tensor(item.context)
            mask[row, width - len(item.context) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding leaves positions intact
        longer = [
            (row, option, tokens)
            for row, item in enumerate(items)
            for option, tokens in enumerate(item.continuations)
            if len(tokens) > 1
        ]
        with torch.inference_mode():
            out = self._forward(ids, mask, positions, use_cache=bool(longer), last_only=True)
            first = functional.log_softmax(out.logits[:, -1, :].float(), dim=-1)  # (B, V)
            first_best = first.argmax(dim=-1)  # (B,)
            logprobs = [
                [float(first[row, tokens[0]]) for tokens in item.continuations]
                for row, item in enumerate(items)
            ]
            greedy = [
                [int(first_best[row]) == tokens[0] for tokens in item.continuations]
                for row, item in enumerate(items)
            ]
            if longer:
                cache = getattr(out, "cache", None) or out.past_key_values
                self._continue(cache, mask, lengths, longer, logprobs, greedy)
        return [Scores(tuple(lp), tuple(g)) for lp, g in zip(logprobs, greedy, strict=True)]

    def _continue(
        self,
        cache: Any,
        mask: Any,
        lengths: list[int],
        longer: list[tuple[int, int, list[int]]],
        logprobs: list[list[float]],
        greedy: list[list[bool]],
    ) -> None:
        """Add the second and later tokens of multi-token continuations, running only those
        tokens on top of their context's cached keys and values (one row per continuation).

        Options differ in length far more than contexts do (a word beside a sentence), so the
        rows run in groups of similar length, longest first: one group padded to the longest
        option would spend most of its work on padding."""
        groups = _length_groups(longer)
        for n, group in enumerate(groups):  # each group narrows its own copy of the cache
            own = cache if n == len(groups) - 1 else copy.deepcopy(cache)
            self._continue_group(own, mask, lengths, group, logprobs, greedy)

    def _continue_group(
        self,
        cache: Any,
        mask: Any,
        lengths: list[int],
        longer: list[tuple[int, int, list[int]]],
        logprobs: list[list[float]],
        greedy: list[list[bool]],
    ) -> None:
        """:meth:`_continue` for one group of rows; ``cache`` is narrowed to their contexts."""
        torch = self._torch
        sources = torch.tensor([row for row, _, _ in longer])
        cache.batch_select_indices(sources)  # (R, ...) : each row's context, repeated per option
        width = max(len(tokens) - 1 for _, _, tokens in longer)
        ids = torch.full((len(longer), width), self.pad_token, dtype=torch.long)  # (R, L)
        own = torch.zeros((len(longer), width), dtype=torch.long)
        for r, (_, _, tokens) in enumerate(longer):
            ids[r, : len(tokens) - 1] = torch.tensor(tokens[:-1])
            own[r, : len(tokens) - 1] = 1
        full_mask = torch.cat([mask[sources], own], dim=1)  # (R, P + L)
        starts = torch.tensor([lengths[row] for row, _, _ in longer]).unsqueeze(1)
        positions = starts + torch.arange(width).unsqueeze(0)  # right after each context
        out = self._forward(ids, full_mask, positions, cache=cache, use_cache=True)
        steps = torch.nn.functional.log_softmax(out.logits.float(), dim=-1)  # (R, L, V)
        best = steps.argmax(dim=-1)  # (R, L)
        for r, (row, option, tokens) in enumerate(longer):
            targets = torch.tensor(tokens[1:])
            count = len(targets)
            picked = steps[r, :count].gather(-1, targets.unsqueeze(-1)).squeeze(-1)
            logprobs[row][option] += float(picked.sum())
            greedy[row][option] = greedy[row][option] and bool((best[r, :count] == targets).all())

    def _forward(
        self,
        ids: Any,
        mask: Any,
        positions: Any,
        *,
        use_cache: bool,
        cache: Any = None,
        last_only: bool = False,
    ) -> Any:
        kwargs: dict[str, Any] = {
            "input_ids": ids,
            "attention_mask": mask,
            "position_ids": positions,
            "use_cache": use_cache,
        }
        if cache is not None:
            kwargs[self._cache_arg] = cache
        if last_only and self._keeps_logits:
            kwargs["logits_to_keep"] = 1  # the output layer on the last position only
        return self.model(**kwargs)

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


def _length_groups(
    rows: list[tuple[int, int, list[int]]],
) -> list[list[tuple[int, int, list[int]]]]:
    """``rows`` (context row, option, tokens), longest first, cut into groups whose padding
    to their longest row stays within ``_MAX_PADDING`` of the tokens they hold."""
    groups: list[list[tuple[int, int, list[int]]]] = []
    held = 0
    for row in sorted(rows, key=lambda item: -len(item[2])):
        size = len(row[2])
        if groups and len(groups[-1][0][2]) * (len(groups[-1]) + 1) <= _MAX_PADDING * (held + size):
            groups[-1].append(row)
            held += size
        else:
            groups.append([row])
            held = size
    return groups


def _use_all_cores(torch: Any) -> None:
    """One intra-op thread per core this process may use (two here), no more: extra threads
    only contend on a small CPU."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores and torch.get_num_threads() != cores:
        torch.set_num_threads(cores)
