"""LaTeX inside a line of an exam paper as the text the article parser reads: ``\\textbf{x}``
is ``**x**``, ``\\emph{x}`` ``*x*``, ``\\texttt{x}`` `` `x` ``, accents of the input
(````…''``, ``~``, ``\\%``) their characters; math (``$…$``, ``\\(…\\)``) is kept as written.
Commands it does not know give their last argument's text, or nothing."""

from __future__ import annotations

import re

_MATH = re.compile(r"(?<!\\)(\$\$.+?(?<!\\)\$\$|\$.+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\])")
_COMMENT = re.compile(r"(?<!\\)%.*$")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_LINE_BREAK = re.compile(r"\\\\\*?(?:\[[^\]]*\])?")
_ESCAPES = {
    "%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "/": "", "-": "",
}  # fmt: skip
_WORDS = {
    "ldots": "…", "dots": "…", "cdots": "…", "LaTeX": "LaTeX", "TeX": "TeX", "quad": " ",
    "qquad": "  ", "textbackslash": "\\", "textasciitilde": "~", "copyright": "©",
    "S": "§", "textendash": "–", "textemdash": "—", "newline": "", "par": "", "ss": "ß",
    "checkmark": "✓", "textdegree": "°", "times": "×", "to": "→", "rightarrow": "→",
}  # fmt: skip
#: commands whose last argument is the text, and how it is marked
_MARKS = {
    "textbf": "**", "bf": "**", "emph": "*", "textit": "*", "textsl": "*",
    "texttt": "`", "code": "`", "lstinline": "`", "mintinline": "`",
}  # fmt: skip
#: commands left out with their arguments
_DROPPED = {
    "label", "vspace", "hspace", "vskip", "hskip", "index", "cite", "citep", "citet",
    "includegraphics", "setlength", "addpoints", "droppoints", "bonuspart", "pagebreak",
    "newpage", "clearpage", "phantom", "hphantom", "vphantom", "rule", "setcounter",
    "addtocounter", "marginpar", "footnotemark",
}  # fmt: skip


def strip_comment(line: str) -> str:
    """The line without its ``%`` comment (an escaped ``\\%`` is text)."""
    return _COMMENT.sub("", line)


def _group(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """The index after the group opening at ``start``, or -1 when it does not close here."""
    depth = 0
    for k in range(start, len(text)):
        c = text[k]
        if c == "\\":
            continue
        if c == open_ and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif c == close and (k == 0 or text[k - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return k + 1
    return -1


def arguments(text: str, at: int) -> tuple[list[str], list[str], int]:
    """The optional ``[...]`` and required ``{...}`` arguments from ``at`` on, and where
    they end; a group that does not close on this line ends the line."""
    optional: list[str] = []
    required: list[str] = []
    k = at
    while k < len(text):
        while k < len(text) and text[k] == " " and k + 1 < len(text) and text[k + 1] in "[{":
            k += 1
        if k < len(text) and text[k] == "[" and not required:
            end = _group(text, k, "[", "]")
            if end < 0:
                break
            optional.append(text[k + 1 : end - 1])
            k = end
        elif k < len(text) and text[k] == "{":
            end = _group(text, k)
            if end < 0:
                required.append(text[k + 1 :])
                return optional, required, len(text)
            required.append(text[k + 1 : end - 1])
            k = end
        else:
            break
    return optional, required, k


class Inline:
    """Rewrites the inline markup of lines; ``blanks`` collects the answers of
    ``\\fillin[answer]`` blanks, which are ``____`` in the text."""

    def __init__(self) -> None:
        self.blanks: list[str] = []

    def __call__(self, line: str) -> str:
        line = _LINE_BREAK.sub(" ", strip_comment(line))
        parts = _MATH.split(line)
        text = "".join(part if k % 2 else self.text(part) for k, part in enumerate(parts))
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def text(self, text: str) -> str:
        text = text.replace("``", "“").replace("''", "”").replace("---", "—").replace("--", "–")
        out: list[str] = []
        k = 0
        while k < len(text):
            c = text[k]
            if c == "\\" and k + 1 < len(text):
                nxt = text[k + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    k += 2
                    continue
                found = _COMMAND.match(text, k)
                if found is None:
                    k += 1
                    continue
                k = self.command(found[1], text, found.end(), out)
            elif c in "{}":
                k += 1
            elif c == "~":
                out.append(" ")
                k += 1
            else:
                out.append(c)
                k += 1
        return "".join(out)

    def command(self, name: str, text: str, at: int, out: list[str]) -> int:
        if name == "verb" and at < len(text):
            close = text.find(text[at], at + 1)
            if close > 0:
                out.append(f"`{text[at + 1 : close]}`")
                return close + 1
        if name in _WORDS:
            out.append(_WORDS[name])
            return at + 2 if text.startswith("{}", at) else at
        optional, required, end = arguments(text, at)
        if name in _DROPPED:
            return end
        if name == "fillin":
            self.blanks.append(self.text(optional[0]) if optional else "")
            out.append("____")
            return end
        if name == "href" and len(required) >= 2:
            out.append(f"[{self.text(required[1])}]({required[0]})")
            return end
        if name == "url" and required:
            out.append(required[0])
            return end
        if name == "footnote" and required:
            out.append(f"（{self.text(required[0])}）")
            return end
        if not required:
            return end
        body = self.text(required[-1])
        mark = _MARKS.get(name, "")
        if mark and body.strip():
            body = f"{mark}{body.strip()}{mark}"
        out.append(body)
        return end
