"""The exam's backend plug point: the registry resolves model ids (exact and by prefix),
imports a backend only when used, and the built-in chance baseline scores like a backend."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Sequence

import pytest

from llmiq.errors import LlmiqError
from llmiq.exam.backends import (
    BACKENDS,
    BackendRegistry,
    ModelBackend,
    Scores,
    ScoringRequest,
)


class LengthBackend(ModelBackend):
    """Prefers short continuations: log P = -len, greedy for the shortest. A real backend of
    this module's interface, written for the registry tests."""

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        out = []
        for request in requests:
            logprobs = tuple(-float(len(c)) for c in request.continuations)
            out.append(Scores(logprobs, tuple(lp == max(logprobs) for lp in logprobs)))
        return out


def make_length_backend(model_id: str) -> LengthBackend:
    return LengthBackend(model_id)


def not_a_backend(model_id: str) -> object:
    return object()


def test_chance_backend_gives_every_option_the_same_probability() -> None:
    requests = [ScoringRequest("Q1", (" A", " B", " C", " D")), ScoringRequest("Q2", (" A", " B"))]
    with BACKENDS.load("chance") as backend:
        scores = backend.score(requests)
    assert [len(s.logprobs) for s in scores] == [4, 2]
    for one in scores:
        assert math.isclose(sum(math.exp(lp) for lp in one.logprobs), 1.0)
        assert one.best() == 0
        assert not any(one.greedy)


def test_prefix_entries_take_the_rest_of_the_id(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = BackendRegistry()
    registry.register("length:", f"{__name__}:make_length_backend", "short answers win")
    backend = registry.load("length:tiny")
    assert backend.model_id == "length:tiny"
    (scores,) = backend.score([ScoringRequest("Which?", (" longer", " A", " mid"))])
    assert scores.best() == 1
    assert scores.greedy == (False, True, False)


def test_unknown_ids_and_bare_prefixes_name_the_models() -> None:
    registry = BackendRegistry()
    registry.register("chance", "llmiq.exam.backends:ChanceBackend", "baseline")
    registry.register("length:", f"{__name__}:make_length_backend", "short answers win")
    for model_id in ("gpt-nothing", "length:"):
        with pytest.raises(LlmiqError, match=r"models: chance, length:\.\.\."):
            registry.load(model_id)


def test_a_name_is_registered_once() -> None:
    registry = BackendRegistry()
    registry.register("chance", "llmiq.exam.backends:ChanceBackend", "baseline")
    with pytest.raises(ValueError, match="registered already"):
        registry.register("chance", "llmiq.exam.backends:ChanceBackend", "again")


def test_a_factory_must_return_a_backend() -> None:
    registry = BackendRegistry()
    registry.register("odd", f"{__name__}:not_a_backend", "returns something else")
    with pytest.raises(TypeError, match="not a backend"):
        registry.load("odd")


def test_best_takes_the_first_of_equal_scores() -> None:
    assert Scores((-2.0, -0.5, -0.5), (False, False, False)).best() == 1
    with pytest.raises(ValueError, match="at least one continuation"):
        ScoringRequest("Q", ())


def test_listing_models_imports_no_backend_module() -> None:
    code = (
        "import sys; from llmiq.exam.backends import BACKENDS; BACKENDS.entries();"
        "sys.exit(sorted({'numpy', 'torch', 'httpx'} & set(sys.modules)) or 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
