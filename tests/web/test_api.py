"""The JSON API: list banks, next card, submit answers, cards and stats."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from llmiq.store.models import Review


@pytest.fixture
def client(make_app: Any, client_of: Any) -> Any:
    return client_of(make_app())


def submit(client: Any, question_id: str, **body: Any) -> Any:
    return client.post(f"/api/banks/seed/questions/{question_id}/answer", json=body)


def _seed_of(listed: list[dict[str, Any]]) -> dict[str, Any]:
    return next(bank for bank in listed if bank["id"] == "seed")


def test_banks_list_counts_due_and_new(client: Any) -> None:
    listed = client.get("/api/banks").json()
    assert {bank["id"] for bank in listed} >= {"seed", "all-areas", "inference"}
    seed = _seed_of(listed)
    assert seed == {
        "id": "seed",
        "title": seed["title"],
        "origin": "built-in",
        "questions": 10,
        "due": 0,
        "new": 10,
    }
    submit(client, "reward-hacking", answer="A")  # wrong: due again in a minute, today
    seed = _seed_of(client.get("/api/banks").json())
    assert (seed["due"], seed["new"]) == (1, 9)
    assert (
        _seed_of(client.get("/api/banks", params={"lang": "zh"}).json())["title"] != seed["title"]
    )


def test_next_card_follows_the_review_queue(client: Any) -> None:
    first = client.get("/api/banks/seed/next").json()
    assert first["why"] == "new"
    assert first["card_id"] is None
    assert first["question"]["id"] == "prompt-calibration"
    assert [o["key"] for o in first["question"]["options"]] == ["A", "B", "C", "D"]
    assert "answer" not in first["question"]  # no spoilers
    answered = submit(client, "prompt-calibration", answer="A").json()
    again = client.get("/api/banks/seed/next").json()
    assert again["question"]["id"] == "vector-store"  # the missed one waits a minute
    assert answered["card"]["state"] == "learning"


def test_submit_grades_rates_and_schedules(client: Any) -> None:
    quick = submit(client, "prompt-calibration", answer="c", duration_ms=2000).json()
    assert (quick["correct"], quick["rating"], quick["answer"]) == (True, "easy", ["C"])
    slow = submit(client, "self-attention", answer="A", duration_ms=90_000).json()
    assert slow["rating"] == "hard"
    wrong = submit(client, "ddp-vs-fsdp", answer="A").json()
    assert (wrong["correct"], wrong["rating"]) == (False, "again")
    assert wrong["card"]["due"] < slow["card"]["due"]


def test_open_questions_take_a_rating_or_their_accepted_answers(client: Any) -> None:
    graded = submit(client, "vector-store", answer="No, not for that").json()
    assert graded["correct"] is True
    assert graded["reference"]
    rated = submit(client, "vector-store", answer="I would not", rating=2).json()
    assert (rated["correct"], rated["rating"]) == (True, "hard")


@pytest.mark.parametrize(
    ("question_id", "body", "status", "detail"),
    [
        ("prompt-calibration", {"answer": "Z"}, 422, "answer with one of the letters"),
        ("prompt-calibration", {"answer": "C", "rating": 7}, 422, None),
        ("prompt-calibration", {"answer": "C", "duration_ms": -1}, 422, None),
        ("prompt-calibration", {}, 422, None),
        ("no-such-question", {"answer": "C"}, 404, "has no question"),
    ],
)
def test_bad_answers_are_refused_and_not_logged(
    client: Any, question_id: str, body: dict, status: int, detail: str | None
) -> None:
    response = submit(client, question_id, **body)
    assert response.status_code == status
    if detail:
        errors = response.json()["detail"]
        assert detail in (errors if isinstance(errors, str) else errors[0]["msg"])
    assert client.get("/api/stats").json()["reviews"] == 0


def test_unknown_bank_is_404(client: Any) -> None:
    assert client.get("/api/banks/nope/next").status_code == 404
    assert submit_to(client, "nope").status_code == 404
    assert client.get("/api/stats", params={"bank": "nope"}).status_code == 404


def submit_to(client: Any, bank: str) -> Any:
    return client.post(f"/api/banks/{bank}/questions/q1/answer", json={"answer": "A"})


def test_cards_and_stats_reflect_the_answers(client: Any) -> None:
    card = submit(client, "prompt-calibration", answer="C").json()["card"]
    submit(client, "reward-hacking", answer="A")
    cards = client.get("/api/cards").json()
    assert {c["question_id"] for c in cards} == {"prompt-calibration", "reward-hacking"}
    assert client.get(f"/api/cards/{card['id']}").json()["question_id"] == "prompt-calibration"
    assert client.get("/api/cards/999999").status_code == 404
    again = client.post(f"/api/cards/{card['id']}/answer", json={"answer": "C"}).json()
    assert again["card"]["id"] == card["id"]
    stats = client.get("/api/stats").json()
    assert (stats["reviews"], stats["correct"]) == (3, 2)
    assert stats["by_topic"]["bias"]["reviews"] == 2


def test_concurrent_answers_are_all_logged(
    make_app: Any, client_of: Any, database_url: str, run_async: Any
) -> None:
    """Many answers at once go through the group commit: every one is in the review log, on
    SQLite and on PostgreSQL."""
    import httpx

    app = make_app(database_url=database_url)
    client_of(app)  # starts the app (its answer recorder)

    async def hammer() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        "/api/banks/seed/questions/prompt-calibration/answer",
                        json={"answer": "C" if n % 3 else "A", "duration_ms": 3000},
                    )
                    for n in range(120)
                )
            )
        return [r.status_code for r in responses]

    assert run_async(hammer) == [200] * 120
    with app.state.web.database.transaction() as session:
        logged = session.scalar(select(func.count()).select_from(Review))
        wrong = session.scalar(select(func.count()).select_from(Review).where(~Review.correct))
    assert (logged, wrong) == (120, 40)
