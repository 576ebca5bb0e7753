"""The benchmark: prose documents from the docstrings of Python's standard library, and one
query per document, a sentence held out of it.

Documents are docstrings of stdlib modules, classes and functions (read with ``ast``, nothing
imported; PSF License) that hold at least ``min_sentences`` prose sentences: paragraphs with
doctest prompts, indented code, option lists or field lists are dropped, and each document is
cut after ``max_words`` words at a sentence end. Files are visited in the order of the SHA-1
of their relative path, a fixed shuffle that spreads the documents over the whole library
(asyncio, email, json, tkinter ...) and does not depend on the seed.

The queries of a document are ``queries_per_document`` of its sentences (at least 8 words
each), drawn with the seed, and *removed* from the indexed text (several per document give
more queries for the same embedding cost): a query is never in the index, so a retriever must
find
the source through the surrounding sentences (shared terms, the same topic), as a user's
question is not a copy of the passage that answers it. The sentence is not paraphrased
(nothing here can paraphrase without a generative model), which favours lexical matching:
the lab says so where BM25 wins.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`])")
_NOT_PROSE = re.compile(r">>>|^\s|^[-*+]\s|^:\w|^\w+\s*:\s*$|^\.\. |::$|\{|\}|=", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    id: int
    source: str  # "json/__init__.py: dumps" -- where the docstring is
    sentences: tuple[str, ...]  # the indexed text, the query sentences removed
    queries: tuple[str, ...]  # the held-out sentences

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def prose_sentences(docstring: str) -> list[str]:
    """The sentences of the prose paragraphs of a docstring, whitespace normalised.

    >>> prose_sentences("Return the sum. It is exact.\\n\\n>>> add(1, 2)\\n3")
    ['Return the sum.', 'It is exact.']
    """
    sentences = []
    for paragraph in re.split(r"\n\s*\n", docstring):
        if _NOT_PROSE.search(paragraph):
            continue
        text = " ".join(paragraph.split())
        sentences += [s for s in _SENTENCE_END.split(text) if len(s.split()) >= 3]
    return sentences


def _docstrings(path: Path) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(path.read_text("utf-8"))
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError):
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
            found.append((getattr(node, "name", "<module>"), doc))
    return found


def stdlib_files() -> list[Path]:
    """The stdlib's .py files (no tests, site-packages or IDLE) in the fixed SHA-1 order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [
        p
        for p in root.rglob("*.py")
        if not {"site-packages", "test", "tests", "idlelib"} & set(p.relative_to(root).parts)
    ]
    return sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())


def build_benchmark(
    n_documents: int,
    seed: int,
    queries_per_document: int = 1,
    min_sentences: int = 6,
    max_words: int = 160,
) -> list[Document]:
    """``n_documents`` documents, each with its held-out query sentences (see the module);
    a document keeps at least ``min_sentences`` sentences besides its queries."""
    rng = random.Random(seed)
    root = Path(sysconfig.get_paths()["stdlib"])
    documents: list[Document] = []
    seen: set[str] = set()
    for path in stdlib_files():
        for name, doc in _docstrings(path):
            sentences = prose_sentences(doc.encode("utf-8", "ignore").decode("utf-8"))
            kept, words = [], 0
            for sentence in sentences:
                if words >= max_words:
                    break
                kept.append(sentence)
                words += len(sentence.split())
            candidates = [i for i, s in enumerate(kept) if len(s.split()) >= 8]
            enough = len(kept) >= min_sentences + queries_per_document
            if not enough or len(candidates) < queries_per_document or kept[0] in seen:
                continue
            seen.add(kept[0])
            held = sorted(rng.sample(candidates, queries_per_document))
            documents.append(
                Document(
                    id=len(documents),
                    source=f"{path.relative_to(root)}: {name}",
                    sentences=tuple(s for i, s in enumerate(kept) if i not in held),
                    queries=tuple(kept[i] for i in held),
                )
            )
            if len(documents) == n_documents:
                return documents
    return documents
