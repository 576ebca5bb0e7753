from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.errors import LlmiqError
from llmiq.practice.quiz import select_questions

ALL_RIGHT = "C\nno\nC\nB\nB\nA\nA\nB\nC\nB\n"


def test_all_right_in_order_scores_ten(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "--lang", "en", input=ALL_RIGHT)
    assert result.exit_code == 0
    assert result.output.rstrip().splitlines()[-1] == "Score: 10/10"
    assert result.output.count("✓ Correct.") == 10


def test_the_issue_command_line_through_a_real_pipe() -> None:
    """The exact pipeline from the docs, in a subprocess with stdin a pipe."""
    proc = subprocess.run(
        [sys.executable, "-m", "llmiq", "quiz", "seed", "--in-order", "--lang", "en"],
        input=ALL_RIGHT,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"COLUMNS": "100"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().splitlines()[-1] == "Score: 10/10"


def test_wrong_answers_show_the_key_the_explanation_and_each_why(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "--lang", "en", "-n", "1", input="A\n")
    assert "✗ Wrong. The answer is C. Prompt calibration" in result.output
    assert "Gradient clipping caps" in result.output  # the why of option D
    assert "Prompt calibration involves adjusting" in result.output  # the explanation
    assert result.output.rstrip().endswith("Score: 0/1")


def test_unreadable_answer_asks_again(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "-n", "1", input="Z\n\nC\n")
    assert "answer with one of the letters A, B, C, D" in result.output
    assert result.output.rstrip().endswith("Score: 1/1")


def test_two_letters_on_a_single_choice_question_ask_again(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", "-n", "1", input="A,C\nC\n")
    assert "this question has one answer: give one of the letters A, B, C, D" in result.output
    assert result.output.rstrip().endswith("Score: 1/1")


def test_end_of_input_stops_with_the_score_so_far(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--in-order", input="C\nyes\nC\n")
    assert result.exit_code == 0
    assert "Stopped after 3 of 10 questions." in result.output
    assert result.output.rstrip().endswith("Score: 2/3")


def test_topic_filter_and_count(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--topic", "RLHF", "--in-order", input="C\nB\n")
    assert "Question 1/2" in result.output
    assert result.output.rstrip().endswith("Score: 2/2")


def test_unknown_topic_lists_the_topics(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--topic", "cooking")
    assert result.exit_code == 1
    assert "no question in bank 'seed' has topic 'cooking'; topics: prompting" in result.output


def test_shuffle_is_repeatable_with_a_seed() -> None:
    bank = resolve_bank("seed")
    first = [q.id for q in select_questions(bank, shuffle=True, seed=7)]
    assert first == [q.id for q in select_questions(bank, shuffle=True, seed=7)]
    assert sorted(first) == sorted(q.id for q in bank.questions)
    assert first != [q.id for q in bank.questions]


def test_count_must_be_positive() -> None:
    with pytest.raises(LlmiqError, match="-n must be at least 1"):
        select_questions(resolve_bank("seed"), limit=0)


def test_bank_text_that_looks_like_rich_markup_is_shown_as_written(
    run_cli: Callable, tmp_path
) -> None:
    bank = tmp_path / "chat.yaml"
    bank.write_text(
        "id: chat\ntitle: '[llm] Chat templates'\nquestions:\n"
        "  - id: close-turn\n    kind: single\n    prompt: 'Which string closes the user turn?'\n"
        "    options:\n      - {key: A, text: '[/INST]'}\n      - {key: B, text: '[bold]'}\n"
        "    answer: [A]\n",
        encoding="utf-8",
    )
    quiz = run_cli("quiz", str(bank), input="B\n")
    assert quiz.exit_code == 0
    assert "A. [/INST]" in quiz.output
    assert "B. [bold]" in quiz.output
    show = run_cli("show", str(bank))
    assert "Answer: A. [/INST]" in show.output


def test_open_question_without_short_answers_asks_for_a_self_rating(
    run_cli: Callable, tmp_path
) -> None:
    bank = tmp_path / "open.yaml"
    bank.write_text(
        "id: open\ntitle: Open\nquestions:\n  - id: why-scale\n    kind: open\n"
        "    prompt: Why divide by sqrt(d)?\n"
        "    reference: To keep the softmax out of saturation.\n",
        encoding="utf-8",
    )
    result = run_cli("quiz", str(bank), input="variance\nmaybe\n3\n")
    assert "Reference answer: To keep the softmax out of saturation." in result.output
    assert (
        "How well did you know it?\n1 Again 1m  2 Hard 6m  [3 Good 10m]  4 Easy 8d" in result.output
    )
    assert "answer 1, 2, 3 or 4, or Enter for 3" in result.output
    assert result.output.rstrip().endswith("Score: 1/1")
