"""An English corpus available offline on every machine: the docstrings of Python's own
standard library (Python Software Foundation License), read with ``ast`` (nothing is
imported or executed), in a fixed file order so a seed gives the same text."""

from __future__ import annotations

import ast
import re
import sysconfig
from pathlib import Path

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def _docstrings(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    nodes = [
        tree,
        *(
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        ),
    ]
    found = []
    for node in nodes:
        doc = ast.get_docstring(node, clean=True)
        if doc:
            found.append(doc)
    return found


def stdlib_corpus(max_chars: int = 2_000_000) -> str:
    """Docstrings of the standard library, paragraphs separated by blank lines, up to
    ``max_chars``. Lone surrogates (in some test files) are dropped: tokenizers reject them."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    size = 0
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts or "test" in path.parts or "idlelib" in path.parts:
            continue
        try:
            source = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for doc in _docstrings(source):
            doc = doc.encode("utf-8", "ignore").decode("utf-8")
            parts.append(doc)
            size += len(doc) + 2
            if size >= max_chars:
                return "\n\n".join(parts)[:max_chars]
    return "\n\n".join(parts)


def split_held_out(text: str, every: int = 10) -> tuple[str, str]:
    """(training text, held-out text): every ``every``-th paragraph is held out."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    held = [p for i, p in enumerate(paragraphs) if i % every == every - 1]
    train = [p for i, p in enumerate(paragraphs) if i % every != every - 1]
    return "\n\n".join(train), "\n\n".join(held)


def words(text: str) -> list[str]:
    """Lower-cased words (letters and apostrophes) in order."""
    return [w.lower() for w in _WORD.findall(text)]
