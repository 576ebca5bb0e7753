"""The interface's own words in the web app: templates write English and call ``t("...")``,
translated through llmiq's one message catalog (:mod:`llmiq.messages`), which the terminal
uses too. A phrase missing from the catalog shows in English; tests/test_messages.py checks
that every phrase the templates and the code mark has its Chinese."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from llmiq.messages import N_, entries
from llmiq.messages import translator as _catalog_translator

if TYPE_CHECKING:
    from llmiq.bank.model import Lang

#: Words the templates' ``t()`` receives as values rather than literals: why a card is asked
#: (practice.queue.Pick.why), where a bank comes from (BankEntry.origin), page titles and the
#: labels of the templates' own lists (rate.html's ratings, admin.html's actions, flags.html).
CODE_PHRASES = (
    N_("due"),
    N_("new"),
    N_("learning"),
    N_("built-in"),
    N_("imported"),
    N_("Review"),
    N_("Quiz"),
    N_("Mock interview"),
    N_("Score"),
    N_("Nothing to do"),
    N_("Again"),
    N_("Hard"),
    N_("Good"),
    N_("Easy"),
    N_("Make admin"),
    N_("Remove admin"),
    N_("Open flags"),
    N_("Resolved flags"),
    # the kinds of question (bank.html)
    N_("single"),
    N_("multiple"),
    N_("open"),
)


def __getattr__(name: str) -> Mapping[str, str]:
    # ``ZH``: the Chinese phrases, as the table this module held before the catalog
    if name == "ZH":
        return entries("zh")
    raise AttributeError(name)


def translator(lang: Lang) -> Callable[[str], str]:
    """``t()`` of the templates for ``lang``."""
    return _catalog_translator(lang)
