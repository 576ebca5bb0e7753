"""The web mock interview's report: hidden until the interview ends (time up, every question
answered, or ended by the person), no answer counted after the end, and a report that tells
unanswered from wrong with one topic row per topic asked."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from llmiq.store.models import Review

QUESTIONS = ["prompt-calibration", "reward-hacking", "alignment-techniques"]


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app()


@pytest.fixture
def client(app: Any, client_of: Any) -> Any:
    return client_of(app)


def _token(app: Any, started: float, minutes: float = 10) -> str:
    return URLSafeSerializer(app.state.web.secret, salt="llmiq-mock").dumps(
        {"b": "seed", "q": QUESTIONS, "s": started, "m": minutes, "r": "gated"}
    )


def _logged(app: Any) -> list[tuple[str, bool | None]]:
    with app.state.web.database.transaction() as session:
        return [(r.question_id, r.correct) for r in session.scalars(select(Review)).all()]


def _answer(client: Any, csrf: str, t: str, i: int, choice: str) -> Any:
    return client.post(
        "/practice/seed/answer",
        data={"csrf_token": csrf, "mode": "mock", "question_id": QUESTIONS[i], "choice": choice,
              "t": t, "i": str(i)},
    )  # fmt: skip


def test_the_report_is_refused_until_the_end_then_shown(
    app: Any, client: Any, web_helpers: Any
) -> None:
    csrf, t = web_helpers.csrf_token(client), _token(app, time.time())
    early = client.get("/practice/seed/mock/report", params={"t": t})
    assert "The report opens when the interview ends" in early.text
    assert 'id="answer-form"' in early.text  # back at the first question
    assert "Mock interview:" not in early.text
    _answer(client, csrf, t, 0, "C")
    middle = client.get("/practice/seed/mock/report", params={"t": t})
    assert f'name="question_id" value="{QUESTIONS[1]}"' in middle.text  # the next unanswered
    _answer(client, csrf, t, 1, "A")
    report = _answer(client, csrf, t, 2, "C")  # the last answer ends the interview
    assert "Mock interview: 2/3" in report.text
    again = _answer(client, csrf, t, 1, "B")  # answered again after the end: refused
    assert "does not count" in again.text
    assert _logged(app) == [(QUESTIONS[0], True), (QUESTIONS[1], False), (QUESTIONS[2], True)]


def test_ending_early_opens_the_report_and_closes_the_interview(
    app: Any, client: Any, web_helpers: Any
) -> None:
    csrf, t = web_helpers.csrf_token(client), _token(app, time.time())
    card = client.get("/practice/seed/mock/run", params={"t": t, "i": 0})
    assert 'id="end-mock"' in card.text
    _answer(client, csrf, t, 0, "A")
    report = client.post("/practice/seed/mock/end", data={"csrf_token": csrf, "t": t})
    assert "Mock interview: 0/3" in report.text
    assert "0 right, 1 wrong, 2 not answered" in report.text
    assert report.text.count('class="verdict unanswered"') == 2
    assert report.text.count('class="verdict wrong"') == 1
    late = _answer(client, csrf, t, 1, "B")
    assert "does not count" in late.text
    assert client.get("/practice/seed/mock/run", params={"t": t, "i": 1}).url.path.endswith(
        "/mock/report"
    )
    assert _logged(app) == [(QUESTIONS[0], False)]


def test_the_report_opens_when_time_is_up(app: Any, client: Any) -> None:
    report = client.get("/practice/seed/mock/report", params={"t": _token(app, time.time() - 900)})
    assert "Mock interview: 0/3" in report.text
    assert "Time is up" in report.text


def test_one_topic_row_per_topic_asked(app: Any, client: Any, web_helpers: Any) -> None:
    csrf, t = web_helpers.csrf_token(client), _token(app, time.time())
    _answer(client, csrf, t, 0, "C")
    report = client.post("/practice/seed/mock/end", data={"csrf_token": csrf, "t": t})
    table = report.text.split('id="mock-topics"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table)
    bank = app.state.web.shelf.get("seed").bank
    firsts = [bank.question(qid).topics[0] for qid in QUESTIONS]
    assert len(rows) == len(set(firsts))  # not one row per tag of every question
    assert sum(int(r) + int(w) + int(u) for _, r, w, u in rows) == 3
    assert sum(int(r) for _, r, _, _ in rows) == 1
