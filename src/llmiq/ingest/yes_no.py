"""Yes/no answers to open questions, and the short forms graded as saying the same."""

from __future__ import annotations

#: Yes/no answers and the short forms that say the same, so "不" is right where "不需要" is.
NEGATIVE = {"不", "否", "不是", "不需要", "不用", "不能", "不会", "不可以", "不行", "没有",
             "no", "not needed", "not necessary", "false"}  # fmt: skip
AFFIRMATIVE = {"是", "对", "可以", "需要", "能", "会", "行", "有", "yes", "true", "correct"}


def accepted_variants(answer: str) -> list[str]:
    """Short answers graded as right for an open question whose answer is ``answer``:
    ``accepted_variants("不需要")`` -> ``["不需要", "不", "否", "no"]``. Only plain yes/no
    answers get variants: "不一定" (not necessarily) is not "no"."""
    answer = answer.strip().rstrip("。.!！")
    variants = [answer]
    if answer.casefold() in NEGATIVE:
        variants += ["不", "否", "no"]
    elif answer.casefold() in AFFIRMATIVE:
        variants += ["是", "对", "yes"]
    return list(dict.fromkeys(v for v in variants if v))
