"""The plug point for the models that take an exam: a small base class with one method, and
a registry by model id (the shape of simonw/llm's ``Model.execute``).

A backend scores multiple-choice answers the way lm-evaluation-harness does: for each prompt
it returns the log-probability of every candidate continuation (`` A``, `` B``, ...) given
the prompt, summed over the continuation's tokens, and whether that continuation is what
greedy decoding would produce. A backend is free to share work between the continuations of
one prompt (one forward pass of the prompt, then only the continuations' tokens), which is
what makes it fast on a CPU.

Built-in backends are registered here like third-party ones: :func:`register_backend` with
a model id (``chance``) or an id prefix (``hf:``, ``openai:``) and the import path of a
factory, imported only when that model is used, so that listing models loads no torch.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from llmiq.errors import LlmiqError
from llmiq.lazy import import_object
from llmiq.messages import N_


@dataclass(frozen=True)
class ScoringRequest:
    prompt: str  # the question as the model sees it, up to where the answer starts
    continuations: tuple[str, ...]  # the candidate answers, e.g. (" A", " B", " C", " D")

    def __post_init__(self) -> None:
        if not self.continuations:
            raise ValueError("a scoring request needs at least one continuation")


@dataclass(frozen=True)
class Scores:
    """A backend's answer to one :class:`ScoringRequest`, one entry per continuation."""

    logprobs: tuple[float, ...]  # log P(continuation | prompt), natural log, summed over tokens
    greedy: tuple[bool, ...]  # the continuation is exactly what greedy decoding would emit

    def best(self) -> int:
        """Index of the most likely continuation (the first one on a tie)."""
        return max(range(len(self.logprobs)), key=lambda i: (self.logprobs[i], -i))


class ModelBackend(ABC):
    """A model that can take an exam. Subclasses implement :meth:`score`; ``close`` frees
    what the model holds (a server connection, weights) and runs on leaving a ``with``."""

    model_id: str
    # Requests per call of score: a run stopped half-way measures at most this many again.
    batch: int = 8

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    @abstractmethod
    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        """One :class:`Scores` per request, in order. Raises :class:`LlmiqError` with one
        sentence when the model cannot answer (a server without log-probabilities, say)."""

    def generate(self, prompts: Sequence[str], *, max_new_tokens: int = 16) -> list[str]:
        """The model's greedy continuation of each prompt, for scoring by generation (servers
        without log-probabilities, open questions). Backends that cannot generate say so."""
        raise LlmiqError(
            N_("model {model} cannot generate text; use letter scoring"), model=repr(self.model_id)
        )

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release the model's resources."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class BackendEntry:
    """One line of the registry: ``name`` is a model id, or a prefix ending in ``:`` that
    takes the rest of the id as its argument (``hf:PATH``)."""

    name: str
    factory: str  # "module:function", called with the whole model id, returns a ModelBackend
    description: str  # one line for ``llmiq exam models``

    @property
    def is_prefix(self) -> bool:
        return self.name.endswith(":")

    def matches(self, model_id: str) -> bool:
        return model_id.startswith(self.name) if self.is_prefix else model_id == self.name


class BackendRegistry:
    """Model ids to backends. Front ends use the module's :data:`BACKENDS`; tests may build
    their own."""

    def __init__(self) -> None:
        self._entries: dict[str, BackendEntry] = {}

    def register(self, name: str, factory: str, description: str) -> None:
        if name in self._entries:
            raise ValueError(f"a backend named {name!r} is registered already")
        self._entries[name] = BackendEntry(name, factory, description)

    def entries(self) -> list[BackendEntry]:
        return list(self._entries.values())

    def entry_for(self, model_id: str) -> BackendEntry:
        for entry in self._entries.values():
            if entry.matches(model_id) and (not entry.is_prefix or model_id != entry.name):
                return entry
        known = ", ".join(e.name + ("..." if e.is_prefix else "") for e in self._entries.values())
        raise LlmiqError(N_("no model {model}; models: {known}"), model=repr(model_id), known=known)

    def load(self, model_id: str, **options: Any) -> ModelBackend:
        """The backend for ``model_id``, its module imported now; ``options`` go to its
        factory (``api_key_env`` for a server, say)."""
        entry = self.entry_for(model_id)
        factory: Callable[..., ModelBackend] = import_object(entry.factory)
        backend = factory(model_id, **options)
        if not isinstance(backend, ModelBackend):
            raise TypeError(f"{entry.factory} returned {type(backend).__name__}, not a backend")
        return backend


class ChanceBackend(ModelBackend):
    """The baseline every exam result is read against: every continuation equally likely,
    none greedy, so its pick is always the first option and its accuracy is what a guess
    gets on the bank's answer key."""

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        return [
            Scores(
                logprobs=(-math.log(len(r.continuations)),) * len(r.continuations),
                greedy=(False,) * len(r.continuations),
            )
            for r in requests
        ]


BACKENDS = BackendRegistry()
BACKENDS.register(
    "chance", "llmiq.exam.backends:ChanceBackend", N_("every option equally likely (the baseline)")
)
BACKENDS.register(
    "openai:",
    "llmiq.exam.openai_backend:OpenAIBackend",
    N_("any OpenAI-compatible server: openai:MODEL@URL (vLLM, llama.cpp, Ollama, OpenAI)"),
)
BACKENDS.register(
    "gemma3-270m",
    "llmiq.exam.hf_backend:load_backend",
    N_("Google's Gemma 3 270M base, built in, multilingual (Gemma terms of use)"),
)
BACKENDS.register(
    "smollm2-135m-instruct",
    "llmiq.exam.hf_backend:load_backend",
    N_("Hugging Face's SmolLM2-135M-Instruct, built in, English"),
)
BACKENDS.register(
    "hf:",
    "llmiq.exam.hf_backend:load_backend",
    N_("any transformers causal LM: hf:FOLDER, hf:FILE.gguf or hf:ORG/NAME from your HF cache"),
)
