"""The built-in SmolLM2, converted once per test session into a session-wide data
directory (about a minute), shared by every exam test that runs a real model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmiq.exam.backends import BACKENDS
from llmiq.exam.hf_backend import TransformersBackend

MODEL = "smollm2-135m-instruct"


@pytest.fixture(scope="session")
def conversion(model_home: Path) -> tuple[TransformersBackend, float]:
    """The built-in model, converted into ``model_home`` once; and how long that took."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        start = time.perf_counter()
        backend = BACKENDS.load(MODEL)
        seconds = time.perf_counter() - start
    assert isinstance(backend, TransformersBackend)
    return backend, seconds


@pytest.fixture
def smollm2(conversion: tuple[TransformersBackend, float]) -> TransformersBackend:
    return conversion[0]
