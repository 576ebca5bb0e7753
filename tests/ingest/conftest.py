"""Fixtures the importer's tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

#: (kind, option texts, keys or reference) for each imported question, in the bank's language
Summary = list[tuple[str, list[str], object]]


def _in_short(result: Any) -> Summary:
    lang = result.lang
    return [
        (
            q.kind.value,
            [o.text.get(lang) for o in q.options],
            q.answer if q.is_choice else q.reference.get(lang),
        )
        for q in result.bank.questions
    ]


@pytest.fixture(scope="session")
def in_short() -> Callable[[Any], Summary]:
    """An import's questions in short, to compare with what an article says."""
    return _in_short
