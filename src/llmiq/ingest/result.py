"""What an import hands back: the bank, every line it did not take and why, and what it
inferred rather than read."""

from __future__ import annotations

from dataclasses import dataclass, field

from llmiq.bank.model import Bank, Lang
from llmiq.messages import translator


@dataclass(frozen=True)
class SkippedLines:
    """Lines the importer did not take, and why. ``dropped`` marks a question block that
    could not become a question (no answer line, an answer naming no option)."""

    first: int
    last: int
    reason: str  # the English sentence
    excerpt: str
    dropped: bool = False
    #: ``reason`` as a catalog message and its fields, when it has fields (a reason without
    #: any is its own message); a field's text that is a message is translated too
    message: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """The report line in ``lang``: ``line 3: text before the first question: ...``."""
        _ = translator(lang)
        if self.message:
            reason = _(self.message).format(**{name: _(value) for name, value in self.fields})
        else:
            reason = _(self.reason)
        where = _where(self.first, self.last, lang)
        line = _("{where}: {reason}").format(where=where, reason=reason)
        if not self.excerpt:
            return line
        return _("{line}: {excerpt}").format(line=line, excerpt=self.excerpt)


@dataclass(frozen=True)
class ImportNote:
    """Something the importer inferred rather than read, for a person to check: a key taken
    from an answer key at the end, a key given as an option's text, keys read from prose."""

    first: int
    last: int
    question: int | str  # the article's number of the question, else its position
    message: str

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        _ = translator(lang)
        return _("{where}: question {question}: {message}").format(
            where=_where(self.first, self.last, lang),
            question=self.question,
            message=_note_text(self.message, lang),
        )


class Note(str):
    """A note's English sentence that keeps its catalog messages and their fields, to be
    said in another language: ``Note.of(N_("answer read as {keys} ..."), keys="B")``;
    several notes of one question are joined with "; " (:meth:`joined`)."""

    parts: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    @classmethod
    def of(cls, template: str, **fields: object) -> Note:
        texts = tuple((name, str(value)) for name, value in fields.items())
        return cls._made(((template, texts),))

    @classmethod
    def _made(cls, parts: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> Note:
        note = cls("; ".join(template.format(**dict(fields)) for template, fields in parts))
        note.parts = parts
        return note

    @classmethod
    def joined(cls, first: str, second: str) -> str:
        """``first; second``, each keeping its message."""
        if not first:
            return second
        return cls._made(_note_parts(first) + _note_parts(second))

    def text(self, lang: str) -> str:
        _ = translator(lang)
        return _("; ").join(_(t).format(**dict(fields)) for t, fields in self.parts)


def _note_parts(note: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    return note.parts if isinstance(note, Note) else ((note, ()),)


def _note_text(message: str, lang: str) -> str:
    """A note in ``lang`` (a plain string is a message without fields)."""
    return message.text(lang) if isinstance(message, Note) else translator(lang)(message)


def _where(first: int, last: int, lang: str = "en") -> str:
    _ = translator(lang)
    if first == last:
        return _("line {first}").format(first=first)
    return _("lines {first}-{last}").format(first=first, last=last)


@dataclass(frozen=True)
class SkippedList:
    """Skipped lines as one field of an error: "; "-separated, in English or in a language."""

    items: tuple[SkippedLines, ...]

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        return translator(lang)("; ").join(item.text(lang) for item in self.items)


def fold_notes(notes: list[ImportNote], lang: str = "en") -> list[str]:
    """The notes as report lines, one for a run of questions that share a message ("lines
    28-110: questions 1-12: answer from the answer key at line 112")."""
    _ = translator(lang)
    lines: list[str] = []
    run: list[ImportNote] = []
    for note in [*notes, None]:
        if note is not None and run and note.message == run[-1].message:
            run.append(note)
            continue
        if len(run) == 1:
            lines.append(run[0].text(lang))
        elif run:
            lines.append(
                _("{where}: questions {first}-{last}: {message}").format(
                    where=_where(run[0].first, run[-1].last, lang),
                    first=run[0].question,
                    last=run[-1].question,
                    message=_note_text(run[0].message, lang),
                )
            )
        run = [note] if note is not None else []
    return lines


@dataclass
class ImportResult:
    """What :func:`parse_article` found: the bank, everything it did not take, and what it
    inferred."""

    bank: Bank
    lang: Lang
    skipped: list[SkippedLines] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)

    @property
    def dropped_questions(self) -> list[SkippedLines]:
        return [s for s in self.skipped if s.dropped]


def shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
