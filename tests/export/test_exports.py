from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import Bank
from llmiq.export import bank_to_markdown
from llmiq.ingest import parse_article

SEED = resolve_bank("seed")


def test_json_is_the_bank_model_and_loads_back(run_cli: Callable) -> None:
    result = run_cli("export", "seed", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert Bank.model_validate(data) == SEED
    assert [q["id"] for q in data["questions"]][:2] == ["prompt-calibration", "vector-store"]


def test_import_then_export_json_shows_the_ten_questions(
    run_cli: Callable, seed_article: Path, tmp_path: Path
) -> None:
    out = tmp_path / "seed.yaml"
    assert run_cli("import", str(seed_article), "-o", str(out)).exit_code == 0
    data = json.loads(run_cli("export", str(out), "--format", "json").output)
    keys = [q.get("answer", q.get("accepted", [None]))[0] for q in data["questions"]]
    assert keys == ["C", "不需要", "C", "B", "B", "A", "A", "B", "C", "B"]


def test_csv_has_one_row_per_question_in_both_languages(run_cli: Callable) -> None:
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "seed", "-f", "csv").output)))
    assert len(rows) == 10
    assert rows[0]["answer"] == "C"
    assert rows[0]["prompt_zh"].startswith("哪种技术")
    assert rows[0]["prompt_en"].startswith("Which technique")
    assert rows[0]["options_zh"].splitlines()[2].startswith("C. 提示校准")
    assert rows[0]["why_en"].splitlines()[3].startswith("D. Gradient clipping caps")
    assert rows[1]["answer"] == ""
    assert rows[1]["reference_zh"] == "不需要"
    assert rows[1]["reference_en"] == "No"
    assert "不; 否" in rows[1]["accepted"]
    assert rows[1]["key_points_en"].startswith("• A vector store")


FORMULA_BANK = {
    "id": "formulas",
    "title": {"en": "Formulas"},
    "questions": [
        {
            "id": "q1",
            "kind": "single",
            "topics": ["sheets"],
            "prompt": {"en": '=HYPERLINK("http://evil.example","click")', "zh": "+1+1"},
            "options": [{"key": "A", "text": {"en": "-2"}}, {"key": "B", "text": {"en": "b"}}],
            "answer": ["A"],
            "explanation": {"en": "@SUM(A1:A9)", "zh": "a = b is fine inside a cell"},
        },
        {
            "id": "q2",
            "kind": "open",
            "prompt": {"en": "What is -1?"},
            "reference": {"en": "-cmd|' /C calc'!A0"},
            "accepted": ["=1", "minus one"],
        },
    ],
}


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote() -> None:
    from llmiq.export.tables import bank_to_csv

    rows = list(csv.DictReader(io.StringIO(bank_to_csv(Bank.model_validate(FORMULA_BANK)))))
    assert rows[0]["prompt_en"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["prompt_zh"] == "'+1+1"
    assert rows[0]["explanation_en"] == "'@SUM(A1:A9)"
    assert rows[1]["reference_en"] == "'-cmd|' /C calc'!A0"
    assert rows[1]["accepted"] == "'=1; minus one"
    # the rest is left alone: a formula character inside a cell, option lines, plain text
    assert rows[0]["explanation_zh"] == "a = b is fine inside a cell"
    assert rows[0]["options_en"] == "A. -2\nB. b"
    assert rows[1]["prompt_en"] == "What is -1?"
    every_cell = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in every_cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("1-1", "1-1"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralise_cell(cell: str, shown: str) -> None:
    from llmiq.export.tables import neutralise_cell

    assert neutralise_cell(cell) == shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_reimports_to_the_same_questions(lang: str) -> None:
    text = bank_to_markdown(SEED, lang)
    again = parse_article(text, name="seed.md", bank_id="again").bank
    assert [q.kind for q in again.questions] == [q.kind for q in SEED.questions]
    assert [q.answer for q in again.questions] == [q.answer for q in SEED.questions]
    for ours, theirs in zip(SEED.questions, again.questions, strict=True):
        assert theirs.prompt.get(lang) == ours.prompt.get(lang)
        assert [o.text.get(lang) for o in theirs.options] == [
            o.text.get(lang) for o in ours.options
        ]


def _notes(apkg: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(apkg) as archive, archive.open("collection.anki2") as handle:
        db_path = apkg.with_suffix(".anki2")
        db_path.write_bytes(handle.read())
    with sqlite3.connect(db_path) as db:
        return db.execute("select guid, flds from notes order by id").fetchall()


def test_anki_guids_are_stable_per_language(run_cli: Callable, tmp_path: Path) -> None:
    en, en_again, zh = tmp_path / "en.apkg", tmp_path / "en-again.apkg", tmp_path / "zh.apkg"
    for path, lang in ((en, "en"), (en_again, "en"), (zh, "zh")):
        assert (
            run_cli("export", "seed", "-f", "anki", "-o", str(path), "--lang", lang).exit_code == 0
        )
    notes_en, notes_zh = _notes(en), _notes(zh)
    assert len(notes_en) == len(notes_zh) == 10
    assert [g for g, _ in notes_en] == [g for g, _ in _notes(en_again)]
    assert not {g for g, _ in notes_en} & {g for g, _ in notes_zh}
    fields = notes_en[0][1].split("\x1f")
    assert fields[0] == "prompt-calibration"
    assert fields[3] == "C"


def test_anki_escapes_html_from_imported_text(tmp_path: Path) -> None:
    from llmiq.export import bank_to_apkg

    bank = parse_article(
        "1. What is <script>alert(1)</script>?\nA. <b>x</b>\nB. y\nAnswer: A\n",
        name="a",
        bank_id="x",
    ).bank
    path = tmp_path / "x.apkg"
    bank_to_apkg(bank, path, "en")
    ((_, fields),) = _notes(path)
    assert "<script>" not in fields
    assert "&lt;script&gt;" in fields


def test_export_to_a_file_is_atomic_and_reports(run_cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "seed.md"
    result = run_cli("export", "seed", "-f", "md", "-o", str(out), "--lang", "en")
    assert result.exit_code == 0
    assert out.read_text("utf-8").startswith("# ")
    assert [p.name for p in tmp_path.iterdir()] == ["seed.md"]


def test_export_of_an_unknown_bank_fails_cleanly(run_cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    result = run_cli("export", "nope", "-f", "json", "-o", str(out))
    assert result.exit_code == 1
    assert "no bank named 'nope'" in result.output
    assert not out.exists()


def test_markdown_keeps_a_multi_line_reference_answer() -> None:
    bank = Bank.model_validate(
        {
            "id": "b",
            "title": "B",
            "questions": [
                {
                    "id": "why-scale",
                    "kind": "open",
                    "prompt": "Why does attention divide by sqrt(d)?",
                    "reference": "Keeps the logits' variance near 1.\nOtherwise softmax saturates.",
                }
            ],
        }
    )
    again = parse_article(bank_to_markdown(bank, "en"), name="b.md", bank_id="b").bank
    reference = again.questions[0].reference
    assert reference is not None
    assert reference.get("en") == "Keeps the logits' variance near 1.\nOtherwise softmax saturates."
    assert again.questions[0].explanation is None
