"""The transformers backend with the real built-in SmolLM2-135M-Instruct: its batched, cached
scores equal a naive full forward per option (lm-eval's definition), padding changes
nothing, the converted model is cached by file hash, and ``hf:`` errors are one sentence.

The model is converted once per session (about a minute) into a session-wide data directory
that the tests needing it point ``LLMIQ_HOME`` at.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from llmiq.bank.catalog import builtin_entries, load_entry
from llmiq.errors import LlmiqError
from llmiq.exam.backends import BACKENDS, Scores, ScoringRequest
from llmiq.exam.hf_backend import BatchLimits, TransformersBackend
from llmiq.exam.local_models import file_sha256, models_dir, smollm2_file

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

MODEL = "smollm2-135m-instruct"
LETTERS = (" A", " B", " C", " D")

# Prompts of different lengths, single- and multi-token continuations, a context with a
# trailing space (lm-eval moves it to the continuation) and an empty context.
REQUESTS = [
    ScoringRequest(
        "Which setting controls the randomness of output?\nA. Max new tokens\nB. Top-k\n"
        "C. Temperature\nAnswer:",
        LETTERS[:3],
    ),
    ScoringRequest("Q: 2+2=\nA:", (" 4", " four", " 22, obviously not")),
    ScoringRequest("The capital of France is", (" Paris", " the city of Lyon", " Berlin")),
    ScoringRequest("Hi ", ("there", "you, over there")),
    ScoringRequest(
        "A long context. " * 12 + "Pick one.\nA. yes\nB. no\nC. maybe\nD. never\nAnswer:",
        LETTERS,
    ),
    ScoringRequest("", ("Hello", " world")),
]


@pytest.fixture
def shared_home(model_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's data directory is the session's, where the model is converted already."""
    monkeypatch.setenv("LLMIQ_HOME", str(model_home))
    return model_home


def reference_scores(backend: TransformersBackend, request: ScoringRequest) -> Scores:
    """lm-eval's loglikelihood, the slow way: for each option, tokenize as lm-eval does
    (encode context + continuation whole, split at the context's own length), run one
    unpadded forward of the whole sequence, log-softmax, gather."""
    tokenizer, special = backend.tokenizer, backend.add_bos
    logprobs, greedy = [], []
    for continuation in request.continuations:
        context = request.prompt
        spaces = len(context) - len(context.rstrip())
        if spaces:
            context, continuation = context[:-spaces], context[-spaces:] + continuation
        if context:
            context_ids = tokenizer(context, add_special_tokens=special)["input_ids"]
            whole = tokenizer(context + continuation, add_special_tokens=special)["input_ids"]
            target = whole[len(context_ids) :]
        else:
            context_ids = [backend.prefix_token]
            target = tokenizer(continuation, add_special_tokens=special)["input_ids"]
        ids = torch.tensor([context_ids + target])
        with torch.inference_mode():
            logits = backend.model(input_ids=ids).logits[0]  # (T, V)
        steps = torch.log_softmax(logits.float(), dim=-1)[len(context_ids) - 1 : -1]
        wanted = torch.tensor(target)
        logprobs.append(float(steps.gather(-1, wanted.unsqueeze(-1)).sum()))
        greedy.append(bool((steps.argmax(-1) == wanted).all()))
    return Scores(tuple(logprobs), tuple(greedy))


@pytest.mark.parametrize("trees", [True, False], ids=["token-trees", "plain-sequences"])
def test_scores_equal_a_full_forward_per_option(smollm2: TransformersBackend, trees: bool) -> None:
    backend = TransformersBackend(MODEL, smollm2.model, smollm2.tokenizer, trees=trees)
    scores = backend.score(REQUESTS)  # contexts of 1 to ~60 tokens, one tree or one row each
    assert len(scores) == len(REQUESTS)
    for request, got in zip(REQUESTS, scores, strict=True):
        want = reference_scores(smollm2, request)
        assert got.logprobs == pytest.approx(want.logprobs, abs=1e-4), request.prompt
        assert got.greedy == want.greedy, request.prompt


def test_a_header_every_request_shares_is_run_once_and_changes_nothing(
    smollm2: TransformersBackend,
) -> None:
    header = "The following are multiple choice questions (with answers) about cities.\n\n"
    requests = [ScoringRequest(header + r.prompt, r.continuations) for r in REQUESTS]
    trees = TransformersBackend(MODEL, smollm2.model, smollm2.tokenizer, trees=True)
    for request, got in zip(requests, trees.score(requests), strict=True):
        want = reference_scores(smollm2, request)
        assert got.logprobs == pytest.approx(want.logprobs, abs=1e-4), request.prompt
        assert got.greedy == want.greedy, request.prompt


def test_smollm2_passes_the_check_for_token_trees(smollm2: TransformersBackend) -> None:
    assert smollm2.runs_trees()


def test_tree_size_and_batching_change_nothing(smollm2: TransformersBackend) -> None:
    together = smollm2.score(REQUESTS)
    alone = [smollm2.score([request])[0] for request in REQUESTS]
    tiny = TransformersBackend(
        MODEL, smollm2.model, smollm2.tokenizer, limits=BatchLimits(tokens=64, rows=2)
    )
    small_batches = tiny.score(REQUESTS)
    for a, b, c in zip(together, alone, small_batches, strict=True):
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)
        assert a.logprobs == pytest.approx(c.logprobs, abs=1e-4)
        assert a.greedy == b.greedy == c.greedy


