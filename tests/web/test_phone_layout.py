"""Every page on a phone (390x844, an iPhone 12-15's viewport) in both languages: nothing makes
the page scroll sideways, the header's items keep to one line each (Chinese ones were stacked
one character per line), the feedback's Next button and the rating page's buttons are near the
answer, not below the explanation, references or lab.
1280 px wide, the same pages stay free of overflow too.

Screenshots of every page go to test-artifacts/phone/ (or $LLMIQ_SCREENSHOTS), kept with
the other browser tests' screenshots.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS_ENV = "LLMIQ_SCREENSHOTS"
# The primary action of a feedback page must be this many screen heights down at most.
ACTION_WITHIN_SCREENS = 1.5

# An imported question with what phones choke on: unbroken identifiers, long URLs.
FSDP = "torch.distributed.fsdp.FullyShardedDataParallel"
DOCS = "https://pytorch.org/docs/stable/fsdp.html#"
LONG_WORDS = f"""\
Layout check

1. Which flag does {FSDP}_auto_wrap_policy_size_based take?
A. min_num_params_for_transformer_auto_wrap_policy_of_the_decoder_layers
B. {DOCS}{FSDP}.sharding_strategy
C. Neither
Answer: A
See {DOCS}{FSDP}.auto_wrap_policy_for_details and size_based_auto_wrap_policy_min_num_params.
"""

# Elements that stick out of the viewport, unless a scroll container of theirs (a table's
# wrapper, a <pre>) clips them: those are scrolled inside it, the page is not.
OVERFLOWING = """
(width) => {
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (element) => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + (element.classList.length ? "." + [...element.classList].join(".") : "");
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    if (clipped(element)) continue;
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    found.push(`${name(element)} [${Math.round(box.left)}, ${Math.round(box.right)}] "${text}"`);
  }
  return found;
}
"""

# Header items taller than two lines of their own text: a label broken into pieces.
BROKEN_HEADER_ITEMS = """
() => [...document.querySelectorAll("header.top a, header.top button, header.top .who")]
  .filter((element) => {
    const style = getComputedStyle(element);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    return element.getBoundingClientRect().height > 1.9 * line;
  })
  .map((element) => `${element.textContent.trim()}: ${element.getBoundingClientRect().height}px`)
