"""Fast checks of the local models' plumbing, with no model loaded: listing models imports no
torch, a conversion is published whole or not at all, and ``hf:`` refuses bad paths in one
sentence before importing anything heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmiq.errors import LlmiqError
from llmiq.exam.local_models import cached_conversion, models_dir, resolve_model


def test_listing_models_imports_no_torch() -> None:
    code = (
        "import sys;"
        "from llmiq.exam.backends import BACKENDS;"
        "import llmiq.exam.local_models;"
        "names = [e.name for e in BACKENDS.entries()];"
        "assert {'gemma3-270m', 'smollm2-135m-instruct', 'hf:'} <= set(names), names;"
        "heavy = {'torch', 'transformers', 'gguf', 'accelerate', 'safetensors'} & set(sys.modules);"
        "sys.exit(sorted(heavy) or 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def write_model(folder: Path) -> None:
    (folder / "config.json").write_text("{}", "utf-8")
    (folder / "model.safetensors").write_bytes(b"weights")


def test_a_conversion_is_published_whole_and_once() -> None:
    calls = []

    def convert(out: Path) -> None:
        calls.append(out)
        write_model(out)

    folder = cached_conversion("abc123", convert, source={"model": "m", "sha256": "abc123"})
    assert folder == models_dir() / "abc123"
    assert json.loads((folder / "llmiq-source.json").read_text("utf-8"))["model"] == "m"
    assert cached_conversion("abc123", convert) == folder
    assert len(calls) == 1
    assert calls[0].name.startswith(f".abc123.{os.getpid()}.")
    assert sorted(p.name for p in models_dir().iterdir()) == ["abc123"]


def test_an_interrupted_conversion_leaves_nothing() -> None:
    def killed(out: Path) -> None:
        (out / "config.json").write_text("{}", "utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_conversion("abc123", killed)
    assert list(models_dir().iterdir()) == []
    assert cached_conversion("abc123", write_model) == models_dir() / "abc123"


def test_a_dead_process_temporary_folder_is_removed_a_live_one_kept() -> None:
    root = models_dir()
    dead = root / f".abc123.{2**22 + 4321}.q1.partial"
    live = root / f".abc123.{os.getpid()}.q2.partial"
    for folder in (dead, live):
        folder.mkdir(parents=True)
        write_model(folder)  # complete-looking, but never renamed into place
    cached_conversion("abc123", write_model)
    assert not dead.exists()
    assert live.exists()
    assert (root / "abc123" / "config.json").is_file()


def test_a_conversion_that_writes_no_weights_is_refused() -> None:
    def empty(out: Path) -> None:
        (out / "config.json").write_text("{}", "utf-8")

    with pytest.raises(LlmiqError, match="wrote no model weights"):
        cached_conversion("abc123", empty)
    assert list(models_dir().iterdir()) == []


@pytest.mark.parametrize(
    ("model_id", "says"),
    [
        ("hf:/no/such/folder", "no model folder or GGUF file at /no/such/folder"),
        ("chance", "'chance' is not a local model; use gemma3-270m, smollm2-135m-instruct or"),
    ],
)
def test_bad_local_model_ids_are_one_sentence(model_id: str, says: str) -> None:
    with pytest.raises(LlmiqError) as caught:
        resolve_model(model_id)
    assert str(caught.value).startswith(says)
    assert "\n" not in str(caught.value)


def test_hf_refuses_a_folder_without_config_and_a_non_gguf_file(tmp_path: Path) -> None:
    with pytest.raises(LlmiqError, match=r"has no config\.json"):
        resolve_model(f"hf:{tmp_path}")
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"x")
    with pytest.raises(LlmiqError, match="is a file but not a GGUF model"):
        resolve_model(f"hf:{weights}")
