"""Banks as plain frozen dataclasses: what the quiz reads, built without pydantic.

The pydantic models of :mod:`llmiq.bank.model` validate banks; importing pydantic and building
those models costs about a tenth of a second, more than the rest of a quiz's start. A built-in
bank that was validated once is kept in a cache (:mod:`llmiq.bank.cache`) as plain data, and
the quiz reads it back as these records. Records and models share the reading behaviour below
(``text.get(lang)``, ``question.answer_text(lang)``, ``bank.topics``, ...), so the code that
shows, grades and records questions takes either.

Records are only ever built from data a model validated (:func:`bank_record`): they check
nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    OPEN = "open"


class TextReading:
    """How a bilingual text is read, for the model and the record alike."""

    __slots__ = ()

    def get(self, lang: Lang) -> str:
        """The text in ``lang``, or in the other language when this one is missing."""
        zh, en = self.zh, self.en  # type: ignore[attr-defined]
        value = zh if lang == "zh" else en
        return value if value is not None else (en if lang == "zh" else zh) or ""

    def has(self, lang: Lang) -> bool:
        return (self.zh if lang == "zh" else self.en) is not None  # type: ignore[attr-defined]


class QuestionReading:
    """How a question is read, for the model and the record alike."""

    __slots__ = ()

    @property
    def is_choice(self) -> bool:
        return self.kind is not Kind.OPEN  # type: ignore[attr-defined]

    def answer_text(self, lang: Lang) -> str:
        """The right answer as a person reads it: ``"C. Prompt calibration"`` for a choice
        question, the reference answer (or the accepted answers) for an open one."""
        if self.is_choice:
            return "; ".join(
                f"{key}. {opt.text.get(lang)}"
                for key in self.answer  # type: ignore[attr-defined]
                if (opt := self.option(key))
            )
        if self.reference is not None:  # type: ignore[attr-defined]
            return self.reference.get(lang)  # type: ignore[attr-defined]
        return " / ".join(self.accepted)  # type: ignore[attr-defined]

    def option(self, key: str) -> Any:
        """The option with ``key``, or None."""
        return next((opt for opt in self.options if opt.key == key), None)  # type: ignore[attr-defined]


class BankReading:
    """How a bank is read, for the model and the record alike."""

    __slots__ = ()

    def question(self, question_id: str) -> Any:
        """The question with ``question_id``, or None."""
        return next((q for q in self.questions if q.id == question_id), None)  # type: ignore[attr-defined]

    @property
    def topics(self) -> list[str]:
        """Topics in order of first appearance."""
        return list(dict.fromkeys(t for q in self.questions for t in q.topics))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class TextRecord(TextReading):
    zh: str | None = None
    en: str | None = None


@dataclass(frozen=True, slots=True)
class OptionRecord:
    key: str
    text: TextRecord
    why: TextRecord | None = None


@dataclass(frozen=True, slots=True)
class ReferenceRecord:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class QuestionRecord(QuestionReading):
    id: str
    kind: Kind
    prompt: TextRecord
    topics: tuple[str, ...] = ()
    options: tuple[OptionRecord, ...] = ()
    answer: tuple[str, ...] = ()
    reference: TextRecord | None = None
    accepted: tuple[str, ...] = ()
    key_points: tuple[TextRecord, ...] = ()
    explanation: TextRecord | None = None
    difficulty: int | None = None
    references: tuple[ReferenceRecord, ...] = ()
    lab: str | None = None
    lab_claim: TextRecord | None = None
    area: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRecord:
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class BankRecord(BankReading):
    id: str
    title: TextRecord
    questions: tuple[QuestionRecord, ...]
    description: TextRecord | None = None
    source: SourceRecord | None = None
    area: TextRecord | None = None


def _text(data: dict[str, str] | None) -> TextRecord | None:
    return None if data is None else TextRecord(data.get("zh"), data.get("en"))


def _option(data: dict[str, Any]) -> OptionRecord:
    text = data["text"]
    return OptionRecord(
        data["key"], TextRecord(text.get("zh"), text.get("en")), _text(data.get("why"))
    )


def _question(data: dict[str, Any]) -> QuestionRecord:
    return QuestionRecord(
        id=data["id"],
        kind=Kind(data["kind"]),
        prompt=TextRecord(data["prompt"].get("zh"), data["prompt"].get("en")),
        topics=tuple(data.get("topics", ())),
        options=tuple(_option(o) for o in data.get("options", ())),
        answer=tuple(data.get("answer", ())),
        reference=_text(data.get("reference")),
        accepted=tuple(data.get("accepted", ())),
        key_points=tuple(TextRecord(p.get("zh"), p.get("en")) for p in data.get("key_points", ())),
        explanation=_text(data.get("explanation")),
        difficulty=data.get("difficulty"),
        references=tuple(ReferenceRecord(r["title"], r["url"]) for r in data.get("references", ())),
        lab=data.get("lab"),
        lab_claim=_text(data.get("lab_claim")),
        area=data.get("area"),
    )


def bank_record(data: dict[str, Any]) -> BankRecord:
    """The record of a bank given as the plain data of a validated model (what
    :func:`llmiq.bank.files.bank_to_data` returns: empty fields left out). Raises KeyError,
    TypeError, AttributeError or ValueError on data of another shape."""
    source = data.get("source")
    return BankRecord(
        id=data["id"],
        title=TextRecord(data["title"].get("zh"), data["title"].get("en")),
        questions=tuple(_question(q) for q in data["questions"]),
        description=_text(data.get("description")),
        source=None if source is None else SourceRecord(source.get("url"), source.get("title")),
        area=_text(data.get("area")),
    )
