"""What static-site generators leave in the Markdown they publish: Jekyll's Liquid tags
(``{% include ad.html %}``) and kramdown attribute lists (``{: .notice}``, ``{:toc}``) on lines
of their own, MkDocs snippets (``--8<-- "includes/abbr.md"``) and Material icons, of which
``:material-numeric-3-circle:`` is how a page numbers its third question."""

from __future__ import annotations

import re

#: A line that is only site syntax: a Liquid tag or output, a kramdown attribute list, a
#: snippet include.
_SYNTAX_LINE = re.compile(
    r"^\s*(?:\{%-?\s*\w.*?-?%\}\s*|\{\{-?.*?-?\}\}\s*|\{:[^{}]*\}\s*|-{2}8<-{2}\s*\S.*)+$"
)
#: A number drawn as an icon: ":material-numeric-1-circle:", ":octicons-number-2:" (rare).
_ICON_NUMBER = re.compile(r":(?:material|octicons)-numeric-(?P<num>\d{1,3})(?:-[a-z-]+)?:")
_ICON = re.compile(r"\s*:(?:material|octicons|fontawesome|simple)-[a-z0-9-]+:")


def is_site_syntax(line: str) -> bool:
    return bool(line.strip()) and _SYNTAX_LINE.match(line) is not None


def without_icons(line: str) -> str:
    """``line`` with icon numbers as numbers ("### 1. **…**") and other icons left out."""
    if ":" not in line:
        return line
    line = _ICON_NUMBER.sub(lambda m: f"{m['num']}.", line)
    return _ICON.sub("", line)
