"""The KV-cache lab: the from-scratch cache against torch's attention and transformers'
generate, the formula against the bytes a real model's cache holds, the measured claims in
fast mode, and a broken set-up that flips each verdict.

The real model (SmolLM2-135M-Instruct) is converted once per test session into the shared
``model_home`` (about a minute the first time; ``llmiq.exam.local_models``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from llmiq.labs import kv_cache, tinylm
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.kv_cache import Config, Geometry
from llmiq.labs.report import LabReport, LabResult

pytestmark = pytest.mark.slow  # loads a real model, trains a tiny one

#: the fast config, smaller still: the mechanics of the broken set-ups, in a few seconds
TINY = replace(
    Config.fast(),
    prompt_tokens=12,
    real_new_tokens=3,
    uncached_tokens=2,
    corpus_chars=30_000,
    scratch_new_tokens=32,
    train_steps=10,
    timing_repeats=1,
    layer_tokens=16,
)
SEEDS = [0]


@pytest.fixture
def shared_home(model_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMIQ_HOME", str(model_home))
    return model_home


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("kv-cache")


@pytest.fixture(scope="module")
def smollm2(model_home: Path) -> tuple[Any, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        loaded = kv_cache.load_model("smollm2-135m-instruct")
    return loaded.model, loaded.tokenizer


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Small tensors: one thread, as the lab itself uses."""
    with torch_threads(1):
        yield


def run_tiny(tmp_path: Path, **broken: object) -> LabResult[Any]:
    return kv_cache.run(replace(TINY, **broken), LabContext(tmp_path, show_progress=False))


# --- the fast run's claims and numbers ---------------------------------------------------


def test_every_claim_is_supported(report: LabReport) -> None:
    assert (report.lab, report.question) == ("kv-cache", "kv-cache-memory")
    assert len(report.claims) == 3
    for claim in report.claims:
        assert claim.supported, claim


def test_every_claim_has_an_interval_and_the_runs_seeds(report: LabReport) -> None:
    size, speed, sharing = report.claims
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.measure, claim.text
        assert claim.seeds == report.seeds == (0,)
    # sizes are exact counts; speed is a timing with a spread
    for exact in (size, sharing):
        assert exact.interval.over.startswith("exact")
        assert exact.interval.estimate == exact.interval.high == 0
    assert speed.interval.low < speed.interval.high
    assert speed.interval.low > 1
    assert "x [" in speed.evidence
    assert [model["id"] for model in report.models] == ["smollm2-135m-instruct"]
    assert report.models[0]["parameters"] > 100_000_000


def test_the_real_cache_is_the_formula_to_the_byte(report: LabReport) -> None:
    m = report.metrics
    assert m.geometry == {"layers": 30, "heads": 9, "kv_heads": 3, "head_dim": 64}
    prompt = Config.fast().prompt_tokens
    assert m.real_cached_tokens == list(range(prompt, prompt + len(m.real_cached_tokens)))
    assert m.real_cache_bytes == m.real_formula_bytes
    assert m.real_steps_matching == m.real_steps_checked == len(m.real_cache_bytes)
    assert m.real_cache_bytes[0] == 2 * 30 * 3 * 64 * prompt * 4 * m.batch  # by hand
    assert m.bf16_cache_bytes == m.bf16_formula_bytes == 2 * 30 * 3 * 64 * prompt * 2 * m.batch
    assert m.bytes_at_max_context_bf16 == 180 * 2**20  # 8192 tokens, one sequence
    assert m.mha_bytes_at_max_context_bf16 == 3 * m.bytes_at_max_context_bf16


def test_cached_decoding_is_the_same_and_faster(report: LabReport) -> None:
    m = report.metrics
    assert m.scratch_same_tokens
    assert m.scratch_first_mismatch == -1
    assert m.scratch_max_logit_diff < 1e-4
    estimate, low, high = m.scratch_speedup
    assert 1 < low <= estimate <= high
    assert len(m.scratch_speedups) == 1  # one seed
    assert len(m.scratch_speedups[0]) == Config.fast().timing_repeats
    assert m.scratch_cache_bytes == [m.scratch_formula_bytes]
    assert m.real_same_tokens
    assert m.real_step_speedup[0] > 1


