"""Grade a typed answer: option letters for choice questions, short text for open ones."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.bank.model import AnyQuestion


class UnreadableAnswer(ValueError):
    """The input is not an answer to this question (say, ``Z`` when the options are A-D).
    ``str()`` is the English sentence; ``llmiq.messages.error_text`` says it in another
    language (from ``message`` and ``fields``)."""

    def __init__(self, message: str, **fields: str) -> None:
        super().__init__(message.format(**fields))
        self.message = message
        self.fields = fields


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer. ``correct`` is None when only the person can judge (an open
    question with a reference answer but no short accepted answers) until they rate it."""

    correct: bool | None
    given: str
    keys: frozenset[str] = frozenset()
    #: the person's own rating 1-4 (Again..Easy) when llmiq cannot grade the answer
    rating: int | None = None


def _plain(text: str) -> str:
    """Fold width and case, drop surrounding punctuation: ``" No。"`` -> ``"no"``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"^[\W_]+|[\W_]+$", "", text)


def parse_choice(raw: str, question: AnyQuestion) -> frozenset[str]:
    """Option keys in an answer: ``"A"``, ``"b"``, ``"A,C"``, ``"a c"``, ``"AC"``, or the text of
    an option (``"temperature"``). Raises :class:`UnreadableAnswer` otherwise, and for several
    letters on a single-choice question (a slip to ask about again, not a wrong answer)."""
    keys = {opt.key for opt in question.options}
    letters = ", ".join(sorted(keys))
    folded = unicodedata.normalize("NFKC", raw).strip()
    compact = re.sub(r"[\s,;/、，；.。()\[\]（）]+", "", folded).upper()
    if compact and compact.isascii() and compact.isalpha() and set(compact) <= keys:
        if len(set(compact)) > 1 and question.kind != "multiple":
            raise UnreadableAnswer(
                N_("this question has one answer: give one of the letters {letters}"),
                letters=letters,
            )
        return frozenset(compact)
    wanted = _plain(raw)
    by_text = {
        opt.key
        for opt in question.options
        if (wanted and _plain(opt.text.get("en")) == wanted)
        or (wanted and _plain(opt.text.get("zh")) == wanted)
    }
    if by_text:
        return frozenset(by_text)
    if question.kind == "multiple":
        raise UnreadableAnswer(
            N_("answer with one of the letters {letters} (several for this one, like A,C)"),
            letters=letters,
        )
    raise UnreadableAnswer(N_("answer with one of the letters {letters}"), letters=letters)


def matches_accepted(raw: str, accepted: list[str]) -> bool:
    """Whether a free-text answer says one of the accepted answers.

    Exact after folding case, width and punctuation, or the accepted answer followed by a
    punctuation mark and more: ``"No, not for sentiment analysis"`` says ``"no"``;
    ``"No clue"`` and ``"不知道"`` do not.
    """
    given = _plain(raw)
    for answer in accepted:
        want = _plain(answer)
        if not want:
            continue
        if given == want:
            return True
        if given.startswith(want) and re.match(r"\s*[,;:.!。，；：！—–-]", given[len(want) :]):
            return True
    return False


def grade(question: AnyQuestion, raw: str) -> Grade:
    """Grade ``raw`` against the question; raises :class:`UnreadableAnswer` for a choice
    question when ``raw`` names no option."""
    if question.is_choice:
        keys = parse_choice(raw, question)
        return Grade(keys == frozenset(question.answer), raw.strip(), keys)
    if question.accepted:
        return Grade(matches_accepted(raw, question.accepted), raw.strip())
    return Grade(None, raw.strip())
