"""Preference learning on the tiny GPT: the policy, its frozen reference, a Bradley-Terry reward
model, and the three ways of training on them that the alignment and reward-hacking labs use.

- supervised fine-tuning (SFT): next-token cross-entropy on the response tokens of
  (prompt, response) episodes — how the reference policy is made, and how "data
  augmentation" trains;
- DPO, Direct Preference Optimization (Rafailov, Sharma, Mitchell, Ermon, Manning, Finn,
  "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
  NeurIPS 2023, arXiv:2305.18290), written from scratch in ``dpo_loss``;
- RLHF (Christiano et al. 2017; Ziegler et al. 2019; Ouyang et al. 2022): a Bradley-Terry
  reward model (Bradley & Terry 1952) fitted to the preference pairs, then the policy trained
  on sampled responses with REINFORCE (Williams 1992) and a leave-one-out baseline, the
  reward penalised by ``kl_coef * (log pi(y|x) - log pi_ref(y|x))`` as in Ziegler et al.

The world both labs share is made here from templates (no data is downloaded): 36 requests
"can you <verb> the <object> ?" and six replies, three polite ("sure , happy to help you .")
and three rude ("not my problem !"). The reference policy is fine-tuned on every request with each
reply once, so it answers about half politely, half rudely. The hidden rule — a rater who
prefers polite replies (``politeness``) — labels the preference pairs; the true ("gold")
reward of the reward-hacking lab is the same rule minus a penalty for padding. The polite
replies happen to be the longer ones, which is the loophole that lab's proxy reward has.

The policy is ``llmiq.labs.tinylm.GPT`` over this world's 50 *words* (``WordVocab``)
instead of bytes, so an episode is 7 prompt tokens and a handful of response tokens, and
sampling a batch of responses for RL costs milliseconds on one CPU thread. A response ends
with ``<end>``. Training uses a small Adam written out here (``Adam``, equal to torch's).

Left out: PPO's clipped objective, value head and GAE (plain REINFORCE with a baseline is
enough for responses of a few tokens), per-token KL shaping (the penalty is on the whole
sequence), reward normalisation and whitening, the IPO/KTO variants of DPO, label smoothing,
and any padding-aware attention (prompts are grouped by length instead, so batches never
need left padding).
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs.tinylm import GPT, GPTConfig

END = "<end>"  # ends every response
BOT = "<bot>"  # ends every prompt: "the reply starts here"

Tokens = list[int]
RewardFn = Callable[[Sequence[Tokens], Sequence[Tokens]], torch.Tensor]  # (prompts, responses)


# --- words <-> token ids ----------------------------------------------------------------------


class WordVocab:
    """Whitespace-separated words <-> ids; ``<end>`` and ``<bot>`` are always in it.

    >>> vocab = WordVocab(["sure , happy to help ."])
    >>> vocab.decode(vocab.encode("sure , happy to help . <end>"))
    'sure , happy to help . <end>'
    """

    def __init__(self, texts: Sequence[str]) -> None:
        words = sorted({w for text in texts for w in text.split()} - {END, BOT})
        self.words = [END, BOT, *words]
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def end(self) -> int:
        return self.index[END]

    def encode(self, text: str) -> Tokens:
        return [self.index[w] for w in text.split()]

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self.words[int(i)] for i in ids)

    def response_text(self, ids: Sequence[int]) -> str:
        """A response without its ``<end>`` (a response cut at the length limit has none)."""
        return self.decode([i for i in ids if i != self.end])


@dataclass(frozen=True)
class PreferencePair:
    prompt: Tokens  # ends with <bot>
    chosen: Tokens  # the preferred response, ends with <end>
    rejected: Tokens  # the dispreferred response, ends with <end>


# --- the world both labs use: requests and replies ------------------------------------------

VERBS = ("open", "close", "clean", "fix", "paint", "check")
OBJECTS = ("door", "window", "car", "lamp", "desk", "roof")
REQUEST = "can you {verb} the {object} ? <bot>"
REPLIES = {  # what the reference policy learns to say, half of it polite, half rude
    "polite": (
        "sure , happy to help you .",
        "of course , with great pleasure .",
        "gladly , i will happily start now .",
    ),
    "rude": (
        "no way !",
        "not my problem !",
        "no , do it yourself !",
    ),
}
#: the hidden rule's markers: every reply has two, so no single dropped word (the alignment
#: lab's noise) can change its kind, polite or rude alike
POLITE_WORDS = frozenset(
    {"sure", "certainly", "course", "happy", "glad", "gladly", "happily", "pleasure"}
)
RUDE_WORDS = frozenset({"no", "nope", "not", "way", "yourself", "problem", "concern"})
#: paraphrases that keep the meaning (the alignment lab's data augmentation draws on them)
SYNONYMS = {
    "sure": "certainly",
    "happy": "glad",
    "help": "assist",
    "gladly": "happily",
    "start": "begin",
    "no": "nope",
    "problem": "concern",
}
RAMBLE_PENALTY = 0.1  # true reward lost per word beyond the longest reply the world has


def politeness(words: Sequence[str]) -> int:
    """The hidden rule: +1 for a polite reply, -1 for a rude one, 0 for neither or both.

    >>> politeness("sure , happy to help .".split()), politeness("not my problem !".split())
    (1, -1)
    >>> politeness("sure , not my problem !".split()), politeness("i will do it".split())
    (0, 0)
    """
    polite = any(w in POLITE_WORDS for w in words)
    rude = any(w in RUDE_WORDS for w in words)
    return int(polite) - int(rude)


@dataclass(frozen=True)
class RequestWorld:
    """Requests "can you <verb> the <object> ?" and replies from templates; a seeded split of
    the 36 requests into those the preference data may use and those held out for testing."""

    vocab: WordVocab
    train_requests: tuple[tuple[str, str], ...]  # (verb, object)
    test_requests: tuple[tuple[str, str], ...]

    @property
    def longest_reply(self) -> int:
        """Words in the longest template reply (rambling starts after it)."""
        return max(len(t.split()) for kind in REPLIES.values() for t in kind)

    def prompt(self, verb: str, obj: str) -> Tokens:
        return self.vocab.encode(REQUEST.format(verb=verb, object=obj))

    def replies(self, verb: str, obj: str, kind: str) -> list[Tokens]:
        return [
            self.vocab.encode(t.format(verb=verb, object=obj) + f" {END}") for t in REPLIES[kind]
        ]

    def words(self, response: Sequence[int]) -> list[str]:
        return self.vocab.response_text(response).split()

    def judge(self, response: Sequence[int]) -> int:
        """The hidden preference rule applied to one reply (see ``politeness``)."""
        return politeness(self.words(response))

    def gold(self, response: Sequence[int]) -> float:
        """The true reward: the hidden rule, minus ``RAMBLE_PENALTY`` per word beyond the
        longest reply of the world (a rater prefers polite replies, and dislikes padding)."""
        extra = max(0, len(self.words(response)) - self.longest_reply)
        return self.judge(response) - RAMBLE_PENALTY * extra

    def sft_data(self) -> tuple[list[Tokens], list[Tokens]]:
        """Every request with each of the six replies once: half polite, half rude."""
        prompts, responses = [], []
        for verb in VERBS:
            for obj in OBJECTS:
                for kind in REPLIES:
                    for reply in self.replies(verb, obj, kind):
                        prompts.append(self.prompt(verb, obj))
                        responses.append(reply)
        return prompts, responses

    def preference_pairs(self, requests: Sequence[tuple[str, str]]) -> list[PreferencePair]:
        """Every polite reply against every rude one, labelled by the hidden rule."""
        pairs = []
        for verb, obj in requests:
            for a in self.replies(verb, obj, "polite"):
                for b in self.replies(verb, obj, "rude"):
                    chosen, rejected = (a, b) if self.judge(a) > self.judge(b) else (b, a)
                    pairs.append(PreferencePair(self.prompt(verb, obj), chosen, rejected))
        return pairs


def request_world(seed: int, held_out: int = 8) -> RequestWorld:
    requests = [(v, o) for v in VERBS for o in OBJECTS]
    order = torch.randperm(len(requests), generator=torch.Generator().manual_seed(seed)).tolist()
    texts = [REQUEST, *REPLIES["polite"], *REPLIES["rude"], " ".join(SYNONYMS.values())]
    texts += [" ".join(VERBS + OBJECTS)]
    vocab = WordVocab([t.replace("{verb}", "").replace("{object}", "") for t in texts])
    return RequestWorld(
        vocab,
        tuple(requests[i] for i in sorted(order[held_out:])),
        tuple(requests[i] for i in sorted(order[:held_out])),
    )


def policy_config(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> GPTConfig:
    """A tinylm GPT over the world's words (one head per 16 dimensions)."""
    return GPTConfig(
        vocab_size=vocab_size,
        block_size=block_size,
        n_layer=n_layer,
        n_head=max(1, n_embd // 16),
        n_embd=n_embd,
    )


def train_reference(
    world: RequestWorld,
    *,
    n_layer: int,
    n_embd: int,
    max_new_tokens: int,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
) -> tuple[GPT, list[float]]:
    """The reference policy: a fresh GPT fine-tuned (SFT) on the world's replies, which it
    then gives about half polite, half rude. Returns it (frozen, in eval mode) and the losses."""
    prompts, responses = world.sft_data()
    block = max(len(p) for p in prompts) + max_new_tokens
    model = GPT(policy_config(len(world.vocab), block, n_layer, n_embd))
    losses = train_sft(
        model, prompts, responses, steps=steps, batch_size=batch_size, lr=lr,
        generator=generator, advance=advance,
    )  # fmt: skip
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model.eval(), losses


def policy_from(reference: GPT) -> GPT:
    """A trainable copy of the (frozen) reference: where every training method starts."""
    policy = copy.deepcopy(reference)
    for parameter in policy.parameters():
        parameter.requires_grad_(True)
    return policy


# --- batches and log-probabilities -------------------------------------------------------------


def episode_batch(
    prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(inputs (B, T-1), targets (B, T-1), response mask (B, T-1)) for next-token prediction of
    the response tokens only. Episodes are right-padded; padding sits after every response
    token, so under causal attention it changes nothing that is scored.

    >>> _, targets, mask = episode_batch([[5, 6]], [[7, 0]])
    >>> targets.tolist(), mask.tolist()
    ([[6, 7, 0]], [[False, True, True]])
    """
    ids = pad_episodes(prompts, responses)  # (B, T)
    mask = torch.zeros(ids.shape[0], ids.shape[1] - 1, dtype=torch.bool)  # (B, T-1)
    for row, (p, r) in enumerate(zip(prompts, responses, strict=True)):
        mask[row, len(p) - 1 : len(p) + len(r) - 1] = True  # position t predicts token t+1
    return ids[:, :-1], ids[:, 1:], mask


def pad_episodes(prompts: Sequence[Tokens], responses: Sequence[Tokens]) -> torch.Tensor:
    """Prompt + response token ids, right-padded with 0: (B, T).

    >>> pad_episodes([[5, 6], [5]], [[7], [8]]).tolist()
    [[5, 6, 7], [5, 8, 0]]
    """
    lengths = [len(p) + len(r) for p, r in zip(prompts, responses, strict=True)]
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    for row, (p, r) in enumerate(zip(prompts, responses, strict=True)):
        ids[row, : len(p) + len(r)] = torch.tensor([*p, *r])
    return ids


def token_logprobs(
    model: GPT, inputs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """log p(target_t | inputs_<=t) at the masked positions, 0 elsewhere: (B, T-1)."""
    logp = F.log_softmax(model(inputs), dim=-1)  # (B, T-1, V)
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask


def response_logprobs(
    model: GPT, prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> torch.Tensor:
    """log pi(response | prompt), summed over the response tokens: (B,). Differentiable."""
    inputs, targets, mask = episode_batch(prompts, responses)
    return token_logprobs(model, inputs, targets, mask).sum(-1)


def response_kl(
    policy: GPT, reference: GPT, prompts: Sequence[Tokens], responses: Sequence[Tokens]
) -> torch.Tensor:
    """Per response, sum over its positions of KL(pi(.|ctx) || pi_ref(.|ctx)) in nats: (B,).

    On responses sampled from the policy its mean estimates the sequence-level
    KL(pi || pi_ref) = E_y~pi[log pi(y|x) - log pi_ref(y|x)] without bias, with the full
    next-token distributions in place of the single sampled token (lower variance, never < 0).
    """
    inputs, _, mask = episode_batch(prompts, responses)
    logp = F.log_softmax(policy(inputs), dim=-1)  # (B, T-1, V)
    logq = F.log_softmax(reference(inputs), dim=-1)
    per_position = (logp.exp() * (logp - logq)).sum(-1)  # (B, T-1)
    return (per_position * mask).sum(-1)


KVCache = list[tuple[torch.Tensor, torch.Tensor]]  # per block: keys, values (B, nh, t, hs)


def forward_cached(
    model: GPT, idx: torch.Tensor, cache: KVCache | None
) -> tuple[torch.Tensor, KVCache]:
    """``model(idx)`` for the tokens that follow the ones already in ``cache``: logits
    (B, T, V) and the cache extended by them. With ``cache=None`` it is the plain causal
    forward of a prompt; afterwards one token at a time attends to every cached key, so a
    sampled token costs one position instead of the whole sequence again. Built from the
    GPT's own modules (tinylm has no cache); the tests check it against ``model(ids)``."""
    B, T = idx.shape
    start = 0 if cache is None else cache[0][0].shape[2]
    if start + T > model.config.block_size:
        raise ValueError(f"{start + T} tokens > block_size {model.config.block_size}")
    x = model.tok(idx) + model.pos(torch.arange(start, start + T))  # (B, T, C)
    C = x.shape[2]
    extended = []
    for layer, block in enumerate(model.blocks):
        attn = block.attn
        q, k, v = attn.qkv(block.ln1(x)).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            k = torch.cat([cache[layer][0], k], dim=2)  # (B, nh, start + T, hs)
            v = torch.cat([cache[layer][1], v], dim=2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=cache is None)  # (B, nh, T, hs)
        x = x + attn.proj(y.transpose(1, 2).contiguous().view(B, T, C))
        x = x + block.mlp(block.ln2(x))
        extended.append((k, v))
    return model.head(model.ln_f(x)), extended


@torch.no_grad()
def sample_responses(
    model: GPT,
    prompts: Sequence[Tokens],
    *,
    end: int,
    max_new_tokens: int,
    generator: torch.Generator,
    temperature: float = 1.0,
) -> list[Tokens]:
    """One sampled response per prompt, cut after its first ``end`` token (or at
    ``max_new_tokens`` without one). Prompts of equal length are sampled as one batch."""
    model.eval()
    by_length: dict[int, list[int]] = defaultdict(list)
    for row, prompt in enumerate(prompts):
        by_length[len(prompt)].append(row)
    responses: list[Tokens] = [[] for _ in prompts]
    for rows in by_length.values():
        logits, cache = forward_cached(model, torch.tensor([prompts[r] for r in rows]), None)
        tokens = []
        done = torch.zeros(len(rows), dtype=torch.bool)  # (b,)
        for step in range(max_new_tokens):
            probs = F.softmax(logits[:, -1] / temperature, dim=-1)  # (b, V)
            token = torch.multinomial(probs, 1, generator=generator)  # (b, 1)
            tokens.append(token)
            done |= token.squeeze(1) == end
            if bool(done.all()) or step == max_new_tokens - 1:
                break
            logits, cache = forward_cached(model, token, cache)
        sampled_rows = torch.cat(tokens, dim=1).tolist()  # (b, n)
        for row, sampled in zip(rows, sampled_rows, strict=True):
            responses[row] = sampled[: sampled.index(end) + 1] if end in sampled else sampled
    return responses


# --- losses, from scratch ----------------------------------------------------------------------


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    reference_chosen: torch.Tensor,
    reference_rejected: torch.Tensor,
    beta: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The DPO loss (Rafailov et al. 2023, eq. 7) from sequence log-probabilities (B,) each:

        L = -mean log sigmoid(beta * [(log pi(y_w) - log pi_ref(y_w))
                                      - (log pi(y_l) - log pi_ref(y_l))])

    Returns (loss, margin (B,)); the margin is the difference of the implicit rewards
    ``beta * log(pi / pi_ref)`` of chosen and rejected. Worked example: the policy raised the
    chosen response by 1 nat and lowered the rejected one by 1 nat, beta = 0.5, so the
    margin is 0.5 * (1 - (-1)) = 1 and the loss is -log sigmoid(1) = log(1 + e^-1) = 0.3133.

    >>> loss, margin = dpo_loss(torch.tensor([-2.0]), torch.tensor([-6.0]),
    ...                         torch.tensor([-3.0]), torch.tensor([-5.0]), beta=0.5)
    >>> round(loss.item(), 4), margin.tolist()
    (0.3133, [1.0])
    """
    chosen_reward = beta * (policy_chosen - reference_chosen)  # (B,)
    rejected_reward = beta * (policy_rejected - reference_rejected)  # (B,)
    margin = chosen_reward - rejected_reward
    return -F.logsigmoid(margin).mean(), margin


def bradley_terry_loss(reward_chosen: torch.Tensor, reward_rejected: torch.Tensor) -> torch.Tensor:
    """-mean log P(chosen > rejected) with P = sigmoid(r_w - r_l) (Bradley & Terry 1952).

    >>> round(bradley_terry_loss(torch.tensor([2.0]), torch.tensor([2.0])).item(), 4)  # log 2
    0.6931
    """
    return -F.logsigmoid(reward_chosen - reward_rejected).mean()


# --- the reward model ----------------------------------------------------------------------------


class RewardModel(nn.Module):
    """A scalar score for a whole episode: a copy of a GPT's trunk (embeddings, blocks, final
    norm; the language-model head is unused) and a linear head on the hidden state of the
    episode's last token, as in Ouyang et al. 2022."""

    def __init__(self, trunk: GPT) -> None:
        super().__init__()
        self.trunk = policy_from(trunk)
        self.head = nn.Linear(trunk.config.n_embd, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, prompts: Sequence[Tokens], responses: Sequence[Tokens]) -> torch.Tensor:
        ids = pad_episodes(prompts, responses)  # (B, T)
        gpt = self.trunk
        x = gpt.tok(ids) + gpt.pos(torch.arange(ids.shape[1]))  # (B, T, C)
        for block in gpt.blocks:
            x = block(x)
        x = gpt.ln_f(x)
        last = torch.tensor([len(p) + len(r) - 1 for p, r in zip(prompts, responses, strict=True)])
        return self.head(x[torch.arange(len(last)), last]).squeeze(-1)  # (B,)


# --- training loops ------------------------------------------------------------------------------


class Adam:
    """Adam (Kingma & Ba 2015) with torch's defaults and no weight decay, step t:

        m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,
        p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)

    the same arithmetic as ``torch.optim.Adam`` (the tests compare them). Written out because
    constructing any ``torch.optim`` optimizer imports ``torch._dynamo``, measured at 1.8-2.4 s
    on the 2-core machine: a third of a ``--fast`` run of these labs.
    """

    def __init__(
        self,
        params: Iterable[nn.Parameter],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1**self.t)
        bias2_sqrt = math.sqrt(1 - b2**self.t)
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, (v.sqrt() / bias2_sqrt).add_(self.eps), value=-step_size)


