"""Every phrase the templates ask to translate has its Chinese."""

from __future__ import annotations

import re
from importlib.resources import files

from llmiq.web.flags import FLAG_REASONS
from llmiq.web.i18n import ZH, translator

PHRASE = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")


def template_phrases() -> set[str]:
    folder = files("llmiq.web").joinpath("templates")
    found = set()
    for template in folder.iterdir():
        found |= {match.group(2) for match in PHRASE.finditer(template.read_text("utf-8"))}
    return found


def test_every_template_phrase_has_chinese() -> None:
    phrases = template_phrases()
    assert len(phrases) > 50  # the pattern finds the phrases at all
    assert sorted(phrases - set(ZH)) == []


def test_phrases_passed_in_from_code_have_chinese() -> None:
    modes_and_notes = {"Review", "Quiz", "Mock interview", "due", "new", "learning"}
    page_titles = {"Score", "Nothing to do", "built-in", "imported"}
    from_code = set(FLAG_REASONS.values()) | modes_and_notes | page_titles
    assert sorted(from_code - set(ZH)) == []


def test_english_is_the_phrase_itself() -> None:
    assert translator("en")("Next") == "Next"
    assert translator("zh")("Next") == "下一题"
    assert translator("zh")("not in the catalog") == "not in the catalog"
