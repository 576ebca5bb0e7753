"""The question-bank model: a bank, its questions, their options and bilingual texts.

The models validate structure (types, required fields, key syntax) and the rules that make a
question answerable (an answer key must name an option, a single-choice question has one
answer, ...). Rules are checked after the structure, so a file checker can ask pydantic for
every structural error at once and then list every rule a question breaks; see
:func:`llmiq.bank.files.check_bank_data`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

# The kinds and languages, and how texts, questions and banks are read, are shared with the
# plain records the quiz reads from the cache (no pydantic there).
from llmiq.bank.records import LANGS as LANGS
from llmiq.bank.records import BankReading, BankRecord, QuestionReading, QuestionRecord, TextReading
from llmiq.bank.records import Kind as Kind
from llmiq.bank.records import Lang as Lang
from llmiq.messages import N_, Message, translator

#: Validation context key: when true, rule checks are left to the caller (see module doc).
DEFER_RULES = "llmiq.defer_rules"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def detect_language(text: str) -> Lang:
    """Guess whether a text is Chinese or English.

    Chinese blog text mixes in English terms ("微调 Fine-tuning"). A Chinese character carries
    about as much as a whole English word, so one per six Latin letters is enough:
    ``detect_language("提示校准 Prompt calibration")`` is ``"zh"``.
    """
    cjk = len(_CJK.findall(text))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk * 6 >= latin else "en"


def normalise_key(raw: str) -> str:
    """Turn an option key as people write it (``b``, ``Ｂ``, `` B ``) into ``B``."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank, located by its path in the data (``questions.3.answer``)."""

    loc: tuple[str | int, ...]
    message: str  # the English sentence
    #: ``message`` as a catalog message and its fields, when it has fields (a message
    #: without any is looked up as it is)
    template: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, loc: tuple[str | int, ...], template: str, **fields: object) -> Problem:
        """A problem whose message is the catalog message ``template`` filled in (a field
        that is a :class:`~llmiq.messages.Message` is translated with it)."""
        texts = tuple(
            (name, value if isinstance(value, Message) else str(value))
            for name, value in fields.items()
        )
        return cls(loc, template.format(**dict(texts)), template, texts)

    def under(self, *prefix: str | int) -> Problem:
        return replace(self, loc=(*prefix, *self.loc))

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return said(lang, self.template or self.message, self.fields)


def said(lang: str, template: str, fields: tuple[tuple[str, str], ...]) -> str:
    """``template`` in ``lang`` filled in with ``fields`` (those that are messages translated)."""
    _ = translator(lang)
    return _(template).format(**{k: _(v) if isinstance(v, Message) else v for k, v in fields})


MAX_ID_LENGTH = 100


class RuleError(ValueError):
    """A validator's ValueError raised with a catalog message and its fields (as
    :class:`llmiq.errors.LlmiqError`): ``str()`` is the English sentence, and a problem
    report or ``error_text`` says it in another language."""

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message.format(**fields))
        self.message = message
        self.fields = fields


def check_identifier(value: str) -> str:
    """Return ``value`` if it is a valid bank or question id, else raise ValueError."""
    if len(value) > MAX_ID_LENGTH:
        raise RuleError(
            N_("id {id}... is longer than {limit} characters"),
            id=repr(value[:20]),
            limit=MAX_ID_LENGTH,
        )
    if not _ID.match(value):
        raise RuleError(
            N_(
                "id {id} must start with a letter or digit and hold only letters, digits, "
                "'.', '_' and '-'"
            ),
            id=repr(value),
        )
    return value


#: Ids of banks and questions: stable keys for progress, safe in file names and URLs.
Identifier = Annotated[str, AfterValidator(check_identifier)]


def _rules_deferred(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(DEFER_RULES))


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        where = ".".join(str(part) for part in first.loc)
        raise ValueError(f"{where}: {first.message}" if where else first.message)


