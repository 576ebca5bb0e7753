"""The one message catalog of both front ends (llmiq.messages): every message extracted
from the sources is in it, with its Chinese, and the shipped .mo is the .po compiled."""

from __future__ import annotations

import io
import string
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from llmiq.messages import LOCALE_DIR, plural_translator, translator

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "llmiq.po"


def update_messages() -> ModuleType:
    """scripts/update-messages as a module (it has no .py suffix: it is a command)."""
    loader = SourceFileLoader("update_messages", str(ROOT / "scripts" / "update-messages"))
    spec = spec_from_loader("update_messages", loader)
    assert spec is not None
    module = module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def zh() -> Catalog:
    with PO.open("rb") as source:
        return read_po(source, locale="zh", domain="llmiq")


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return update_messages().extract()


def _ids(catalog: Catalog) -> set[tuple[str, str]]:
    """(context, singular) of every message."""
    return {(m.context or "", m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_every_message_has_its_chinese(zh: Catalog) -> None:
    messages = [m for m in zh if m.id]
    assert len(messages) > 100
    missing = [m.id for m in messages if not all(m.string if isinstance(m.string, tuple)
                                                 else [m.string])]  # fmt: skip
    assert missing == []
    assert [m.id for m in messages if m.fuzzy] == []


def test_extraction_finds_no_message_missing_from_the_catalog(
    zh: Catalog, extracted: Catalog
) -> None:
    found = _ids(extracted)
    # templates, Python and the banks' topics were all read
    assert {("", "Your answer"), ("", "Key points"), ("topic", "fine-tuning")} <= found
    assert sorted(found - _ids(zh)) == []


def test_the_shipped_mo_is_the_po_compiled() -> None:
    script = update_messages()
    po_text = PO.read_bytes()
    assert PO.with_suffix(".mo").read_bytes() == script.compiled(po_text, "zh")


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_placeholders_of_every_translation_match_its_message(zh: Catalog) -> None:
    wrong = []
    for message in zh:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = _fields(ids[-1])
        wrong += [(ids[0], s) for s in strings if _fields(s) != expected]
    assert wrong == []


def test_fields_are_named() -> None:
    assert _fields("{right}/{answered}") == ["answered", "right"]
    with pytest.raises(ValueError, match="expected '}'"):
        _fields("{right")


def test_translators() -> None:
    assert translator("zh")("Next") == "下一题"
    assert translator("zh_CN")("Next") == "下一题"
    assert translator("en")("Next") == "Next"
    assert translator("zh")("not a message of the catalog") == "not a message of the catalog"
    assert translator("zh") is not translator("en")


def test_the_catalog_reads_without_babel() -> None:
    # gettext's own parser reads the .mo that ships: Babel is only a development tool
    import gettext

    with (LOCALE_DIR / "zh" / "LC_MESSAGES" / "llmiq.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    assert catalog.gettext("Your answer") == "你的答案"
    assert catalog.info()["plural-forms"] == "nplurals=1; plural=0;"
    assert plural_translator("en")("{n} day", "{n} days", 2) == "{n} days"


def test_po_is_utf8_text() -> None:
    with io.BytesIO(PO.read_bytes()) as source:
        assert read_po(source).charset == "utf-8"
