"""Alignment lab (seed question 3, "alignment-techniques", answer C: data augmentation is not
an alignment technique — it "uses no human preference signal").

A tiny policy language model (``llmiq.labs.tinylm.GPT`` over a word vocabulary, see
``llmiq.labs.preference``) answers requests such as "can you open the door ?". Fine-tuned on
six template replies, the *reference* policy answers about half the time politely ("sure ,
happy to help you .") and half the time rudely ("not my problem !"). A hidden rule — a rater
who prefers polite replies — labels the 9 (polite, rude) pairs of each of 28 training
requests; the methods see only those 252 labelled pairs, or their replies:

1. DPO (Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is
   Secretly a Reward Model"), the loss written from scratch in ``preference.dpo_loss``;
2. RLHF (Christiano et al. 2017; Ouyang et al. 2022): a Bradley-Terry reward model fitted to
   the pairs, then REINFORCE with a leave-one-out baseline and a KL penalty to the
   reference (``preference.train_policy_gradient``);
3. supervised fine-tuning on the pairs' replies, paraphrased (synonyms) and noised (a dropped
   or swapped word): (a) both replies of every pair, the labels ignored — data augmentation
   with no preference signal; (b) the chosen replies only, augmented the same way — the
   augmentation arm that could work, since the labeller's choice is now in the data; (c) the
   chosen replies as they are, which Rafailov et al. call "Preferred-FT" — so (b) - (c) is
   what the augmentation itself adds.

Equal compute: every method makes ``Config.steps`` = 64 updates of the policy on 64 replies
each (DPO 32 pairs, RLHF 64 sampled replies, the supervised arms 64 replies), and the reward
model draws as many pairs as DPO; the lab counts all of it while training (``Compute``) and
the DPO and RLHF verdicts require the counts to match. RLHF spends more besides: the reward
model's updates and the sampling, both reported.

Each policy answers the 8 held-out requests (never in the preference data) and is scored with
the hidden rule: its win-rate against the reference (a policy reply against a reference reply
to the same request; the polite one wins, ties count half; 0.5 = no change) and its KL
divergence to the reference, KL(pi || pi_ref) per reply in nats. DPO (several beta) and RLHF
(several KL coefficients) are measured at checkpoints along the way: win-rate against KL,
the curve Gao et al. 2023 ("Scaling Laws for Reward Model Overoptimization") and Rafailov et
al. (their Figure 2, reward against KL) compare methods with. The highest win-rate any policy
can reach against this reference is stated with it: a policy that is always polite wins
against the reference's rude replies and ties its polite ones, ~0.75
(``measuring.ceiling_by_request``).

Uncertainty and tuning: the full run repeats everything for 3 seeds (each its own split,
reference, training and samples); verdicts are decided on 95% nested-bootstrap intervals over
seeds x held-out requests against thresholds fixed in ``claims`` before measuring. Every
learning rate, DPO's beta and RLHF's KL coefficient were chosen by ``tuning`` on seeds
1000-1002, never reported, by one rule for all methods.

Rafailov et al. found DPO's reward-KL frontier above PPO's and Preferred-FT's on IMDb; the
lab's curve is the same comparison on its own world, where it need not agree. With
deterministic preferences nothing stops DPO from pushing the rejected replies' probability
towards zero (Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from
Human Preferences"); on a model this small the mass can land on garbled replies (the low-beta
runs of the curve), which the lab reports. Left out: PPO (REINFORCE instead), preferences from
real people (the rule is deterministic), pretrained language models (the claim concerns what
signal a method trains on, which a world with a known rule measures exactly), and any
capability evaluation beyond the hidden rule.

One idea per module: ``config``, ``data`` (augmentation, labellers), ``methods`` (DPO, RLHF,
supervised arms, counted compute), ``measuring`` (win-rate, KL, ceiling), ``replicate`` (one
seed), ``claims``, ``figures``, ``tuning`` and ``experiment`` (the run and its metrics); the
shared preference code is ``llmiq.labs.preference``.
"""

from llmiq.labs.alignment.claims import (
    Outcome,
    augmentation_claim,
    augmentation_gain_claim,
    chosen_claim,
    equal_compute,
    moves_claim,
)
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import augment, augmented_data, labelled, shuffled, swapped
from llmiq.labs.alignment.experiment import AlignmentMetrics, run
from llmiq.labs.alignment.measuring import (
    Measured,
    ceiling_by_request,
    win_rate_by_request,
    win_rates_by_request,
)
from llmiq.labs.alignment.methods import Compute

Metrics = AlignmentMetrics

__all__ = [
    "AlignmentMetrics",
    "Compute",
    "Config",
    "Measured",
    "Metrics",
    "Outcome",
    "augment",
    "augmentation_claim",
    "augmentation_gain_claim",
    "augmented_data",
    "ceiling_by_request",
    "chosen_claim",
    "equal_compute",
    "labelled",
    "moves_claim",
    "run",
    "shuffled",
    "swapped",
    "win_rate_by_request",
    "win_rates_by_request",
]
