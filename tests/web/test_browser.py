"""The web app in a real browser: import an article, practise it with the keyboard, see the
statistics; two people on one instance; escaping of imported text; the language switch.

Each test drives Chromium through Playwright's sync API against an app served by uvicorn
(fixtures in conftest.py), and saves screenshots of the pages it passes through under
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

Screenshot = Callable[["Page", str], Path]

XSS_ARTICLE = """\
Escaping <script>window.__xss = 5</script> check

1. What does <script>window.__xss = 1</script> print on the page?
A. <img src=x onerror="window.__xss = 2">
B. <script>window.__xss = 3</script>
C. Nothing at all
Answer: C
The page must show <b onmouseover="window.__xss = 4">tags</b> as text.

2. Is <script>window.__xss = 6</script> safe to store?
Answer: Yes
"""

KEYBOARD_ARTICLE = """\
Keyboard check

1. Which of these numbers are prime?
A. 2
B. 4
C. 5
D. 9
Answer: AC
Two and five have no divisors but one and themselves.

2. Which letter comes after A in the alphabet?
A. C
B. B
C. D
Answer: B
"""


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def expect(browser: Browser) -> Any:
    """Playwright's ``expect``, imported only once the ``browser`` fixture found Playwright
    (it skips, or fails under CI=true, when Playwright is missing)."""
    from playwright.sync_api import expect

    return expect


@contextmanager
def second_context(browser: Browser) -> Iterator[Page]:
    """A page in another browser context: another person, with cookies of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def press_and_load(page: Page, key: str) -> None:
    """Press a key that must take the browser to another page, and wait for that page's load
    (its deferred app.js has run, so the next key press reaches the shortcuts)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def click_and_load(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def preview_article(page: Page, base_url: str, text: str, bank_id: str) -> None:
    page.goto(f"{base_url}/import")
    page.locator("textarea[name=text]").fill(text)
    page.locator("input[name=bank_id]").fill(bank_id)
    click_and_load(page, "#preview")


def import_article(page: Page, base_url: str, text: str, bank_id: str, expect: Any) -> None:
    preview_article(page, base_url, text, bank_id)
    click_and_load(page, "#save")
    expect(page).to_have_url(f"{base_url}/banks/{bank_id}")


def option_input(page: Page, key: str) -> Any:
    return page.locator(f'#answer-form label[data-key="{key}"] input')


def checked_options(page: Page) -> list[str]:
    return page.locator("#answer-form input[name=choice]:checked").evaluate_all(
        "inputs => inputs.map(input => input.value)"
    )


def assert_no_script_ran(page: Page, expect: Any) -> None:
    """Imported text with markup in it is shown as text: no script or image of its own on the
    page (app.js is the only script), nothing set ``window.__xss``, ``<script>`` readable."""
    page.wait_for_load_state("load")  # images that would fail (onerror) have failed by now
    assert page.evaluate("window.__xss") is None
    assert page.locator("script").count() == 1
    assert page.locator("script").get_attribute("src") == "/static/app.js"
    assert page.locator("main img, main b").count() == 0
    expect(page.locator("main")).to_contain_text("<script>window.__xss = ")


def due_today_is_stable() -> bool:
    """Cards answered now count as due today, unless local midnight is a few minutes away."""
    now = datetime.now().astimezone()
    return (now + timedelta(minutes=15)).date() == now.date()


# --- tests ---------------------------------------------------------------------------------


def test_import_answer_rate_and_stats(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Screenshot,
    seed_article: Path,
) -> None:
    app = make_app()
    base = live_server(app)

    page.goto(f"{base}/")
    expect(page.locator("#bank-seed")).to_be_visible()
    expect(page.locator("#due-total")).to_have_text("0")
    save_screenshot(page, "home")

    # Import: paste, preview, save.
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(f"{base}/import")
    page.locator("textarea[name=text]").fill(seed_article.read_text(encoding="utf-8"))
    page.locator("input[name=bank_id]").fill("article")
    click_and_load(page, "#preview")
    found = re.compile(r"^10 questions\s+\(9 single, 1 open\)$")
    expect(page.locator("#found")).to_have_text(found)
    expect(page.locator("article.card")).to_have_count(10)
    save_screenshot(page, "import-preview")
    click_and_load(page, "#save")
    expect(page).to_have_url(f"{base}/banks/article")
    expect(page.locator(".flash")).to_have_text("Saved 10 question(s) as bank article.")
    expect(page.locator("#count")).to_have_text("10 / 10")

    bank = app.state.web.shelf.get("article").bank
    first, open_question, third = bank.questions[:3]
    assert first.is_choice
    assert not open_question.is_choice
    assert third.is_choice
    assert first.answer == ["C"]
    expect(page.locator("h1")).to_contain_text(bank.title.zh)
    save_screenshot(page, "bank")

    # Review, question 1: keys choose options (letters and digits), Enter submits.
    click_and_load(page, "main a.button.primary[href$='/review']")
    expect(page).to_have_url(f"{base}/practice/article/review")
    expect(page.locator("h1.prompt")).to_have_text(first.prompt.zh)
    page.keyboard.press("b")
    assert checked_options(page) == ["B"]
    page.keyboard.press("4")  # digits name options too: 4 is D
    assert checked_options(page) == ["D"]
    page.keyboard.press("z")  # no option Z: nothing changes
    assert checked_options(page) == ["D"]
    page.keyboard.press(first.answer[0].lower())
    assert checked_options(page) == ["C"]
    expect(option_input(page, "C")).to_be_checked()
    save_screenshot(page, "question")
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator("#verdict")).to_have_class(re.compile(r"\bright\b"))
    expect(page.locator(".given")).to_have_text("C")
    expect(page.locator("ol.feedback li.right")).to_have_count(1)
    expect(page.locator("ol.feedback li.right")).to_contain_text("提示校准")
    expect(page.locator("ol.feedback li.right .mark")).to_have_text("✓")
    expect(page.locator(".explanation")).to_contain_text("提示校准包括调整提示")
    save_screenshot(page, "feedback")

    # Question 2 is the open one: type, Enter, rate with the key 3 (Good).
    press_and_load(page, "Enter")  # Next
    expect(page.locator("h1.prompt")).to_have_text(open_question.prompt.zh)
    expect(page.locator("#answer-form textarea[name=answer]")).to_be_focused()
    page.keyboard.type("不需要")
    press_and_load(page, "Enter")
    expect(page.locator("#rate-form")).to_be_visible()
    expect(page.locator(".given")).to_have_text("不需要")
    expect(page.locator(".reference")).to_contain_text("不需要")
    expect(page.locator("#rate-form button[data-rating]")).to_have_count(4)
    save_screenshot(page, "rate")
    press_and_load(page, "3")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator("#verdict")).to_contain_text("Rated 3 (Good)")
    expect(page.locator(".reference")).to_contain_text("不需要")

    # Question 3, answered wrongly.
    press_and_load(page, "Enter")
    expect(page.locator("h1.prompt")).to_have_text(third.prompt.zh)
    wrong = next(o.key for o in third.options if o.key not in third.answer)
    page.keyboard.press(wrong.lower())
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Wrong")
    expect(page.locator("#verdict")).to_contain_text("Rated 1 (Again)")
    expect(page.locator("ol.feedback li.chosen .mark")).to_have_text("✗")
    expect(page.locator("ol.feedback li.chosen")).to_contain_text(wrong)

    # Statistics: three reviews, and the plot loads as an image.
    page.goto(f"{base}/stats")
    expect(page.locator("#reviews")).to_have_text("3")
    expect(page.locator("#accuracy")).to_have_text("67%")
    expect(page.locator("#by-topic")).to_be_visible()
    plot = page.locator("img.stats-plot")
    assert plot.evaluate("img => img.complete && img.naturalWidth") > 0
    save_screenshot(page, "stats")

    # Flag a question in the bank browser; the admin sees it.
    page.goto(f"{base}/banks/article")
    card = page.locator(f"#q-{first.id}")
    card.locator("details.flag summary").click()
    card.get_by_label("The answer is wrong").check()
    card.locator("textarea[name=comment]").fill("Option C looks doubtful")
    with page.expect_navigation():
        card.get_by_role("button", name="Send").click()
    expect(page).to_have_url(f"{base}/banks/article")
    expect(page.locator(".flash")).to_contain_text("the question is flagged")
    page.goto(f"{base}/admin")
    expect(page.get_by_role("link", name="Open flags: 1")).to_be_visible()
    page.goto(f"{base}/admin/flags")
    rows = page.locator("#flags-open tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"article/{first.id}")
    expect(rows).to_contain_text("The answer is wrong")
    expect(rows.locator(".comment")).to_have_text("Option C looks doubtful")
    save_screenshot(page, "admin-flags")

    # A mock interview of two questions, with its countdown.
    page.goto(f"{base}/practice/article/mock")
    page.locator("input[name=count]").fill("2")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/practice/article/mock/run\?"))
    expect(page.locator(".card .meta")).to_contain_text("1/2")
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^(15:00|14:[0-5]\d)$"))
    minutes, seconds = map(int, countdown.inner_text().split(":"))
    assert 14 * 60 <= minutes * 60 + seconds <= 15 * 60
    save_screenshot(page, "mock-question")


def test_keyboard_shortcuts_choose_options(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
) -> None:
    app = make_app()
    base = live_server(app)
    import_article(page, base, KEYBOARD_ARTICLE, "keys", expect)
    bank = app.state.web.shelf.get("keys").bank
    assert [q.kind.value for q in bank.questions] == ["multiple", "single"]

    page.goto(f"{base}/practice/keys/review")
    expect(page.locator("#answer-form input[type=checkbox]")).to_have_count(4)
    expect(page.locator("#answer-form")).to_contain_text("Several answers may be right.")
    page.keyboard.press("a")
    page.keyboard.press("c")
    assert checked_options(page) == ["A", "C"]
    page.keyboard.press("a")  # a letter toggles its box
    assert checked_options(page) == ["C"]
    page.keyboard.press("1")
    assert checked_options(page) == ["A", "C"]
    page.keyboard.press("Control+b")  # shortcuts leave modified keys alone
    assert checked_options(page) == ["A", "C"]

    # Letters typed in the flag comment are text, not choices.
    page.locator("details.flag summary").click()
    page.locator("details.flag textarea[name=comment]").click()
    page.keyboard.type("bd")
    expect(page.locator("details.flag textarea[name=comment]")).to_have_value("bd")
    assert checked_options(page) == ["A", "C"]
    page.locator("h1.prompt").click()  # focus leaves the comment box

    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator(".given")).to_have_text("A,C")
    expect(page.locator("ol.feedback li.right")).to_have_count(2)

    press_and_load(page, "Enter")
    expect(page.locator("#answer-form input[type=radio]")).to_have_count(3)
    page.keyboard.press("b")
    assert checked_options(page) == ["B"]
    page.keyboard.press("3")  # a radio: choosing C unchooses B
    assert checked_options(page) == ["C"]
    page.keyboard.press("d")  # no option D
    assert checked_options(page) == ["C"]
    page.keyboard.press("2")
    expect(option_input(page, "B")).to_be_checked()
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")


def test_enter_outside_the_answer_form_does_not_submit_the_answer(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
) -> None:
    base = live_server(make_app())
    page.goto(f"{base}/practice/seed/review")
    page.keyboard.press("c")
    page.get_by_role("link", name="Statistics").focus()
    press_and_load(page, "Enter")
    assert page.url == f"{base}/stats"
    assert page.locator("#reviews").inner_text() == "0"

    # Enter in the flag's comment box starts a new line of the comment.
    page.goto(f"{base}/practice/seed/review")
    page.locator("details.flag summary").click()
    page.locator("details.flag textarea[name=comment]").click()
    page.keyboard.type("first line")
    page.keyboard.press("Enter")
    page.keyboard.type("second line")
    page.wait_for_load_state()
    assert page.url == f"{base}/practice/seed/review"
    comment = page.locator("details.flag textarea[name=comment]")
    assert comment.input_value() == "first line\nsecond line"


def test_second_user_cannot_see_first_users_progress(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    browser: Browser,
    page: Page,
    expect: Any,
    save_screenshot: Screenshot,
    web_helpers: Any,
) -> None:
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "alice")
    base = live_server(app)
    stable = due_today_is_stable()

    # Alice signs in.
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=/")
    expect(page.get_by_role("link", name="Create account")).to_be_visible()
    save_screenshot(page, "login")
    page.locator("input[name=name]").fill("alice")
    page.locator("input[name=password]").fill("a wrong password")
    click_and_load(page, "form.stack button.primary")
    expect(page.locator(".error")).to_have_text("Wrong name or password.")
    page.locator("input[name=password]").fill(web_helpers.password)
    click_and_load(page, "form.stack button.primary")
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".who")).to_have_text("alice")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    row = page.locator("#bank-seed")
    expect(row.locator("td").nth(3)).to_have_text("10")
    expect(row.locator("td.due")).to_have_text("0")

    # Two answers in Review: one right, the open question rated Again.
    with page.expect_navigation():
        row.get_by_role("link", name="Review").click()
    page.keyboard.press("c")
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    press_and_load(page, "Enter")
    expect(page.locator("textarea[name=answer]")).to_be_focused()
    page.keyboard.type("yes, always")
    press_and_load(page, "Enter")
    press_and_load(page, "1")
    expect(page.locator("#verdict")).to_contain_text("Wrong")

    page.goto(f"{base}/")
    expect(row.locator("td").nth(3)).to_have_text("8")
    if stable:  # Again: due in a minute, so today
        expect(row.locator("td.due")).to_have_text("1")
        expect(page.locator("#due-total")).to_have_text("1")
    page.goto(f"{base}/stats")
    expect(page.locator("#reviews")).to_have_text("2")
    expect(page.locator("#accuracy")).to_have_text("50%")

    # Bob registers through the form, in a browser of his own.
    with second_context(browser) as bob:
        bob.goto(f"{base}/register")
        bob.locator("input[name=name]").fill("bob")
        bob.locator("input[name=password]").fill("bob's long password")
        bob.locator("input[name=password_again]").fill("bob's other password")
        click_and_load(bob, "form.stack button.primary")
        expect(bob.locator(".error")).to_have_text("the two passwords differ")
        expect(bob.locator("input[name=name]")).to_have_value("bob")
        bob.locator("input[name=password]").fill("bob's long password")
        bob.locator("input[name=password_again]").fill("bob's long password")
        click_and_load(bob, "form.stack button.primary")
        expect(bob).to_have_url(f"{base}/")
        expect(bob.locator(".who")).to_have_text("bob")
        bob_row = bob.locator("#bank-seed")
        expect(bob_row.locator("td").nth(3)).to_have_text("10")
        expect(bob_row.locator("td.due")).to_have_text("0")
        expect(bob.locator("#due-total")).to_have_text("0")

        bob.goto(f"{base}/stats")
        expect(bob.locator("#reviews")).to_have_text("0")
        expect(bob.locator("main")).to_contain_text("No reviews yet.")
        expect(bob.locator("#by-topic")).to_have_count(0)
        save_screenshot(bob, "stats-second-user")

        response = bob.goto(f"{base}/admin")
        assert response is not None
        assert response.status == 403
        expect(bob.locator(".error")).to_have_text("This page is for admins.")
        response = bob.goto(f"{base}/import")
        assert response is not None
        assert response.status == 403

    # Alice's progress is untouched by Bob's visit.
    page.reload()
    expect(page.locator("#reviews")).to_have_text("2")


def test_imported_script_is_shown_as_text(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Screenshot,
) -> None:
    base = live_server(make_app())

    preview_article(page, base, XSS_ARTICLE, "markup")
    expect(page.locator("#found")).to_contain_text("2 questions")
    assert_no_script_ran(page, expect)
    expect(page.locator("h1")).to_contain_text("Escaping <script>window.__xss = 5</script> check")
    expect(page.locator("article.card").first.locator("ol.options li").first).to_have_text(
        'A <img src=x onerror="window.__xss = 2">'
    )
    save_screenshot(page, "import-preview-markup")

    click_and_load(page, "#save")
    expect(page).to_have_url(f"{base}/banks/markup")
    assert_no_script_ran(page, expect)
    expect(page.locator("#q-q1 h2.prompt")).to_have_text(
        "What does <script>window.__xss = 1</script> print on the page?"
    )

    page.goto(f"{base}/practice/markup/review")
    assert_no_script_ran(page, expect)
    expect(page.locator("h1.prompt")).to_have_text(
        "What does <script>window.__xss = 1</script> print on the page?"
    )
    expect(page.locator('label[data-key="B"]')).to_contain_text("<script>window.__xss = 3</script>")
    page.keyboard.press("a")
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("Wrong")
    assert_no_script_ran(page, expect)
    expect(page.locator(".explanation")).to_have_text(
        'The page must show <b onmouseover="window.__xss = 4">tags</b> as text.'
    )

    # What the person types is shown back as text too.
    press_and_load(page, "Enter")
    expect(page.locator("textarea[name=answer]")).to_be_focused()  # typing starts there
    page.keyboard.type('<img src=x onerror="window.__xss = 7">')
    press_and_load(page, "Enter")
    expect(page.locator("#rate-form")).to_be_visible()
    expect(page.locator(".given")).to_have_text('<img src=x onerror="window.__xss = 7">')
    assert_no_script_ran(page, expect)
    press_and_load(page, "3")
    expect(page.locator(".given")).to_have_text('<img src=x onerror="window.__xss = 7">')
    assert_no_script_ran(page, expect)

    page.goto(f"{base}/admin")
    expect(page.locator("main")).to_contain_text("Escaping <script>window.__xss = 5</script> check")
    assert page.evaluate("window.__xss") is None


def test_language_switch(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Screenshot,
) -> None:
    app = make_app()
    base = live_server(app)
    question = app.state.web.shelf.get("seed").bank.questions[0]
    assert question.prompt.zh
    assert question.prompt.en
    assert question.prompt.zh != question.prompt.en
    nav = page.locator("header nav")

    page.goto(f"{base}/practice/seed/review")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1.prompt")).to_have_text(question.prompt.en)
    expect(nav).to_have_text(re.compile(r"^\s*Home\s+Statistics\s+Exams\s+Import\s+Admin\s*$"))
    expect(page.locator("#lang-switch")).to_have_text("中文")

    click_and_load(page, "#lang-switch")
    expect(page).to_have_url(f"{base}/practice/seed/review")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1.prompt")).to_have_text(question.prompt.zh)
    expect(nav).to_have_text(re.compile(r"^\s*首页\s+统计\s+模型考试\s+导入\s+管理\s*$"))
    expect(page.locator("#submit")).to_contain_text("提交")
    expect(page.locator("#lang-switch")).to_have_text("English")
    assert question.options[0].text.zh is not None
    expect(page.locator('label[data-key="A"]')).to_contain_text(question.options[0].text.zh)

    # The feedback in Chinese, with why each option is right or wrong.
    page.keyboard.press(question.answer[0].lower())
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_contain_text("回答正确")
    whys = page.locator("ol.feedback li .why")
    expect(whys).to_have_count(len(question.options))
    for index, option in enumerate(question.options):
        assert option.why is not None
        assert option.why.zh
        expect(whys.nth(index)).to_have_text(option.why.zh)
    assert question.explanation is not None
    assert question.explanation.zh
    expect(page.locator(".explanation")).to_have_text(question.explanation.zh)
    save_screenshot(page, "feedback-zh")

    # Back to English (from a page reached with GET: the card of the next question).
    press_and_load(page, "Enter")
    click_and_load(page, "#lang-switch")
    expect(page).to_have_url(f"{base}/practice/seed/review")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav).to_have_text(re.compile(r"^\s*Home\s+Statistics\s+Exams\s+Import\s+Admin\s*$"))
    second = app.state.web.shelf.get("seed").bank.questions[1]
    expect(page.locator("h1.prompt")).to_have_text(second.prompt.en)
    expect(page.locator("#submit")).to_contain_text("Submit")


def test_language_switch_on_the_feedback_page(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
) -> None:
    base = live_server(make_app())
    page.goto(f"{base}/practice/seed/review")
    page.keyboard.press("c")
    press_and_load(page, "Enter")
    expect(page.locator("#verdict")).to_be_visible()
    click_and_load(page, "#lang-switch")
    assert page.locator(".error").count() == 0
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_bank_browser_filters_by_area_and_difficulty_and_links_sources(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    expect: Any,
    save_screenshot: Screenshot,
) -> None:
    app = make_app()
    base = live_server(app)
    combined = app.state.web.shelf.get("all-areas").bank
    chosen = [q for q in combined.questions if q.area == "inference" and q.difficulty == 3]
    assert chosen

    page.goto(f"{base}/banks/all-areas")
    total = len(combined.questions)
    expect(page.locator("#count")).to_have_text(f"{total} / {total}")
    page.locator("select[name=area]").select_option("inference")
    page.locator("select[name=difficulty]").select_option("3")
    click_and_load(page, "form.search button")
    expect(page.locator("#count")).to_have_text(f"{len(chosen)} / {total}")
    expect(page.locator("article.card")).to_have_count(len(chosen))
    expect(page.locator("select[name=area]")).to_have_value("inference")

    first = chosen[0]
    card = page.locator(f"#q-{first.id}")
    expect(card.locator(".meta")).to_contain_text("advanced")
    card.locator("details summary", has_text="Answer").click()
    links = card.locator(".references a")
    expect(links).to_have_count(len(first.references))
    for index, reference in enumerate(first.references):
        expect(links.nth(index)).to_have_attribute("href", reference.url)
        expect(links.nth(index)).to_have_text(reference.title)
    save_screenshot(page, "bank-filters")
