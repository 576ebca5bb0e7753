"""JSON (the bank model, field for field) and CSV (one row per question, both languages)."""

from __future__ import annotations

import csv
import io
import json

from llmiq.bank.files import bank_to_data
from llmiq.bank.model import LANGS, Bank, Question, Text


def bank_to_json(bank: Bank) -> str:
    return json.dumps(bank_to_data(bank), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = [
    "id",
    "kind",
    "topics",
    "prompt_zh",
    "prompt_en",
    "options_zh",
    "options_en",
    "answer",
    "explanation_zh",
    "explanation_en",
    "lab",
]


def _own(text: Text | None, lang: str) -> str:
    """The text in exactly this language: a CSV column must not repeat the other one."""
    return (getattr(text, lang) or "") if text is not None else ""


def _row(question: Question) -> dict[str, str]:
    row = {
        "id": question.id,
        "kind": question.kind.value,
        "topics": "; ".join(question.topics),
        "answer": "; ".join(question.answer or question.accepted)
        or (question.reference.get("en") if question.reference else ""),
        "lab": question.lab or "",
    }
    for lang in LANGS:
        row[f"prompt_{lang}"] = _own(question.prompt, lang)
        row[f"options_{lang}"] = "\n".join(
            f"{opt.key}. {_own(opt.text, lang)}"
            for opt in question.options
            if opt.text.has(lang)  # type: ignore[arg-type]
        )
        row[f"explanation_{lang}"] = _own(question.explanation, lang)
    return row


def bank_to_csv(bank: Bank) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for question in bank.questions:
        writer.writerow(_row(question))
    return out.getvalue()