def test_shared_heads_shrink_the_cache(report: LabReport) -> None:
    m = report.metrics
    assert m.layer_kv_heads == [9, 3, 1]
    assert m.layer_ratios == [1.0, 3.0, 9.0]
    mha, gqa, mqa = m.model_geometry_cache_bytes
    assert mha == 3 * gqa == 9 * mqa
    assert gqa == m.real_cache_bytes[-1]  # SmolLM2 is the 3-key/value-head variant
    assert m.layer_vs_torch_max_abs < 1e-5


def test_figure_and_report_are_written(report: LabReport) -> None:
    assert len(report.figures) == 1
    figure = Path(report.figures[0])
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert (figure.parent / "report.json").is_file()


# --- the from-scratch pieces against the libraries ----------------------------------------


def test_docstring_examples(run_doctests: Callable[..., Any]) -> None:
    results = run_doctests(kv_cache)
    assert results.failed == 0
    assert results.attempted >= 2


def test_storage_bytes_counts_a_shared_storage_once() -> None:
    whole = torch.zeros(4, 6)  # 96 bytes
    a, b = whole[:, :3], whole[:, 3:]
    assert kv_cache.storage_bytes([a, b]) == 96
    assert kv_cache.storage_bytes([a.clone()]) == 48


def test_cached_forward_equals_the_full_forward() -> None:
    """tinylm's own forward (torch's scaled_dot_product_attention, whole sequence) is the
    reference: a prefill, a multi-token chunk on top of the cache, then single tokens."""
    torch.manual_seed(0)
    model = tinylm.GPT(tinylm.GPTConfig(block_size=32, n_layer=2, n_head=4, n_embd=32)).eval()
    ids = torch.randint(0, 256, (2, 20))
    with torch.no_grad():
        full = model(ids)  # (2, 20, 256)
    cache = kv_cache.KVCache(2)
    pieces = [kv_cache.forward_cached(model, ids[:, :8], cache)]
    pieces.append(kv_cache.forward_cached(model, ids[:, 8:12], cache))
    pieces += [kv_cache.forward_cached(model, ids[:, t : t + 1], cache) for t in range(12, 20)]
    assert (torch.cat(pieces, dim=1) - full).abs().max().item() < 1e-5
    assert cache.length == 20
    assert cache.nbytes() == kv_cache.formula_bytes(Geometry(2, 4, 4, 8), 20, 4, batch=2)


def test_the_cache_is_bounded_by_the_block_size() -> None:
    model = tinylm.GPT(tinylm.GPTConfig(block_size=8, n_layer=1, n_head=2, n_embd=16)).eval()
    cache = kv_cache.KVCache(1)
    kv_cache.forward_cached(model, torch.zeros(1, 8, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="9 tokens > block_size 8"):
        kv_cache.forward_cached(model, torch.zeros(1, 1, dtype=torch.long), cache)


def test_greedy_decoders_agree_on_a_random_gpt() -> None:
    torch.manual_seed(1)
    model = tinylm.GPT(tinylm.GPTConfig(block_size=40, n_layer=2, n_head=4, n_embd=32)).eval()
    prompt = torch.randint(0, 256, (2, 8))
    slow = kv_cache.greedy_uncached(model, prompt, 32)
    fast = kv_cache.greedy_cached(model, prompt, 32)
    assert torch.equal(slow.tokens, fast.tokens)
    assert (slow.logits - fast.logits).abs().max().item() < 1e-5
    assert fast.cache_bytes == [
        kv_cache.formula_bytes(Geometry(2, 4, 4, 8), 8 + i, 4, batch=2) for i in range(32)
    ]


@pytest.mark.parametrize("kv_heads", [8, 4, 2, 1])
def test_grouped_query_layer_is_torchs_attention(kv_heads: int) -> None:
    torch.manual_seed(2)
    layer = kv_cache.GroupedQueryAttention(64, 8, kv_heads).eval()
    x = torch.randn(2, 12, 64)
    assert kv_cache.layer_vs_torch(layer, x) < 1e-5
    assert kv_cache.layer_cache_bytes(layer, x) == 2 * kv_heads * 8 * 13 * 4 * 2


def test_query_heads_must_split_into_groups() -> None:
    with pytest.raises(ValueError, match="8 query heads do not split into 3 groups"):
        kv_cache.GroupedQueryAttention(64, 8, 3)


def test_transformers_cache_of_each_geometry_is_the_formula() -> None:
    from transformers import LlamaConfig

    config = LlamaConfig(
        num_hidden_layers=3, hidden_size=96, num_attention_heads=6, head_dim=16, vocab_size=64
    )
    for kv in (6, 2, 1):
        measured = kv_cache.variant_cache_bytes(config, kv, tokens=5, batch=3)
        assert measured == kv_cache.formula_bytes(Geometry(3, 6, kv, 16), 5, 4, batch=3)


def test_our_decoding_loop_is_transformers_generate(smollm2: tuple[Any, Any]) -> None:
    from transformers import GenerationConfig

    model, tokenizer = smollm2
    ids = kv_cache.prompt_ids(tokenizer, 2, 16)
    ours = kv_cache.generate_cached(model, ids, 6)
    settings = GenerationConfig(
        max_new_tokens=6, min_new_tokens=6, do_sample=False, pad_token_id=tokenizer.eos_token_id
    )
    with torch.no_grad():
        out = model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=settings
        )
    assert torch.equal(out[:, 16:], ours.tokens)
    uncached, _ = kv_cache.generate_uncached(model, ids, 6)
    assert torch.equal(uncached, ours.tokens)
    assert ours.cached_tokens == list(range(16, 22))


