"""The objectives, from scratch: the DPO loss (Rafailov et al. 2023, eq. 7), the
Bradley-Terry loss (Bradley & Terry 1952), and the reward model they fit (Ouyang et al.
2022): a copy of the policy's trunk with a scalar head."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from llmiq.labs.preference.policy import pad_episodes, policy_from
from llmiq.labs.preference.world import PreferencePair, Tokens
from llmiq.labs.tinylm import GPT


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


@torch.no_grad()
def pair_accuracy(reward_model: RewardModel, pairs: Sequence[PreferencePair]) -> float:
    """Share of pairs whose chosen response the reward model scores higher."""
    prompts = [p.prompt for p in pairs]
    chosen = reward_model(prompts, [p.chosen for p in pairs])
    rejected = reward_model(prompts, [p.rejected for p in pairs])
    return (chosen > rejected).float().mean().item()
