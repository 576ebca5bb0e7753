"""Reward-hacking lab (seed question 4, "reward-hacking", answer B: exploiting loopholes in the
reward function).

The policy is the alignment lab's: a tiny GPT over a word vocabulary that answers requests
("can you open the door ?") half politely, half rudely (``llmiq.labs.preference``). The true
("gold") reward is what the rater wants: +1 for a polite reply, -1 for a rude one, and 0.1
less for every word beyond the longest proper reply (8 words).

The proxy is *learned*, as in RLHF: a Bradley-Terry reward model (``reward_model``) fitted
to preference pairs that the rater labelled with the true reward. Its features (which words
a reply contains, its length, its length beyond 8 words) can express the true reward
exactly; the loophole is in the data. The usual comparisons pit a polite template reply
against a rude one, and the polite ones are the longer: length separates every pair as well
as politeness does, and no pair shows what padding costs. The fitted RM ranks held-out pairs
of that kind perfectly, and pays for length. A second RM, fitted on as many pairs of which
half compare padded, cut-off and random replies, has no such loophole.

Each seed trains the reference (SFT), fits both RMs, and runs the same RL from the
reference (REINFORCE with a leave-one-out baseline, ``preference.train_policy_gradient``):

1. on the proxy RM, no KL penalty: the policy first turns polite (both rewards rise), then
   pads its replies — the proxy keeps rising while the true reward peaks and falls, the
   over-optimisation curve of Gao, Schulman & Hilton, "Scaling Laws for Reward Model
   Overoptimization" (ICML 2023, arXiv:2210.10760), Figure 1, plotted like theirs against
   d = sqrt(KL) and fitted with their RL form d(alpha - beta ln d); the length exploit is
   the one Singhal et al. found in real RLHF ("A Long Way to Go: Investigating Length
   Correlations in RLHF", 2023);
2. on the proxy RM with each KL penalty of a list fixed in advance (0.01, 0.1, 1), the usual
   mitigation (Ziegler et al. 2019; Stiennon et al. 2020; Ouyang et al. 2022): the stronger,
   the closer the policy stays — and, as Gao et al. found of their KL penalty, no better than
   stopping the unpenalised run early;
3. on the clean RM: the same optimisation raises the true reward and keeps it.

The peak of a run is picked on its training curve; the stages (before RL, at the peak, at
the end) are measured on fresh replies to held-out requests, and every verdict is decided
on a 95% interval over seeds x requests (``claims``). KL is the sum over reply positions of
the full next-token KL (``preference.response_kl``).

Left out: a neural reward model (a linear one says exactly what it learned; Gao et al.'s RMs
were transformers of 3M-3B parameters), RM size and data scaling, PPO, best-of-n sampling,
and iterated RM updates on the policy's own samples (the cure Llama 2 used).

One idea per module: ``reward_model`` (features, the two data sets, the fit), ``replicate``
(one seed: RL runs, stages, Gao's fit), ``claims``, ``figures``, ``config``, ``experiment``
(the run and its metrics) and ``tuning`` (how ``rl_steps`` was chosen, on seeds 1000-1002).
"""

from llmiq.labs.reward_hacking.claims import (
    clean_claim,
    early_stopping_claim,
    hacking_claim,
    kl_drift_claim,
    validation_claim,
)
from llmiq.labs.reward_hacking.config import Config
from llmiq.labs.reward_hacking.experiment import Metrics, RewardHackingMetrics, run
from llmiq.labs.reward_hacking.replicate import CLEAN, HACKED, Curve, SeedRun, Stage, run_seed
from llmiq.labs.reward_hacking.reward_model import RewardModel, features, fit_bradley_terry

__all__ = [
    "CLEAN",
    "HACKED",
    "Config",
    "Curve",
    "Metrics",
    "RewardHackingMetrics",
    "RewardModel",
    "SeedRun",
    "Stage",
    "clean_claim",
    "early_stopping_claim",
    "features",
    "fit_bradley_terry",
    "hacking_claim",
    "kl_drift_claim",
    "run",
    "run_seed",
    "validation_claim",
]
