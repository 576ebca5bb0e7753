"""Registration refuses a name that looks like one already taken, in one sentence in the
reader's language; a name typed in full-width letters signs in as the plain one."""

from __future__ import annotations

from typing import Any

import pytest

from llmiq.store import accounts


def register(client: Any, name: str, token: str) -> Any:
    return client.post(
        "/register",
        data={"name": name, "password": "a long password", "password_again": "a long password",
              "csrf_token": token},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "That name looks like a name already taken: choose another."),
        ("zh", "这个名字与已有的名字看起来一样，请另选一个。"),
    ],
)
def test_a_look_alike_name_is_refused(
    lang: str, sentence: str, make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "bob")
    client = client_of(app)
    client.get(f"/lang/{lang}")
    page = register(client, "bоb", web_helpers.csrf_token(client, "/login"))  # Cyrillic о
    assert page.status_code == 422
    assert f'<p class="error" role="alert">{sentence}</p>' in page.text
    with app.state.web.database.transaction() as session:
        assert accounts.user_names(session) == ["bob"]


def test_names_are_nfkc_normalised(make_app: Any, client_of: Any, web_helpers: Any) -> None:
    app = make_app(multi_user=True)
    client = client_of(app)
    welcome = register(client, "ｅｖｅ", web_helpers.csrf_token(client, "/login"))
    assert "Sign out" in welcome.text
    with app.state.web.database.transaction() as session:
        assert accounts.user_names(session) == ["eve"]
    client.post("/logout", data={"csrf_token": web_helpers.csrf_token(client)})
    signed_in = web_helpers.sign_in(client, "ｅｖｅ", "a long password")
    assert '<span class="who">eve</span>' in signed_in.text
