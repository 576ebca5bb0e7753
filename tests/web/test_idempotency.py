"""Idempotency keys on answers: the API's ``Idempotency-Key`` header and the key each
question card's form carries. A retried answer is stored once and answered as the first time."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from llmiq.store.models import AnswerKey, Review

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
ANSWER_URL = "/api/banks/seed/questions/{}/answer"


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app()


@pytest.fixture
def client(app: Any, client_of: Any) -> Any:
    return client_of(app)


def _count(app: Any, model: Any = Review) -> int:
    with app.state.web.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _post(client: Any, question_id: str, key: str | None, **body: Any) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(ANSWER_URL.format(question_id), json=body, headers=headers)


def test_a_retried_api_answer_is_stored_once_with_the_first_response(app: Any, client: Any) -> None:
    first = _post(client, "prompt-calibration", "9f1c-retry", answer="C", duration_ms=2000)
    # the retry took long: as a new answer it would be rated "hard", not "easy"
    again = _post(client, "prompt-calibration", "9f1c-retry", answer="C", duration_ms=90_000)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["rating"] == "easy"
    assert _count(app) == 1
    other = _post(client, "prompt-calibration", "another", answer="C", duration_ms=2000)
    unkeyed = [_post(client, "prompt-calibration", None, answer="C") for _ in range(2)]
    assert other.json()["card"]["last_review"] != first.json()["card"]["last_review"]
    assert all(r.status_code == 200 for r in unkeyed)
    assert _count(app) == 4
    assert _count(app, AnswerKey) == 2


def test_the_card_endpoint_takes_the_key_too(app: Any, client: Any) -> None:
    card_id = _post(client, "reward-hacking", None, answer="A").json()["card"]["id"]
    url = f"/api/cards/{card_id}/answer"
    sent = [
        client.post(url, json={"answer": "B"}, headers={"Idempotency-Key": "card-1"})
        for _ in range(3)
    ]
    assert [r.json() for r in sent[1:]] == [sent[0].json()] * 2
    assert _count(app) == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "caf\u00e9"])
def test_a_bad_key_is_refused_in_a_sentence(app: Any, client: Any, key: str) -> None:
    refused = client.post(
        ANSWER_URL.format("prompt-calibration"),
        json={"answer": "C"},
        headers={"Idempotency-Key": key.encode("latin-1")},
    )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert error["msg"] == (
        "an idempotency key is 1-200 printable ASCII characters (a UUID will do)"
    )
    assert _count(app) == 0
    assert _post(client, "prompt-calibration", "x" * 200, answer="C").status_code == 200


def test_a_key_used_for_another_answer_is_refused(app: Any, client: Any) -> None:
    assert _post(client, "prompt-calibration", "k", answer="C").status_code == 200
    for question_id, raw in (("reward-hacking", "B"), ("prompt-calibration", "A")):
        refused = _post(client, question_id, "k", answer=raw)
        assert refused.status_code == 422
        [error] = refused.json()["detail"]
        assert "the idempotency key 'k' was used for another answer" in error["msg"]
    assert _count(app) == 1


def test_the_header_is_in_the_openapi_description(client: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/banks/{bank_id}/questions/{question_id}/answer",
                 "/api/cards/{card_id}/answer"):  # fmt: skip
        [header] = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key"
        assert "recorded once" in header["description"]


def test_a_question_form_sent_twice_is_stored_once(app: Any, client: Any, web_helpers: Any) -> None:
    card = client.get("/practice/seed/review")
    form = dict(HIDDEN.findall(card.text))
    assert len(form["idempotency_key"]) >= 16
    # every card rendered has its own key
    assert (
        dict(HIDDEN.findall(client.get("/practice/seed/review").text))["idempotency_key"]
        != (form["idempotency_key"])
    )
    data = form | {"choice": "C"}
    first = client.post("/practice/seed/answer", data=data, follow_redirects=False)
    again = client.post("/practice/seed/answer", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert _count(app) == 1
    # back to the cached card, another answer, the same key: the first answer counts
    changed = client.post("/practice/seed/answer", data=form | {"choice": "A"})
    assert "answered already" in changed.text
    assert _count(app) == 1


def test_the_rating_page_carries_the_cards_key(app: Any, client: Any) -> None:
    card = client.get("/practice/seed/quiz", params={"i": 1})  # vector-store: open
    form = dict(HIDDEN.findall(card.text))
    rate = client.post("/practice/seed/answer", data=form | {"answer": "No"})
    rating = dict(HIDDEN.findall(rate.text))
    assert rating["idempotency_key"] == form["idempotency_key"]
    for _ in range(2):
        client.post("/practice/seed/answer", data=rating | {"rating": "3"})
    assert _count(app) == 1


def test_a_bad_form_key_is_a_422_page(app: Any, client: Any) -> None:
    form = dict(HIDDEN.findall(client.get("/practice/seed/review").text))
    page = client.post(
        "/practice/seed/answer", data=form | {"choice": "C", "idempotency_key": "k" * 300}
    )
    assert page.status_code == 422
    assert "an idempotency key is 1-200 printable ASCII characters" in page.text
    assert _count(app) == 0
