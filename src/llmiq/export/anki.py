"""A bank as an Anki deck (.apkg, genanki).

Deck, note type and note GUIDs are derived from the bank id and question ids, so importing
a re-exported deck into Anki updates the existing cards instead of adding duplicates.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from pathlib import Path

from llmiq.bank.model import Bank, Lang, Question


def _stable_id(*parts: str) -> int:
    """A 31-bit positive id from a hash: the range genanki and Anki accept for model/deck ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return 1 << 30 | int.from_bytes(digest[:4], "big") >> 2


_CSS = """
.card { font-family: -apple-system, "Segoe UI", "Noto Sans CJK SC", sans-serif; font-size: 18px;
        text-align: left; max-width: 46em; margin: auto; }
.options div { margin: .2em 0; }
.right { color: #1a7f37; font-weight: bold; }
.why { color: #555; font-size: 15px; margin: 0 0 .4em 1.6em; }
"""


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _fields(question: Question, lang: Lang) -> list[str]:
    options = "".join(
        f"<div><b>{opt.key}.</b> {_html(opt.text.get(lang))}</div>" for opt in question.options
    )
    if question.is_choice:
        answer = ", ".join(question.answer)
    elif question.reference is not None:
        answer = _html(question.reference.get(lang))
    else:
        answer = _html(" / ".join(question.accepted))
    why = "".join(
        f'<div class="{"right" if opt.key in question.answer else ""}"><b>{opt.key}.</b> '
        f'{_html(opt.text.get(lang))}</div><div class="why">{_html(opt.why.get(lang))}</div>'
        for opt in question.options
        if opt.why is not None
    )
    explanation = _html(question.explanation.get(lang)) if question.explanation else ""
    return [question.id, _html(question.prompt.get(lang)), options, answer, explanation, why]


def bank_to_apkg(bank: Bank, path: Path, lang: Lang) -> None:
    """Write the deck to ``path`` (callers pass a temporary path and rename it into place)."""
    import genanki  # imported here: it pulls in its own dependencies, only export needs it

    model = genanki.Model(
        _stable_id("llmiq-note-type", "v1"),
        "llmiq question",
        fields=[{"name": n} for n in ("Id", "Prompt", "Options", "Answer", "Explanation", "Why")],
        templates=[
            {
                "name": "Card 1",
                "qfmt": '{{Prompt}}<div class="options">{{Options}}</div>',
                "afmt": "{{FrontSide}}<hr id=answer><p><b>Answer: {{Answer}}</b></p>"
                "<p>{{Explanation}}</p>{{Why}}",
            }
        ],
        css=_CSS,
        sort_field_index=0,
    )
    deck = genanki.Deck(_stable_id("llmiq-deck", bank.id, lang), f"llmiq::{bank.title.get(lang)}")
    for question in bank.questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=_fields(question, lang),
                tags=[t.replace(" ", "_") for t in question.topics],
                guid=genanki.guid_for("llmiq", bank.id, question.id),
            )
        )
    genanki.Package(deck).write_to_file(str(path))


def apkg_bytes(bank: Bank, lang: Lang) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.apkg"
        bank_to_apkg(bank, target, lang)
        return target.read_bytes()