def _adam(model: nn.Module, lr: float) -> Adam:
    return Adam(model.parameters(), lr=lr)


def train_sft(
    model: GPT,
    prompts: Sequence[Tokens],
    responses: Sequence[Tokens],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
) -> list[float]:
    """Next-token cross-entropy on the response tokens of random episodes, the learning rate
    decayed to 0 on a cosine as in ``tinylm.train``; loss per step."""
    optimizer = _adam(model, lr)
    model.train()
    losses = []
    for step in range(steps):
        optimizer.lr = lr * 0.5 * (1 + math.cos(math.pi * step / max(steps, 1)))
        rows = torch.randint(len(prompts), (batch_size,), generator=generator).tolist()
        inputs, targets, mask = episode_batch(
            [prompts[i] for i in rows], [responses[i] for i in rows]
        )
        loss = -token_logprobs(model, inputs, targets, mask).sum() / mask.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        advance(1)
    model.eval()
    return losses


def train_dpo(
    policy: GPT,
    reference: GPT,
    pairs: Sequence[PreferencePair],
    *,
    beta: float,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, GPT], None] | None = None,
) -> list[float]:
    """DPO on random mini-batches of pairs, starting from the policy as given; loss per step.
    ``on_step(step, policy)`` sees the policy after each update."""
    prompts = [p.prompt for p in pairs]
    with torch.no_grad():
        reference.eval()
        ref_chosen = response_logprobs(reference, prompts, [p.chosen for p in pairs])  # (N,)
        ref_rejected = response_logprobs(reference, prompts, [p.rejected for p in pairs])
    optimizer = _adam(policy, lr)
    policy.train()
    losses = []
    for step in range(steps):
        rows = torch.randint(len(pairs), (batch_size,), generator=generator)
        batch = [pairs[i] for i in rows.tolist()]
        both = response_logprobs(  # chosen and rejected in one forward pass: (2B,)
            policy,
            [p.prompt for p in batch] * 2,
            [p.chosen for p in batch] + [p.rejected for p in batch],
        )
        loss, _ = dpo_loss(
            both[: len(batch)], both[len(batch) :], ref_chosen[rows], ref_rejected[rows], beta
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step + 1, policy)
        advance(1)
    policy.eval()
    return losses


