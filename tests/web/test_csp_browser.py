"""Every page under the Content-Security-Policy, in Chromium, in both languages: no violation
(no inline script, style or handler the policy blocks), and what needs script still works —
keyboard answers, the stats chart and its bank choice, the mock countdown, Swagger UI.

A violation is caught twice: the ``securitypolicyviolation`` event of each document, reported
to the test through a Playwright binding, and Chromium's own console message about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ONE_QUESTION = """\
CSP check

1. Which letter comes after A in the alphabet?
A. C
B. B
C. D
Answer: B
"""

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " on " + event.documentURI + (event.sample ? " (" + event.sample + ")" : ""));
});
"""


@pytest.fixture
def expect(page: Page) -> Any:
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def violations(page: Page) -> list[str]:
    """What the policy blocked on any page this test's ``page`` visits."""
    found: list[str] = []
    page.expose_binding("reportCspViolation", lambda source, text: found.append(text))
    page.context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    page.on("console", on_console)
    return found


def load(page: Page, action: Callable[[], Any]) -> None:
    """Do something that takes the browser to another page and wait for that page's load."""
    with page.expect_navigation():
        action()


def visit(page: Page, url: str, visited: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    visited.append(page.url)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_runs_under_the_policy(
    lang: str,
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    violations: list[str],
    expect: Any,
) -> None:
    base = live_server(make_app())
    visited: list[str] = []
    visit(page, f"{base}/lang/{lang}?next=/", visited)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
    expect(page.locator("#bank-seed")).to_be_visible()

    visit(page, f"{base}/banks/seed", visited)
    page.locator("details.flag summary").first.click()

    # Review: a choice question answered with the keyboard (app.js), then the open question
    # answered and rated with keys.
    visit(page, f"{base}/practice/seed/review", visited)
    page.keyboard.press("c")
    expect(page.locator("#answer-form input[value=C]")).to_be_checked()
    load(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#verdict")).to_be_visible()
    visited.append(page.url)
    load(page, lambda: page.keyboard.press("Enter"))  # Next: the open question
    page.locator("#answer-form textarea[name=answer]").fill("no")
    load(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#rate-form")).to_be_visible()
    visited.append(page.url)
    load(page, lambda: page.keyboard.press("3"))
    expect(page.locator("#verdict")).to_be_visible()
    visited.append(page.url)

    visit(page, f"{base}/practice/seed/quiz", visited)

    # A mock interview: its countdown is app.js's.
    visit(page, f"{base}/practice/seed/mock", visited)
    page.locator("input[name=count]").fill("1")
    load(page, lambda: page.locator("form button.primary, form button").last.click())
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^1?\d:[0-5]\d$"))
    visited.append(page.url)

    # Statistics: the chart loads, and choosing a bank submits the form (app.js, no onchange).
    visit(page, f"{base}/stats", visited)
    plot = page.locator("img.stats-plot")
    expect(plot).to_be_visible()
    assert plot.evaluate("img => img.complete && img.naturalWidth") > 0
    load(page, lambda: page.locator("select[name=bank]").select_option("seed"))
    expect(page).to_have_url(f"{base}/stats?bank=seed")
    visited.append(page.url)

    visit(page, f"{base}/exams", visited)

    # Import: preview, save, answer its one question, and the review is done.
    visit(page, f"{base}/import", visited)
    page.locator("textarea[name=text]").fill(ONE_QUESTION)
    page.locator("input[name=bank_id]").fill("csp")
    load(page, lambda: page.locator("#preview").click())
    visited.append(page.url)
    load(page, lambda: page.locator("#save").click())
    expect(page).to_have_url(f"{base}/banks/csp")
    visited.append(page.url)
    visit(page, f"{base}/practice/csp/review", visited)
    page.keyboard.press("b")
    load(page, lambda: page.keyboard.press("Enter"))
    load(page, lambda: page.keyboard.press("Enter"))
    visited.append(page.url)

    visit(page, f"{base}/admin", visited)
    visit(page, f"{base}/admin/flags", visited)
    visit(page, f"{base}/no/such/page", visited)
    expect(page.locator("main")).to_be_visible()

    # Swagger UI from local assets, its inline start-up script allowed by its digest.
    visit(page, f"{base}/api/docs", visited)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("llmiq")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    assert not violations, f"blocked by the Content-Security-Policy on {visited}: {violations}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sign_in_pages_run_under_the_policy(
    lang: str,
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    page: Page,
    violations: list[str],
    expect: Any,
    web_helpers: Any,
) -> None:
    app = make_app(multi_user=True, registration=True)
    web_helpers.add_account(app, "ada", admin=True)
    base = live_server(app)
    page.goto(f"{base}/lang/{lang}?next=/register")
    expect(page.locator("input[name=name]")).to_be_visible()
    page.goto(f"{base}/login")
    page.locator("input[name=name]").fill("ada")
    page.locator("input[name=password]").fill(web_helpers.password)
    load(page, lambda: page.locator("main form button").last.click())
    expect(page.locator(".who")).to_have_text("ada")
    page.goto(f"{base}/")
    load(page, lambda: page.locator("header form.inline button").click())  # sign out
    assert not violations, f"blocked by the Content-Security-Policy: {violations}"
