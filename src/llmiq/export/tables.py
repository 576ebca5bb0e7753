"""JSON (the bank model, field for field) and CSV (one row per question, both languages).

CSV files get opened in spreadsheets, which run a cell starting with ``=``, ``+``, ``-`` or
``@`` as a formula (CSV injection): such cells, and those starting with a tab or a carriage
return, get a leading single quote, as OWASP's "CSV Injection" page recommends. Key points are
bulleted with "•", not "-", so that our own lists need no quote.
"""

from __future__ import annotations

import csv
import io
import json

from llmiq.bank.files import bank_to_data
from llmiq.bank.model import LANGS, Bank, Question, Text


def bank_to_json(bank: Bank) -> str:
    return json.dumps(bank_to_data(bank), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = [
    "id", "kind", "topics", "prompt_zh", "prompt_en", "options_zh", "options_en", "answer",
    "reference_zh", "reference_en", "accepted", "key_points_zh", "key_points_en",
    "explanation_zh", "explanation_en", "why_zh", "why_en", "lab",
]  # fmt: skip


#: what a spreadsheet may read as the start of a formula (OWASP, CSV Injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: ``"=1+1"`` becomes ``"'=1+1"``."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _own(text: Text | None, lang: str) -> str:
    """The text in exactly this language: a CSV column must not repeat the other one."""
    return (getattr(text, lang) or "") if text is not None else ""


def _row(question: Question) -> dict[str, str]:
    row = {
        "id": question.id,
        "kind": question.kind.value,
        "topics": "; ".join(question.topics),
        "answer": "; ".join(question.answer),
        "accepted": "; ".join(question.accepted),
        "lab": question.lab or "",
    }
    for lang in LANGS:
        row[f"prompt_{lang}"] = _own(question.prompt, lang)
        row[f"options_{lang}"] = "\n".join(
            f"{opt.key}. {_own(opt.text, lang)}" for opt in question.options if opt.text.has(lang)
        )
        row[f"reference_{lang}"] = _own(question.reference, lang)
        row[f"key_points_{lang}"] = "\n".join(
            f"• {_own(point, lang)}" for point in question.key_points if point.has(lang)
        )
        row[f"explanation_{lang}"] = _own(question.explanation, lang)
        row[f"why_{lang}"] = "\n".join(
            f"{opt.key}. {_own(opt.why, lang)}"
            for opt in question.options
            if opt.why is not None and opt.why.has(lang)
        )
    return row


def bank_to_csv(bank: Bank) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for question in bank.questions:
        writer.writerow({name: neutralise_cell(cell) for name, cell in _row(question).items()})
    return out.getvalue()