def train_reward_model(
    reward_model: RewardModel,
    pairs: Sequence[PreferencePair],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    advance: Callable[[int], None] = lambda _: None,
) -> list[float]:
    """Bradley-Terry fit on random mini-batches of pairs; loss per step."""
    optimizer = _adam(reward_model, lr)
    reward_model.train()
    losses = []
    for _ in range(steps):
        batch = [pairs[i] for i in torch.randint(len(pairs), (batch_size,), generator=generator)]
        scores = reward_model(
            [p.prompt for p in batch] * 2, [p.chosen for p in batch] + [p.rejected for p in batch]
        )
        loss = bradley_terry_loss(scores[: len(batch)], scores[len(batch) :])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        advance(1)
    reward_model.eval()
    return losses


@torch.no_grad()
def pair_accuracy(reward_model: RewardModel, pairs: Sequence[PreferencePair]) -> float:
    """Share of pairs whose chosen response the reward model scores higher."""
    prompts = [p.prompt for p in pairs]
    chosen = reward_model(prompts, [p.chosen for p in pairs])
    rejected = reward_model(prompts, [p.rejected for p in pairs])
    return (chosen > rejected).float().mean().item()


@dataclass
class PolicyGradientStep:
    step: int  # optimiser steps taken so far
    reward: float  # mean optimised reward of this step's samples (before the KL penalty)
    kl: float  # mean KL(pi || pi_ref) on this step's samples, nats (see response_kl)
    measures: dict[str, float]  # mean of each extra measure on the same samples


