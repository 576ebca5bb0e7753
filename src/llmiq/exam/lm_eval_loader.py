"""The questions of an llmiq lm-eval task folder, for lm-eval's ``custom_dataset``.

``llmiq export BANK -f lm-eval`` copies this file into the folder as ``llmiq_questions.py``:
lm-eval imports it from beside the task YAML, and it reads ``questions.jsonl`` from beside
itself, so the folder runs from any working directory. It needs only ``datasets``, which
lm-eval installs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load(**_options: Any) -> Any:
    """``{"test": Dataset}`` of the JSONL beside this file (lm-eval passes its metadata as
    keyword arguments; none is needed)."""
    import datasets

    path = Path(__file__).with_name("questions.jsonl")
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})
