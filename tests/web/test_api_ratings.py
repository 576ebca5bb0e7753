"""POST /api/reviews/{review_id}/rating: another rating for an answer already recorded, as
the web's four buttons after an answer give it (see llmiq.practice.rerating)."""

from __future__ import annotations

from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(make_app: Any, client_of: Any) -> Any:
    return client_of(make_app())


def submit(client: Any, question_id: str, answer: str, **headers: str) -> Any:
    return client.post(
        f"/api/banks/seed/questions/{question_id}/answer", json={"answer": answer}, headers=headers
    )


def rate(client: Any, review_id: int, rating: Any, **headers: str) -> Any:
    return client.post(f"/api/reviews/{review_id}/rating", json={"rating": rating}, headers=headers)


def test_a_new_rating_reschedules_the_card_and_again_restores_it(client: Any) -> None:
    wrong = submit(client, "reward-hacking", "A").json()
    assert (wrong["rating"], wrong["card"]["last_rating"]) == ("again", "again")
    good = rate(client, wrong["review_id"], "good")
    assert good.status_code == 200
    rated = good.json()
    assert rated.keys() == {"review_id", "rating", "changed", "card"}
    assert (rated["review_id"], rated["rating"], rated["changed"]) == (
        wrong["review_id"], "good", True,
    )  # fmt: skip
    card = rated["card"]
    assert (card["id"], card["last_rating"]) == (wrong["card"]["id"], "good")
    assert card["due"] > wrong["card"]["due"]  # Good waits longer than Again's minute
    assert client.get(f"/api/cards/{card['id']}").json() == card  # as stored
    same = rate(client, wrong["review_id"], "good").json()
    assert (same["changed"], same["card"]) == (False, card)  # idempotent
    back = rate(client, wrong["review_id"], "again").json()
    assert back["card"]["due"] == wrong["card"]["due"]  # Again's schedule, as first recorded
    assert client.get("/api/stats").json()["reviews"] == 1  # a rating is not another answer


def test_a_rating_is_refused_once_the_question_is_answered_again(client: Any) -> None:
    first = submit(client, "reward-hacking", "A").json()
    later = submit(client, "reward-hacking", "B").json()
    refused = rate(client, first["review_id"], "easy")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "this question has been answered again since: that answer's rating stays"
    }
    card = client.get(f"/api/cards/{first['card']['id']}").json()
    assert card == later["card"]  # unchanged by the refused rating
    assert rate(client, later["review_id"], "easy").status_code == 200


@pytest.mark.parametrize("rating", ["great", "Good", 3, None, ""])
def test_a_rating_outside_the_four_is_a_422(client: Any, rating: Any) -> None:
    answered = submit(client, "reward-hacking", "A").json()
    response = rate(client, answered["review_id"], rating)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rating"]
    assert client.get("/api/cards").json()[0]["last_rating"] == "again"


def test_unknown_answers_are_404(client: Any) -> None:
    assert rate(client, 99, "good").status_code == 404
    assert rate(client, 2**31, "good").status_code == 422  # beyond the id column's range
    assert rate(client, 0, "good").status_code == 422


def test_another_persons_answer_is_404_and_writes_need_the_csrf_header(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True)
    tokens = {}
    clients = {}
    for name in ("ada", "bob"):
        web_helpers.add_account(app, name, password=PASSWORD)
        clients[name] = client_of(app)
        login = clients[name].post("/api/login", json={"name": name, "password": PASSWORD})
        tokens[name] = login.json()["csrf_token"]
    ada, bob = clients["ada"], clients["bob"]
    answered = submit(ada, "reward-hacking", "A", **{"X-CSRF-Token": tokens["ada"]}).json()
    review_id = answered["review_id"]
    foreign = rate(bob, review_id, "easy", **{"X-CSRF-Token": tokens["bob"]})
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": f"you gave no answer {review_id}"}
    assert rate(ada, review_id, "easy").status_code == 403  # no X-CSRF-Token header
    assert ada.get("/api/cards").json()[0]["last_rating"] == "again"
    done = rate(ada, review_id, "easy", **{"X-CSRF-Token": tokens["ada"]})
    assert (done.status_code, done.json()["card"]["last_rating"]) == (200, "easy")


def test_the_endpoint_is_documented(client: Any) -> None:
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/reviews/{review_id}/rating"]["post"]
    assert {"200", "403", "404", "409", "422"} <= operation["responses"].keys()
    assert "answered again" in operation["responses"]["409"]["description"]
    rating = document["components"]["schemas"]["RatingIn"]["properties"]["rating"]
    assert rating["enum"] == ["again", "hard", "good", "easy"]
    answer = document["components"]["schemas"]["AnswerOut"]
    assert "review_id" in answer["required"]