def test_greedy_flags_the_continuation_greedy_decoding_writes(
    smollm2: TransformersBackend,
) -> None:
    prompt = "The capital of France is"
    written = smollm2.generate([prompt], max_new_tokens=3)[0]
    assert written.strip()
    (scores,) = smollm2.score([ScoringRequest(prompt, (written, " a banana", written + "!?"))])
    assert scores.greedy[:2] == (True, False)
    assert scores.best() == 0


def test_generate_is_greedy_and_padding_free(smollm2: TransformersBackend) -> None:
    prompts = ["The capital of France is", "Q: What is two plus two?\nA:"]
    together = smollm2.generate(prompts, max_new_tokens=6)
    alone = [smollm2.generate([p], max_new_tokens=6)[0] for p in prompts]
    assert together == alone
    assert all(isinstance(text, str) and text for text in together)


def test_second_load_comes_from_the_cache(
    conversion: tuple[TransformersBackend, float], shared_home: Path
) -> None:
    first_backend, first_seconds = conversion
    key = file_sha256(smollm2_file())[:16]
    folder = models_dir() / key
    assert (folder / "model.safetensors").is_file()
    assert (folder / "config.json").is_file()
    # A conversion killed half-way left its temporary folder: it must not be mistaken for the
    # model, and it goes away once its process is gone.
    abandoned = models_dir() / f".{key}.{2**22 + 12345}.x1y2.partial"
    abandoned.mkdir()
    (abandoned / "config.json").write_text("{}", "utf-8")
    start = time.perf_counter()
    backend = BACKENDS.load(MODEL)
    seconds = time.perf_counter() - start
    print(f"\nsmollm2: first load (conversion) {first_seconds:.1f} s, second load {seconds:.2f} s")
    assert seconds < max(10.0, first_seconds / 3)  # ~1 s idle; generous on a busy machine
    assert not abandoned.exists()
    assert sorted(p.name for p in models_dir().iterdir()) == [key]
    request = REQUESTS[:1]
    assert backend.score(request)[0].logprobs == pytest.approx(
        first_backend.score(request)[0].logprobs, abs=1e-5
    )


def test_hf_folder_and_gguf_load_the_same_model(
    smollm2: TransformersBackend, shared_home: Path
) -> None:
    folder = models_dir() / file_sha256(smollm2_file())[:16]
    backend = BACKENDS.load(f"hf:{folder}")
    assert backend.score(REQUESTS[:2]) == smollm2.score(REQUESTS[:2])
    # The same GGUF named by path has the same hash: the conversion is found, not redone.
    from_gguf = BACKENDS.load(f"hf:{smollm2_file()}")
    assert from_gguf.score(REQUESTS[:2]) == smollm2.score(REQUESTS[:2])
    assert [p.name for p in models_dir().iterdir()] == [folder.name]


def seed_question_request(lang: str) -> tuple[ScoringRequest, list[str]]:
    seed = load_entry(next(e for e in builtin_entries() if e.id == "seed"))
    question = seed.question("output-randomness")
    assert question is not None
    lines = [question.prompt.get(lang)]
    lines += [f"{o.key}. {o.text.get(lang)}" for o in question.options]
    lines.append("答案:" if lang == "zh" else "Answer:")
    keys = [o.key for o in question.options]
    return ScoringRequest("\n".join(lines), tuple(f" {k}" for k in keys)), keys


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_seed_question_letter_pick(smollm2: TransformersBackend, lang: str) -> None:
    """What the model picks is reported, never asserted: a 135M model is near chance."""
    request, keys = seed_question_request(lang)
    (scores,) = smollm2.score([request])
    probabilities = [math.exp(lp) for lp in scores.logprobs]
    picked = keys[scores.best()]
    shown = ", ".join(f"{k} {p:.3f}" for k, p in zip(keys, probabilities, strict=True))
    print(f"\nsmollm2 on seed output-randomness ({lang}): picks {picked} ({shown}); keyed C")
    assert picked in keys
    assert all(0 < p <= 1 for p in probabilities)
    assert sum(probabilities) <= 1 + 1e-6
    assert sum(scores.greedy) <= 1


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/no/such/folder/model", "no model folder or GGUF file at /no/such/folder/model"),
        ("./missing-model", "no model folder or GGUF file at missing-model"),
    ],
)
def test_hf_missing_folder_is_one_sentence(target: str, says: str) -> None:
    with pytest.raises(LlmiqError) as caught:
        BACKENDS.load(f"hf:{target}")
    message = str(caught.value)
    assert message == says
    assert "\n" not in message


def test_hf_folder_that_is_not_a_causal_lm(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(LlmiqError, match=r"no config\.json"):
        BACKENDS.load(f"hf:{tmp_path / 'empty'}")
    vision = tmp_path / "vision"
    vision.mkdir()
    (vision / "config.json").write_text('{"model_type": "vit"}', "utf-8")
    with pytest.raises(LlmiqError, match=r"is not a causal language model \(its type is vit\)"):
        BACKENDS.load(f"hf:{vision}")


def test_hf_hub_id_not_in_the_cache_downloads_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(LlmiqError, match="in your Hugging Face cache") as e:
        BACKENDS.load("hf:nobody-here/no-such-model")
    assert "\n" not in str(e.value)


def test_uses_the_cores_it_has(smollm2: TransformersBackend) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert torch.get_num_threads() == cores
