"""How questions, answers and explanations look in the terminal (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text as RichText

from llmiq.bank.grading import Grade
from llmiq.messages import N_, topic_translator, translator
from llmiq.terminal import hanging as _hanging

if TYPE_CHECKING:
    from llmiq.bank.model import AnyQuestion, Bank, Lang


#: difficulty level -> how the terminal shows it
DIFFICULTY = {1: N_("basic"), 2: N_("intermediate"), 3: N_("advanced")}


def question_view(
    question: AnyQuestion, lang: Lang, position: int, total: int | None, note: str = ""
) -> RenderableType:
    _ = translator(lang)
    counter = f"{position}/{total}" if total else f"{position}"
    header = RichText(_("Question {counter}").format(counter=counter), style="bold cyan")
    if note:  # in ``lang`` already: why review asks it, how many are left, the mock's clock
        header.append(f"  · {note}", style="magenta")
    if question.difficulty is not None:
        header.append(f"  · {_(DIFFICULTY[question.difficulty])}", style="dim")
    if question.topics:
        header.append(f"  · {topic_list(question.topics, lang)}", style="dim")
    if question.kind == "multiple":
        header.append("  · " + _("choose all that apply"), style="yellow")
    parts: list[RenderableType] = [header, RichText(question.prompt.get(lang), style="bold")]
    for option in question.options:
        parts.append(_hanging(RichText(f"{option.key}.", style="cyan"), option.text.get(lang), 4))
    return Group(*parts)


def topic_list(topics: list[str], lang: Lang) -> str:
    """A question's topics by their names in ``lang``: ``"prompting, bias"``, ``"提示、偏差"``."""
    _, label = translator(lang), topic_translator(lang)
    return _(", ").join(label(topic) for topic in topics)


def answer_hint(question: AnyQuestion, lang: Lang = "en") -> str:
    _ = translator(lang)
    if not question.is_choice:
        return _("Your answer: ")
    keys = [opt.key for opt in question.options]
    span = f"{keys[0]}-{keys[-1]}"
    if question.kind == "multiple":
        return _("Your answer ({span}, several like A,C): ").format(span=span)
    return _("Your answer ({span}): ").format(span=span)


def explanation_view(
    question: AnyQuestion, lang: Lang, given: frozenset[str] = frozenset()
) -> RenderableType:
    """The explanation and, for every option, why it is right or wrong."""
    _ = translator(lang)
    parts: list[RenderableType] = []
    if question.key_points:
        parts.append(RichText(_("Key points"), style="bold"))
        parts += [_hanging("•", point.get(lang), 3) for point in question.key_points]
    if question.explanation is not None:
        parts.append(Padding(RichText(question.explanation.get(lang)), (0, 0, 0, 2), expand=False))
    if question.options:
        for option in question.options:
            right = option.key in question.answer
            chosen = option.key in given
            mark = "✓" if right else ("✗" if chosen else "")
            style = "green" if right else "red" if chosen else "dim"
            body = RichText(option.text.get(lang), style="bold" if right else "")
            if option.why is not None:
                body.append("\n" + option.why.get(lang), style="dim")
            parts.append(_hanging(RichText(f"{mark} {option.key}.", style=style), body, 5))
    if question.references:
        parts.append(RichText(_("Sources"), style="bold"))
        parts += [
            _hanging("•", RichText(ref.title).append(f" {ref.url}", style="blue"), 3)
            for ref in question.references
        ]
    return Group(*parts)


def lab_hint(question: AnyQuestion, lang: Lang = "en") -> RenderableType | None:
    """ "Prove it: llmiq lab run attention" (and the lab's claim the answer relies on) for a
    question whose lab exists."""
    from llmiq.labs.registry import has_lab

    if not has_lab(question.lab):
        return None
    _ = translator(lang)
    hint = RichText(_("Prove it:") + " ", style="magenta")
    hint.append(f"llmiq lab run {question.lab}", style="bold magenta")
    if question.lab_claim is not None:
        hint.append(f"  ({question.lab_claim.get(lang)})", style="magenta")
    return Padding(hint, (0, 0, 0, 2))  # its wrapped lines indented like its first


