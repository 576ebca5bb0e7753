"""What a shared instance must hold against: scripts in imported articles, forged forms,
password guessing, people reading each other's progress, weak set-ups."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from llmiq.errors import LlmiqError
from llmiq.store import accounts
from llmiq.store.models import Review

HOSTILE_ARTICLE = """\
1. Which tag runs <script>window.__xss = 1</script> in a page?
A. <img src=x onerror="window.__xss = 2">
B. <b>bold</b>
C. none
D. all
答案：C
解析：<script>alert(1)</script> is shown as text.
"""


def count_reviews(app: Any) -> int:
    with app.state.web.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(Review)) or 0


@pytest.fixture
def single(make_app: Any, client_of: Any) -> tuple[Any, Any]:
    app = make_app()
    return app, client_of(app)


@pytest.fixture
def shared(make_app: Any, client_of: Any, web_helpers: Any) -> tuple[Any, Any, Any]:
    """A multi-user instance with an admin "ada" and a user "bob", each signed in."""
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "ada", admin=True)
    web_helpers.add_account(app, "bob")
    ada, bob = client_of(app), client_of(app)
    web_helpers.sign_in(ada, "ada")
    web_helpers.sign_in(bob, "bob")
    return app, ada, bob


def test_html_in_an_imported_article_is_shown_as_text(
    single: tuple[Any, Any], web_helpers: Any
) -> None:
    _, client = single
    token = web_helpers.csrf_token(client, "/import")
    form = {"csrf_token": token, "text": HOSTILE_ARTICLE, "bank_id": "hostile"}
    pages = [client.post("/import/preview", data=form), client.post("/import/save", data=form)]
    pages.append(client.get("/practice/hostile/quiz"))
    pages.append(
        client.post(
            "/practice/hostile/answer",
            data={"csrf_token": token, "mode": "quiz", "question_id": "q1", "choice": "C"},
        )
    )
    for page in pages:
        assert page.status_code == 200
        assert "<script>window" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=&#34;window.__xss = 2&#34;&gt;" in pages[2].text


FORMS = [
    (
        "/practice/seed/answer",
        {"mode": "review", "question_id": "prompt-calibration", "choice": "C"},
    ),
    ("/flags", {"bank_id": "seed", "question_id": "vector-store", "reason": "other"}),
    ("/import/preview", {"text": HOSTILE_ARTICLE}),
    ("/import/save", {"text": HOSTILE_ARTICLE, "bank_id": "forged"}),
    ("/practice/seed/mock", {"count": "2", "minutes": "5"}),
    ("/admin/registration", {"state": "closed"}),
    ("/logout", {}),
]


@pytest.mark.parametrize(("path", "fields"), FORMS, ids=[path for path, _ in FORMS])
def test_forms_without_this_sessions_csrf_token_are_rejected(
    shared: tuple[Any, Any, Any], web_helpers: Any, path: str, fields: dict
) -> None:
    app, ada, bob = shared
    tokens = {"missing": {}, "wrong": {"csrf_token": "x" * 43}}
    tokens["another session's"] = {"csrf_token": web_helpers.csrf_token(bob)}
    for kind, token in tokens.items():
        response = ada.post(path, data=fields | token)
        assert response.status_code == 403, kind
        assert "The form was refused" in response.text
    assert count_reviews(app) == 0
    assert "Sign out" in ada.get("/").text  # still signed in: /logout did not happen


def test_the_same_forms_pass_with_the_token(shared: tuple[Any, Any, Any], web_helpers: Any) -> None:
    app, ada, _ = shared
    fields = dict(FORMS[0][1]) | {"csrf_token": web_helpers.csrf_token(ada)}
    assert ada.post(FORMS[0][0], data=fields).status_code == 200
    assert count_reviews(app) == 1


def test_single_user_forms_need_the_token_too(single: tuple[Any, Any]) -> None:
    """A page on another site could post to the local app from the user's browser."""
    app, client = single
    response = client.post("/practice/seed/answer", data=FORMS[0][1])
    assert response.status_code == 403
    assert count_reviews(app) == 0


