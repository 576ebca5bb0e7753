"""The labs, by id, without importing them (their modules import torch).

Registering a lab is one line in ``LABS``: its card. The code is the module named after the
id (``llmiq.labs.vector_store`` for ``vector-store``), keeping the contract in
``llmiq.labs.contract``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from llmiq.errors import LlmiqError
from llmiq.labs.report import LabInfo

#: Every lab's card, in the order ``llmiq lab list`` and ``--all`` use: id, the seed question
#: it backs, the claim it tests, its typical full run in seconds. Here, not in the labs'
#: modules, so that ``llmiq lab list`` and the quiz need not import torch.
LABS: tuple[LabInfo, ...] = (
    LabInfo("calibration", "prompt-calibration",
            "contextual calibration removes the label bias of few-shot prompts and raises "
            "real models' accuracy, with no training and no labels", 90,
            literature="Zhao et al. 2021 (Calibrate Before Use), abstract: up to +30.0 points "
            "mean accuracy for GPT-3 and GPT-2, less variance across prompts"),
    LabInfo("vector-store", "vector-store",
            "private facts must be supplied; a collection that fits can be read whole, one past "
            "the context window needs retrieval; tasks solved from the input need no store", 110,
            literature="Lewis et al. 2020 (RAG), Table 1: 44.5 vs 34.5 exact match on Natural "
            "Questions for RAG-Sequence vs the closed-book T5-11B; Sciavolino et al. 2021: BM25 "
            "72.0 vs DPR 49.7 top-20 on entity questions"),
    LabInfo("alignment", "alignment-techniques",
            "DPO and RLHF align a model with preferences; data augmentation without a "
            "preference signal does not", 45,
            literature="Rafailov et al. 2023 (DPO), Fig. 2 left: on IMDb DPO's reward-vs-KL "
            "frontier lies above PPO's and Preferred-FT's (SFT on the chosen replies)"),
    LabInfo("reward-hacking", "reward-hacking",
            "RL against a learned reward model with a loophole raises the proxy while the "
            "true reward falls", 60,
            literature="Gao et al. 2023, Fig. 1 (RL): the gold reward rises, then falls as "
            "sqrt(KL) grows, as d(a - b ln d), while the proxy keeps rising"),
    LabInfo("finetune-base", "finetune-base",
            "the pre-trained base (SmolLM2-135M, pruned or untrained) matters more than the "
            "fine-tuning data size", 100,
            literature="Hernandez et al. 2021 (Scaling Laws for Transfer), text to Python: "
            "effective data transferred 1.9e4 x D_F^0.18 x N^0.38; ULMFiT (Howard & Ruder "
            "2018): pre-trained, 100 labelled examples match 100x more from scratch"),
    LabInfo("attention", "self-attention",
            "self-attention weighs how much every other word matters to each word, "
            "by context", 20,
            literature="Ethayarajh 2019: BERT's representations are context-specific in "
            "every layer (a static embedding explains under 5% of their variance)"),
    LabInfo("subword", "subword-tokenizers",
            "subword tokenizers keep the vocabulary small with no unknown words", 65,
            literature="Sennrich et al. 2016: BPE gives an open vocabulary (no unknown "
            "words) from a fixed one, at the cost of longer sequences"),
    LabInfo("adaptive-softmax", "adaptive-softmax",
            "adaptive softmax is faster because word frequencies follow Zipf's law", 90,
            literature="Grave et al. 2017: 2x-10x faster training at 44k-800k-word vocabularies, "
            "perplexity close to the full softmax's"),
    LabInfo("sampling", "output-randomness",
            "temperature controls the randomness of the output; top-k and max_new_tokens "
            "do not rescale it", 55,
            literature="Holtzman et al. 2020: sampling at T = 1 is far more diverse than "
            "greedy or beam search; lower T trades diversity for quality"),
    LabInfo("sharding", "ddp-vs-fsdp",
            "FSDP cuts each rank's memory to about 1/N of the training state (plus its "
            "gather buffers); DDP keeps a full copy on every rank", 45,
            literature="ZeRO (Rajbhandari et al. 2020), Fig. 1: 7.5B on 64 GPUs, 120 GB per "
            "GPU replicated, 31.4 GB optimizer-sharded, 1.9 GB fully sharded (1/N)"),
    LabInfo("kv-cache", "kv-cache-memory",
            "the KV cache holds 2 x layers x kv_heads x head_dim x tokens values, makes "
            "generation faster, and MQA/GQA shrink it by heads/kv_heads", 65,
            literature="Pope et al. 2022 (Efficiently Scaling Transformer Inference): a 500B+ "
            "model with multi-head attention at batch 512 and context 2048 holds a 3 TB cache, "
            "3x its weights; multi-query attention divides it by the number of heads"),
    LabInfo("rope", "rope-relative-position",
            "with RoPE the attention score depends only on the relative position; plain RoPE "
            "does not extrapolate past the trained length", 75,
            literature="Chen et al. 2023 (Position Interpolation): LLaMA 7B-65B extended to "
            "32768 tokens within 1000 fine-tuning steps; direct fine-tuning without it grew the "
            "effective window only from 2048 to 2560 in 10000 steps"),
    LabInfo("quantization", "int8-weight-quantization",
            "int8 weights keep a real model's next-token distribution close to fp32 at a "
            "quarter of the size; int4 drifts further; per-tensor scales are worse", 55,
            literature="Dettmers et al. 2022 (LLM.int8()): 8-bit weights with no degradation "
            "up to 175B parameters once the outlier dimensions that emerge near 6.7B stay in "
            "16 bits; vector-wise int8 alone degrades from there"),
    LabInfo("decoding", "beam-vs-sampling",
            "greedy and beam search find likelier text that repeats more than sampling; "
            "beam is on average at least as likely as greedy", 80,
            literature="Holtzman et al. 2020, Table 1 (GPT-2 Large): beam (b = 16) perplexity "
            "1.48 and 28.9% repetition vs nucleus (p = 0.95) 13.13 and 0.36%, human text 12.38 "
            "and 0.28%"),
    LabInfo("lora", "lora-trainable-parameters",
            "LoRA trains r(d_in + d_out) parameters per matrix and approaches full "
            "fine-tuning as r grows (learning rates tuned per method)", 95,
            literature="Hu et al. 2021 (LoRA), abstract: 10,000x fewer trainable parameters "
            "than full fine-tuning of GPT-3 175B; Biderman et al. 2024: LoRA learns less "
            "and forgets less"),
    LabInfo("mixed-precision", "bf16-vs-fp16",
            "fp16 overflows where bf16 does not; loss scaling rescues fp16 gradients", 55,
            literature="Micikevicius et al. 2018 (Mixed Precision Training), Fig. 3: SSD's "
            "activation gradients mostly below fp16's range; a loss scale of 8 matched fp32"),
    LabInfo("retrieval", "chunk-size-recall",
            "chunk size changes recall@k; dense MiniLM and BM25 miss different queries", 80,
            literature="BEIR (Thakur et al. 2021), 18 datasets: BM25 a robust zero-shot "
            "baseline dense retrievers often do not beat; RRF (Cormack et al. 2009) fuses "
            "rankings to beat each"),
    LabInfo("scaling", "initial-loss-uniform",
            "a byte model's first loss is ln 256; final loss falls with model size like "
            "E + A/N^alpha; larger models reach lower loss from the same tokens", 70,
            literature="Kaplan et al. 2020: alpha_N = 0.076 (converged models, 10^3-10^9 "
            "parameters); Hoffmann et al. 2022 fit E = 1.69, A = 406.4, alpha = 0.34"),
)  # fmt: skip

#: lab id -> card
LAB_INFO: dict[str, LabInfo] = {info.id: info for info in LABS}

#: lab id -> the module holding its code
LAB_MODULES: dict[str, str] = {info.id: info.module for info in LABS}

_EXTRA_HINT = "the labs need PyTorch and friends: pip install 'llmiq[labs]'"


def lab_ids() -> list[str]:
    return list(LAB_INFO)


def has_lab(lab_id: str | None) -> bool:
    return lab_id in LAB_INFO


def load_lab(lab_id: str) -> ModuleType:
    """The lab's module (see ``llmiq.labs.contract``). An unknown id, or a third-party package
    of the labs extra that is not installed, is one ``LlmiqError`` sentence."""
    if lab_id not in LAB_INFO:
        raise LlmiqError(f"no lab named {lab_id!r}; labs: {', '.join(LAB_INFO)}")
    try:
        return importlib.import_module(LAB_INFO[lab_id].module)
    except ImportError as exc:
        # Anything a lab imports from outside llmiq comes with the labs extra (core
        # dependencies are always installed), so a missing one means the extra is missing.
        missing = exc.name
        if missing and missing.split(".")[0] != "llmiq":
            raise LlmiqError(f"{_EXTRA_HINT} (missing: {missing})") from None
        raise