def test_seeds_draw_their_own_prompts_of_the_bank_text(smollm2: tuple[Any, Any]) -> None:
    _, tokenizer = smollm2
    zero, one = (kv_cache.bank_prompt_ids(tokenizer, 2, 24, seed) for seed in (0, 1))
    assert zero.shape == one.shape == (2, 24)
    assert not torch.equal(zero, one)
    assert torch.equal(zero, kv_cache.bank_prompt_ids(tokenizer, 2, 24, 0))


def test_a_speed_up_above_one_only_on_average_does_not_support_the_speed_claim() -> None:
    """The verdict rests on the interval: timings that are faster on average but slower in
    half the repeats do not show that the cache is faster."""
    import math

    noisy = [[math.log(1.4), math.log(0.8), math.log(1.3)], [math.log(0.85), math.log(1.35)]]
    swinging = kv_cache.speedup_interval(noisy, over="2 seeds")
    steady = kv_cache.speedup_interval([[1.5, 1.6, 1.4], [1.55, 1.5]], over="2 seeds")
    assert swinging.estimate > 1 > swinging.low
    claim = kv_cache.speed_claim(
        scratch=swinging, real=steady, same_tokens=True, first_mismatch=-1, new_tokens=8,
        max_logit_diff=0.0, real_same_tokens=True, real_tokens=4, seconds=(1.0, 0.8, 2.0, 0.5),
        seeds=[0, 1],
    )  # fmt: skip
    assert not claim.supported
    assert claim.interval == swinging  # decided on the weaker of the two
    steady_both = kv_cache.speed_claim(
        scratch=steady, real=steady, same_tokens=True, first_mismatch=-1, new_tokens=8,
        max_logit_diff=0.0, real_same_tokens=True, real_tokens=4, seconds=(1.0, 0.8, 2.0, 0.5),
        seeds=[0, 1],
    )  # fmt: skip
    assert steady_both.supported


# --- broken set-ups flip each verdict ---------------------------------------------------
# Each flips its own claim; the others are checked only where they do not hang on timing
# (the tiny run's speed-up is too small to assert on a busy machine).


def test_a_formula_without_the_values_flips_the_size_verdict(
    shared_home: Path, tmp_path: Path
) -> None:
    result = run_tiny(tmp_path, kv_factor=1)
    size, _, sharing = (claim.supported for claim in result.claims)
    assert (size, sharing) == (False, True)
    m = result.metrics
    assert [2 * p for p in m.real_formula_bytes] == m.real_cache_bytes


def test_a_cache_that_forgets_the_newest_key_flips_the_speed_verdict(
    shared_home: Path, tmp_path: Path
) -> None:
    result = run_tiny(tmp_path, forget_newest=True)
    size, speed, sharing = (claim.supported for claim in result.claims)
    assert (size, speed, sharing) == (True, False, True)
    # far above round-off, even where a model this small still picks the same tokens
    assert result.metrics.scratch_max_logit_diff > 1e-4


def test_repeating_kv_heads_before_caching_flips_the_sharing_verdict(
    shared_home: Path, tmp_path: Path
) -> None:
    result = run_tiny(tmp_path, repeat_before_caching=True)
    size, _, sharing = (claim.supported for claim in result.claims)
    assert (size, sharing) == (True, False)
    assert result.metrics.layer_ratios == [1.0, 1.0, 1.0]
    assert result.metrics.layer_vs_torch_max_abs < 1e-5  # same outputs, no saving