def test_sign_in_is_rate_limited_per_name(make_app: Any, client_of: Any, web_helpers: Any) -> None:
    app = make_app(multi_user=True, login_failures_per_name=3)
    web_helpers.add_account(app, "ada")
    client = client_of(app)
    for _ in range(3):
        assert web_helpers.sign_in(client, "ada", "wrong password!").status_code == 401
    locked = web_helpers.sign_in(client, "ada")  # the right password, too late
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    api = client.post("/api/login", json={"name": "ada", "password": web_helpers.password})
    assert api.status_code == 429
    # a second app process on the same database counts the same failures
    other = client_of(make_app(multi_user=True, login_failures_per_name=3))
    assert web_helpers.sign_in(other, "ada").status_code == 429


def test_sign_in_is_rate_limited_per_address(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True, login_failures_per_address=4)
    for name in ("a1", "a2", "a3", "a4", "ada"):
        web_helpers.add_account(app, name)
    client = client_of(app)
    for name in ("a1", "a2", "a3", "a4"):  # a different name each time: a spray
        assert web_helpers.sign_in(client, name, "wrong password!").status_code == 401
    assert web_helpers.sign_in(client, "ada").status_code == 429


def test_unknown_names_count_as_failures(make_app: Any, client_of: Any, web_helpers: Any) -> None:
    app = make_app(multi_user=True, login_failures_per_name=2)
    client = client_of(app)
    for _ in range(2):
        assert web_helpers.sign_in(client, "nobody", "whatever it is").status_code == 401
    assert web_helpers.sign_in(client, "nobody", "whatever it is").status_code == 429


def test_cards_of_another_user_cannot_be_read_or_answered_by_id(
    shared: tuple[Any, Any, Any],
) -> None:
    app, ada, bob = shared
    headers = {}
    for client in (ada, bob):
        token = client.post(
            "/api/login",
            json={
                "name": "ada" if client is ada else "bob",
                "password": "correct horse battery staple",
            },
        )
        headers[id(client)] = {"X-CSRF-Token": token.json()["csrf_token"]}  # fmt: skip
    answered = ada.post(
        "/api/banks/seed/questions/prompt-calibration/answer",
        json={"answer": "C"},
        headers=headers[id(ada)],
    )
    assert answered.status_code == 200
    card_id = answered.json()["card"]["id"]
    assert ada.get(f"/api/cards/{card_id}").status_code == 200
    assert bob.get(f"/api/cards/{card_id}").status_code == 404
    assert bob.get("/api/cards").json() == []
    written = bob.post(
        f"/api/cards/{card_id}/answer", json={"answer": "A"}, headers=headers[id(bob)]
    )
    assert written.status_code == 404
    assert count_reviews(app) == 1
    assert ada.get(f"/api/cards/{card_id}").json()["last_rating"] == answered.json()["rating"]
    assert bob.get("/api/stats").json()["reviews"] == 0
    assert ada.get("/api/stats").json()["reviews"] == 1


def test_api_writes_need_the_csrf_header_in_multi_user_mode(
    shared: tuple[Any, Any, Any],
) -> None:
    app, ada, _ = shared
    response = ada.post("/api/banks/seed/questions/prompt-calibration/answer", json={"answer": "C"})
    assert response.status_code == 403
    assert count_reviews(app) == 0


def test_the_api_needs_a_session_in_multi_user_mode(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app(multi_user=True))
    assert client.get("/api/banks").status_code == 401
    assert client.get("/api/stats").status_code == 401


def test_pages_need_a_session_in_multi_user_mode(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app(multi_user=True))
    for path in ("/", "/stats", "/banks/seed", "/practice/seed/review", "/admin"):
        page = client.get(path)
        assert str(page.url).startswith("http://127.0.0.1/login?next=")
        assert 'action="/login"' in page.text


def test_admin_pages_are_for_admins(shared: tuple[Any, Any, Any]) -> None:
    _, ada, bob = shared
    for path in ("/admin", "/admin/flags", "/import"):
        assert ada.get(path).status_code == 200
        assert bob.get(path).status_code == 403


def test_closing_registration_closes_it(
    shared: tuple[Any, Any, Any], client_of: Any, web_helpers: Any
) -> None:
    app, ada, _ = shared
    visitor = client_of(app)
    assert visitor.get("/register").status_code == 200
    ada.post(
        "/admin/registration", data={"state": "closed", "csrf_token": web_helpers.csrf_token(ada)}
    )
    assert visitor.get("/register").status_code == 403
    token = web_helpers.csrf_token(visitor, "/login")
    refused = visitor.post(
        "/register",
        data={"name": "eve", "password": "a long password", "password_again": "a long password",
              "csrf_token": token},
    )  # fmt: skip
    assert refused.status_code == 403
    with app.state.web.database.transaction() as session:
        assert accounts.find_account(session, "eve") is None


