"""The one message catalog of both front ends (llmiq.messages): every message extracted
from the sources is in it, with its Chinese, and the shipped .mo is the .po compiled."""

from __future__ import annotations

import io
import re
import string
from collections.abc import Callable
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from llmiq.messages import LOCALE_DIR, plural_translator, topic_translator, translator

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


def test_topic_names_and_errors() -> None:
    from llmiq.errors import LlmiqError
    from llmiq.messages import N_, error_text

    assert topic_translator("zh")("fine-tuning") == "微调"
    assert topic_translator("zh")("my-own-topic") == "my-own-topic"  # an imported bank's
    assert topic_translator("en")("fine-tuning") == "fine-tuning"
    error = LlmiqError(N_("no bank named {bank}"), bank="'x'")
    assert str(error) == "no bank named 'x'"
    assert error_text(error, "zh") == "没有名为 'x' 的题库"
    assert error_text(LlmiqError("a sentence of its own"), "zh") == "a sentence of its own"


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


# --- the terminal in Chinese: no English interface words ----------------------------------

#: ASCII words a Chinese quiz may show besides the questions' own text: the command that
#: proves an answer (``llmiq lab run ID``)
ALLOWED_ASCII = {"llmiq", "lab", "run"}


def _content_lines(bank_id: str, lang: str) -> list[str]:
    """Every line of the bank's own text in ``lang`` (prompts, options, explanations, sources,
    lab claims, answers, the names of its topics, which keep terms such as Softmax): what the
    quiz shows of the questions, longest first."""
    from llmiq.bank.catalog import builtin_entries, load_entry

    entry = next(e for e in builtin_entries() if e.id == bank_id)
    texts: list[str] = []
    for question in load_entry(entry).questions:
        texts += [question.prompt.get(lang), question.answer_text(lang), *question.accepted]
        texts += [t.get(lang) for t in (question.explanation, question.lab_claim) if t]
        texts += [point.get(lang) for point in question.key_points]
        for option in question.options:
            texts += [option.text.get(lang)] + ([option.why.get(lang)] if option.why else [])
        texts += [f"{ref.title} {ref.url}" for ref in question.references]
        texts += [ref.title for ref in question.references] + [q for q in [question.lab] if q]
        texts += [topic_translator(lang)(topic) for topic in question.topics]  # "Softmax 函数"
    lines = {line.strip() for text in texts for line in text.splitlines() if line.strip()}
    return sorted(lines, key=len, reverse=True)


def english_words(output: str, bank_id: str = "seed", lang: str = "zh") -> list[str]:
    """ASCII words of three letters or more left in ``output`` once the bank's own text is
    taken out: the interface words that were not translated."""
    for line in _content_lines(bank_id, lang):
        output = output.replace(line, " ")
    return sorted(set(re.findall(r"[A-Za-z]{3,}", output)) - ALLOWED_ASCII)


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wrapping: each line of a question's text appears whole in the output."""
    monkeypatch.setenv("COLUMNS", "5000")


@pytest.mark.usefixtures("wide")
def test_a_chinese_quiz_shows_no_english_interface_word(run_cli: Callable) -> None:
    # Z: not an option (the letters are asked for again), then a wrong answer
    result = run_cli("quiz", "seed", "-n", "1", "--lang", "zh", input="Z\nB\n")
    assert result.exit_code == 0
    assert "得分" in result.output
    assert english_words(result.output) == []


