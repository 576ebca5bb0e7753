"""What the readers of other source formats (LaTeX exams, Org, reStructuredText, flashcard
exports) share: the author's lines rewritten one for one as the Markdown-like text the
article parser reads, the lines left out on the way, and their parse with those lines
reported beside the parser's own."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from llmiq.bank.model import detect_language
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.ingest.result import ImportResult

#: (first, last, reason, excerpt): 0-based line ranges left out
LeftOut = tuple[int, int, str, str]


def is_chinese(text: str) -> bool:
    """Whether labels written into the text should be Chinese (答案：) rather than English:
    the bank's own language test on the text's first 50,000 characters."""
    return detect_language(text[:50_000]) == "zh"


@dataclass
class Rewritten:
    """The rewritten lines (as many as were given) and the ranges left out, to report."""

    lines: list[str]
    left_out: list[LeftOut] = field(default_factory=list)

    def leave_out(self, first: int, last: int, reason: str, excerpt: str = "") -> None:
        """Blank lines ``first``..``last`` and remember why, joined to the range before
        when it ends just above for the same reason."""
        for k in range(first, last + 1):
            self.lines[k] = ""
        previous = self.left_out[-1] if self.left_out else None
        if previous and previous[2] == reason and previous[1] + 1 == first:
            self.left_out[-1] = (previous[0], last, reason, previous[3])
        else:
            self.left_out.append((first, last, reason, excerpt.strip()))


def parse_rewritten(
    rewritten: Rewritten, *, name: str, bank_id: str, title: str | None
) -> ImportResult:
    """Parse the rewritten text with the article parser; the lines left out are reported
    with the parser's own skipped lines, by the author's line numbers (a rewritten line that
    became two, a code fence closed under its last line, still names its own)."""
    lines: list[str] = []
    origin: list[int] = []
    for number, line in enumerate(rewritten.lines, start=1):
        parts = line.split("\n")
        lines += parts
        origin += [number] * len(parts)
    left_out = [
        (first + 1, last + 1, what, excerpt) for first, last, what, excerpt in rewritten.left_out
    ]
    return parse_rows(lines, origin, left_out, name=name, bank_id=bank_id, title=title)


def parse_rows(
    lines: list[str],
    origin: list[int],
    left_out: list[LeftOut],
    *,
    name: str,
    bank_id: str,
    title: str | None,
) -> ImportResult:
    """Parse ``lines`` written for a file's rows, several lines to a row (a flashcard, a
    question bank's row): ``origin[k]`` is the file's line that written line ``k + 1`` comes
    from, so the parser's reports name the file's lines; ``left_out`` holds 1-based ranges of
    the file's own lines, reported beside them."""
    from llmiq.ingest.article import parse_article

    result = parse_article("\n".join(lines), name=name, bank_id=bank_id, title=title)

    def back(number: int) -> int:
        return origin[min(max(number, 1), len(origin)) - 1] if origin else 1

    result.skipped = [replace(s, first=back(s.first), last=back(s.last)) for s in result.skipped]
    result.notes = [replace(n, first=back(n.first), last=back(n.last)) for n in result.notes]
    return _with_left_out(result, left_out)


def _with_left_out(result: ImportResult, left_out: list[LeftOut]) -> ImportResult:
    """``result`` with the 1-based ``left_out`` ranges among its skipped lines, in order."""
    from llmiq.ingest.result import SkippedLines, shorten

    template = N_("{what}, not imported")
    for first, last, what, excerpt in left_out:
        result.skipped.append(
            SkippedLines(
                first,
                last,
                template.format(what=what),
                shorten(excerpt),
                message=template,
                fields=(("what", what),),
            )
        )
    result.skipped.sort(key=lambda s: s.first)
    return result
