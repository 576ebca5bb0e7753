"""The two domains: English prose to pre-train on, Python code to fine-tune on.

Both come from Python's own standard library, offline on every machine (PSF License). The
base learns from the docstrings of the first files in path order (``llmiq.labs.corpus``); the
shifted domain is the *code* of the last top-level modules in path order (``zipfile``,
``weakref``, ``warnings``, ...), with their docstrings blanked out, so the two texts share no
file and no docstring: indentation, ``self.``, ``def``/``return`` and brackets are new to the
base.
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import torch

from llmiq.labs import tinylm
from llmiq.labs.corpus import stdlib_corpus


def _without_docstrings(source: str) -> str:
    """The source with every module/class/function docstring's lines removed.

    >>> _without_docstrings('def f():\\n    \"\"\"Doc.\"\"\"\\n    return 1\\n')
    'def f():\\n    return 1\\n'
    """
    tree = ast.parse(source)
    drop: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                drop.update(range(first.lineno, (first.end_lineno or 0) + 1))
    lines = source.splitlines(keepends=True)
    return "".join(line for i, line in enumerate(lines, start=1) if i not in drop)


def python_code(max_chars: int) -> str:
    """Code of the top-level stdlib modules, last in path order first, docstrings removed."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    size = 0
    for path in sorted(root.glob("*.py"), reverse=True):
        try:
            code = _without_docstrings(path.read_text("utf-8"))
        except (UnicodeDecodeError, OSError, SyntaxError, ValueError):
            continue
        code = code.encode("utf-8", "ignore").decode("utf-8")
        parts.append(code)
        size += len(code)
        if size >= max_chars:
            break
    return "".join(parts)[:max_chars]


def domains(
    pretrain_chars: int, target_chars: int, val_fraction: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Byte ids of (prose, prose held out, code to fine-tune on, code held out)."""
    prose = torch.tensor(tinylm.encode(stdlib_corpus(pretrain_chars)))
    code = torch.tensor(tinylm.encode(python_code(target_chars)))
    cut_prose = int(len(prose) * (1 - val_fraction))
    cut_code = int(len(code) * (1 - val_fraction))
    return prose[:cut_prose], prose[cut_prose:], code[:cut_code], code[cut_code:]


def tuning_split(held_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(tuning half, reported half) of a held-out text: learning rates are chosen on the
    first, verdicts measured on the second."""
    half = len(held_out) // 2
    return held_out[:half], held_out[half:]
