"""The four rating buttons after an answer (Anki's Again/Hard/Good/Easy with their intervals)
and "N left" on a review or quiz card, through the ASGI app as a browser posts its forms."""

from __future__ import annotations

import re
from typing import Any

import fsrs
import pytest
from sqlalchemy import select

from llmiq.practice.intervals import format_interval
from llmiq.practice.scheduling import make_scheduler
from llmiq.store.models import Card, Review

BUTTON = re.compile(
    r'<button name="rating" value="(\d)"[^>]*class="([^"]*)"([^>]*)>\d · (\w+) '
    r'<span class="interval">([^<]+)</span>'
)


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app()


@pytest.fixture
def client(app: Any, client_of: Any) -> Any:
    return client_of(app)


def _rows(app: Any) -> tuple[list[Review], list[Card]]:
    with app.state.web.database.transaction() as session:
        reviews = list(session.scalars(select(Review).order_by(Review.id)).all())
        cards = list(session.scalars(select(Card)).all())
        session.expunge_all()
    return reviews, cards


def _answer(client: Any, token: str, question_id: str, choice: str) -> Any:
    data = {"csrf_token": token, "mode": "review", "question_id": question_id,
            "choice": choice, "duration_ms": "3000"}  # fmt: skip
    return client.post("/practice/seed/answer", data=data)


def _form(page: Any) -> dict[str, str]:
    form = page.text.split('id="rate-form"', 1)[1].split("</form>", 1)[0]
    action = re.search(r'action="([^"]+)"', page.text.split('id="rate-form"')[0][-200:])
    assert action is not None
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    return hidden | {"action": action.group(1)}


def test_a_wrong_answer_shows_four_buttons_again_focused_and_another_rating_wins(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    page = _answer(client, token, "reward-hacking", "A")
    buttons = BUTTON.findall(page.text)
    assert [(value, label, interval) for value, _, _, label, interval in buttons] == [
        ("1", "Again", "1m"), ("2", "Hard", "6m"), ("3", "Good", "10m"), ("4", "Easy", "8d"),
    ]  # fmt: skip
    assert [value for value, _, rest, _, _ in buttons if "autofocus" in rest] == ["1"]
    [before_review], [before_card] = _rows(app)
    assert (before_review.correct, before_review.rating) == (False, 1)  # recorded at once

    form = _form(page)
    done = client.post(form.pop("action"), data=form | {"rating": "3"})
    assert done.status_code == 200
    [review], [card] = _rows(app)
    assert (review.id, review.correct, review.rating, card.last_rating) == (
        before_review.id, False, 3, 3,
    )  # fmt: skip
    # the card is what fsrs makes of a new card rated Good at the answer's time
    expected, _ = make_scheduler(fuzz=False).review_card(
        fsrs.Card(card_id=1, due=review.reviewed_at), fsrs.Rating.Good,
        review_datetime=review.reviewed_at,
    )  # fmt: skip
    assert (card.state, card.step, card.due) == (int(expected.state), expected.step, expected.due)
    assert card.due != before_card.due

    action = _form(page)["action"]
    again = client.post(action, data=form | {"rating": "3"})
    assert again.status_code == 200
    assert _rows(app)[0][0].rating == 3  # idempotent: the same button twice
    client.post(action, data=form | {"rating": "1"})
    [review], [card] = _rows(app)
    assert (review.rating, card.last_rating, card.due) == (1, 1, before_card.due)


def test_a_rating_is_refused_once_the_question_is_answered_again(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    first = _form(_answer(client, token, "reward-hacking", "A"))
    _answer(client, token, "reward-hacking", "B")
    page = client.post(first.pop("action"), data=first | {"rating": "4"})
    assert "answered again since" in page.text
    assert [r.rating for r in _rows(app)[0]] == [1, 4]  # as recorded: Again, then Easy


def test_another_answer_id_changes_nothing(app: Any, client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    form = _form(_answer(client, token, "reward-hacking", "A"))
    page = client.post(form.pop("action").replace("/1/", "/99/"), data=form | {"rating": "4"})
    assert "you gave no answer 99" in page.text
    assert [r.rating for r in _rows(app)[0]] == [1]


def test_the_buttons_come_from_the_log_so_a_reload_shows_them_again(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    _answer(client, token, "prompt-calibration", "C")  # right within 5 s: Easy
    _answer(client, token, "prompt-calibration", "C")  # and again: a card in review
    [one, second], _ = _rows(app)
    page = client.get(f"/practice/seed/answered/{second.id}")
    values = [(v, label, interval) for v, _, _, label, interval in BUTTON.findall(page.text)]
    # fsrs itself: a new card rated Easy at the first answer, then each rating at the second
    scheduler = make_scheduler(fuzz=False)
    card, _ = scheduler.review_card(
        fsrs.Card(card_id=1, due=one.reviewed_at), fsrs.Rating.Easy,
        review_datetime=one.reviewed_at,
    )  # fmt: skip
    expected = []
    for rating in fsrs.Rating:
        after, _ = scheduler.review_card(card, rating, review_datetime=second.reviewed_at)
        interval = format_interval(after.due - second.reviewed_at)
        expected.append((str(int(rating)), rating.name, interval))
    assert values == expected
    assert (one.rating, second.rating) == (4, 4)
    assert [v for v, _, rest, _, _ in BUTTON.findall(page.text) if "autofocus" in rest] == ["4"]
    first = client.get(f"/practice/seed/answered/{second.id - 1}")
    assert 'id="rate-form"' not in first.text  # answered again since: its rating stays


def test_a_rating_post_needs_the_csrf_token(app: Any, client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    form = _form(_answer(client, token, "reward-hacking", "A"))
    refused = client.post(form.pop("action"), data=form | {"rating": "4", "csrf_token": "x"})
    assert refused.status_code == 403
    assert [r.rating for r in _rows(app)[0]] == [1]


def test_review_and_quiz_cards_say_how_many_are_left(client: Any, web_helpers: Any) -> None:
    review = client.get("/practice/seed/review")
    assert re.search(r'id="left">10 left<', review.text)
    quiz = client.get("/practice/seed/quiz?i=3")
    assert re.search(r'id="left">7 left<', quiz.text)


def test_an_open_questions_rating_page_shows_each_ratings_interval(
    client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    data = {"csrf_token": token, "mode": "review", "question_id": "vector-store",
            "answer": "No", "duration_ms": "3000"}  # fmt: skip
    page = client.post("/practice/seed/answer", data=data)
    intervals = re.findall(r'<span class="interval">([^<]+)</span>', page.text)
    assert intervals == ["1m", "6m", "10m", "8d"]  # a new card, as fsrs schedules one
