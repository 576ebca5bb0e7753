"""A bank as an Anki deck (.apkg, genanki).

One export is one language. Note GUIDs are derived from the bank id, the question id and the
language, so the zh and en exports of a bank are separate notes (importing one never
overwrites the other), while re-exporting the same bank in the same language gives the same
GUIDs and importing it into Anki updates the existing cards instead of adding duplicates.
Each language has its own deck (``llmiq::English::<title>``, ``llmiq::中文::<title>``) and
its own note type, whose card labels are in that language.

Exports made before GUIDs carried the language (note type "llmiq question", GUIDs from bank
and question id only) do not match these notes: importing a new export adds them beside the
old ones once.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from pathlib import Path

from llmiq.bank.model import Bank, Lang, Question
from llmiq.messages import translator


def _stable_id(*parts: str) -> int:
    """A 31-bit positive id from a hash: the range genanki and Anki accept for model/deck ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return 1 << 30 | int.from_bytes(digest[:4], "big") >> 2


def note_guid(bank_id: str, question_id: str, lang: Lang) -> str:
    """The GUID of a question's note in the ``lang`` export of a bank.

    The parts are joined with a separator ids cannot contain (genanki's own ``guid_for``
    joins with ``__``, which ids may hold), then hashed the way genanki does.
    """
    import genanki

    return str(genanki.guid_for("\x1f".join(("llmiq", "note", bank_id, question_id, lang))))


#: the deck tree's language level, each language in its own name: llmiq::English::<title>
_LANGUAGE_NAMES: dict[Lang, str] = {"en": "English", "zh": "中文"}

_FIELDS = ("Id", "Prompt", "Options", "Answer", "Key points", "Explanation", "Why", "Sources")

_CSS = """
.card { font-family: -apple-system, "Segoe UI", "Noto Sans CJK SC", sans-serif; font-size: 18px;
        text-align: left; max-width: 46em; margin: auto; }
.options div { margin: .2em 0; }
.right { color: #1a7f37; font-weight: bold; }
.why { color: #555; font-size: 15px; margin: 0 0 .4em 1.6em; }
.sources { font-size: 14px; }
"""


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _fields(question: Question, lang: Lang) -> list[str]:
    """The note's fields, in the order of ``_FIELDS``; every text from the bank is escaped."""
    options = "".join(
        f"<div><b>{opt.key}.</b> {_html(opt.text.get(lang))}</div>" for opt in question.options
    )
    if question.is_choice:
        answer = ", ".join(question.answer)
    elif question.reference is not None:
        answer = _html(question.reference.get(lang))
    else:
        answer = _html(" / ".join(question.accepted))
    key_points = (
        "<ul>" + "".join(f"<li>{_html(p.get(lang))}</li>" for p in question.key_points) + "</ul>"
        if question.key_points
        else ""
    )
    why = "".join(
        f'<div class="{"right" if opt.key in question.answer else ""}"><b>{opt.key}.</b> '
        f'{_html(opt.text.get(lang))}</div><div class="why">{_html(opt.why.get(lang))}</div>'
        for opt in question.options
        if opt.why is not None
    )
    explanation = _html(question.explanation.get(lang)) if question.explanation else ""
    sources = "".join(
        f'<div><a href="{html.escape(ref.url, quote=True)}">{_html(ref.title)}</a></div>'
        for ref in question.references
    )
    prompt = _html(question.prompt.get(lang))
    return [question.id, prompt, options, answer, key_points, explanation, why, sources]


def _note_type(lang: Lang):  # -> genanki.Model (genanki has no type hints)
    import genanki

    _ = translator(lang)  # the card's words around the fields, as the quiz says them
    answer = _("Answer: {answer}").format(answer="{{Answer}}")
    return genanki.Model(
        # v2: the fields gained Key points and Sources; one note type per language.
        _stable_id("llmiq-note-type", "v2", lang),
        f"llmiq question ({lang})",
        fields=[{"name": name} for name in _FIELDS],
        templates=[
            {
                "name": "Card 1",
                "qfmt": '{{Prompt}}<div class="options">{{Options}}</div>',
                "afmt": "{{FrontSide}}<hr id=answer>"
                f"<p><b>{answer}</b></p>"
                f"{{{{#Key points}}}}<p><b>{_('Key points')}</b></p>"
                "{{Key points}}{{/Key points}}"
                "<p>{{Explanation}}</p>{{Why}}"
                f'{{{{#Sources}}}}<div class="sources"><b>{_("Sources")}</b>'
                "{{Sources}}</div>{{/Sources}}",
            }
        ],
        css=_CSS,
        sort_field_index=0,
    )


def deck_name(bank: Bank, lang: Lang) -> str:
    """``llmiq::English::<title>``: the language level keeps the two exports of a bank apart
    even when the bank has its title in one language only."""
    return f"llmiq::{_LANGUAGE_NAMES[lang]}::{bank.title.get(lang)}"


def bank_to_apkg(bank: Bank, path: Path, lang: Lang) -> None:
    """Write the ``lang`` deck of ``bank`` to ``path`` (callers pass a temporary path and
    rename it into place)."""
    import genanki  # imported here: it pulls in its own dependencies, only export needs it

    model = _note_type(lang)
    deck = genanki.Deck(_stable_id("llmiq-deck", bank.id, lang), deck_name(bank, lang))
    for question in bank.questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=_fields(question, lang),
                tags=[t.replace(" ", "_") for t in question.topics],
                guid=note_guid(bank.id, question.id, lang),
            )
        )
    genanki.Package(deck).write_to_file(str(path))


def apkg_bytes(bank: Bank, lang: Lang) -> bytes:
    """The ``lang`` deck of ``bank`` as the bytes of an .apkg file."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "deck.apkg"
        bank_to_apkg(bank, target, lang)
        return target.read_bytes()
