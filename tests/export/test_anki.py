"""The Anki export, imported by Anki itself: the official ``anki`` library (the code Anki
desktop runs) reads our .apkg files into a fresh collection, as a user's import would."""

from __future__ import annotations

import html
import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import Bank, Lang
from llmiq.export import bank_to_apkg

if TYPE_CHECKING:
    from anki.collection import Collection

needs_anki = pytest.mark.skipif(
    importlib.util.find_spec("anki") is None, reason="anki is not installed (the dev extra)"
)
pytestmark = needs_anki

# A built-in bank with open questions that have key points, and prompts in both languages.
BANK = resolve_bank("transformer")
OPEN = [q for q in BANK.questions if q.kind == "open" and q.key_points]


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    from anki.collection import Collection

    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def _export(bank: Bank, lang: Lang, folder: Path) -> Path:
    path = folder / f"{bank.id}-{lang}-{len(list(folder.iterdir()))}.apkg"
    bank_to_apkg(bank, path, lang)
    return path


def _import(col: Collection, apkg: Path) -> None:
    """Import as Anki desktop does by default: a note whose GUID is already there is updated
    if the incoming one is newer, otherwise left alone."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=False)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))


def _notes(col: Collection) -> dict[str, list[str]]:
    """Every note in the collection: GUID -> fields."""
    return {note.guid: list(note.fields) for note in map(col.get_note, col.find_notes(""))}


def _by_id(notes: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for fields in notes.values():
        found.setdefault(fields[0], []).append(fields)
    return found


def test_zh_then_en_keeps_both_languages(collection: Collection, tmp_path: Path) -> None:
    _import(collection, _export(BANK, "zh", tmp_path))
    zh_guids = set(_notes(collection))
    _import(collection, _export(BANK, "en", tmp_path))
    notes = _notes(collection)

    assert len(BANK.questions) == 18
    assert collection.note_count() == len(notes) == 2 * len(BANK.questions)
    assert len(zh_guids) == len(BANK.questions)
    assert zh_guids < set(notes)  # the zh notes are still there, under their own GUIDs
    by_id = _by_id(notes)
    for question in BANK.questions:
        prompts = {fields[1] for fields in by_id[question.id]}
        zh, en = question.prompt.get("zh"), question.prompt.get("en")
        assert zh != en
        assert len(prompts) == 2
        assert any(zh[:12] in p for p in prompts)
        assert any(en[:12] in p for p in prompts)


def test_each_language_has_its_own_deck(collection: Collection, tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        _import(collection, _export(BANK, lang, tmp_path))
    names = {deck.name for deck in collection.decks.all_names_and_ids()}
    zh_deck = f"llmiq::中文::{BANK.title.get('zh')}"
    en_deck = f"llmiq::English::{BANK.title.get('en')}"
    assert {zh_deck, en_deck} <= names
    assert len(collection.find_cards(f'"deck:{zh_deck}"')) == len(BANK.questions)
    assert len(collection.find_cards(f'"deck:{en_deck}"')) == len(BANK.questions)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_open_questions_show_their_key_points(
    collection: Collection, tmp_path: Path, lang: Lang
) -> None:
    _import(collection, _export(BANK, lang, tmp_path))
    assert len(OPEN) >= 3
    for question in OPEN:
        # The back of the card as Anki renders it from the note type's template.
        (card_id,) = collection.find_cards(f'"Id:{question.id}"')
        back = collection.get_card(card_id).answer()
        assert question.reference is not None
        assert _escaped(question.reference.get(lang).split("\n")[0][:15]) in back
        assert ("Key points" if lang == "en" else "要点") in back
        for point in question.key_points:
            assert f"<li>{_escaped(point.get(lang))}</li>" in back


def _escaped(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def test_importing_the_same_export_again_adds_nothing(
    collection: Collection, tmp_path: Path
) -> None:
    _import(collection, _export(BANK, "en", tmp_path))
    first = _notes(collection)
    _import(collection, _export(BANK, "en", tmp_path))  # a new export of the same bank
    _import(collection, _export(BANK, "zh", tmp_path))
    _import(collection, _export(BANK, "zh", tmp_path))
    assert collection.note_count() == 2 * len(BANK.questions)
    assert {guid: _notes(collection)[guid] for guid in first} == first


def test_an_edited_question_updates_its_note(collection: Collection, tmp_path: Path) -> None:
    _import(collection, _export(BANK, "en", tmp_path))
    question = BANK.questions[0]
    edited_prompt = question.prompt.model_copy(update={"en": "An edited prompt?"})
    questions = [question.model_copy(update={"prompt": edited_prompt}), *BANK.questions[1:]]
    edited = BANK.model_copy(update={"questions": questions})
    # Note times are whole seconds and Anki updates a note only from a newer one: a user's
    # re-export is minutes later, this one is one second later.
    started = int(time.time())
    while int(time.time()) == started:
        time.sleep(0.05)
    _import(collection, _export(edited, "en", tmp_path))
    assert collection.note_count() == len(BANK.questions)
    assert _by_id(_notes(collection))[question.id][0][1] == "An edited prompt?"


def test_another_bank_with_the_same_question_ids_gets_its_own_notes(
    collection: Collection, tmp_path: Path
) -> None:
    _import(collection, _export(BANK, "en", tmp_path))
    _import(collection, _export(BANK.model_copy(update={"id": "transformer-copy"}), "en", tmp_path))
    assert collection.note_count() == 2 * len(BANK.questions)
