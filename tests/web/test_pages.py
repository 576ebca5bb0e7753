"""The pages, driven through the ASGI app as a browser would post its forms (the browser
tests in test_browser.py drive the same pages in Chromium)."""

from __future__ import annotations

import json
import re
import time
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from llmiq.bank.catalog import ALL_AREAS, resolve_bank
from llmiq.store.models import Flag, Review, StoredBank

SEED_RIGHT = {
    "prompt-calibration": "C",
    "alignment-techniques": "C",
    "reward-hacking": "B",
    "finetune-base": "B",
    "self-attention": "A",
    "subword-tokenizers": "A",
    "adaptive-softmax": "B",
    "output-randomness": "C",
    "ddp-vs-fsdp": "B",
}


def reviews(app: Any) -> list[Review]:
    with app.state.web.database.transaction() as session:
        return list(session.scalars(select(Review).order_by(Review.id)).all())


def answer(client: Any, token: str, question_id: str, **fields: str) -> Any:
    data = {"csrf_token": token, "mode": "review", "question_id": question_id} | fields
    return client.post("/practice/seed/answer", data=data)


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app()


@pytest.fixture
def client(app: Any, client_of: Any) -> Any:
    return client_of(app)


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/", 'id="bank-seed"'),
        ("/banks/seed", 'id="q-vector-store"'),
        ("/practice/seed/review", 'id="answer-form"'),
        ("/practice/seed/quiz", "1/10"),
        ("/practice/seed/mock", 'name="count"'),
        ("/stats", 'id="reviews"'),
        ("/import", 'id="preview"'),
        ("/admin", "/admin/flags"),
        ("/admin/flags", 'id="flags-open"'),
    ],
)
def test_every_page_renders(client: Any, path: str, marker: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert marker in response.text


def test_a_right_answer_shows_feedback_with_every_option_explained(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    page = answer(
        client, token, "prompt-calibration", choice="C", shown_at=str(int(time.time() * 1000))
    )
    assert page.status_code == 200
    assert re.search(r'class="verdict right"', page.text)
    bank = app.state.web.shelf.get("seed").bank
    question = next(q for q in bank.questions if q.id == "prompt-calibration")
    for option in question.options:  # every option's why, escaped as HTML text
        assert option.why.en.replace("'", "&#39;").replace('"', "&#34;") in page.text
    assert 'id="lab"' in page.text
    assert "llmiq lab run calibration" in page.text
    [logged] = reviews(app)
    assert (logged.question_id, logged.correct, logged.mode) == (
        "prompt-calibration",
        True,
        "review",
    )
    assert logged.rating == 4  # right within 5 seconds: Easy, as in the CLI


def test_a_wrong_answer_is_logged_as_again(app: Any, client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    page = answer(client, token, "reward-hacking", choice="A", shown_at="0")
    assert 'class="verdict wrong"' in page.text
    assert [(r.correct, r.rating) for r in reviews(app)] == [(False, 1)]


def test_no_option_chosen_asks_again_and_records_nothing(
    app: Any, client: Any, web_helpers: Any
) -> None:
    page = answer(client, web_helpers.csrf_token(client), "prompt-calibration", shown_at="0")
    assert page.status_code == 422
    assert "answer with one of the letters A, B, C, D" in page.text
    assert reviews(app) == []


def test_an_open_question_is_rated_by_the_person(app: Any, client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    rate = answer(client, token, "vector-store", answer="Yes, always", shown_at="0")
    assert 'id="rate-form"' in rate.text
    assert "Reference answer" in rate.text
    assert reviews(app) == []  # nothing recorded until rated
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', rate.text))
    assert hidden["answer"] == "Yes, always"
    assert hidden["duration_ms"].isdigit()
    done = client.post("/practice/seed/answer", data=hidden | {"rating": "2"})
    assert done.status_code == 200
    assert 'id="verdict"' in done.text
    [logged] = reviews(app)
    assert (logged.answer, logged.rating, logged.correct) == ("Yes, always", 2, True)


def test_the_rating_page_suggests_llmiqs_own_verdict(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    right = answer(client, token, "vector-store", answer="No", duration_ms="3000")
    assert "(llmiq suggests: 4)" in right.text
    wrong = answer(client, token, "vector-store", answer="Yes", duration_ms="3000")
    assert "(llmiq suggests: 1)" in wrong.text


def test_review_goes_on_with_the_next_question_then_ends(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    asked = []
    for _ in range(12):
        page = client.get("/practice/seed/review")
        if 'id="answer-form"' not in page.text:
            break
        question_id = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)
        asked.append(question_id)
        if question_id == "vector-store":
            answer(client, token, question_id, answer="no", duration_ms="3000", rating="4")
        else:
            answer(client, token, question_id, choice=SEED_RIGHT[question_id], duration_ms="3000")
    assert asked == [q.id for q in app.state.web.shelf.get("seed").bank.questions]
    assert "Nothing due in seed now" in page.text
    assert len(reviews(app)) == 10


def test_quiz_walks_the_bank_in_order_and_keeps_the_score(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    first = client.get("/practice/seed/quiz")
    assert "prompt-calibration" in first.text
    assert "1/10" in first.text
    feedback = client.post(
        "/practice/seed/answer",
        data={"csrf_token": token, "mode": "quiz", "question_id": "prompt-calibration",
              "choice": "C", "i": "0", "right": "0", "topic": "", "shown_at": "0"},
    )  # fmt: skip
    next_url = re.search(r'href="([^"]+)" id="next"', feedback.text).group(1)
    assert next_url.replace("&amp;", "&") == "/practice/seed/quiz?i=1&right=1&topic="
    end = client.get("/practice/seed/quiz?i=10&right=7")
    assert "Score: 7/10" in end.text


def _mock_token(app: Any, ids: list[str], started: float, minutes: float) -> str:
    secret = app.state.web.secret
    return URLSafeSerializer(secret, salt="llmiq-mock").dumps(
        {"b": "seed", "q": ids, "s": started, "m": minutes, "r": "test"}
    )


def test_mock_interview_records_answers_and_reports(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    run = client.post(
        "/practice/seed/mock", data={"csrf_token": token, "count": "3", "minutes": "10"}
    )
    assert "data-deadline" in run.text
    assert "1/3" in run.text
    for position in range(3):
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', run.text))
        question_id = hidden["question_id"]
        fields = hidden | {"csrf_token": token}
        if question_id == "vector-store":
            fields |= {"answer": "no", "rating": "3", "duration_ms": "2000"}
        else:
            fields |= {"choice": "A"}
        run = client.post("/practice/seed/answer", data=fields)
        assert 'class="verdict' not in run.text or position == 2  # no feedback until the end
    assert "Mock interview:" in run.text
    assert "/3" in run.text
    assert [r.mode for r in reviews(app)] == ["mock"] * 3


def test_a_mock_answer_after_the_deadline_does_not_count(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    late = _mock_token(app, ["prompt-calibration"], time.time() - 120, 1)
    report = client.post(
        "/practice/seed/answer",
        data={"csrf_token": token, "mode": "mock", "question_id": "prompt-calibration",
              "choice": "C", "t": late, "i": "0"},
    )  # fmt: skip
    assert "Time is up" in report.text
    assert reviews(app) == []


def test_a_forged_mock_token_is_refused(client: Any, web_helpers: Any) -> None:
    forged = URLSafeSerializer("not the secret", salt="llmiq-mock").dumps(
        {"b": "seed", "q": ["prompt-calibration"], "s": time.time(), "m": 600, "r": "x"}
    )
    page = client.get(f"/practice/seed/mock/run?t={forged}")
    assert page.status_code == 400
    assert "not valid" in page.text


def test_stats_follow_the_answers(app: Any, client: Any, web_helpers: Any) -> None:
    assert 'id="reviews">0<' in client.get("/stats").text
    token = web_helpers.csrf_token(client)
    answer(client, token, "prompt-calibration", choice="C", duration_ms="3000")
    answer(client, token, "reward-hacking", choice="A", duration_ms="3000")
    page = client.get("/stats")
    assert 'id="reviews">2<' in page.text
    assert 'id="accuracy">50%<' in page.text
    svg = client.get("/stats.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml")
    assert "<svg" in svg.text
    assert 'id="streak">1<' in client.get("/").text


def test_bank_browser_searches_both_languages(client: Any) -> None:
    english = client.get("/banks/seed", params={"q": "temperature"})
    assert 'id="count">1 / 10<' in english.text
    assert 'id="q-output-randomness"' in english.text
    chinese = client.get("/banks/seed", params={"q": "温度"})
    assert 'id="q-output-randomness"' in chinese.text
    by_topic = client.get("/banks/seed", params={"topic": "tokenization"})
    assert 'id="q-subword-tokenizers"' in by_topic.text
    assert 'id="count">0 / 10<' in client.get("/banks/seed", params={"q": "zzzz"}).text


def test_bank_browser_filters_by_difficulty_and_area_and_links_references(client: Any) -> None:
    seed = resolve_bank("seed")
    hard = [q.id for q in seed.questions if q.difficulty == 2]
    page = client.get("/banks/seed", params={"difficulty": "2"}).text
    assert f'id="count">{len(hard)} / 10<' in page
    assert all(f'id="q-{qid}"' in page for qid in hard)
    assert 'id="count">10 / 10<' in client.get("/banks/seed", params={"difficulty": ""}).text
    assert client.get("/banks/seed", params={"difficulty": "x"}).status_code == 422
    assert 'href="https://arxiv.org/abs/1706.03762"' in page_of(client, "self-attention")
    combined = resolve_bank(ALL_AREAS)
    area = combined.questions[-1].area
    in_area = [q for q in combined.questions if q.area == area]
    listed = client.get(f"/banks/{ALL_AREAS}", params={"area": area}).text
    assert f'id="count">{len(in_area)} / {len(combined.questions)}<' in listed
    assert f'<option value="{area}" selected>' in listed


def page_of(client: Any, question_id: str) -> str:
    page = client.get("/banks/seed").text
    start = page.index(f'id="q-{question_id}"')
    return page[start : page.index("</article>", start)]


def test_exports_download_the_bank(client: Any) -> None:
    as_json = client.get("/banks/seed/export.json")
    assert as_json.headers["content-disposition"] == 'attachment; filename="seed.json"'
    assert len(json.loads(as_json.text)["questions"]) == 10
    deck = client.get("/banks/seed/export.apkg")
    assert zipfile.is_zipfile(BytesIO(deck.content))
    assert client.get("/banks/seed/export.csv").text.count("\n") >= 11
    assert "prompt" in client.get("/banks/seed/export.md").text.lower()
    assert client.get("/banks/seed/export.exe").status_code == 404


def test_import_previews_then_saves(
    app: Any, client: Any, web_helpers: Any, seed_article: Path
) -> None:
    token = web_helpers.csrf_token(client, "/import")
    text = seed_article.read_text("utf-8")
    preview = client.post(
        "/import/preview", data={"csrf_token": token, "text": text, "bank_id": "article"}
    )
    assert preview.status_code == 200
    assert 'id="found">10 questions' in preview.text
    assert "Lines not taken" in preview.text
    with app.state.web.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StoredBank)) == 0  # not yet
    saved = client.post(
        "/import/save", data={"csrf_token": token, "text": text, "bank_id": "article"}
    )
    assert str(saved.url).endswith("/banks/article")
    assert "Saved 10 question(s)" in saved.text
    assert 'id="bank-article"' in client.get("/").text


def test_import_preview_lists_the_answers_to_check(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client, "/import")
    text = (
        "1. Which are unsupervised?\na) SVM\nb) Clustering\nc) Regression\nd) Association\n"
        "Answer: b) Clustering and d) Association\n"
    )
    preview = client.post(
        "/import/preview", data={"csrf_token": token, "text": text, "bank_id": "prose"}
    )
    assert preview.status_code == 200
    assert "Check these answers" in preview.text
    assert "question 1: answer read as B, D from" in preview.text


def test_import_takes_an_uploaded_file_named_after_it(
    client: Any, web_helpers: Any, seed_article: Path
) -> None:
    token = web_helpers.csrf_token(client, "/import")
    preview = client.post(
        "/import/preview",
        data={"csrf_token": token},
        files={"upload": ("LLM Interview.md", seed_article.read_bytes(), "text/markdown")},
    )
    assert 'value="llm-interview"' in preview.text
    assert 'id="found">10 questions' in preview.text


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"", "is empty"),
        (
            b"<!doctype html><html><body><p>1. Q?</p></body></html>",
            "lines refer to the text extracted from the page",
        ),
        (b"%PDF-1.7 binary", "is a PDF document"),
        (b"just some words\nwithout any question\n", "no question"),
    ],
)
def test_bad_uploads_are_one_sentence_and_nothing_is_saved(
    app: Any, client: Any, web_helpers: Any, upload: bytes, message: str
) -> None:
    token = web_helpers.csrf_token(client, "/import")
    page = client.post(
        "/import/preview",
        data={"csrf_token": token, "bank_id": "bad"},
        files={"upload": ("article.txt", upload, "text/plain")},
    )
    assert page.status_code in (400, 422)
    error = re.search(r'<p class="error" role="alert">([^<]+)</p>', page.text).group(1)
    assert message in error
    assert "article.txt" in error
    saved = client.post(
        "/import/save",
        data={"csrf_token": token, "bank_id": "bad"},
        files={"upload": ("article.txt", upload, "text/plain")},
    )
    assert saved.status_code == 400
    with app.state.web.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StoredBank)) == 0


def test_an_import_cannot_replace_a_builtin_bank(
    client: Any, web_helpers: Any, seed_article: Path
) -> None:
    token = web_helpers.csrf_token(client, "/import")
    page = client.post(
        "/import/save",
        data={"csrf_token": token, "text": seed_article.read_text("utf-8"), "bank_id": "seed"},
    )
    assert page.status_code == 400
    assert "built-in bank" in page.text


def test_flags_reach_the_admin_page_and_are_resolved(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    done = client.post(
        "/flags",
        data={"csrf_token": token, "bank_id": "seed", "question_id": "vector-store",
              "reason": "translation", "comment": "“不需要” reads oddly", "next": "/banks/seed"},
    )  # fmt: skip
    assert str(done.url).endswith("/banks/seed")
    assert "flagged for an admin" in done.text
    flags = client.get("/admin/flags").text
    assert "seed/vector-store" in flags
    assert "“不需要” reads oddly" in flags
    assert "The translation is wrong" in flags
    with app.state.web.database.transaction() as session:
        flag_id = session.scalar(select(Flag.id))
    client.post(f"/admin/flags/{flag_id}/resolve", data={"csrf_token": token})
    page = client.get("/admin/flags").text
    assert re.search(r"Open flags \(0\)", page)
    assert re.search(r"Resolved flags \(1\)", page)


def test_flagging_an_unknown_question_is_refused(client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(client)
    page = client.post(
        "/flags",
        data={"csrf_token": token, "bank_id": "seed", "question_id": "nope", "reason": "other"},
    )
    assert page.status_code == 400
    assert "has no question &#39;nope&#39;" in page.text


def test_language_switch_changes_labels_and_content(app: Any, client: Any) -> None:
    first = app.state.web.shelf.get("seed").bank.questions[0]
    switched = client.get("/lang/zh", params={"next": "/practice/seed/quiz"})
    assert str(switched.url).endswith("/practice/seed/quiz")
    assert "提交" in switched.text  # the interface
    assert first.prompt.zh in switched.text  # and the question
    assert first.prompt.en not in switched.text
    back = client.get("/lang/en", params={"next": "//evil.example/"})
    assert str(back.url) == "http://127.0.0.1/"  # never off-site
    assert "Due today" in back.text


def test_lab_verdict_and_figure_when_the_lab_ran_here(
    app: Any, client: Any, web_helpers: Any, data_home: Path
) -> None:
    folder = data_home / "labs" / "calibration"
    folder.mkdir(parents=True)
    (folder / "calibration.png").write_bytes(b"\x89PNG\r\n\x1a\nfigure")
    report = {
        "supported": True,
        "key_figure": "majority share 74% -> 48%",
        "claims": [{"text": "calibration removes label bias", "supported": True,
                    "evidence": "share 0.74 -> 0.48"}],
        "figures": [str(folder / "calibration.png")],
        "fast": False,
    }  # fmt: skip
    (folder / "report.json").write_text(json.dumps(report), "utf-8")
    page = answer(client, web_helpers.csrf_token(client), "prompt-calibration", choice="C")
    assert 'id="lab-source"' not in page.text  # this machine's run, not the reference
    assert "majority share 74% -&gt; 48%" in page.text
    assert "✓ supported" in page.text
    assert client.get("/labs/calibration/calibration.png").content.startswith(b"\x89PNG")
    assert client.get("/labs/calibration/report.json").status_code == 404
    assert client.get("/labs/calibration/..%2Freport.json").status_code == 404


def test_unknown_pages_and_banks_are_404_pages(client: Any) -> None:
    assert client.get("/banks/nope").status_code == 404
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "There is no such page." in missing.text


def test_the_reference_run_stands_in_until_a_lab_runs_here(client: Any, web_helpers: Any) -> None:
    from llmiq.web.labs_panel import reference_lab_dir

    reference = json.loads((reference_lab_dir("attention") / "report.json").read_text("utf-8"))
    page = answer(client, web_helpers.csrf_token(client), "self-attention", choice="A")
    assert 'id="lab-source"' in page.text
    assert "Reference run shipped with llmiq" in page.text
    assert reference["key_figure"].replace("'", "&#39;").replace('"', "&#34;") in page.text
    with_interval = [claim for claim in reference["claims"] if claim.get("ci")]
    assert page.text.count('class="muted ci"') == len(with_interval)
    for figure in reference["figures"]:
        assert f'src="/labs/attention/{figure}"' in page.text
        image = client.get(f"/labs/attention/{figure}")
        assert image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")


def test_reloading_the_feedback_records_nothing_more(
    app: Any, client: Any, web_helpers: Any
) -> None:
    page = answer(client, web_helpers.csrf_token(client), "prompt-calibration", choice="C")
    assert re.search(r"/practice/seed/answered/\d+\?next=", str(page.url))
    again = client.get(str(page.url))
    assert again.text == page.text
    assert len(reviews(app)) == 1


def test_two_mock_interviews_keep_their_own_answers(
    app: Any, client: Any, web_helpers: Any
) -> None:
    token = web_helpers.csrf_token(client)
    first = client.post(
        "/practice/seed/mock", data={"csrf_token": token, "count": "2", "minutes": "10"}
    )
    second = client.post(
        "/practice/seed/mock", data={"csrf_token": token, "count": "2", "minutes": "10"}
    )
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', second.text))
    fields = hidden | {"csrf_token": token, "answer": "no", "rating": "3", "choice": "A"}
    client.post("/practice/seed/answer", data=fields)
    first_token = re.search(r'name="t" value="([^"]+)"', first.text).group(1)
    report = client.post("/practice/seed/mock/end", data={"csrf_token": token, "t": first_token})
    assert "Mock interview: 0/2" in report.text
    assert report.text.count('class="verdict unanswered"') == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/practice/seed/quiz?i=abc", "i: Input should be a valid integer"),
        ("/practice/seed/mock/run", "t: Field required"),
    ],
)
def test_bad_query_parameters_are_an_error_page(client: Any, path: str, message: str) -> None:
    page = client.get(path)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert message in page.text


def test_an_overlong_open_answer_is_refused_before_rating(
    app: Any, client: Any, web_helpers: Any
) -> None:
    page = answer(client, web_helpers.csrf_token(client), "vector-store", answer="x" * 6000)
    assert page.status_code == 422
    assert "longer than 5000 characters" in page.text
    assert 'id="rate-form"' not in page.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bank_id": "b" * 150}, "longer than 100 characters"),
        ({"bank_id": "ok", "title": "t" * 600}, "title is longer than 500 characters"),
    ],
)
def test_import_refuses_ids_and_titles_too_long_to_store(
    client: Any, web_helpers: Any, seed_article: Path, fields: dict, message: str
) -> None:
    token = web_helpers.csrf_token(client, "/import")
    text = seed_article.read_text("utf-8")
    page = client.post("/import/save", data={"csrf_token": token, "text": text} | fields)
    assert page.status_code == 400
    assert message in page.text
