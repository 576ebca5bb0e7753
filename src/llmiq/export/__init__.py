"""Write a bank as JSON, CSV, Markdown or an Anki deck."""

from llmiq.export.anki import apkg_bytes, bank_to_apkg
from llmiq.export.markdown import bank_to_markdown
from llmiq.export.tables import bank_to_csv, bank_to_json

__all__ = ["apkg_bytes", "bank_to_apkg", "bank_to_csv", "bank_to_json", "bank_to_markdown"]