@pytest.mark.usefixtures("wide")
def test_the_whole_quiz_in_a_chinese_locale(
    run_cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    # wrong, right, an open answer, then the end of input: stopped after 3 of 10
    result = run_cli("quiz", "seed", "--in-order", input="Z\nA\nno\nC\n")
    assert result.exit_code == 0
    assert "答了 3/10 题后停止" in result.output
    assert english_words(result.output) == []


@pytest.mark.usefixtures("wide")
def test_chinese_review_and_mock_show_no_english_interface_word(run_cli: Callable) -> None:
    review = run_cli("review", "seed", "--lang", "zh", "--limit", "1", input="C\n3\n")
    assert "复习了 1 题" in review.output
    mock = run_cli("mock", "seed", "-n", "2", "--seed", "1", "--lang", "zh", input="A\nB\n")
    assert "模拟面试" in mock.output
    saved = re.compile(r"报告已保存到 \S+")  # the report's path is a file name
    assert english_words(review.output + saved.sub("", mock.output)) == []


@pytest.mark.usefixtures("wide")
def test_the_check_finds_english_words(run_cli: Callable) -> None:
    english = run_cli("quiz", "seed", "-n", "1", "--lang", "en", input="Z\nB\n").output
    words = english_words(english, lang="en")
    assert {"Question", "Score"} <= set(words)
    assert "Your" in words


def test_an_error_is_said_in_the_command_language(run_cli: Callable) -> None:
    result = run_cli("quiz", "seed", "--topic", "zzz", "--lang", "zh")
    assert result.exit_code == 1
    assert result.output.startswith("错误：题库 'seed' 中没有主题为 'zzz' 的题")
    english = run_cli("quiz", "seed", "-n", "0", "--lang", "en")
    assert english.output == "Error: -n must be at least 1, got 0\n"


# --- the other commands in Chinese: import, validate, export, profile, account, exam -------


def _ascii_words(output: str) -> list[str]:
    """ASCII words of three letters or more: the words of ``english_words`` without a bank's
    text to take out."""
    return sorted(set(re.findall(r"[A-Za-z]{3,}", output)))


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """``$LLMIQ_LANG=zh``: how a command without ``--lang`` is told the language."""
    monkeypatch.setenv("LLMIQ_LANG", "zh")


@pytest.mark.usefixtures("wide", "chinese")
def test_a_chinese_import_shows_no_english_interface_word(
    run_cli: Callable, tmp_path: Path
) -> None:
    output = tmp_path / "out.yaml"
    result = run_cli("import", str(ROOT / "examples" / "article.txt"), "-o", str(output))
    assert result.exit_code == 0
    assert "已从" in result.output
    assert "第 3 行：第一题之前的文字：" in result.output
    # what is left: the file names, and the language code zh (two letters: not counted)
    shown = result.output.replace(str(ROOT / "examples" / "article.txt"), " ")
    assert _ascii_words(shown.replace(str(output), " ")) == []
    # the same command again stops at the output: an error in Chinese, its file name aside
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    refused = run_cli("import", str(empty), "-o", str(output))
    assert refused.exit_code == 1
    assert refused.output == f"错误：{empty}：内容为空\n"


#: what `llmiq validate examples/broken.yaml` may show in ASCII besides the file's name and
#: its fields' paths: the values the file holds (kinds, the id kv-cache) and the field kind
VALIDATE_ALLOWED = {"kind", "single", "multiple", "open", "essay", "cache"}


@pytest.mark.usefixtures("wide", "chinese")
def test_a_chinese_validate_shows_no_english_interface_word(run_cli: Callable) -> None:
    result = run_cli("validate", str(ROOT / "examples" / "broken.yaml"))
    assert result.exit_code == 1
    assert "questions[1].explaination: 未知字段" in result.output
    assert result.output.endswith("broken.yaml：7 个问题\n")
    shown = result.output.replace(str(ROOT / "examples" / "broken.yaml"), " ")
    shown = re.sub(r"questions\[\d+\](\.\w+|\[\d+\])*", " ", shown)  # the fields' paths
    assert sorted(set(_ascii_words(shown)) - VALIDATE_ALLOWED) == []
    valid = run_cli("validate", str(ROOT / "examples" / "my-notes.yaml"))
    assert valid.output.endswith("：有效的题库 'my-notes'，共 4 题\n")


@pytest.mark.usefixtures("wide")
def test_validate_and_import_stay_english_elsewhere(run_cli: Callable, tmp_path: Path) -> None:
    broken = run_cli("validate", str(ROOT / "examples" / "broken.yaml"))
    assert broken.output.endswith("broken.yaml: 7 problems\n")
    assert "unknown field" in broken.output
    imported = run_cli("import", str(ROOT / "examples" / "article.txt"), "-o",
                       str(tmp_path / "out.yaml"))  # fmt: skip
    assert "line 3: text before the first question: " in imported.output
    assert {"Imported", "questions", "single", "language"} <= set(_ascii_words(imported.output))


@pytest.mark.usefixtures("wide", "chinese")
def test_chinese_profile_account_and_export(run_cli: Callable, tmp_path: Path) -> None:
    created = run_cli("profile", "create", "ada", "--use")
    assert created.exit_code == 0
    listed = run_cli("profile", "list")
    again = run_cli("profile", "create", "ada")
    assert again.output == "错误：档案 'ada' 已存在\n"
    weak = run_cli("account", "create", "bob", "--password-stdin", input="short\n")
    assert weak.output == "错误：密码至少需要 10 个字符\n"
    exported = run_cli("export", "seed", "-f", "csv", "-o", str(tmp_path / "seed.csv"))
    assert exported.output == f"已将 10 道题写入 {tmp_path / 'seed.csv'}\n"
    shown = (created.output + listed.output).replace(str(tmp_path), " ")
    shown = re.sub(r"\S*config\.toml", " ", shown)  # its path
    shown = re.sub(r"\bada\b", " ", shown)  # the profile's name
    assert _ascii_words(shown) == []
    assert "档案" in listed.output


#: what a Chinese exam report shows in ASCII: the model and bank ids, and the values of
#: --scoring and --debias, as they are typed
EXAM_ALLOWED = {"chance", "seed", "letter", "pride", "RStd"}


@pytest.mark.usefixtures("wide")
def test_a_chinese_exam_report(run_cli: Callable) -> None:
    pytest.importorskip("numpy")
    result = run_cli("exam", "run", "seed", "--model", "chance", "--debias", "pride",
                     "--lang", "zh")  # fmt: skip
    assert result.exit_code == 0
    assert "去偏前" in result.output
    assert sorted(set(_ascii_words(result.output)) - EXAM_ALLOWED) == []


def test_an_errors_fields_are_said_in_its_language_too() -> None:
    from llmiq.errors import LlmiqError
    from llmiq.messages import N_, Message, error_text

    inner = LlmiqError(N_("{name}: is empty"), name="a.txt")
    note = Message(N_("lines refer to the text extracted from the page"))
    outer = LlmiqError(N_("{error} ({note})"), error=inner, note=note)
    assert str(outer) == "a.txt: is empty (lines refer to the text extracted from the page)"
    assert error_text(outer, "zh") == "a.txt：内容为空（行号指从网页提取出的文本）"
    assert error_text(outer, "en") == str(outer)


@pytest.mark.usefixtures("chinese")
def test_an_article_without_questions_is_refused_in_chinese(
    run_cli: Callable, tmp_path: Path
) -> None:
    article = tmp_path / "notes.txt"
    article.write_text("只是一段笔记，没有题目。\n")
    result = run_cli("import", str(article), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 1
    assert result.output.startswith(f"错误：{article}：没有找到题目；需要带编号的题")


def test_import_notes_are_said_in_chinese() -> None:
    from llmiq.ingest.article import parse_article
    from llmiq.ingest.result import Note, fold_notes

    text = "1. Which is a PEFT method?\nA. LoRA\nB. Pretraining\n\n2. Larger?\nA. 7B\nB. 70B\n\n"
    result = parse_article(text + "Answers: 1. A 2. B\n", name="x.md", bank_id="x")
    assert fold_notes(result.notes) == [
        "lines 1-7: questions 1-2: answer from the answer key at line 9"
    ]
    assert fold_notes(result.notes, "zh") == ["第 1-7 行：第 1-2 题：答案取自第 9 行的答案表"]
    # two notes of one question, each said in its language
    key = Note.of("answer from the answer key at line {line}", line=9)
    both = Note.joined(key, Note.of("answer read as {keys} from prose; check it", keys="A, C"))
    assert both == "answer from the answer key at line 9; answer read as A, C from prose; check it"
    assert both.text("zh") == "答案取自第 9 行的答案表；答案从正文中识别为 A, C；请核对"
    assert Note.joined("", key) is key


def test_a_broken_bank_and_settings_are_refused_in_chinese(
    run_cli: Callable, data_home: Path
) -> None:
    broken = str(ROOT / "examples" / "broken.yaml")
    result = run_cli("quiz", broken, "--lang", "zh")
    assert result.exit_code == 1
    assert result.output == (
        f"错误：{broken}:13: questions[0].answer[1]: 答案 'D' 不在选项中（A, B, C）"
        f"（另有 6 个问题，见 llmiq validate {broken}）\n"
    )
    (data_home / "config.toml").write_text("colour = 1\n")
    settings = run_cli("stats", "--lang", "zh")
    assert settings.exit_code == 1
    assert settings.output.startswith("错误：")
    known = "new_per_day, profile, reviews_per_day"
    assert f"：未知设置 'colour'；可用设置：{known}\n" in settings.output


@pytest.mark.usefixtures("chinese")
def test_a_validators_own_errors_are_said_in_chinese(run_cli: Callable, tmp_path: Path) -> None:
    bank = tmp_path / "bad.yaml"
    bank.write_text(
        "id: x\ntitle: t\nquestions:\n- id: q1\n  kind: single\n  prompt: p\n"
        "  options: [{key: AB, text: a}, {key: B, text: b}]\n  answer: [B]\n"
    )
    result = run_cli("validate", str(bank))
    assert f"{bank}:7: questions[0].options[0].key: 选项键必须是单个字母 A-Z，现在是 'AB'" in (
        result.output
    )
    refused = run_cli("import", str(ROOT / "examples" / "article.txt"), "--id", "a b")
    assert refused.output.startswith("错误：--id：id 'a b' 必须以字母或数字开头")


@pytest.mark.usefixtures("chinese")
def test_the_curated_standard_is_said_in_chinese(run_cli: Callable, tmp_path: Path) -> None:
    bank = tmp_path / "s.yaml"
    bank.write_text(
        "id: x\ntitle: t\nquestions:\n- id: q1\n  kind: single\n  prompt: What?\n"
        "  options: [{key: A, text: a}, {key: B, text: b}]\n  answer: [B]\n"
    )
    result = run_cli("validate", "--strict", str(bank))
    assert f"{bank}:1: description: 缺少描述\n" in result.output
    assert f"{bank}:6: questions[0].prompt: 题干没有 zh 文本\n" in result.output
    assert result.output.endswith("：11 个问题\n")