def train_policy_gradient(
    policy: GPT,
    reference: GPT,
    prompts: Sequence[Tokens],
    reward: RewardFn,
    *,
    end: int,
    kl_coef: float,
    steps: int,
    batch_size: int,
    lr: float,
    max_new_tokens: int,
    generator: torch.Generator,
    measures: dict[str, RewardFn] | None = None,
    advance: Callable[[int], None] = lambda _: None,
    on_step: Callable[[int, GPT], None] | None = None,
) -> list[PolicyGradientStep]:
    """REINFORCE with a KL penalty to the frozen reference; one record per step.

    Each step samples one response for each of ``batch_size`` random prompts, scores it
    ``R = reward(x, y) - kl_coef * (log pi(y|x) - log pi_ref(y|x))`` and follows
    ``mean((R - b) * grad log pi(y|x))`` with the leave-one-out baseline ``b`` (the mean R
    of the other samples of the batch: unbiased, and less noisy than no baseline). Since
    ``E[(log pi - log pi_ref) grad log pi] = grad KL(pi || pi_ref)``, the penalty in the reward
    is a gradient step on the KL. ``measures`` (e.g. a gold reward nobody optimises) are
    evaluated on the same samples and recorded, never used for the update; ``on_step(step,
    policy)`` sees the policy after each update (to keep snapshots).
    """
    optimizer = _adam(policy, lr)
    reference.eval()
    history = []
    for step in range(steps):
        rows = torch.randint(len(prompts), (batch_size,), generator=generator).tolist()
        batch = [prompts[i] for i in rows]
        responses = sample_responses(
            policy, batch, end=end, max_new_tokens=max_new_tokens, generator=generator
        )
        inputs, targets, mask = episode_batch(batch, responses)
        policy.train()
        logits = policy(inputs)  # (B, T-1, V)
        logp_all = F.log_softmax(logits, dim=-1)
        logp = (logp_all.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask).sum(-1)  # (B,)
        with torch.no_grad():
            logq_all = F.log_softmax(reference(inputs), dim=-1)  # (B, T-1, V)
            ref_logp = (logq_all.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask).sum(-1)
            kl_full = ((logp_all.exp() * (logp_all - logq_all)).sum(-1) * mask).sum(-1)  # (B,)
            task = reward(batch, responses).float()  # (B,)
            total = task - kl_coef * (logp.detach() - ref_logp)
            baseline = (total.sum() - total) / (len(total) - 1)
            extra = {
                name: fn(batch, responses).float().mean().item()
                for name, fn in (measures or {}).items()
            }
        loss = -((total - baseline) * logp).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history.append(
            PolicyGradientStep(step + 1, task.mean().item(), kl_full.mean().item(), extra)
        )
        if on_step is not None:
            on_step(step + 1, policy)
        advance(1)
    policy.eval()
    return history