"""


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """$LLMIQ_SCREENSHOTS, else test-artifacts/phone/ beside the other browser tests' shots
    ($LLMIQ_TEST_ARTIFACTS moves that folder)."""
    configured = os.environ.get(SCREENSHOTS_ENV)
    artifacts = request.config.rootpath / os.environ.get("LLMIQ_TEST_ARTIFACTS", "test-artifacts")
    folder = Path(configured) if configured else artifacts / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    """A page in a context of its own; below 600 px wide, a touch phone at 2x."""
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _load(page: Page, action: Callable[[], Any]) -> None:
    with page.expect_navigation():
        action()
    page.wait_for_load_state("load")


class Walk:
    """Checks each page it is shown; collects what is wrong, and the scroll widths seen."""

    def __init__(self, page: Page, width: int, folder: Path, tag: str) -> None:
        self.page, self.width, self.folder, self.tag = page, width, folder, tag
        self.problems: list[str] = []
        self.widths: dict[str, int] = {}

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        page.evaluate("window.scrollTo(0, 0)")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        self.widths[name] = scroll_width
        if scroll_width > self.width:
            offenders = page.evaluate(OVERFLOWING, self.width)
            listed = "\n    ".join(offenders[:12]) or "(no single element)"
            self.problems.append(
                f"{name} ({page.url}): scrollWidth {scroll_width} > {self.width}; "
                f"{len(offenders)} elements stick out:\n    {listed}"
            )
        broken = page.evaluate(BROKEN_HEADER_ITEMS)
        if broken:
            self.problems.append(f"{name}: header items wrap onto several lines: {broken}")
        page.screenshot(path=self.folder / f"{self.tag}-{name}.png", full_page=True)

    def action_near_the_top(self, name: str, selector: str, after: str | None = None) -> None:
        """The page's primary action is at most ACTION_WITHIN_SCREENS screens down, and comes
        before the ``after`` block in the page."""
        page = self.page
        page.evaluate("window.scrollTo(0, 0)")
        top = page.locator(selector).evaluate("element => element.getBoundingClientRect().top")
        height = page.viewport_size["height"] if page.viewport_size else 0
        if top > ACTION_WITHIN_SCREENS * height:
            self.problems.append(f"{name}: {selector} is {top:.0f} px down (screen: {height} px)")
        if after and page.locator(after).count():
            before = page.locator(selector).evaluate(
                "(element, after) => Boolean(element.compareDocumentPosition("
                "document.querySelector(after)) & Node.DOCUMENT_POSITION_FOLLOWING)",
                after,
            )
            if not before:
                self.problems.append(f"{name}: {selector} comes after {after}")


def _walk_every_page(walk: Walk, base: str, lang: str, password: str) -> None:
    page = walk.page
    page.goto(f"{base}/lang/{lang}?next=/login")
    walk.check("login")
    page.goto(f"{base}/register")
    walk.check("register")
    page.goto(f"{base}/login")
    page.locator("input[name=name]").fill("ada")
    page.locator("input[name=password]").fill(password)
    _load(page, lambda: page.locator("main form button").click())

    page.goto(f"{base}/import")
    walk.check("import")
    page.locator("textarea[name=text]").fill(LONG_WORDS)
    page.locator("input[name=bank_id]").fill(f"layout-{lang}")
    _load(page, lambda: page.locator("#preview").click())
    walk.check("import-preview")
    _load(page, lambda: page.locator("#save").click())
    walk.check("bank-imported")
    page.locator("details.flag summary").first.click()
    page.locator("details.flag textarea").first.fill("x" * 120 + " https://example.com/" + "y" * 90)
    _load(page, lambda: page.locator("details.flag button").first.click())

    page.goto(f"{base}/")
    walk.check("home")
    page.goto(f"{base}/banks/seed")
    walk.check("bank")

    # Quiz order is the bank's: a choice question (with a lab), then an open one.
    page.goto(f"{base}/practice/seed/quiz")
    walk.check("question")
    walk.action_near_the_top("question", "#submit")
    page.locator("#answer-form label[data-key=B]").click()
    _load(page, lambda: page.locator("#submit").click())
    walk.check("feedback")
    walk.action_near_the_top("feedback", "#next", after="#lab")
    _load(page, lambda: page.locator("#next").click())
    page.locator("#answer-form textarea[name=answer]").fill("no")
    _load(page, lambda: page.locator("#submit").click())
    walk.check("rate")
    walk.action_near_the_top("rate", "#rate-form button[data-rating='4']", after=".explanation")
    _load(page, lambda: page.locator("#rate-form button[name=rating]").first.click())
    walk.check("feedback-open")
    walk.action_near_the_top("feedback-open", "#next", after="#lab")
    page.goto(f"{base}/practice/layout-{lang}/quiz")
    _load(page, lambda: page.locator("#submit").click())  # no choice: asked again
    walk.check("question-error")
    page.goto(f"{base}/practice/seed/quiz?i=99")
    walk.check("done")

    page.goto(f"{base}/practice/seed/mock")
    walk.check("mock-start")
    page.locator("input[name=count]").fill("1")
    _load(page, lambda: page.locator("main form button.primary").click())
    walk.check("mock-question")
    if page.locator("#answer-form textarea").count():
        page.locator("#answer-form textarea").fill("no idea")
        _load(page, lambda: page.locator("#submit").click())
        _load(page, lambda: page.locator("#rate-form button[name=rating]").first.click())
    else:
        page.locator("#answer-form label").first.click()
        _load(page, lambda: page.locator("#submit").click())
    walk.check("mock-report")

    page.goto(f"{base}/stats")
    walk.check("stats")
    page.goto(f"{base}/exams")
    walk.check("exams")
    page.goto(f"{base}/admin")
    walk.check("admin")
    page.goto(f"{base}/admin/flags")
    walk.check("flags")
    page.goto(f"{base}/no/such/page")
    walk.check("error")


@pytest.fixture
def layout_app(
    make_app: Callable[..., Any], run_cli: Callable[..., Any], web_helpers: Any, tmp_path: Path
) -> Any:
    """A multi-user app with open registration, an admin (ada), another account, and two model
    exams of the seed bank (their table on the Exams page and on the feedback)."""
    url = f"sqlite:///{tmp_path / 'layout.db'}"
    app = make_app(multi_user=True, registration=True, database_url=url)
    web_helpers.add_account(app, "ada", admin=True)
    web_helpers.add_account(app, "grace_hopper_with_a_rather_long_account_name")
    for debias in ("none", "permute"):
        result = run_cli("exam", "run", "seed", "--model", "chance", "--debias", debias,
                         "--database-url", url)  # fmt: skip
        assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_page_scrolls_sideways(
    lang: str,
    viewport: dict[str, int],
    layout_app: Any,
    live_server: Callable[[Any], str],
    browser: Browser,
    web_helpers: Any,
    screenshots: Path,
) -> None:
    base = live_server(layout_app)
    page = _new_page(browser, viewport)
    walk = Walk(page, viewport["width"], screenshots, f"{viewport['width']}px-{lang}")
    try:
        _walk_every_page(walk, base, lang, web_helpers.password)
    finally:
        page.context.close()
    print(f"scrollWidth at {viewport['width']} px, {lang}: {walk.widths}")
    assert len(walk.widths) == 21  # every page was measured
    assert not walk.problems, "\n".join(walk.problems)


def test_the_checks_find_overflow_a_broken_header_and_a_distant_action(
    make_app: Callable[..., Any],
    live_server: Callable[[Any], str],
    browser: Browser,
    tmp_path: Path,
) -> None:
    """The walk's checks fail on a page that scrolls sideways, on a header label broken over
    lines, and on an action far down or after the block it must precede."""
    base = live_server(make_app())
    page = _new_page(browser, PHONE)
    try:
        page.goto(f"{base}/")
        page.evaluate(
            "() => { const wide = document.createElement('div'); wide.id = 'too-wide';"
            " wide.style.width = '600px'; wide.textContent = 'wide';"
            " const tall = document.createElement('div'); tall.style.height = '2000px';"
            " document.querySelector('main').prepend(wide, tall);"
            " const brand = document.querySelector('header.top a');"
            " brand.style.width = '1ch'; brand.style.wordBreak = 'break-all'; }"
        )
        walk = Walk(page, PHONE["width"], tmp_path, "self-check")
        walk.check("home")
        walk.action_near_the_top("home", "#bank-seed a.button", after="header.top")
    finally:
        page.context.close()
    assert walk.widths["home"] > PHONE["width"]
    wide, header, distant, order = walk.problems
    assert re.search(r'div#too-wide \[\d+, \d+\] "wide"', wide)
    assert "header items wrap onto several lines: ['llmiq: " in header
    assert re.fullmatch(r"home: #bank-seed a.button is \d+ px down \(screen: 844 px\)", distant)
    assert order == "home: #bank-seed a.button comes after header.top"
