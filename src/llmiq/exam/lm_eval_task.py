"""A bank as an lm-evaluation-harness task folder (Gao et al. 2023, ``lm_eval --tasks DIR``),
so that both tools score the same requests for the same questions.

The folder holds

- ``llmiq_BANK.yaml``: ``output_type: multiple_choice`` with llmiq's letter prompt, written
  as lm-eval templates: the header as the task's ``description``, the question and its
  lettered options as ``doc_to_text`` (ending in ``Answer:`` / ``答案：``), the letters as
  ``doc_to_choice`` and the gold option's index as ``doc_to_target``. lm-eval sends
  ``description + doc_to_text`` with ``target_delimiter + letter`` as the continuation: the
  request ``letter_request`` makes (`` A`` in English, ``A`` after ``答案：``).
- ``llmiq_BANK_cloze.yaml``: llmiq's cloze prompt (``Question: ...\\nAnswer:``) with each
  option's text as the continuation (``acc``, ``acc_norm``, ``acc_bytes``).
- ``questions.jsonl``: one line per question: ``id``, ``question``, ``choices``, ``answer``.
- ``llmiq_questions.py``: reads the JSONL beside it (``custom_dataset``). lm-eval resolves
  ``!function`` next to the YAML but a ``data_files`` path against the working directory,
  so a plain ``dataset_path: json`` would run from one directory only.

Left out: what lm-eval's ``multiple_choice`` cannot express as one gold option: questions with
several right answers (``kind: multiple``), open questions, and questions with more than ten
options. Few-shot runs (``--num_fewshot``) use lm-eval's sampler, not ``--shots``' choice of
examples, so their prompts differ from llmiq's by the examples picked, not their format.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import yaml

from llmiq.bank.model import Bank, Lang, Question
from llmiq.errors import LlmiqError
from llmiq.exam.prompts import ANSWER, HEADER, LETTERS, QUESTION

QUESTIONS_FILE = "questions.jsonl"
LOADER_FILE = "llmiq_questions.py"
_LOADER_SOURCE = "lm_eval_loader.py"  # this package's file, copied as LOADER_FILE


def task_name(bank_id: str, *, cloze: bool = False) -> str:
    """``llmiq_<bank id>`` (``_cloze`` for the cloze task), in the characters lm-eval's task
    names use: ``task_name("gpu-101") == "llmiq_gpu_101"``."""
    base = "llmiq_" + re.sub(r"[^0-9A-Za-z_]+", "_", bank_id).strip("_")
    return base + "_cloze" if cloze else base


def exported_questions(bank: Bank) -> tuple[list[Question], dict[str, int]]:
    """(the questions lm-eval's multiple choice can take, counts of the others by reason)."""
    kept: list[Question] = []
    left = {"multiple-answer": 0, "open": 0, "more than ten options": 0}
    for q in bank.questions:
        if not q.is_choice:
            left["open"] += 1
        elif q.kind.value != "single":
            left["multiple-answer"] += 1
        elif len(q.options) > len(LETTERS):
            left["more than ten options"] += 1
        else:
            kept.append(q)
    return kept, {reason: n for reason, n in left.items() if n}


def question_doc(question: Question, lang: Lang) -> dict[str, object]:
    """One JSONL line: texts stripped as llmiq's prompts strip them, gold as an index."""
    keys = [o.key for o in question.options]
    return {
        "id": question.id,
        "question": question.prompt.get(lang).strip(),
        "choices": [o.text.get(lang).strip() for o in question.options],
        "answer": keys.index(question.answer[0]),
    }


def letter_template(lang: Lang) -> str:
    """``doc_to_text`` of the letter task: the question, ``A. ...`` lines, ``Answer:``."""
    return (
        "{{question}}\n{% for choice in choices %}{{ '" + LETTERS + "'[loop.index0] }}. "
        "{{choice}}\n{% endfor %}" + ANSWER[lang]
    )


def cloze_template(lang: Lang) -> str:
    return QUESTION[lang] + " {{question}}\n" + ANSWER[lang]


def _task_config(bank: Bank, lang: Lang, *, cloze: bool) -> dict[str, object]:
    config: dict[str, object] = {
        "task": task_name(bank.id, cloze=cloze),
        "custom_dataset": "LOADER",  # replaced by the !function tag below
        "test_split": "test",
        "output_type": "multiple_choice",
    }
    if cloze:
        config |= {
            "doc_to_text": cloze_template(lang),
            "doc_to_choice": "choices",
            "target_delimiter": " ",
        }
        metrics = ["acc", "acc_norm", "acc_bytes"]
    else:
        config |= {
            "description": HEADER[lang],
            "doc_to_text": letter_template(lang),
            # renders "['A', 'B', 'C']", which lm-eval reads with ast.literal_eval
            "doc_to_choice": "{{ '" + LETTERS + "'[:choices|length] | list }}",
            "target_delimiter": " " if lang == "en" else "",
        }
        metrics = ["acc"]
    config |= {
        "doc_to_target": "answer",
        "metric_list": [
            {"metric": m, "aggregation": "mean", "higher_is_better": True} for m in metrics
        ],
        "metadata": {"version": 1.0, "bank": bank.id, "lang": lang, "source": "llmiq export"},
    }
    return config


class _Dumper(yaml.SafeDumper):
    """Strings with line breaks double-quoted on one line (``"...\\nAnswer:"``), readable
    next to the prompt they make."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def _yaml(config: dict[str, object]) -> str:
    text = yaml.dump(
        config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf")
    )
    loader = LOADER_FILE.removesuffix(".py") + ".load"
    return text.replace("custom_dataset: LOADER", f"custom_dataset: !function {loader}")


def _readme(bank: Bank, lang: Lang, count: int, left: dict[str, int]) -> str:
    letter, cloze = task_name(bank.id), task_name(bank.id, cloze=True)
    omitted = ", ".join(f"{n} {reason}" for reason, n in left.items()) or "none"
    return (
        f"# {bank.title.get(lang)}: an lm-evaluation-harness task\n\n"
        f"Written by `llmiq export {bank.id} -f lm-eval --lang {lang}`: {count} single-answer "
        f"choice questions in `{QUESTIONS_FILE}`, prompted as `llmiq exam run` prompts them.\n\n"
        f"- `{letter}`: letter scoring (the options lettered, then `{ANSWER[lang]}`).\n"
        f"- `{cloze}`: cloze scoring (each option's text as the continuation).\n\n"
        "Run both with `lm_eval --model hf --model_args pretrained=MODEL --tasks THIS_FOLDER`,\n"
        f"or one with `--include_path THIS_FOLDER --tasks {letter}`.\n\n"
        f"Left out (lm-eval's multiple choice has one gold option): {omitted}.\n"
    )


def lm_eval_task_files(bank: Bank, lang: Lang) -> dict[str, str]:
    """The task folder's files by name; see the module docstring."""
    questions, left = exported_questions(bank)
    if not questions:
        raise LlmiqError(
            f"bank {bank.id!r} has no single-answer choice question, the only kind lm-eval's "
            "multiple_choice can score"
        )
    lines = [json.dumps(question_doc(q, lang), ensure_ascii=False) for q in questions]
    loader = resources.files("llmiq.exam").joinpath(_LOADER_SOURCE).read_text("utf-8")
    return {
        f"{task_name(bank.id)}.yaml": _yaml(_task_config(bank, lang, cloze=False)),
        f"{task_name(bank.id, cloze=True)}.yaml": _yaml(_task_config(bank, lang, cloze=True)),
        QUESTIONS_FILE: "\n".join(lines) + "\n",
        LOADER_FILE: loader,
        "README.md": _readme(bank, lang, len(questions), left),
    }
