"""The shared preference code: DPO and Bradley-Terry losses against hand-computed values and
torch's logistic loss, log-probabilities against tinylm's, the KL, Adam against torch's, the
sampler, and the request world's hidden rule."""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F

from llmiq.labs import preference
from llmiq.labs.preference import PreferencePair
from llmiq.labs.tinylm import GPT, sequence_logprob

pytestmark = pytest.mark.slow  # torch; most tests here train, load or run a model


@pytest.fixture(scope="module")
def world() -> preference.RequestWorld:
    return preference.request_world(seed=0)


def _model(world: preference.RequestWorld, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(preference.policy_config(len(world.vocab), 24, n_layer=1, n_embd=32)).eval()


def test_docstring_examples_hold(run_doctests: Callable[..., doctest.TestResults]) -> None:
    result = run_doctests(preference)
    assert result.attempted >= 8
    assert result.failed == 0


# --- DPO and Bradley-Terry ----------------------------------------------------------------------


def test_dpo_loss_by_hand_with_the_default_beta() -> None:
    # the policy raised the chosen reply by 1 nat (-3 -> -2) and lowered the rejected one by
    # 1 nat (-5 -> -6): margin = 0.1 * (1 - (-1)) = 0.2, loss = log(1 + e^-0.2) = 0.598139
    loss, margin = preference.dpo_loss(
        torch.tensor([-2.0]), torch.tensor([-6.0]), torch.tensor([-3.0]), torch.tensor([-5.0])
    )
    assert margin.item() == pytest.approx(0.2)
    assert loss.item() == pytest.approx(0.598139, abs=1e-6)
    assert loss.item() == pytest.approx(math.log(1 + math.exp(-0.2)))


def test_dpo_loss_is_log_two_at_the_reference_whatever_beta() -> None:
    logps = torch.tensor([-4.0, -1.5, -7.25])
    for beta in (0.01, 0.1, 1.0, 100.0):
        loss, margin = preference.dpo_loss(logps, logps - 1, logps, logps - 1, beta)
        assert loss.item() == pytest.approx(math.log(2))
        assert torch.equal(margin, torch.zeros(3))


def test_dpo_loss_equals_torch_logistic_loss_and_its_gradient() -> None:
    generator = torch.Generator().manual_seed(0)
    pc, pr, rc, rr = (torch.randn(16, generator=generator) * 3 for _ in range(4))
    pc.requires_grad_(True)
    beta = 0.1
    loss, margin = preference.dpo_loss(pc, pr, rc, rr, beta)
    theirs = F.binary_cross_entropy_with_logits(beta * ((pc - rc) - (pr - rr)), torch.ones(16))
    torch.testing.assert_close(loss, theirs)
    loss.backward()
    # d loss / d log pi(y_w) = -beta * sigmoid(-margin) / B (Rafailov et al. 2023, section 4)
    torch.testing.assert_close(pc.grad, -beta * torch.sigmoid(-margin.detach()) / 16)


def test_bradley_terry_loss_by_hand_and_against_torch() -> None:
    # P(chosen > rejected) = sigmoid(2 - 0) = 0.880797; loss = -log of it = 0.126928
    loss = preference.bradley_terry_loss(torch.tensor([2.0]), torch.tensor([0.0]))
    assert loss.item() == pytest.approx(0.126928, abs=1e-6)
    chosen, rejected = torch.randn(10), torch.randn(10)
    torch.testing.assert_close(
        preference.bradley_terry_loss(chosen, rejected),
        F.binary_cross_entropy_with_logits(chosen - rejected, torch.ones(10)),
    )


def test_dpo_training_raises_the_chosen_over_the_rejected(world) -> None:
    reference = _model(world)
    before = {k: v.clone() for k, v in reference.state_dict().items()}
    pairs = world.preference_pairs(world.train_requests)
    policy = preference.policy_from(reference)
    losses = preference.train_dpo(policy, reference, pairs, beta=0.1, steps=10, batch_size=16,
                                  lr=1e-3, generator=torch.Generator().manual_seed(0))  # fmt: skip
    assert losses[0] == pytest.approx(math.log(2), abs=1e-5)  # policy == reference at step 1
    assert losses[-1] < losses[0]
    prompts = [p.prompt for p in pairs]
    with torch.no_grad():
        gap = lambda m: (  # noqa: E731
            preference.response_logprobs(m, prompts, [p.chosen for p in pairs])
            - preference.response_logprobs(m, prompts, [p.rejected for p in pairs])
        ).mean()
        assert gap(policy) > gap(reference) + 1.0
    for name, value in reference.state_dict().items():  # the reference is left untouched
        assert torch.equal(value, before[name])


def test_reward_model_learns_the_pairs(world) -> None:
    reference = _model(world)
    pairs = world.preference_pairs(world.train_requests)
    model = preference.RewardModel(reference)
    assert preference.pair_accuracy(model, pairs) == 0.0  # zero head: every score ties
    losses = preference.train_reward_model(model, pairs, steps=40, batch_size=32, lr=3e-3,
                                           generator=torch.Generator().manual_seed(0))  # fmt: skip
    assert losses[0] == pytest.approx(math.log(2), abs=1e-5)
    assert losses[-1] < 0.1
    assert preference.pair_accuracy(model, world.preference_pairs(world.test_requests)) == 1.0
    swapped = [PreferencePair(p.prompt, p.rejected, p.chosen) for p in pairs]
    assert preference.pair_accuracy(model, swapped) == 0.0


# --- log-probabilities, KL, sampling -------------------------------------------------------------


def test_response_logprobs_equal_tinylm_sequence_logprob(world) -> None:
    model = _model(world)
    prompts = [world.prompt("open", "door"), world.prompt("fix", "car")]
    responses = [world.replies("open", "door", "polite")[2], world.replies("fix", "car", "rude")[0]]
    ours = preference.response_logprobs(model, prompts, responses)
    for i, (p, r) in enumerate(zip(prompts, responses, strict=True)):
        assert ours[i].item() == pytest.approx(sequence_logprob(model, p, r), abs=1e-5)


def test_response_kl_is_zero_for_the_same_model_and_matches_torch_kl_div(world) -> None:
    policy, reference = _model(world, seed=0), _model(world, seed=1)
    prompts = [world.prompt("open", "door")] * 2
    responses = [
        world.replies("open", "door", "polite")[0],
        world.replies("open", "door", "rude")[1],
    ]
    with torch.no_grad():
        assert torch.equal(
            preference.response_kl(policy, policy, prompts, responses), torch.zeros(2)
        )
        ours = preference.response_kl(policy, reference, prompts, responses)
        inputs, _, mask = preference.episode_batch(prompts, responses)
        logp = F.log_softmax(policy(inputs), -1)
        logq = F.log_softmax(reference(inputs), -1)
        theirs = (F.kl_div(logq, logp, log_target=True, reduction="none").sum(-1) * mask).sum(-1)
    torch.testing.assert_close(ours, theirs)
    assert (ours > 0).all()


def test_sampling_stops_at_end_handles_prompt_lengths_and_is_seeded(world) -> None:
    model = _model(world)
    prompts = [
        world.prompt("open", "door"),
        [world.vocab.index["<bot>"]],
        world.prompt("fix", "car"),
    ]
    sample = lambda seed: preference.sample_responses(  # noqa: E731
        model, prompts, end=world.vocab.end, max_new_tokens=6,
        generator=torch.Generator().manual_seed(seed),
    )  # fmt: skip
    first, again = sample(0), sample(0)
    assert first == again
    for response in first:
        assert 1 <= len(response) <= 6
        assert world.vocab.end not in response[:-1]  # cut right after the first <end>


def test_sft_shows_each_update_to_on_step_and_lowers_the_loss(world) -> None:
    model = _model(world)
    prompts, responses = world.sft_data()
    seen: list[tuple[int, bool]] = []
    losses = preference.train_sft(
        model, prompts, responses, steps=12, batch_size=32, lr=1e-2,
        generator=torch.Generator().manual_seed(0),
        on_step=lambda step, m: seen.append((step, m is model)),
    )  # fmt: skip
    assert seen == [(step, True) for step in range(1, 13)]
    assert sum(losses[-3:]) < sum(losses[:3])


def test_adam_equals_torch_adam(world) -> None:
    ours_model, torch_model = _model(world), _model(world)
    ours = preference.Adam(ours_model.parameters(), lr=3e-3)
    theirs = torch.optim.Adam(torch_model.parameters(), lr=3e-3, foreach=False)
    inputs = torch.randint(len(world.vocab), (4, 10), generator=torch.Generator().manual_seed(0))
    for model, optimizer in ((ours_model, ours), (torch_model, theirs)):
        model.train()
        for _ in range(5):
            loss = model(inputs).logsumexp(-1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for a, b in zip(ours_model.parameters(), torch_model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def test_policy_gradient_raises_a_simple_reward_and_records_measures(world) -> None:
    reference, _ = preference.train_reference(
        world, n_layer=1, n_embd=32, max_new_tokens=10, steps=60, batch_size=64, lr=1e-2,
        generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    assert all(not p.requires_grad for p in reference.parameters())
    prompts = [world.prompt(v, o) for v, o in world.train_requests]

    def polite(_: object, responses: list[list[int]]) -> torch.Tensor:
        return torch.tensor([float(world.judge(r) == 1) for r in responses])

    policy = preference.policy_from(reference)
    history = preference.train_policy_gradient(
        policy, reference, prompts, polite, end=world.vocab.end, kl_coef=0.0, steps=30,
        batch_size=32, lr=3e-3, max_new_tokens=10, generator=torch.Generator().manual_seed(0),
        measures={"length": lambda _, rs: torch.tensor([float(len(r)) for r in rs])},
    )  # fmt: skip
    assert history[0].kl == pytest.approx(0.0, abs=1e-6)  # the first samples are the reference's
    assert 0.2 < history[0].reward < 0.8
    assert sum(h.reward for h in history[-5:]) / 5 > 0.9
    assert history[-1].kl > 0.1
    assert set(history[-1].measures) == {"length"}


# --- the world ----------------------------------------------------------------------------------


def test_the_hidden_rule_and_the_gold_reward(world) -> None:
    assert world.longest_reply == 8
    for kind, score in (("polite", 1), ("rude", -1)):
        for reply in world.replies("open", "door", kind):
            assert world.judge(reply) == score
            assert world.gold(reply) == score
    padded = world.vocab.encode("sure , happy to help . sure , happy to help .")  # 12 words
    assert world.gold(padded) == pytest.approx(1 - 4 * preference.RAMBLE_PENALTY)
    assert world.judge(world.vocab.encode("sure , not my problem !")) == 0  # both: neither


def test_world_data_is_balanced_and_pairs_follow_the_rule(world) -> None:
    assert len(world.train_requests) + len(world.test_requests) == 36
    assert not set(world.train_requests) & set(world.test_requests)
    _, responses = world.sft_data()
    scores = [world.judge(r) for r in responses]
    assert scores.count(1) == scores.count(-1) == len(responses) // 2
    pairs = world.preference_pairs(world.train_requests)
    assert len(pairs) == 9 * len(world.train_requests)
    assert all(world.judge(p.chosen) > world.judge(p.rejected) for p in pairs)
    # the loophole of the reward-hacking lab: the polite replies are the longer ones
    lengths = {
        kind: [len(t.split()) for t in preference.REPLIES[kind]] for kind in ("polite", "rude")
    }
    assert min(lengths["polite"]) > max(lengths["rude"])


def test_the_kv_cache_gives_the_full_forward_logits(world) -> None:
    torch.manual_seed(0)
    model = GPT(preference.policy_config(len(world.vocab), 16, n_layer=2, n_embd=32)).eval()
    ids = torch.randint(len(world.vocab), (3, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model(ids)  # (3, 12, V)
        logits, cache = preference.forward_cached(model, ids[:, :5], None)
        pieces = [logits]
        for t in range(5, 12):
            logits, cache = preference.forward_cached(model, ids[:, t : t + 1], cache)
            pieces.append(logits)
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, rtol=1e-5, atol=1e-5)
    assert cache[0][0].shape == (3, 2, 12, 16)  # (B, heads, tokens, head size)
    with pytest.raises(ValueError, match="block_size"):
        preference.forward_cached(model, ids[:, :5], cache)
