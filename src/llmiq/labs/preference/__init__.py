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

One idea per module: ``world`` (the requests, replies and hidden rule), ``policy`` (the GPT,
its episodes, log-probabilities and cached sampling), ``objectives`` (the DPO and
Bradley-Terry losses, the reward model), ``training`` (one loop for SFT, DPO, the reward model
and REINFORCE) and ``measuring`` (samples, KL, win-rates).
"""

from llmiq.labs.preference.measuring import PolicySamples, sample_policy, standard_error, win_rate
from llmiq.labs.preference.objectives import (
    RewardModel,
    bradley_terry_loss,
    dpo_loss,
    pair_accuracy,
)
from llmiq.labs.preference.policy import (
    KVCache,
    episode_batch,
    forward_cached,
    pad_episodes,
    policy_config,
    policy_from,
    response_kl,
    response_logprobs,
    sample_responses,
    token_logprobs,
)
from llmiq.labs.preference.training import (
    Adam,
    PolicyGradientStep,
    optimise,
    pair_scores,
    train_dpo,
    train_policy_gradient,
    train_reference,
    train_reward_model,
    train_sft,
)
from llmiq.labs.preference.world import (
    BOT,
    END,
    OBJECTS,
    POLITE_WORDS,
    RAMBLE_PENALTY,
    REPLIES,
    REQUEST,
    RUDE_WORDS,
    SYNONYMS,
    VERBS,
    PreferencePair,
    RequestWorld,
    RewardFn,
    Tokens,
    WordVocab,
    politeness,
    request_world,
)

__all__ = [
    "BOT",
    "END",
    "OBJECTS",
    "POLITE_WORDS",
    "RAMBLE_PENALTY",
    "REPLIES",
    "REQUEST",
    "RUDE_WORDS",
    "SYNONYMS",
    "VERBS",
    "Adam",
    "KVCache",
    "PolicyGradientStep",
    "PolicySamples",
    "PreferencePair",
    "RequestWorld",
    "RewardFn",
    "RewardModel",
    "Tokens",
    "WordVocab",
    "bradley_terry_loss",
    "dpo_loss",
    "episode_batch",
    "forward_cached",
    "optimise",
    "pad_episodes",
    "pair_accuracy",
    "pair_scores",
    "policy_config",
    "policy_from",
    "politeness",
    "request_world",
    "response_kl",
    "response_logprobs",
    "sample_policy",
    "sample_responses",
    "standard_error",
    "token_logprobs",
    "train_dpo",
    "train_policy_gradient",
    "train_reference",
    "train_reward_model",
    "train_sft",
    "win_rate",
]
