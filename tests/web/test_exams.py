"""The Exams page lists the runs ``llmiq exam run`` stored, per bank; a question's feedback
shows how each run answered it, next to how people did."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.exam.runner import ExamConfig
from llmiq.exam.stored_runs import open_run
from llmiq.store.database import open_database


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'exams.db'}"


@pytest.fixture
def client(make_app: Any, client_of: Any, url: str) -> Any:
    return client_of(make_app(database_url=url))


def _row(page: str, run_id: int) -> list[str]:
    match = re.search(rf'<tr id="exam-run-{run_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for run {run_id}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>",
            match.group(1), re.S)]  # fmt: skip


def test_the_page_says_how_to_make_a_run_until_there_is_one(client: Any) -> None:
    page = client.get("/exams")
    assert page.status_code == 200
    assert 'id="no-exams"' in page.text
    assert 'href="/exams"' in page.text  # in the navigation


def test_runs_are_listed_per_bank_with_accuracy_before_and_after(
    client: Any, run_cli: Callable, url: str
) -> None:
    for debias in ("none", "pride"):
        result = run_cli("exam", "run", "seed", "--model", "chance", "--debias", debias,
                         "--database-url", url)  # fmt: skip
        assert result.exit_code == 0
    database = open_database(url)
    open_run(database, "chance", resolve_bank("seed"), ExamConfig(debias="permute"))  # stopped
    database.close()
    page = client.get("/exams").text
    assert 'id="exams-seed"' in page
    assert _row(page, 1) == ["1", "chance", "en", "letter", "none", "9", "22.2%", "–", "0.471",
                             "–", _row(page, 1)[-1]]  # fmt: skip
    assert _row(page, 2)[4:10] == ["pride", "9", "22.2%", "22.2%", "0.471", "0.471"]
    assert _row(page, 3)[4:] == ["permute", "unfinished: 0 measurements kept", "–"]
    chinese = client.get("/lang/zh", params={"next": "/exams"}).text
    assert "去偏后正确率" in chinese
    assert "未完成" in chinese


def _answer(client: Any, web_helpers: Any, question_id: str, choice: str) -> Any:
    shown_at = str(int(time.time() * 1000))
    data = {"csrf_token": web_helpers.csrf_token(client), "mode": "review",
            "question_id": question_id, "choice": choice, "shown_at": shown_at}  # fmt: skip
    return client.post("/practice/seed/answer", data=data)


def test_feedback_shows_how_models_answered_next_to_people(
    client: Any, run_cli: Callable, url: str, web_helpers: Any
) -> None:
    before = _answer(client, web_helpers, "prompt-calibration", "C")
    assert 'id="model-answers"' not in before.text  # no model has taken the bank yet
    run_cli("exam", "run", "seed", "--model", "chance", "--database-url", url)
    run_cli("exam", "run", "seed", "--model", "chance", "--debias", "permute",
            "--database-url", url)  # fmt: skip
    page = _answer(client, web_helpers, "prompt-calibration", "B").text
    section = page[page.index('id="model-answers"') :]
    # people: the right answer (C) first, then a wrong one (B)
    assert re.search(r"50% of their answers right \(1/2\)", section)
    rows = re.findall(r'<tr class="model-answer" id="model-answer-(\d)">(.*?)</tr>', section, re.S)
    assert [run_id for run_id, _ in rows] == ["1", "2"]
    for _, row in rows:
        assert "<code>chance</code>" in row
        assert "A ✗" in row  # chance always picks the first option; the answer is C
    chinese = client.get("/lang/zh", params={"next": _own_url(page)}).text
    assert "模型如何作答" in chinese
    assert "的回答正确 (1/2)" in chinese


def _own_url(page: str) -> str:
    """The page's own address, from its language switch link."""
    match = re.search(r'href="/lang/zh\?next=([^"]+)"', page)
    assert match
    return unquote(match.group(1).replace("&amp;", "&"))