def feedback_view(question: AnyQuestion, grade: Grade, lang: Lang) -> RenderableType:
    _ = translator(lang)
    answer = question.answer_text(lang)
    if grade.correct is None:
        verdict = RichText(_("Reference answer: {answer}").format(answer=answer), style="bold")
    elif grade.correct:
        verdict = RichText("✓ " + _("Correct.") + " " + answer, style="bold green")
    else:
        wrong = _("Wrong. The answer is {answer}").format(answer=answer)
        verdict = RichText(f"✗ {wrong}", style="bold red")
    parts: list[RenderableType] = [verdict, explanation_view(question, lang, grade.keys)]
    if (hint := lab_hint(question, lang)) is not None:
        parts.append(hint)
    return Group(*parts)


def bank_view(bank: Bank, lang: Lang, with_answers: bool = True) -> RenderableType:
    _ = translator(lang)
    parts: list[RenderableType] = [RichText(bank.title.get(lang), style="bold underline")]
    if bank.description is not None:
        parts.append(RichText(bank.description.get(lang), style="italic"))
    if bank.source is not None and bank.source.url:
        parts.append(RichText(_("Source: {url}").format(url=bank.source.url), style="dim"))
    total = len(bank.questions)
    for position, question in enumerate(bank.questions, start=1):
        parts.append(RichText(""))
        parts.append(question_view(question, lang, position, total))
        parts.append(RichText(f"  id: {question.id}", style="dim"))
        if with_answers:
            answer = _("Answer: {answer}").format(answer=question.answer_text(lang))
            parts.append(RichText(answer, style="bold green"))
            parts.append(explanation_view(question, lang))
            if (hint := lab_hint(question, lang)) is not None:
                parts.append(hint)
    return Group(*parts)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


_HEAT = " ░▒▓█"


def _columns(rows: list[list[str]]) -> RichText:
    """Rows of plain text in left-aligned columns two spaces apart, the first in bold: what a
    borderless rich Table draws, at a hundredth of its cost for the few hundred topics of
    every bank (0.1 s there)."""
    widths = [max(cell_len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]
    table = RichText("\n".join(lines))
    table.stylize("bold", 0, len(lines[0]))
    return table


def stats_view(stats: dict, profile: str, lang: Lang = "en") -> RenderableType:
    """``llmiq stats`` as tables: totals, topics, the heatmap as text and the forecast."""
    from llmiq.practice.stats import RETENTION_NOTE  # SQLAlchemy: not on a quiz's path

    _ = translator(lang)
    label = topic_translator(lang)
    header = RichText(_("Progress of {profile}").format(profile=profile), style="bold underline")
    totals = RichText(
        _(
            "{answers} answers, {right} right ({accuracy}); {due} due now, {today} due today; "
            "streak {days} day(s)"
        ).format(
            answers=stats["reviews"],
            right=stats["correct"],
            accuracy=_percent(stats["accuracy"]),
            due=stats["due_now"],
            today=stats.get("due_today", stats["due_now"]),
            days=stats["streak_days"],
        )
    )
    topics = _columns(
        [[_("topic"), _("answers"), _("right"), _("accuracy"), _("cards"), _("retention")]]
        + [
            [
                label(topic),
                str(row["reviews"]),
                str(row["correct"]),
                _percent(row["accuracy"]),
                str(row["cards"]),
                _percent(row["retention"]),
            ]
            for topic, row in stats["by_topic"].items()
        ]
    )
    counts = list(stats["heatmap"].values())[-28:]
    top = max(counts, default=0) or 1
    heat = "".join(_HEAT[min(4, (c * 4 + top - 1) // top)] if c else "·" for c in counts)
    forecast = "  ".join(f"{day[5:]}:{n}" for day, n in list(stats["forecast"].items())[:7])
    return Group(
        header,
        totals,
        RichText(""),
        topics,
        RichText(""),
        RichText(_("Last 28 days  {heat}  (today on the right)").format(heat=heat)),
        RichText(_("Due next 7 days  {forecast}").format(forecast=forecast)),
        RichText(""),
        RichText(_(RETENTION_NOTE), style="dim"),
    )
