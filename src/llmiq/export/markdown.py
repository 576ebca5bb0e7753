"""A bank as a Markdown article, in the format the importer reads back."""

from __future__ import annotations

from llmiq.bank.model import Bank, Lang, Question

_LABELS = {
    "zh": {"answer": "答案", "options": "选项说明", "points": "要点", "also": "也算对",
           "topics": "主题"},
    "en": {"answer": "Answer", "options": "Options", "points": "Key points",
           "also": "Also accepted", "topics": "Topics"},
}  # fmt: skip


def _answer_lines(question: Question, lang: Lang, label: str) -> list[str]:
    if question.is_choice:
        return [f"**{label}: {', '.join(question.answer)}**"]
    reference = question.reference.get(lang) if question.reference else question.accepted[0]
    if "\n" in reference:  # the importer reads a value on the line after a bare label
        return [f"**{label}:**", "", reference]
    return [f"**{label}: {reference}**"]


def bank_to_markdown(bank: Bank, lang: Lang) -> str:
    labels = _LABELS[lang]
    out = [f"# {bank.title.get(lang)}", ""]
    if bank.description is not None:
        out += [bank.description.get(lang), ""]
    for position, q in enumerate(bank.questions, start=1):
        out += [f"## {position}. {q.prompt.get(lang)}", ""]
        if q.options:
            out += [f"- {opt.key}. {opt.text.get(lang)}" for opt in q.options] + [""]
        out += [*_answer_lines(q, lang, labels["answer"]), ""]
        if q.key_points:
            out += [f"*{labels['points']}:*", ""]
            out += [f"- {point.get(lang)}" for point in q.key_points] + [""]
        if q.explanation is not None:
            out += [q.explanation.get(lang), ""]
        whys = [(opt.key, opt.why.get(lang)) for opt in q.options if opt.why is not None]
        if whys:
            out += [f"*{labels['options']}:*", ""]
            out += [f"- **{key}** — {why}" for key, why in whys] + [""]
        if len(q.accepted) > 1:
            out += [f"*{labels['also']}: {', '.join(q.accepted)}*", ""]
        if q.topics:
            out += [f"*{labels['topics']}: {', '.join(q.topics)}*", ""]
    if bank.source is not None and bank.source.url:
        out += ["---", "", f"Source: <{bank.source.url}>", ""]
    return "\n".join(out)
