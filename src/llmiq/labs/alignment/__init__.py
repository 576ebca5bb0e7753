"""Alignment lab (seed question 3, "alignment-techniques", answer C: data augmentation is not
an alignment technique).

A tiny policy language model (``llmiq.labs.tinylm.GPT`` over a word vocabulary, see
``llmiq.labs.preference``) answers requests such as "can you open the door ?". Fine-tuned on
six template replies, the *reference* policy answers about half the time politely ("sure ,
happy to help you .") and half the time rudely ("not my problem !"). A hidden rule — a rater who
prefers polite replies — labels pairs of replies; the training methods only ever see the
labelled pairs (or, for augmentation, replies with no label at all):

1. DPO (Rafailov et al. 2023, "Direct Preference Optimization: Your Language Model is
   Secretly a Reward Model"), the loss written from scratch in ``preference.dpo_loss``,
   beta = 0.1, two epochs over every (polite, rude) pair of the training requests at a
   learning rate 30x below the fine-tuning one (3e-4: of the settings tried on seeds 0-9,
   the one whose replies stayed readable on every seed; faster or longer DPO garbled them
   on some seeds — see below);
2. RLHF (Christiano et al. 2017; Ouyang et al. 2022): a Bradley-Terry reward model fitted to
   the same pairs, then REINFORCE with a leave-one-out baseline and a KL penalty to the
   reference (``preference.train_policy_gradient``);
3. supervised fine-tuning on augmented data: the same replies, paraphrased (synonyms) and
   noised (a dropped or swapped word), polite and rude alike, with no preference signal.

Each resulting policy answers the held-out requests (never in the preference data) and is
scored with the hidden rule: its win-rate against the reference (a policy reply against a
reference reply to the same request; the polite one wins, ties count half; 0.5 = no change)
and its KL divergence to the reference, KL(pi || pi_ref) per reply in nats. The full run
repeats everything for three seeds (each its own split, reference, training and samples) and
the verdicts use the mean. The claim of the
question is that (1) and (2) move the win-rate and (3) does not; the verdicts compare the
measured shift with thresholds fixed in this file before measuring. The full run also leaves
DPO running for up to 16 epochs and measures it on the way: with deterministic preferences
nothing stops DPO from pushing the rejected replies' probability towards zero (Azar et al.
2023, "A General Theoretical Paradigm to Understand Learning from Human Preferences"), and
on a model this small part of the mass can land on garbled replies (the lab reports their
share; it depends on the seed).

The data are made from templates in ``llmiq.labs.preference`` (``REPLIES``, ``SYNONYMS``).
Left out: PPO (REINFORCE instead), preferences from real people (the rule is deterministic),
and any instruction data or capability evaluation beyond the hidden rule.

One idea per module: ``config``, ``data`` (augmentation), ``methods`` (DPO, RLHF,
augmentation), ``measuring`` (the hidden rule's win-rate and KL), ``claims``, ``figures`` and
``experiment`` (the run and its metrics); the shared preference code is
``llmiq.labs.preference``.
"""

from llmiq.labs.alignment.claims import augmentation_claim, moves_claim
from llmiq.labs.alignment.config import Config
from llmiq.labs.alignment.data import augment, augmented_data, swapped
from llmiq.labs.alignment.experiment import AlignmentMetrics, run
from llmiq.labs.alignment.measuring import Measured, win_rate_by_request

Metrics = AlignmentMetrics

__all__ = [
    "AlignmentMetrics",
    "Config",
    "Measured",
    "Metrics",
    "augment",
    "augmentation_claim",
    "augmented_data",
    "moves_claim",
    "run",
    "swapped",
    "win_rate_by_request",
]