class Text(TextReading, BaseModel):
    """A text in Chinese and/or English; a missing language falls back to the other one.

    In a bank file a plain string is accepted and filed under the language it is written in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {detect_language(data): data}
        return data

    @field_validator("zh", "en")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise ValueError(N_("empty text"))
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if self.zh is None and self.en is None:
            raise ValueError(N_("empty text: give zh, en or both"))
        return self


class Option(BaseModel):
    """One choice of a question, with the reason it is right or wrong."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(
        description="A single letter A-Z; written forms like 'b' or 'Ｂ' are normalised."
    )
    text: Text
    why: Text | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _normalise_key(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = normalise_key(value)
            if not re.fullmatch(r"[A-Z]", key):
                raise RuleError(
                    N_("option key must be a single letter A-Z, got {key}"), key=repr(value)
                )
            return key
        return value


class Reference(BaseModel):
    """A paper or official document a reader can check the answer against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$", description="http(s) link to the source.")


class Question(QuestionReading, BaseModel):
    """A question: choice (``single``/``multiple``) with options and answer keys, or ``open``
    with a reference answer and short accepted answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier = Field(description="Stable and unique in its bank: progress is keyed by it.")
    kind: Kind
    topics: list[str] = Field(default_factory=list)
    prompt: Text
    options: list[Option] = Field(default_factory=list)
    answer: list[str] = Field(default_factory=list, description="Option keys (choice kinds).")
    reference: Text | None = Field(default=None, description="Model answer (open questions).")
    accepted: list[str] = Field(
        default_factory=list, description="Short answers graded as right (open questions)."
    )
    key_points: list[Text] = Field(default_factory=list)
    explanation: Text | None = None
    difficulty: int | None = Field(default=None, ge=1, le=3, description="1 easy - 3 hard.")
    references: list[Reference] = Field(default_factory=list)
    lab: str | None = Field(default=None, description="Id of the lab whose verdict backs it.")
    lab_claim: Text | None = Field(
        default=None, description="The claim of the lab's report the answer relies on."
    )
    area: str | None = Field(
        default=None, description="The curated area it belongs to (set in combined banks)."
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _split_answer(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[\s,;、，]+", value) if part]
        if isinstance(value, list):
            return [normalise_key(v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("topics", "accepted")
    @classmethod
    def _no_blank_items(cls, value: list[str]) -> list[str]:
        items = [item.strip() for item in value]
        if any(not item for item in items):
            raise ValueError(N_("empty item in list"))
        return items

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Question:
        if not _rules_deferred(info):
            _raise_first(self.rule_problems())
        return self

    def rule_problems(self) -> list[Problem]:
        """Every rule this question breaks, each located at the offending field."""
        problems: list[Problem] = []
        keys = [opt.key for opt in self.options]
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in seen:
                duplicate = N_("duplicate option key {key}")
                problems.append(Problem.of(("options", i, "key"), duplicate, key=repr(key)))
            seen.add(key)
        if self.is_choice:
            if len(self.options) < 2:
                message = (
                    N_("a single-choice question needs at least two options")
                    if self.kind is Kind.SINGLE
                    else N_("a multiple-choice question needs at least two options")
                )
                problems.append(Problem(("options",), message))
            if not self.answer:
                problems.append(Problem(("answer",), N_("no answer key given")))
            for i, key in enumerate(self.answer):
                if key not in seen:
                    known = ", ".join(keys) or "none"
                    problems.append(
                        Problem.of(
                            ("answer", i),
                            N_("answer key {key} is not one of the options ({known})"),
                            key=repr(key),
                            known=known,
                        )
                    )
            if len(set(self.answer)) != len(self.answer):
                problems.append(Problem(("answer",), N_("an answer key is listed twice")))
            if self.kind is Kind.SINGLE and len(self.answer) > 1:
                problems.append(
                    Problem.of(
                        ("answer",),
                        N_(
                            "a single-choice question has exactly one answer, got {keys} "
                            "(use kind: multiple)"
                        ),
                        keys=", ".join(self.answer),
                    )
                )
            if self.accepted or self.reference:
                field = "accepted" if self.accepted else "reference"
                problems.append(
                    Problem.of(
                        (field,),
                        N_("{field} is for open questions; a choice question uses answer"),
                        field=field,
                    )
                )
        else:
            if self.options:
                problems.append(
                    Problem(("options",), N_("an open question has no options (use kind: single)"))
                )
            if self.answer:
                problems.append(
                    Problem(
                        ("answer",), N_("an open question uses accepted and reference, not answer")
                    )
                )
            if not self.accepted and self.reference is None:
                problems.append(
                    Problem(
                        ("accepted",), N_("an open question needs accepted answers or a reference")
                    )
                )
        if self.lab_claim is not None and self.lab is None:
            problems.append(Problem(("lab_claim",), N_("lab_claim needs a lab naming the lab")))
        return problems


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    title: str | None = None


class Bank(BankReading, BaseModel):
    """A named, ordered collection of questions with unique ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    description: Text | None = None
    source: Source | None = None
    area: Text | None = Field(default=None, description="The curated area a bank covers.")
    questions: list[Question]

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> Bank:
        if not _rules_deferred(info):
            _raise_first(self.rule_problems())
        return self

    def rule_problems(self) -> list[Problem]:
        problems = (
            [] if self.questions else [Problem(("questions",), N_("the bank has no questions"))]
        )
        problems += duplicate_id_problems([q.id for q in self.questions])
        return problems


def duplicate_id_problems(ids: list[Any]) -> list[Problem]:
    first_seen: dict[Any, int] = {}
    problems = []
    for i, qid in enumerate(ids):
        if not isinstance(qid, str):
            continue
        if qid in first_seen:
            problems.append(
                Problem.of(
                    ("questions", i, "id"),
                    N_("duplicate question id {id} (also {other})"),
                    id=repr(qid),
                    other=f"questions[{first_seen[qid]}]",
                )
            )
        else:
            first_seen[qid] = i
    return problems


#: A bank as the quiz reads it: the validated model, or its record from the cache.
AnyBank: TypeAlias = Bank | BankRecord
#: A question as the quiz reads it: the validated model, or its record from the cache.
AnyQuestion: TypeAlias = Question | QuestionRecord
