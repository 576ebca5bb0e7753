"""Keys read from an explanation that judges every option in turn, in Chinese: "A、B 没问题，C
也对；D 说的是 top-k 的特点，不是 top-p。" answers A, B and C.

Each clause (up to a comma, semicolon or full stop) that names options says either that they
are right (对, 没问题, 也是) or that they are wrong (不, 错, 无关, 说反了), or the clause right
after it does ("D 说的是 top-k 的特点，不是 top-p"); "剩下三个都对" judges the options not named
yet. An option named in clauses that disagree,
or judged by none, leaves the answer unread, so that an explanation that only discusses some
options never gives a partial key.
"""

from __future__ import annotations

import re

from llmiq.ingest.answers import NO_DENIAL
from llmiq.ingest.lines import fold

_CLAUSE = re.compile(r"[,，;；。!！?？]|\.(?!\d)")
#: A key standing alone, or keys run together in order: "D", "AB".
_KEY = re.compile(r"(?<![A-Za-z0-9_-])[A-J]{1,4}(?![A-Za-z0-9_-])")


def _named(clause: str, keys: list[str]) -> list[str]:
    runs = [run for run in _KEY.findall(clause) if list(run) == sorted(set(run))]
    return [key for run in runs for key in run if key in keys]


#: "对" as a verdict, not in "绝对", "相对", "对于", "不对".
_RIGHT = re.compile(
    r"(?<![绝相针面核比反不])对(?![比应于齐话称象待付])|(?<!不)正确|没问题|没毛病|(?<!不)成立"
    r"|也是|都是|都算|(?<!不)符合"
)
_WRONG = re.compile(r"不|错|没|无关|瞎扯|胡扯|说反|反了|相反|太绝对|过于绝对")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: The options not named yet: "剩下三个都对", "其他都错".
_THE_REST = re.compile(
    r"(?:剩下|其余|其他|别的)[^,，;；。]{0,6}?(?:都|均)(?:是)?(?P<verdict>对|正确|成立|没问题|错|不对)"
)


def keys_judged(text: str, options: list[tuple[str, str]]) -> list[str]:
    """The options ``text`` judges right, when it judges every option and at least one is
    right; empty otherwise (see the module docstring)."""
    keys = [key for key, _ in options]
    if not _CJK.search(text) or len(keys) < 2:
        return []
    verdicts: dict[str, bool] = {}
    pending: list[str] = []  # named in a clause that judges nothing: "D 说的是 top-k 的特点，"
    for clause in _CLAUSE.split(fold(text)):
        if (rest := _THE_REST.search(clause)) and not _KEY.search(clause):
            right = rest["verdict"] in ("对", "正确", "成立", "没问题", "是")
            for key in keys:  # "剩下三个都对": every option not judged yet
                verdicts.setdefault(key, right)
            continue
        named = _named(clause, keys) or pending
        wrong = bool(_WRONG.search(NO_DENIAL.sub("", clause)))
        right = bool(_RIGHT.search(clause))
        if wrong and right:
            return []  # "A 对但不完整": neither plainly right nor plainly wrong
        pending = named if not (wrong or right) and _KEY.search(clause) else []
        if not (wrong or right):
            continue
        for key in named:
            if verdicts.setdefault(key, right) != right:
                return []
    if set(verdicts) != set(keys) or not any(verdicts.values()):
        return []
    return [key for key in keys if verdicts[key]]
