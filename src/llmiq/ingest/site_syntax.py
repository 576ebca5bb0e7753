"""What static-site generators and note apps leave in the Markdown they publish: Jekyll's
Liquid tags (``{% include ad.html %}``) and kramdown attribute lists (``{: .notice}``,
``{:toc}``; SiYuan writes one after every block, ``{: id="2024…"}``, even inside a list item),
MkDocs snippets (``--8<-- "includes/abbr.md"``) and Material icons, of which
``:material-numeric-3-circle:`` is how a page numbers its third question, and SiYuan's block
references (``((2024… "BPE notes"))``)."""

from __future__ import annotations

import re

#: A line that is only site syntax: a Liquid tag or output, a kramdown attribute list, a
#: snippet include.
_SYNTAX_LINE = re.compile(
    r"^\s*(?:\{%-?\s*\w.*?-?%\}\s*|\{\{-?.*?-?\}\}\s*|\{:[^{}]*\}\s*|-{2}8<-{2}\s*\S.*"
    # Markua's (Leanpub's) attribute lines: "{sample: true}", "{blurb, class: tip}", "{pagebreak}"
    r"|\{/?(?:sample|pagebreak|blurb|aside|class|id|type|width|format)\b[^{}]*\}\s*)+$"
)
#: A number drawn as an icon: ":material-numeric-1-circle:", ":octicons-number-2:" (rare).
_ICON_NUMBER = re.compile(r":(?:material|octicons)-numeric-(?P<num>\d{1,3})(?:-[a-z-]+)?:")
_ATTRIBUTES = re.compile(r"\{:[^{}]*\}")
_BLOCK_REFERENCE = re.compile(r"\(\(\d{14}-\w{7}(?:\s+[\"'](?P<text>[^\"']*)[\"'])?\)\)")
_ICON = re.compile(r"\s*:(?:material|octicons|fontawesome|simple)-[a-z0-9-]+:")


def is_site_syntax(line: str) -> bool:
    return bool(line.strip()) and _SYNTAX_LINE.match(line) is not None


#: Nuxt Content's inline component: ":badge[Easy]{color="success"}" shows "Easy".
_INLINE_COMPONENT = re.compile(r"(?P<lead>^|\s):[a-z][\w-]*\[(?P<text>[^\[\]]*)\](?:\{[^{}]*\})?")
_DOCSIFY_MARK = re.compile(r"^\s*[?!]>\s?")
#: Hexo Fluid's inline label: "{% label primary @单选 %}" draws "单选" in a coloured box.
_LABEL_TAG = re.compile(r"\{%\s*label\s+\w+\s+@(?P<text>[^%]*?)\s*%\}")


def tidy_site_syntax(line: str) -> str:
    """``line`` with icon numbers as numbers ("### 1. **…**"), other icons and attribute
    lists left out, block references as their text and labels as "【text】"; docsify's tip
    and warning marks ("?> **答案：ABC**", "!> …") go."""
    line = _DOCSIFY_MARK.sub("", line, count=1)
    if "{%" in line:
        line = _LABEL_TAG.sub(lambda m: f"【{m['text']}】", line)
    if ":" in line and "[" in line:
        line = _INLINE_COMPONENT.sub(lambda m: m["lead"] + m["text"], line)
    if "{:" in line:
        line = _ATTRIBUTES.sub("", line)
    if "((" in line:
        line = _BLOCK_REFERENCE.sub(lambda m: m["text"] or "", line)
    if ":" not in line:
        return line
    line = _ICON_NUMBER.sub(lambda m: f"{m['num']}.", line)
    return _ICON.sub("", line)
