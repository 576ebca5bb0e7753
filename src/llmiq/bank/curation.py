"""What a curated bank promises beyond a valid one (``llmiq validate --strict``).

A curated bank is read by candidates who trust its keys, so every text is in both languages,
every option says why it is right or wrong, every question has a difficulty and a source a
reader can check, and a question that names a lab says which of its claims it relies on.
The bank as a whole must be fair to a test-taker who guesses from the shape of the options:
in four-option single-choice questions each answer letter holds 15-35% of the keys and the
right option is the longest in at most 40% (models and people both learn "pick the longest";
Zheng et al. 2023, "Large Language Models Are Not Robust Multiple Choice Selectors"), and no
option reads "all of the above", which is answerable without the subject.

The balance rules need enough questions to mean anything, so they apply to banks with at
least :data:`MIN_BALANCED` four-option single-choice questions; :func:`balance_problems` is
also run on all curated banks together by the tests.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

from llmiq.bank.model import LANGS, Bank, Kind, Problem, Question, Text
from llmiq.messages import N_, Message

#: four-option single-choice questions a bank needs before the balance rules apply
MIN_BALANCED = 8
LETTER_SHARE = (0.15, 0.35)
MAX_LONGEST_SHARE = 0.40

_CATCH_ALL = re.compile(
    r"\b(all|none|both|neither) of the (above|options|answers)\b|"
    r"以上(都|皆|全|均)|以上选项(都|皆|全|均)|以上(说法|答案)?(都|皆|全|均)?(正确|不正确|错误|对|不对)",
    re.IGNORECASE,
)


def _bilingual(text: Text | None, loc: tuple[str | int, ...], what: str) -> list[Problem]:
    if text is None:
        return [Problem.of(loc, N_("{what} is missing"), what=Message(what))]
    missing = [lang for lang in LANGS if not text.has(lang)]
    return [
        Problem.of(loc, N_("{what} has no {lang} text"), what=Message(what), lang=lang)
        for lang in missing
    ]


def question_problems(question: Question, known_labs: Collection[str]) -> list[Problem]:
    """What keeps one question from the curated standard (see the module docstring)."""
    problems = _bilingual(question.prompt, ("prompt",), N_("the prompt"))
    problems += _bilingual(question.explanation, ("explanation",), N_("the explanation"))
    if question.difficulty is None:
        problems.append(
            Problem(("difficulty",), N_("no difficulty (1 basic, 2 intermediate, 3 advanced)"))
        )
    if not question.topics:
        problems.append(Problem(("topics",), N_("no topics")))
    if not question.references:
        problems.append(Problem(("references",), N_("no reference (title and URL of a source)")))
    if question.lab is not None:
        if question.lab not in known_labs:
            problems.append(
                Problem.of(
                    ("lab",),
                    N_("no lab named {lab} ({command} names them)"),
                    lab=repr(question.lab),
                    command="llmiq lab list",
                )
            )
        problems += _bilingual(question.lab_claim, ("lab_claim",), N_("the lab's claim"))
    if question.is_choice:
        for i, option in enumerate(question.options):
            problems += _bilingual(option.text, ("options", i, "text"), N_("the option"))
            problems += _bilingual(option.why, ("options", i, "why"), N_("the option's why"))
            for lang in LANGS:
                if _CATCH_ALL.search(option.text.get(lang)):
                    problems.append(
                        Problem(
                            ("options", i, "text"),
                            N_(
                                "a catch-all option ('all of the above', '以上都对') is "
                                "answerable without the subject: write a real option"
                            ),
                        )
                    )
                    break
    else:
        problems += _bilingual(question.reference, ("reference",), N_("the reference answer"))
        if not question.key_points:
            problems.append(Problem(("key_points",), N_("an open question needs key points")))
        for i, point in enumerate(question.key_points):
            problems += _bilingual(point, ("key_points", i), N_("the key point"))
    return problems


def _four_option_singles(questions: Iterable[Question]) -> list[Question]:
    return [q for q in questions if q.kind is Kind.SINGLE and len(q.options) == 4]


def letter_shares(questions: Iterable[Question]) -> dict[str, float]:
    """Share of each answer letter among four-option single-choice keys."""
    singles = _four_option_singles(questions)
    letters = Counter(q.answer[0] for q in singles)
    keys = sorted({opt.key for q in singles for opt in q.options})
    return {key: letters[key] / len(singles) for key in keys} if singles else {}


def longest_share(questions: Iterable[Question]) -> float:
    """Share of four-option single-choice questions whose right option is the longest in
    some language: longer than every other option, so "pick the longest" finds it."""
    singles = _four_option_singles(questions)
    if not singles:
        return 0.0
    longest = 0
    for q in singles:
        for lang in LANGS:
            right = len(q.option(q.answer[0]).text.get(lang))  # type: ignore[union-attr]
            others = [len(opt.text.get(lang)) for opt in q.options if opt.key != q.answer[0]]
            if right > max(others):
                longest += 1
                break
    return longest / len(singles)


def balance_problems(questions: list[Question], *, minimum: int = MIN_BALANCED) -> list[str]:
    """The fairness rules over a set of questions; empty when they hold or the set is too
    small for them to mean anything."""
    count = len(_four_option_singles(questions))
    if count < minimum:
        return []
    problems = []
    low, high = LETTER_SHARE
    shares = letter_shares(questions)
    if any(not low <= share <= high for share in shares.values()):
        shown = ", ".join(f"{key} {share:.0%}" for key, share in shares.items())
        problems.append(
            f"the answer letters are unbalanced: {shown} of the {count} four-option "
            f"single-choice keys (keep each letter within {low:.0%}-{high:.0%})"
        )
    share = longest_share(questions)
    if share > MAX_LONGEST_SHARE:
        problems.append(
            f"the right option is the longest in {share:.0%} of the {count} four-option "
            f"single-choice questions (at most {MAX_LONGEST_SHARE:.0%}: shorten it or lengthen "
            "the distractors)"
        )
    return problems


def curation_problems(bank: Bank, known_labs: Collection[str]) -> list[Problem]:
    """Every way ``bank`` falls short of the curated standard, located like rule problems."""
    problems = _bilingual(bank.title, ("title",), N_("the title"))
    problems += _bilingual(bank.description, ("description",), N_("the description"))
    for i, question in enumerate(bank.questions):
        problems += [p.under("questions", i) for p in question_problems(question, known_labs)]
    problems += [Problem(("questions",), message) for message in balance_problems(bank.questions)]
    return problems
