"""Account names: NFKC-normalised, and none that looks like a name already taken.

"bоb" with a Cyrillic о is another string than "bob" but the same name to the eye; so are
"ｂｏｂ" (full-width), "rn" beside "m", "Iris" beside "lris". A new name is first NFKC-normalised
(full-width and compatibility forms become plain letters), then refused when its UTS #39
skeleton equals that of a name already taken: two strings are confusable exactly when their
skeletons are equal (Unicode Technical Standard #39, section 4). The skeleton is ICU's
(``SpoofChecker.getSkeleton``, from the ``pyicu-wheels`` package of the web extra), the
reference implementation of that standard, on Unicode's own confusables table. Letter case
is compared both ways: skeletons of the names as written ("I" looks like "l") and casefolded
("Ada" is "ada").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.store import accounts

if TYPE_CHECKING:
    from llmiq.store.database import Session
    from llmiq.store.models import User


class NameLooksTaken(LlmiqError):
    """A new account name confusable with ``existing``, a name already taken."""

    def __init__(self, name: str, existing: str) -> None:
        super().__init__(
            f"the name {name!r} looks like the name {existing!r}, which is taken; choose another"
        )
        self.name = name
        self.existing = existing


def normalise_name(name: str) -> str:
    """``name`` in NFKC, without surrounding blanks: ``"ｂｏｂ "`` becomes ``"bob"``."""
    return unicodedata.normalize("NFKC", name).strip()


@cache
def _spoof_checker() -> Any:
    try:
        import icu
    except ImportError:
        raise LlmiqError(
            N_("account names are checked against look-alikes with PyICU: {command}"),
            command="pip install 'llmiq[web]'",
        ) from None
    return icu.SpoofChecker()


def require_name_checker() -> None:
    """One sentence saying what to install when the skeletons cannot be computed."""
    _spoof_checker()


def skeletons(name: str) -> frozenset[str]:
    """The UTS #39 skeletons of ``name`` as written and casefolded:
    ``skeletons("bоb") == skeletons("bob") == {"bob"}``."""
    checker = _spoof_checker()
    return frozenset({checker.getSkeleton(0, name), checker.getSkeleton(0, name.casefold())})


def lookalike(name: str, taken: Iterable[str]) -> str | None:
    """The first name of ``taken`` confusable with ``name`` (including the same name in another
    letter case), or None."""
    mine = skeletons(name)
    return next((other for other in taken if mine & skeletons(other)), None)


def create_account(
    session: Session, name: str, password_hash: str, *, is_admin: bool, now: datetime
) -> User | None:
    """:func:`llmiq.store.accounts.create_account` for a normalised ``name``; None when the
    name is taken (in any letter case), :class:`NameLooksTaken` when it only looks like one."""
    other = lookalike(name, accounts.user_names(session))
    if other is not None and other.casefold() != name.casefold():
        raise NameLooksTaken(name, other)
    return accounts.create_account(session, name, password_hash, is_admin=is_admin, now=now)
