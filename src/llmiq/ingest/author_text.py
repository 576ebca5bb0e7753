"""The author's own characters in an imported bank. The parser matches lines as they read
folded (:mod:`folding`: full-width forms half-width, Traditional Chinese as Simplified), and
a few of its steps keep a piece of the folded line rather than of the line itself; since the
fold maps one character to one, each such piece is found again in the folded article, and
the article's characters at that place are the author's."""

from __future__ import annotations

from typing import Any

from llmiq.bank.model import Bank
from llmiq.ingest.folding import fold

#: The fields of a question (and of the bank) that hold the article's text.
_TEXT_FIELDS = ("title", "prompt", "text", "reference", "explanation")


def in_authors_characters(bank: Bank, article: str) -> Bank:
    """``bank`` with every text that is not the article's own replaced by the article's
    characters where its folded form is found; unchanged when nothing in the article folds."""
    folded = fold(article)
    if folded == article:
        return bank

    def restore(value: str) -> str:
        if value in article:
            return value
        parts = []
        for part in value.split("\n"):
            at = -1 if not part.strip() or part in article else folded.find(fold(part))
            parts.append(article[at : at + len(part)] if at >= 0 else part)
        return "\n".join(parts)

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in _TEXT_FIELDS and isinstance(value, dict):
                value = {lang: restore(t) if isinstance(t, str) else t for lang, t in value.items()}
            elif key == "accepted" and isinstance(value, list):
                value = [restore(t) if isinstance(t, str) else t for t in value]
            else:
                value = walk(value)
            out[key] = value
        return out

    return Bank.model_validate(walk(bank.model_dump(exclude_none=True)))
