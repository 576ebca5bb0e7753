"""A bank as a Markdown article, in the format the importer reads back."""

from __future__ import annotations

from llmiq.bank.model import Bank, Lang


def bank_to_markdown(bank: Bank, lang: Lang) -> str:
    answer_label, why_label = ("答案", "选项说明") if lang == "zh" else ("Answer", "Options")
    out = [f"# {bank.title.get(lang)}", ""]
    if bank.description is not None:
        out += [bank.description.get(lang), ""]
    for position, q in enumerate(bank.questions, start=1):
        out += [f"## {position}. {q.prompt.get(lang)}", ""]
        out += [f"- {opt.key}. {opt.text.get(lang)}" for opt in q.options]
        if q.options:
            out.append("")
        if q.is_choice:
            answer = ", ".join(q.answer)
        else:
            answer = q.reference.get(lang) if q.reference is not None else q.accepted[0]
        out += [f"**{answer_label}: {answer}**", ""]
        if q.explanation is not None:
            out += [q.explanation.get(lang), ""]
        whys = [opt for opt in q.options if opt.why is not None]
        if whys:
            out += [f"*{why_label}:*", ""]
            out += [f"- **{opt.key}** — {opt.why.get(lang)}" for opt in whys if opt.why]
            out.append("")
        if q.topics:
            out += [f"*Topics: {', '.join(q.topics)}*", ""]
    if bank.source is not None and bank.source.url:
        out += ["---", "", f"Source: <{bank.source.url}>", ""]
    return "\n".join(out)
