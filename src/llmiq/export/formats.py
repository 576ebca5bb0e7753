"""The export formats by name, for every front end: ``llmiq export -f NAME`` and the web
app's download links read this one table. A new format is a writer and one entry here.

A format is one file, or a folder (``directory=True``: its writer returns ``{file name:
content}``, ``llmiq export -o DIR`` writes the folder, and a download is a zip of it).

Writers are named by import path and imported when used, so that listing the formats (for
``--help``) loads neither pydantic nor genanki."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmiq.errors import LlmiqError
from llmiq.lazy import import_object
from llmiq.messages import N_

if TYPE_CHECKING:
    from llmiq.bank.model import Bank, Lang


@dataclass(frozen=True)
class ExportFormat:
    name: str  # what users type and see: ``-f anki``
    suffix: str  # file name suffix, without the dot: ``apkg``
    media_type: str  # for downloads
    description: str  # one line for help texts
    writer: str  # "module:function", called as function(bank) or function(bank, lang)
    takes_lang: bool = False  # the output is in one language (the others keep both)
    directory: bool = False  # the writer returns {file name: content}; downloads are zips

    @property
    def binary(self) -> bool:
        return not self.media_type.startswith(("text/", "application/json"))

    def file_name(self, bank_id: str) -> str:
        return f"{bank_id}.{self.suffix}"

    def folder_name(self, bank_id: str) -> str:
        """The folder a directory format writes by default (and the zip's top folder)."""
        return f"{bank_id}-{self.name}"

    def write(self, bank: Bank, lang: Lang) -> str | bytes:
        """The bank in this format as one file: ``str`` for text formats (saved as UTF-8),
        else bytes; a directory format gives a zip of its folder."""
        if self.directory:
            return zip_folder(self.write_folder(bank, lang), self.folder_name(bank.id))
        return self._call(bank, lang)

    def write_folder(self, bank: Bank, lang: Lang) -> dict[str, str | bytes]:
        """A directory format's files, by name inside the folder."""
        if not self.directory:
            raise LlmiqError(
                N_("the {format} format writes one file, not a folder"), format=self.name
            )
        return self._call(bank, lang)

    def _call(self, bank: Bank, lang: Lang) -> Any:
        writer = import_object(self.writer)
        return writer(bank, lang) if self.takes_lang else writer(bank)


def zip_folder(files: Mapping[str, str | bytes], folder: str) -> bytes:
    """``files`` as a zip holding one folder; fixed timestamps, so equal input, equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("json", "json", "application/json", "the bank model",
                 "llmiq.export.tables:bank_to_json"),
    ExportFormat("csv", "csv", "text/csv; charset=utf-8", "one row per question",
                 "llmiq.export.tables:bank_to_csv"),
    ExportFormat("md", "md", "text/markdown; charset=utf-8", "Markdown",
                 "llmiq.export.markdown:bank_to_markdown", takes_lang=True),
    ExportFormat("anki", "apkg", "application/octet-stream", N_("an Anki deck (.apkg)"),
                 "llmiq.export.anki:apkg_bytes", takes_lang=True),
    ExportFormat("lm-eval", "lm-eval.zip", "application/zip",
                 N_("an lm-evaluation-harness task folder (YAML + JSONL)"),
                 "llmiq.exam.lm_eval_task:lm_eval_task_files", takes_lang=True, directory=True),
)  # fmt: skip


def export_format_names() -> list[str]:
    return [fmt.name for fmt in EXPORT_FORMATS]


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; raises :class:`LlmiqError` naming the known ones."""
    for fmt in EXPORT_FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join(export_format_names())
    raise LlmiqError(N_("no export format {name}; formats: {known}"), name=repr(name), known=known)


def export_format_for_suffix(suffix: str) -> ExportFormat:
    """The format whose files end in ``.suffix`` (download URLs are file names)."""
    for fmt in EXPORT_FORMATS:
        if fmt.suffix == suffix:
            return fmt
    known = ", ".join(f.suffix for f in EXPORT_FORMATS)
    raise LlmiqError(N_("no export format for .{suffix}; file types: {known}"), suffix=suffix,
                     known=known)  # fmt: skip
