"""An imported bank that no longer validates (an older llmiq saved it under looser rules, or
its row was edited) is left out of the lists: the home page, the statistics and the API keep
working for every other bank, and the admin page lists it with the reason."""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from llmiq.bank.catalog import resolve_bank
from llmiq.store.models import StoredBank
from llmiq.store.saved_banks import save_bank


def _import(app: Any, bank_id: str) -> None:
    bank = resolve_bank("seed").model_copy(update={"id": bank_id})
    save_bank(app.state.web.database, bank)


def _break(app: Any, bank_id: str) -> None:
    """Give the stored bank two questions with one id, as no validating llmiq would save."""
    with app.state.web.database.transaction() as session:
        row = session.get(StoredBank, bank_id)
        assert row is not None
        data = yaml.safe_load(row.content)
        data["questions"][1]["id"] = data["questions"][0]["id"]
        row.content = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        row.content_hash = hashlib.sha256(row.content.encode()).hexdigest()


def test_one_unreadable_bank_leaves_the_others_working(
    make_app: Any, client_of: Any, web_helpers: Any
) -> None:
    app = make_app(multi_user=True)
    web_helpers.add_account(app, "ada", admin=True)
    client = client_of(app)
    web_helpers.sign_in(client, "ada")
    _import(app, "good")
    _import(app, "broken")
    token = web_helpers.csrf_token(client)
    answered = client.post(
        "/api/banks/broken/questions/prompt-calibration/answer",
        json={"answer": "C"},
        headers={"X-CSRF-Token": token},
    )
    assert answered.status_code == 200  # progress on it, read by the statistics below
    _break(app, "broken")

    home = client.get("/")
    assert home.status_code == 200, home.text
    assert 'id="bank-good"' in home.text
    assert 'id="bank-seed"' in home.text
    assert 'id="bank-broken"' not in home.text
    for path in ("/stats", "/stats?bank=good", "/stats.svg", "/api/stats", "/banks/good"):
        assert client.get(path).status_code == 200, path
    listed = client.get("/api/banks").json()
    assert "good" in {row["id"] for row in listed}
    assert "broken" not in {row["id"] for row in listed}

    own_page = client.get("/banks/broken")
    assert own_page.status_code == 400
    assert "the imported bank &#39;broken&#39; cannot be read" in own_page.text

    admin = client.get("/admin")
    assert admin.status_code == 200
    row = admin.text.split('href="/banks/broken"', 1)[1].split("</tr>", 1)[0]
    assert "This bank cannot be read" in row
    assert "prompt-calibration" in row  # the duplicated id, named in the reason
    good_row = admin.text.split('href="/banks/good"', 1)[1].split("</tr>", 1)[0]
    assert "cannot be read" not in good_row


def test_a_repaired_bank_comes_back(make_app: Any, client_of: Any) -> None:
    app = make_app()
    client = client_of(app)
    _import(app, "fixed")
    _break(app, "fixed")
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="bank-fixed"' not in home.text
    _import(app, "fixed")  # saved again, valid: a new content hash
    assert 'id="bank-fixed"' in client.get("/").text
