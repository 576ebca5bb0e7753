"""The interface's own words in each language: one gettext catalog for the terminal and the
web (questions carry both languages themselves).

English is the msgid; ``locale/zh/LC_MESSAGES/llmiq.po`` holds the Chinese and ``llmiq.mo``
its compiled form, shipped in the package and read with the standard library's ``gettext``
(Babel is a development tool only: ``scripts/update-messages`` extracts, updates and
compiles). A message missing from the catalog shows in English.

Messages are ``str.format`` templates with named fields, formatted after translation::

    _ = translator("zh")
    _("Score: {right}/{answered}").format(right=3, answered=4)   # '得分：3/4'

Words defined in tables at import time are marked with :func:`N_` so that extraction finds
them, and translated where they are shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "Message",
    "catalog",
    "entries",
    "error_text",
    "plural_translator",
    "topic_translator",
    "translator",
]

DOMAIN = "llmiq"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: ``translator(lang)``: a message in English -> the same message in ``lang``
Translate = Callable[[str], str]
#: ``plural_translator(lang)``: (singular, plural, count) -> the form for ``count`` in ``lang``
PluralTranslate = Callable[[str, str, int], str]


def N_(message: str) -> str:
    """Marks ``message`` for extraction without translating it (tables built at import time)."""
    return message


class Message(str):
    """A field of an error that is itself a catalog message (``what=Message(N_("a PDF
    document"))``): :func:`error_text` translates it along with the sentence."""

    __slots__ = ()


@lru_cache(maxsize=16)  # a few languages; bounded, as locale names come from outside
def catalog(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (``zh``, ``en``, or a locale name such as ``zh_CN``); English,
    or any language without a catalog, is the messages themselves."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def translator(lang: str) -> Translate:
    """``gettext`` for ``lang``."""
    return catalog(lang).gettext


def plural_translator(lang: str) -> PluralTranslate:
    """``ngettext`` for ``lang``: ``("{n} day", "{n} days", n)``, then ``.format(n=n)``."""
    return catalog(lang).ngettext


#: the message context of topic names (``pgettext("topic", "rag")``): a bank's topics are slugs
#: (``--topic rlhf``); their names come from the built-in banks' files, extracted into the
#: catalog by scripts/update-messages
TOPIC_CONTEXT = "topic"


def topic_translator(lang: str) -> Translate:
    """A topic's name in ``lang`` (``"fine-tuning"`` -> ``"微调"``); a topic the catalog does
    not know (an imported bank's own) is shown as it is."""
    translations = catalog(lang)
    return lambda topic: translations.pgettext(TOPIC_CONTEXT, topic)


def error_text(error: BaseException, lang: str) -> str:
    """An error's sentence in ``lang``: an ``LlmiqError`` raised with a catalog message and
    fields is translated, then filled in (a field that is a :class:`Message` is translated
    too, an error said in ``lang`` as well, and so is any value with a ``text(lang)`` method);
    any other is translated if it is a message of the catalog, else shown as it is."""
    _ = translator(lang)

    def said(value: object) -> object:
        if isinstance(value, Message):
            return _(value)
        if isinstance(value, BaseException):
            return error_text(value, lang)
        text = getattr(value, "text", None)
        return text(lang) if callable(text) else value

    message, fields = getattr(error, "message", None), getattr(error, "fields", None)
    if isinstance(message, str) and message and isinstance(fields, dict) and fields:
        return _(message).format(**{k: said(v) for k, v in fields.items()})
    return _(str(error))


def entries(lang: str) -> Mapping[str, str]:
    """Every singular message of ``lang``'s catalog and its translation (read-only), empty for
    English."""
    translations = catalog(lang)
    found: dict[str, str] = getattr(translations, "_catalog", {})
    return MappingProxyType(
        {key: value for key, value in found.items() if isinstance(key, str) and key}
    )
