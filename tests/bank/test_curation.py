"""The curated standard (``llmiq validate --strict``): each rule flags what it must, at the
field it concerns, and lets a conforming bank through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from llmiq.bank.curation import balance_problems, curation_problems, letter_shares, longest_share
from llmiq.bank.model import Bank, Question
from llmiq.cli import cli

LABS = {"attention"}


def _option(key: str, length: int = 10) -> dict[str, Any]:
    return {
        "key": key,
        "text": {"zh": "选" * length, "en": "o" * length},
        "why": {"zh": f"理由{key}", "en": f"why {key}"},
    }


def _question(qid: str, answer: str = "A", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": qid,
        "kind": "single",
        "difficulty": 2,
        "topics": ["attention"],
        "prompt": {"zh": "问题？", "en": "Question?"},
        "options": [_option(key) for key in "ABCD"],
        "answer": [answer],
        "explanation": {"zh": "解析。", "en": "Explanation."},
        "references": [{"title": "A paper", "url": "https://arxiv.org/abs/1706.03762"}],
    }
    data.update(changes)
    return data


def _bank(questions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "area",
        "title": {"zh": "题库", "en": "Bank"},
        "description": {"zh": "说明", "en": "About"},
        "area": {"zh": "领域", "en": "Area"},
        "questions": questions,
    }


def _balanced(n: int = 8) -> list[dict[str, Any]]:
    return [_question(f"q{i}", "ABCD"[i % 4]) for i in range(n)]


def _problems(questions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    bank = Bank.model_validate(_bank(questions))
    return [(".".join(map(str, p.loc)), p.message) for p in curation_problems(bank, LABS)]


def test_a_conforming_bank_passes() -> None:
    assert _problems(_balanced()) == []


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"difficulty": None}, "questions.0.difficulty", "no difficulty"),
        ({"references": []}, "questions.0.references", "no reference"),
        ({"topics": []}, "questions.0.topics", "no topics"),
        ({"prompt": {"en": "Question?"}}, "questions.0.prompt", "no zh text"),
        ({"explanation": None}, "questions.0.explanation", "missing"),
        ({"lab": "nope", "lab_claim": {"zh": "说", "en": "s"}}, "questions.0.lab", "no lab named"),
        ({"lab": "attention"}, "questions.0.lab_claim", "missing"),
    ],
)
def test_each_question_rule_is_located_at_its_field(
    change: dict[str, Any], where: str, words: str
) -> None:
    questions = _balanced()
    questions[0] = _question("q0", **change)
    found = _problems(questions)
    assert any(loc == where and words in message for loc, message in found), found


def test_every_option_needs_a_why_in_both_languages() -> None:
    questions = _balanced()
    questions[0]["options"][2]["why"] = {"en": "only English"}
    expected = ("questions.0.options.2.why", "the option's why has no zh text")
    assert _problems(questions) == [expected]


@pytest.mark.parametrize(
    "text", ["All of the above", "None of the above", "以上都对", "以上说法均正确"]
)
def test_catch_all_options_are_refused(text: str) -> None:
    questions = _balanced()
    questions[1]["options"][3]["text"] = {"zh": "真正的选项", "en": text} | (
        {"zh": text} if not text.isascii() else {}
    )
    found = _problems(questions)
    assert [loc for loc, _ in found] == ["questions.1.options.3.text"]


def test_an_open_question_needs_a_bilingual_reference_and_key_points() -> None:
    questions = _balanced()
    open_question = _question("open", kind="open", reference={"en": "Because."})
    del open_question["options"], open_question["answer"]
    questions.append(open_question)
    found = dict(_problems(questions))
    assert "no zh text" in found["questions.8.reference"]
    assert "key points" in found["questions.8.key_points"]


def test_letter_balance_flags_a_favourite_letter() -> None:
    skewed = [_question(f"q{i}", "B" if i < 5 else "ACD"[i % 3]) for i in range(10)]
    shares = letter_shares([Question.model_validate(q) for q in skewed])
    assert shares["B"] == 0.5
    messages = [m for _, m in _problems(skewed)]
    assert any("unbalanced: A 20%, B 50%, C 10%, D 20%" in m for m in messages), messages


def test_longest_right_option_share_is_capped() -> None:
    questions = _balanced()
    for question in questions[:4]:  # right option longest in 4 of 8 = 50% > 40%
        key = question["answer"][0]
        question["options"]["ABCD".index(key)]["text"] = {"zh": "长" * 30, "en": "l" * 30}
    parsed = [Question.model_validate(q) for q in questions]
    assert longest_share(parsed) == 0.5
    assert any("longest in 50%" in m for m in balance_problems(parsed))
    questions[3]["options"]["ABCD".index(questions[3]["answer"][0])]["text"] = {
        "zh": "短",
        "en": "s",
    }
    assert balance_problems([Question.model_validate(q) for q in questions]) == []


def test_balance_rules_wait_for_enough_questions() -> None:
    few = [_question(f"q{i}", "A") for i in range(7)]
    assert balance_problems([Question.model_validate(q) for q in few]) == []
    assert balance_problems([Question.model_validate(q) for q in few], minimum=7)


def test_validate_strict_reports_file_line_field_and_exits_non_zero(tmp_path: Path) -> None:
    questions = _balanced()
    questions[2].pop("difficulty")
    path = tmp_path / "area.yaml"
    text = yaml.safe_dump(_bank(questions), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(cli, ["validate", str(path)])
    assert plain.exit_code == 0, plain.output
    strict = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    line = yaml.compose(path.read_text(encoding="utf-8")).value[-1][1].value[2].start_mark.line
    assert f"{path}:{line + 1}: questions[2].difficulty: no difficulty" in strict.output