def test_registration_refuses_taken_names_and_weak_passwords(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "ada")
    client = client_of(app)
    token = web_helpers.csrf_token(client, "/login")

    def register(name: str, password: str, again: str | None = None) -> Any:
        return client.post(
            "/register",
            data={"name": name, "password": password, "password_again": again or password,
                  "csrf_token": token},
        )  # fmt: skip

    assert "is taken" in register("ada", "another long password").text
    assert "at least 10 characters" in register("eve", "short").text
    assert "differ" in register("eve", "a long password", "another long one").text
    assert "may hold letters" in register("e v/e", "a long password").text
    welcome = register("eve", "a long password")
    assert "Sign out" in welcome.text  # signed in as the new account
    with app.state.web.database.transaction() as session:
        _, account = accounts.find_account(session, "eve")
        assert account.password_hash.startswith("$argon2id$")
        assert not account.is_admin


def test_a_profile_of_the_command_line_cannot_be_registered(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    """Registering the name of a CLI profile on the same database would hand its progress
    to whoever registers first."""
    from llmiq.clock import utc_now
    from llmiq.store import progress

    app = make_app(multi_user=True)
    with app.state.web.database.transaction() as session:
        progress.ensure_user(session, "alice", utc_now())
    client = client_of(app)
    token = web_helpers.csrf_token(client, "/login")
    page = client.post(
        "/register",
        data={"name": "alice", "password": "a long password", "password_again": "a long password",
              "csrf_token": token},
    )  # fmt: skip
    assert "is taken" in page.text


def test_changing_the_password_ends_old_sessions(
    shared: tuple[Any, Any, Any],
) -> None:
    from llmiq.passwords import hash_password

    app, ada, _ = shared
    assert "Sign out" in ada.get("/").text
    with app.state.web.database.transaction() as session:
        user, _ = accounts.find_account(session, "ada")
        accounts.set_password(session, user.id, hash_password("a brand new password"))
    assert "/login" in str(ada.get("/").url)


def test_session_cookie_flags(make_app: Any, client_of: Any, web_helpers: Any) -> None:
    from fastapi.testclient import TestClient

    app = make_app(multi_user=True)
    web_helpers.add_account(app, "ada")
    plain = client_of(app)
    page = plain.get("/login")
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie  # noqa: PT018
    assert "Secure" not in cookie
    with TestClient(app, base_url="https://127.0.0.1") as tls:  # behind TLS
        assert "Secure" in tls.get("/login").headers["set-cookie"]


def test_a_tampered_session_cookie_is_no_session(
    shared: tuple[Any, Any, Any],
) -> None:
    _, ada, _ = shared
    value = ada.cookies.get("llmiq_session")
    payload, _, signature = value.rpartition(".")
    ada.cookies.clear()
    ada.cookies.set("llmiq_session", f"{payload}.{signature[::-1]}")
    assert "/login" in str(ada.get("/").url)


def test_single_user_mode_answers_only_loopback_host_names(single: tuple[Any, Any]) -> None:
    """DNS rebinding: a page on evil.example resolving its name to 127.0.0.1."""
    _, client = single
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_single_user_api_takes_only_json(single: tuple[Any, Any]) -> None:
    """A cross-site form can send text/plain or form data, never application/json."""
    app, client = single
    forged = client.post(
        "/api/banks/seed/questions/prompt-calibration/answer",
        content='{"answer": "C"}',
        headers={"Content-Type": "text/plain"},
    )
    assert forged.status_code == 422
    assert count_reviews(app) == 0


def test_multi_user_mode_refuses_a_missing_or_weak_secret(data_home: Any) -> None:
    from llmiq.web.main import create_app
    from llmiq.web.settings import WebSettings

    for secret in (None, "changethis", "short-but-not-placeholder"):
        settings = WebSettings(multi_user=True, secret_key=secret)
        with pytest.raises(LlmiqError, match="LLMIQ_SECRET_KEY"):
            create_app(settings)


def test_single_user_mode_keeps_its_secret_private(data_home: Any) -> None:
    from llmiq.web.settings import WebSettings

    first = WebSettings().checked_secret(data_home)
    assert WebSettings().checked_secret(data_home) == first  # workers and restarts agree
    path = data_home / "web-secret-key"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", first)


def test_oversized_bodies_are_refused_before_they_are_read(
    single: tuple[Any, Any], web_helpers: Any
) -> None:
    app, client = single
    token = web_helpers.csrf_token(client)
    huge = "x" * (2 * 1024 * 1024)
    refused = client.post(
        "/practice/seed/answer",
        data={"csrf_token": token, "mode": "review", "question_id": "vector-store", "answer": huge},
    )
    assert refused.status_code == 413
    assert "larger than 1 MiB" in refused.text
    assert count_reviews(app) == 0
    # the importer takes an article of several MiB
    article = client.post("/import/preview", data={"csrf_token": token, "text": huge})
    assert article.status_code == 422
    assert "no question" in article.text


def test_sign_in_attempts_sent_at_once_are_counted(
    make_app: Any, client_of: Any, web_helpers: Any, run_async: Any
) -> None:
    import asyncio

    import httpx

    app = make_app(multi_user=True, login_failures_per_name=3)
    web_helpers.add_account(app, "ada")
    client_of(app)

    async def guess_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            replies = await asyncio.gather(
                *(
                    http.post("/api/login", json={"name": "ada", "password": f"guess {n}"})
                    for n in range(12)
                )
            )
        return [reply.status_code for reply in replies]

    statuses = run_async(guess_at_once)
    assert statuses.count(401) == 3  # only three passwords were ever checked
    assert statuses.count(429) == 9


def test_signing_out_ends_the_session_everywhere(shared: tuple[Any, Any, Any], client_of: Any,
                                                 web_helpers: Any) -> None:  # fmt: skip
    app, ada, _ = shared
    copy = client_of(app)
    copy.cookies.set("llmiq_session", ada.cookies.get("llmiq_session"))
    assert "Sign out" in copy.get("/").text  # a copied cookie works while signed in
    ada.post("/logout", data={"csrf_token": web_helpers.csrf_token(ada)})
    assert "/login" in str(copy.get("/").url)


def test_names_differing_only_in_case_are_one_name(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "Ada")
    client = client_of(app)
    page = client.post(
        "/register",
        data={"name": "ada", "password": "a long password", "password_again": "a long password",
              "csrf_token": web_helpers.csrf_token(client, "/login")},
    )  # fmt: skip
    assert "is taken" in page.text


def test_feedback_of_another_persons_answer_is_not_found(
    shared: tuple[Any, Any, Any], web_helpers: Any
) -> None:
    _, ada, bob = shared
    feedback = ada.post(
        "/practice/seed/answer",
        data={"csrf_token": web_helpers.csrf_token(ada), "mode": "review",
              "question_id": "prompt-calibration", "choice": "C"},
    )  # fmt: skip
    assert "/practice/seed/answered/" in str(feedback.url)
    assert bob.get(str(feedback.url)).status_code == 404


def test_admins_manage_accounts_and_flags_outlive_them(
    shared: tuple[Any, Any, Any], web_helpers: Any
) -> None:
    app, ada, bob = shared
    bob.post(
        "/flags",
        data={"csrf_token": web_helpers.csrf_token(bob), "bank_id": "seed",
              "question_id": "vector-store", "reason": "answer", "comment": "doubt it"},
    )  # fmt: skip
    token = web_helpers.csrf_token(ada)
    promoted = ada.post("/admin/accounts/bob", data={"csrf_token": token, "action": "make-admin"})
    assert "bob: make admin done." in promoted.text
    assert bob.get("/admin").status_code == 200
    ada.post("/admin/accounts/bob", data={"csrf_token": token, "action": "sign-out"})
    assert "/login" in str(bob.get("/").url)
    itself = ada.post("/admin/accounts/ada", data={"csrf_token": token, "action": "delete"})
    assert itself.status_code == 400
    ada.post("/admin/accounts/bob", data={"csrf_token": token, "action": "delete"})
    with app.state.web.database.transaction() as session:
        assert accounts.find_account(session, "bob") is None
    flags = ada.get("/admin/flags").text
    assert "doubt it" in flags  # the report stays, its author is gone
