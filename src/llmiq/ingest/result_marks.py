"""Options marked right or wrong the way a quiz shows its results: a saved results page
(``- HNSW ✔ Correct answer``, ``- B-tree ✘ Your answer``), a key written on the options
(``A. 3 (correct)``, ``C. 64 √``, ``✅ D. 8``). A run of options where at least one is
marked correct becomes a task list (``- [x] HNSW`` / ``- [ ] B-tree``), which the parser
already reads: the ticked items are the answer. The marks themselves, and a quiz's "Your
answer" badges, leave the option's text.

Only a run holding a mark of a correct answer is touched, so "(your answer)" or a cross in
an ordinary list stays as written. Lines without bullets or letters (a results page copied as
text: the options one a line under the question, "… ✓ Correct answer" on the right one) are
a run too when one of them carries a mark that can only mean the right answer: a symbol with
its words, words in brackets or after an arrow. One output line per input line; code is left
alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from llmiq.ingest.lines import LineKind, classify, outside_code

_RIGHT_WORDS = (
    r"(?:the\s+)?(?:correct|right)(?:\s+(?:answer|option|choice))?|answer"
    r"|正确(?:答案|选项)?|答案|对"
)
_WRONG_WORDS = (
    r"(?:your|my)\s+(?:answer|choice|pick)|wrong|incorrect|(?:你|我)的(?:答案|选择)|错误?"
)
#: ... as symbols or as GitHub's and GitLab's emoji codes (":white_check_mark:").
_RIGHT_SYMBOL = (
    r"(?:[✔✓✅☑]\ufe0f?|√|:(?:white_check_mark|heavy_check_mark|ballot_box_with_check):)"
)
_WRONG_SYMBOL = r"(?:[✘✗✕❌×]\ufe0f?|:(?:x|heavy_multiplication_x|negative_squared_cross_mark):)"
#: One mark at the end of an option: a symbol perhaps with words, words in brackets, or words
#: after an arrow or a dash ("← correct", "— Correct answer").
_TAIL_MARK = re.compile(
    rf"\s*(?:(?P<rsym>{_RIGHT_SYMBOL})(?:\s*(?:{_RIGHT_WORDS}))?"
    rf"|(?P<wsym>{_WRONG_SYMBOL})(?:\s*(?:{_WRONG_WORDS}))?"
    rf"|[(\[【（]\s*(?:(?P<rbr>{_RIGHT_SYMBOL}?\s*(?:{_RIGHT_WORDS}))|{_WRONG_SYMBOL}?\s*(?:{_WRONG_WORDS}))\s*[)\]】）]"
    rf"|(?:←|<-+|<=|⟵|—|–)\s*(?:(?P<rarrow>{_RIGHT_WORDS})|(?:{_WRONG_WORDS}))"
    rf"|(?P<bare>(?:your|my)\s+answer))\s*(?:\*\*|__)?\s*$",  # "**… ← correct**"
    re.I,
)
#: A mark before an option's text: "- ✔ HNSW", "✘ B. 16".
_HEAD_MARK = re.compile(
    rf"^(?P<indent>\s*(?:[-*+•·]\s+)?)(?:(?P<right>{_RIGHT_SYMBOL})|{_WRONG_SYMBOL})\s*(?=\S)"
)
#: An item of a list or a lettered option: what a run is made of.
_ITEM = re.compile(
    r"^(?P<indent>\s*)(?:(?P<bullet>[-*+•·])\s+(?!\[[ xX]\])"
    r"|(?=(?:[A-Ja-j][.、)]|\([A-Ja-j]\))\s*\S))"
    r"(?P<text>.+)$"
)


#: What stands before a key, not an option's text: "9.", "判断：", "Q3:" (not the number
#: ending an option's text, "from 0.5 to 0.95 ✅").
_LABELLED = re.compile(r"(?:(?<![\d.])\d{1,3}\s*[.、:：)]|(?:^|[:：]\s*)\d{1,3}|[:：])\s*$")


def _strip_marks(text: str) -> tuple[str, bool, bool]:
    """The text without its marks, whether one said correct, and whether there was one."""
    right = marked = False
    if head := _HEAD_MARK.match(text):
        right, marked = head["right"] is not None, True
        text = head["indent"] + text[head.end() :]
    while (tail := _TAIL_MARK.search(text)) and tail.start() > 0:
        marked = True
        right = right or any(tail[g] for g in ("rsym", "rbr", "rarrow"))
        text = text[: tail.start()]
    return text.rstrip(), right, marked


def _runs(lines: list[str], member: Callable[[str], bool]) -> list[list[int]]:
    """Runs of adjacent lines outside code for which ``member`` holds."""
    runs: list[list[int]] = []
    for i, line in outside_code(lines):
        if member(line):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    return runs


def _item(line: str) -> bool:
    """Whether a line is a list item or a lettered option (not "- Question 2")."""
    found = _ITEM.match(_HEAD_MARK.sub(r"\g<indent>", line))
    return found is not None and classify(0, line).q_number is None


def _distinct_letters(run: list[int], lines: list[str]) -> list[int]:
    """The run up to an item whose letter an earlier one has: "✅ (B). Then look at …" under
    options (A)-(D) gives the answer, and is no option E."""
    seen: set[str] = set()
    for n, i in enumerate(run):
        line = classify(0, _HEAD_MARK.sub(r"\g<indent>", lines[i]))
        if line.kind is not LineKind.OPTION:
            continue
        if (key := line.options[0][0]) in seen:
            return run[:n]
        seen.add(key)
    return run


#: A quiz's score under a question: "(2/2 Points)", "1.5/3", "（2/2 分）".
_SCORE = re.compile(
    r"^\s*[(（]?\s*\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s*(?:points?|pts?|marks?|分)?\s*[)）]?\s*$",
    re.I,
)


#: A label opening a line, as a results page labels what follows the options: "Feedback:".
_LABEL = re.compile(r"^\s*(?:[A-Za-z][A-Za-z ]{1,24}[:：](?:\s|$)|[\u4e00-\u9fff]{1,6}[:：])")
#: A form's radio button or check box drawn before a plain option: "○", "●", "□", "■".
_BUTTON = re.compile(r"^\s*[○●◯◉□■]\s*")


def _plain(line: str) -> bool:
    """Whether a line could be an option written without a bullet or a letter."""
    if not line.strip() or len(line) > 300 or _SCORE.match(line) or _ITEM.match(line):
        return False
    if line.lstrip().startswith(("#", ">", "|", "<", ":")) or _LABEL.match(line):
        return False
    classified = classify(0, line)
    return classified.kind is LineKind.TEXT and not classified.is_question


def _surely_right(line: str) -> bool:
    """Whether a line ends in a mark that can only say it is the right answer: words that
    say so ("✓ Correct answer", "(correct)", "← right"), not a bare symbol or "[Answer]"."""
    tail = _TAIL_MARK.search(line)
    if tail is None or tail.start() == 0:
        return False
    worded = re.search(r"correct|right|正确|对", tail[0], re.I) is not None
    return worded and bool(tail["rbr"] or tail["rarrow"] or tail["rsym"])


def rewrite_result_marks(lines: list[str]) -> list[str]:
    """See the module docstring."""
    lines = list(lines)
    for run in _runs(lines, _plain):
        if 2 <= len(run) <= 12 and any(_surely_right(lines[i]) for i in run):
            for i in run:
                text, right, _ = _strip_marks(lines[i])
                lines[i] = f"- {'[x]' if right else '[ ]'} {_BUTTON.sub('', text).strip()}"
    for run in (_distinct_letters(run, lines) for run in _runs(lines, _item)):
        if len(run) < 2:
            continue
        stripped = {i: _strip_marks(lines[i]) for i in run}
        if not any(right for _, right, _ in stripped.values()):
            continue
        if any(marked and _LABELLED.search(text) for text, _, marked in stripped.values()):
            continue  # "• 判断：9. √": the mark is question 9's key, not a mark on an option
        for i in run:
            text, right, _ = stripped[i]
            item = _ITEM.match(text)
            if item is None:
                continue
            box = "[x]" if right else "[ ]"
            lines[i] = f"{item['indent']}- {box} {item['text'].strip()}"
    return lines
