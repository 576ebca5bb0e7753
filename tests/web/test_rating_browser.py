"""In Chromium: after an answer, the four rating buttons with their intervals, llmiq's own
focused, and another one chosen with its key; the mock interview's report hidden until the
interview ends. Fixtures (page, live_server, make_app, save_screenshot) from conftest.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from llmiq.store.models import Card, Review

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def expect(page: Page) -> Any:
    from playwright.sync_api import expect

    return expect


def _reviews(app: Any) -> list[tuple[str, bool | None, int]]:
    with app.state.web.database.transaction() as session:
        rows = session.scalars(select(Review).order_by(Review.id)).all()
        return [(r.question_id, r.correct, r.rating) for r in rows]


def _last_rating(app: Any) -> int | None:
    with app.state.web.database.transaction() as session:
        return session.scalars(select(Card)).one().last_rating


def test_rating_buttons_show_intervals_and_another_one_wins(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    app = make_app()
    base = live_server(app)
    page.goto(f"{base}/practice/seed/review?lang=en")
    expect(page.locator("#left")).to_have_text("10 left")
    expect(page.locator("h1.prompt")).to_contain_text("bias in prompt-based learning")
    page.locator('label[data-key="A"]').click()  # wrong: the answer is C
    with page.expect_navigation():
        page.locator("#submit").click()
    expect(page.locator("#verdict")).to_contain_text("Wrong")
    buttons = page.locator("#rate-form button[data-rating]")
    expect(buttons).to_have_count(4)
    expect(buttons).to_have_text(
        [re.compile(rf"^{n} · {label} \S+$") for n, label in
         enumerate(["Again", "Hard", "Good", "Easy"], start=1)]
    )  # fmt: skip
    expect(page.locator("#rate-form .interval")).to_have_text(["1m", "6m", "10m", "8d"])
    expect(page.locator('#rate-form button[data-rating="1"]')).to_be_focused()  # suggested
    save_screenshot(page, "rating-buttons")
    assert _reviews(app) == [("prompt-calibration", False, 1)]  # kept at once, as Again

    with page.expect_navigation():
        page.keyboard.press("3")  # Good instead
    expect(page.locator("h1.prompt")).to_be_visible()  # on to the next question
    assert _reviews(app) == [("prompt-calibration", False, 3)]
    assert _last_rating(app) == 3


def test_mock_report_is_hidden_until_the_interview_ends(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    app = make_app()
    base = live_server(app)
    page.goto(f"{base}/practice/seed/mock?lang=en")
    page.locator("input[name=count]").fill("2")
    with page.expect_navigation():
        page.locator("form button").first.click()
    expect(page).to_have_url(re.compile(r"/practice/seed/mock/run\?"))
    report_url = re.sub(r"/mock/run\?(t=[^&]+).*", r"/mock/report?\1", page.url)

    page.goto(report_url)  # peeking before the end: back to the interview
    expect(page.locator(".flash")).to_contain_text("The report opens when the interview ends")
    expect(page.locator("#answer-form")).to_be_visible()
    expect(page.get_by_text("Mock interview:")).to_have_count(0)
    save_screenshot(page, "mock-report-refused")

    for _ in range(2):  # questions are drawn at random: a choice one, or the open one
        if page.locator("#answer-form textarea").count():
            page.locator("#answer-form textarea").fill("no")
            with page.expect_navigation():
                page.locator("#submit").click()
            if page.locator("#rate-form").count():  # only a reference answer: rate it
                with page.expect_navigation():
                    page.locator('#rate-form button[data-rating="3"]').click()
        else:
            page.locator("#answer-form label[data-key]").first.click()
            with page.expect_navigation():
                page.locator("#submit").click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"Mock interview: \d/2"))
    expect(page.locator("#mock-topics tbody tr")).not_to_have_count(0)
    save_screenshot(page, "mock-report")
    assert len(_reviews(app)) == 2