# --- measuring a policy -------------------------------------------------------------------------


@dataclass
class PolicySamples:
    prompts: list[Tokens]
    responses: list[Tokens]
    kl: torch.Tensor  # (N,) per-response KL(pi || pi_ref) in nats, see response_kl

    @property
    def mean_kl(self) -> float:
        return self.kl.mean().item()


@torch.no_grad()
def sample_policy(
    policy: GPT,
    reference: GPT,
    prompts: Sequence[Tokens],
    *,
    per_prompt: int,
    end: int,
    max_new_tokens: int,
    generator: torch.Generator,
) -> PolicySamples:
    """``per_prompt`` responses to each prompt and the KL of the policy to the reference on
    them (a policy that *is* the reference has KL exactly 0)."""
    repeated = [p for p in prompts for _ in range(per_prompt)]
    responses = sample_responses(
        policy, repeated, end=end, max_new_tokens=max_new_tokens, generator=generator
    )
    kl = response_kl(policy.eval(), reference.eval(), repeated, responses)
    return PolicySamples(repeated, responses, kl)


def win_rate(policy_scores: Sequence[float], reference_scores: Sequence[float]) -> float:
    """Share of paired comparisons the policy wins under a judge's scores, ties counting half.

    >>> win_rate([1, 0, 1, -1], [0, 0, -1, 1])
    0.625
    """
    pairs = list(zip(policy_scores, reference_scores, strict=True))
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)


def standard_error(share: float, n: int) -> float:
    """Binomial standard error of a share measured on ``n`` samples."""
    return math.sqrt(max(share * (1 - share), 1e-12) / max(n, 1))
