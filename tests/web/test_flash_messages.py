"""Flash messages are said in the reader's language: each ``flash()`` in the web package is
given a catalog message (an ``N_`` literal, a table of them, or an ``LlmiqError`` raised with
one) that has its Chinese; and the refusals a Chinese page flashes are in Chinese."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from llmiq.messages import entries

SRC = Path(__file__).parents[2] / "src" / "llmiq"


def _literal(node: ast.expr) -> str | None:
    """The message of ``N_("...")``, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


class FlashedMessages(ast.NodeVisitor):
    """The messages one module's ``flash()`` calls can show; what cannot be told a catalog
    message goes to ``problems``; the errors whose ``.message`` is flashed to ``errors``."""

    def __init__(self, tree: ast.Module, where: str) -> None:
        self.where, self.messages, self.problems = where, set[str](), list[str]()
        self.errors: set[str] = set()
        self.tables = {  # NAME = {key: N_("..."), ...} at the module's top
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.caught: dict[str, str] = {}  # exception variable -> its class
        self.visit(tree)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name and isinstance(node.type, ast.Name):
            self.caught[node.name] = node.type.id
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "flash" and len(node.args) >= 2:
            self.message(node.args[1], node.lineno)
        self.generic_visit(node)

    def message(self, node: ast.expr, line: int) -> None:
        if (text := _literal(node)) is not None:
            self.messages.add(text)
        elif isinstance(node, ast.IfExp):
            self.message(node.body, line)
            self.message(node.orelse, line)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.tables
        ):
            for value in self.tables[node.value.id].values:
                self.message(value, line)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "message"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.caught
        ):
            self.errors.add(self.caught[node.value.id])
        else:
            self.problems.append(f"{self.where}:{line}: flash({ast.unparse(node)})")


def flashed() -> FlashedMessages:
    """What every module of llmiq.web flashes, merged."""
    merged = FlashedMessages(ast.parse(""), "")
    for path in sorted((SRC / "web").rglob("*.py")):
        found = FlashedMessages(ast.parse(path.read_text("utf-8")), str(path.relative_to(SRC)))
        merged.messages |= found.messages
        merged.problems += found.problems
        merged.errors |= found.errors
    return merged


def raised_messages(errors: set[str]) -> tuple[set[str], list[str]]:
    """The messages every ``raise E(...)`` of the flashed errors ``E`` in llmiq is given, and
    the raises given something else than an ``N_`` literal."""
    messages, problems = set[str](), list[str]()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id in errors
            ):
                continue
            text = _literal(node.exc.args[0]) if node.exc.args else None
            if text is None:
                problems.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}")
            else:
                messages.add(text)
    return messages, problems


def test_every_flash_is_a_catalog_message_with_its_chinese() -> None:
    found = flashed()
    assert found.problems == []
    assert len(found.messages) > 10
    assert found.errors == {"RatingRefused"}
    raised, problems = raised_messages(found.errors)
    assert problems == []
    assert len(raised) == 4
    chinese = entries("zh")
    assert sorted((found.messages | raised) - chinese.keys()) == []


def test_the_check_finds_a_flash_not_through_the_catalog() -> None:
    source = (
        "def page(request):\n"
        "    flash(request, 'Saved.')\n"
        "    try:\n"
        "        rate()\n"
        "    except Refused as exc:\n"
        "        flash(request, str(exc))\n"
    )
    found = FlashedMessages(ast.parse(source), "page.py")
    assert found.problems == ["page.py:2: flash('Saved.')", "page.py:6: flash(str(exc))"]


@pytest.fixture
def zh_client(make_app: Any, client_of: Any) -> Any:
    client = client_of(make_app())
    client.get("/lang/zh")
    return client


def _answer(client: Any, token: str, choice: str) -> Any:
    data = {"csrf_token": token, "mode": "review", "question_id": "reward-hacking",
            "choice": choice, "duration_ms": "3000"}  # fmt: skip
    return client.post("/practice/seed/answer", data=data)


def test_a_refused_rating_is_flashed_in_chinese(zh_client: Any, web_helpers: Any) -> None:
    token = web_helpers.csrf_token(zh_client)
    _answer(zh_client, token, "A")
    _answer(zh_client, token, "B")  # answered again: the first answer's rating stays
    data = {"csrf_token": token, "next": "/practice/seed/review", "rating": "4"}
    stale = zh_client.post("/practice/seed/answered/1/rating", data=data)
    assert "那次作答的评分不变" in stale.text
    assert "answered again since" not in stale.text
    unknown = zh_client.post("/practice/seed/answered/99/rating", data=data)
    assert "中没有编号为 99 的作答" in unknown.text
