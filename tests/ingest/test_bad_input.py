"""Bad input files: one clear sentence, non-zero exit, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BAD = Path(__file__).parents[1] / "fixtures" / "bad"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty.txt: is empty"),
        ("blank.txt", "blank.txt: is empty"),
        ("prose.txt", "prose.txt: no questions found"),
    ],
)
def test_bad_article_fails_with_one_sentence_and_writes_nothing(
    run_cli: Callable, tmp_path: Path, name: str, message: str
) -> None:
    out = tmp_path / "bank.yaml"
    result = run_cli("import", str(BAD / name), "-o", str(out))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"%PDF-1.7\n...", "is a PDF document"),
        (b"PK\x03\x04rest", "is a zip archive"),
        (b"\x00\x01\x02binary", "is a binary file"),
        (b"\xff\xfe1\x00\x00\xd8", "is not valid UTF-16"),
        (b"1. Question?\n\xe9t\xe9\n", ":2: is not valid UTF-8 (byte 0xe9)"),
    ],
)
def test_binary_and_foreign_encodings_are_refused(
    run_cli: Callable, tmp_path: Path, payload: bytes, message: str
) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(payload)
    result = run_cli("import", str(article), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_gbk_and_utf16_articles_import_as_their_utf8_twin_does(
    run_cli: Callable, tmp_path: Path
) -> None:
    """Chinese text saved as GBK (Windows' default for Chinese) is read as GB18030, and text
    saved as UTF-16 with a byte-order mark (Word's "Unicode Text") as UTF-16; a bank's own
    YAML must still be UTF-8."""
    text = "大模型面试题\n\n1、自注意力的作用是什么？\nA. 衡量词之间的相关性\nB. 分词\n答案：A\n"
    banks = []
    for encoding in ("gbk", "utf-8", "utf-16"):  # Python's utf-16 writes a byte-order mark
        folder = tmp_path / encoding
        folder.mkdir()
        (folder / "article.txt").write_bytes(text.replace("\n", "\r\n").encode(encoding))
        result = run_cli("import", str(folder / "article.txt"), "-o", str(folder / "bank.yaml"))
        assert result.exit_code == 0, result.output
        banks.append((folder / "bank.yaml").read_text("utf-8"))
    assert banks[0] == banks[1] == banks[2]
    assert "衡量词之间的相关性" in banks[0]
    (tmp_path / "bank.yaml").write_bytes(banks[0].encode("gbk"))
    result = run_cli("validate", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 1
    assert "looks like GBK/GB18030" in result.output


def test_huge_file_is_refused_before_reading(run_cli: Callable, tmp_path: Path) -> None:
    article = tmp_path / "huge.txt"
    with article.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    result = run_cli("import", str(article))
    assert result.exit_code == 1
    assert "the limit is 10 MiB" in result.output


def test_missing_file_and_directory(run_cli: Callable, tmp_path: Path) -> None:
    assert "no such file" in run_cli("import", str(tmp_path / "nope.txt")).output
    assert "is a directory" in run_cli("import", str(tmp_path)).output


def test_article_with_inline_html_is_imported_as_text(run_cli: Callable, tmp_path: Path) -> None:
    article = tmp_path / "xss.md"
    article.write_text(
        "# Quiz\n\n1. What does <script>alert(1)</script> do?\nA. <img src=x onerror=alert(1)>\n"
        "B. nothing\nAnswer: A\n",
        encoding="utf-8",
    )
    out = tmp_path / "bank.yaml"
    assert run_cli("import", str(article), "-o", str(out)).exit_code == 0
    assert "<script>alert(1)</script>" in out.read_text("utf-8")


def test_a_line_padded_with_spaces_after_a_button_is_read_not_backtracked_for_ever() -> None:
    """pdftotext's layout mode pads lines with long runs of spaces: the furniture patterns
    once split such a run among their optional spaces in very many ways (a line, or its
    tail, padded with a thousand spaces would take hours); the alarm turns a hang into a
    failure."""
    import signal

    from llmiq.ingest import parse_article

    def hung(*_: object) -> None:
        raise TimeoutError("the importer did not finish")

    padded = " " * 1000
    text = (
        f"1. Which attack hides instructions in a retrieved page?\nA. Indirect injection\n"
        f"B. Jailbreak\nAnswer: A\n\n   Submit quiz{padded}0 of 1 answered\n"
        f"Next: Show answer{padded}x\n"
    )
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        result = parse_article(text, name="quiz.txt", bank_id="t")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [q.answer for q in result.bank.questions] == [["A"]]
