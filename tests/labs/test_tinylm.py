from __future__ import annotations

from pathlib import Path

import pytest
import torch

from llmiq.labs.tinylm import (
    GPT,
    GPTConfig,
    cache_key,
    decode,
    encode,
    evaluate,
    generate,
    load,
    save,
    sequence_logprob,
    train,
)

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

SMALL = GPTConfig(block_size=16, n_layer=1, n_head=2, n_embd=32)


def _model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(SMALL)


def test_bytes_round_trip() -> None:
    assert decode(encode("提示校准 ok")) == "提示校准 ok"


def test_attention_is_causal() -> None:
    model = _model().eval()
    a = torch.tensor([[1, 2, 3, 4, 5]])
    b = torch.tensor([[1, 2, 3, 9, 9]])
    with torch.no_grad():
        la, lb = model(a), model(b)
    assert torch.allclose(la[0, :3], lb[0, :3], atol=1e-6)
    assert not torch.allclose(la[0, 3:], lb[0, 3:])


def test_training_learns_a_repeating_pattern() -> None:
    model = _model()
    data = torch.tensor(encode("abcd" * 200))
    generator = torch.Generator().manual_seed(0)
    before = evaluate(model, data, generator=torch.Generator().manual_seed(1))
    losses = train(model, data, steps=100, batch_size=16, lr=1e-2, generator=generator)
    after = evaluate(model, data, generator=torch.Generator().manual_seed(1))
    assert after < before / 5
    assert losses[-1] < losses[0]
    continuation = generate(model, encode("abcd"), 8, temperature=0.1,
                            generator=torch.Generator().manual_seed(0))  # fmt: skip
    assert decode(continuation) == "abcdabcd"
    assert sequence_logprob(model, encode("abcd"), encode("a")) > sequence_logprob(
        model, encode("abcd"), encode("c")
    )


def test_training_is_deterministic_with_a_seed() -> None:
    data = torch.tensor(encode("the quick brown fox " * 50))
    runs = []
    for _ in range(2):
        model = _model(3)
        runs.append(train(model, data, steps=5, generator=torch.Generator().manual_seed(3)))
    assert runs[0] == runs[1]


def test_save_and_load(tmp_path: Path) -> None:
    model = _model()
    save(model, tmp_path / "m.pt")
    again = load(tmp_path / "m.pt")
    x = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        assert torch.equal(model.eval()(x), again(x))
    assert cache_key(SMALL, "corpus", 1) != cache_key(SMALL, "corpus", 2)
