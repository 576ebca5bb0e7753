"""Read a user's text file, refusing what is not UTF-8 text with a sentence that says why."""

from __future__ import annotations

import re
from pathlib import Path

from llmiq.errors import LlmiqError
from llmiq.messages import N_, Message

#: Larger than any article or bank a person writes; protects against reading a disk image.
MAX_TEXT_BYTES = 10 * 1024 * 1024

_MAGIC = {
    b"%PDF": N_("a PDF document"),
    b"PK\x03\x04": N_("a zip archive (or a .docx/.xlsx/.apkg file)"),
    b"\x89PNG": N_("a PNG image"),
    b"\xff\xd8\xff": N_("a JPEG image"),
    b"GIF8": N_("a GIF image"),
    b"\x1f\x8b": N_("a gzip archive"),
    b"SQLite format 3": N_("an SQLite database"),
    b"\x7fELF": N_("an executable"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / max(len(text), 1)


def refuse_binary(raw: bytes, name: str) -> None:
    """Raise an :class:`LlmiqError` naming what ``raw`` is when it is not text in an 8-bit
    encoding: a PDF, an image, an archive, UTF-16, any file with NUL bytes."""
    head = raw[:64]
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise LlmiqError(
                N_("{name}: is {what}, not a text file"), name=name, what=Message(what)
            )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LlmiqError(
            N_("{name}: is UTF-16 text, not UTF-8; convert it first ({command})"),
            name=name,
            command=f"iconv -f UTF-16 -t UTF-8 {name} > converted.txt",
        )
    if b"\x00" in raw[:65536]:
        raise LlmiqError(N_("{name}: is a binary file, not text"), name=name)


def decode_text(raw: bytes, name: str, *, saved_article: bool = False) -> str:
    """Decode UTF-8 (with or without a BOM) or raise an :class:`LlmiqError` that names the
    likely encoding and how to convert it. A ``saved_article`` may also come as Windows
    saves text: UTF-16 with a byte-order mark (Word's "Unicode Text"), or, when it is not
    UTF-8 but decodes as GB18030 (which contains GBK and GB2312) into Chinese, in that
    encoding (Chinese Windows); those bytes are rarely valid in both encodings."""
    if saved_article and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise LlmiqError(
                N_("{name}: starts as UTF-16 text but is not valid UTF-16"), name=name
            ) from None
        refuse_control_characters(text, name)
        return text
    refuse_binary(raw, name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            legacy = raw.decode("gb18030")
        except UnicodeDecodeError:
            legacy = ""
        looks_chinese = bool(_CJK.search(legacy))
        if looks_chinese and saved_article:
            refuse_control_characters(legacy, name)
            return legacy
        if looks_chinese:
            raise LlmiqError(
                N_(
                    "{name}:{line}: is not UTF-8 but looks like GBK/GB18030 Chinese text; "
                    "convert it first ({command})"
                ),
                name=name,
                line=line,
                command=f"iconv -f GB18030 -t UTF-8 {name} > converted.txt",
            ) from None
        raise LlmiqError(
            N_("{name}:{line}: is not valid UTF-8 (byte {byte}); save it as UTF-8 and try again"),
            name=name,
            line=line,
            byte=f"0x{raw[exc.start]:02x}",
        ) from None
    refuse_control_characters(text, name)
    return text


def refuse_control_characters(text: str, name: str) -> None:
    """A decoded text with many control characters is a binary file read as text."""
    if _control_share(text[:65536]) > 0.01:
        raise LlmiqError(N_("{name}: is a binary file, not text"), name=name)


def read_text(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read ``path`` as UTF-8 text; every failure is one :class:`LlmiqError` sentence."""
    return decode_text(read_bytes(path, max_bytes), str(path))


def read_bytes(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """Read a user's file of at most ``max_bytes``; every failure is one :class:`LlmiqError`
    sentence."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise LlmiqError(N_("{path}: is a directory, not a file"), path=path)
        if size > max_bytes:
            raise LlmiqError(
                N_("{path}: is {size} MiB; the limit is {limit} MiB"),
                path=path,
                size=f"{size / 2**20:.1f}",
                limit=f"{max_bytes / 2**20:.0f}",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LlmiqError(N_("{path}: no such file"), path=path) from None
    except PermissionError:
        raise LlmiqError(N_("{path}: permission denied"), path=path) from None
    except OSError as exc:
        raise LlmiqError(
            N_("{path}: cannot read it ({reason})"), path=path, reason=exc.strerror or exc
        ) from None
    return raw
