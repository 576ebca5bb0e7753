"""What an import hands back: the bank, every line it did not take and why, and what it
inferred rather than read."""

from __future__ import annotations

from dataclasses import dataclass, field

from llmiq.bank.model import Bank, Lang


@dataclass(frozen=True)
class SkippedLines:
    """Lines the importer did not take, and why. ``dropped`` marks a question block that
    could not become a question (no answer line, an answer naming no option)."""

    first: int
    last: int
    reason: str
    excerpt: str
    dropped: bool = False

    def __str__(self) -> str:
        where = (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"
        )
        return f"{where}: {self.reason}" + (f": {self.excerpt}" if self.excerpt else "")


@dataclass(frozen=True)
class ImportNote:
    """Something the importer inferred rather than read, for a person to check: a key taken
    from an answer key at the end, a key given as an option's text, keys read from prose."""

    first: int
    last: int
    question: int | str  # the article's number of the question, else its position
    message: str

    def __str__(self) -> str:
        return f"{_where(self.first, self.last)}: question {self.question}: {self.message}"


def _where(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def fold_notes(notes: list[ImportNote]) -> list[str]:
    """The notes as report lines, one for a run of questions that share a message ("lines
    28-110: questions 1-12: answer from the answer key at line 112")."""
    lines: list[str] = []
    run: list[ImportNote] = []
    for note in [*notes, None]:
        if note is not None and run and note.message == run[-1].message:
            run.append(note)
            continue
        if len(run) == 1:
            lines.append(str(run[0]))
        elif run:
            where = _where(run[0].first, run[-1].last)
            lines.append(
                f"{where}: questions {run[0].question}-{run[-1].question}: {run[0].message}"
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
