"""A quiz review copied from a learning platform (Moodle and the platforms that copy its
layout, Udemy's practice tests), rewritten as the article the parser reads.

Each question stands under a header of its number, its grade and the page's controls
("Question 3", "Partially correct", "Mark 0.67 out of 1.00", "Flag question", "Question
text"). After "Select one:" come its options, lettered on a line of their own ("a." then the
option's text on the next line) or not lettered at all ("True", "False"). The feedback says
whether the taker was right ("Your answer is correct.") and gives the key as the right
options' text ("The correct answer is: 0", "The correct answers are: …", "The correct answer
is 'False'."). An essay question has the taker's response under its text, a grader's
"Comment:" and the feedback's "Model answer: …".

Udemy's review has no "Select one:": the options follow the prompt, and a mark on the line
above an option says it is the key ("Correct answer", "Correct selection", "Your answer is
correct") or only the taker's wrong pick ("Your selection is incorrect"); "Overall
explanation" heads the feedback and "Domain" the question's topic. edX heads each problem
with its score ("0.67/1 point (ungraded)") instead of a number; its options follow "Select
one answer." or "Select all that apply." (a tick on one is the taker's), the key is in the
explanation ('The correct answers are “…” and “…” — …', "The correct answer is pass@k."),
a typed answer is shown as "Answer: 85", and a discussion follows the problems.

The header becomes "Q3." before the prompt, each option one lettered line, the key an answer
line naming the options by letter, the model answer an answer line and the rest of the
feedback its explanation; the page's words, the taker's response and the grader's comment are
left out. One output line per input line, so reports keep the article's line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmiq.messages import N_

_HEADER = re.compile(r"^\s*question\s+(?P<n>\d{1,3})\s*$", re.I)
#: The lines between a question's number and its text: its grade and the page's controls.
_HEADER_LINES = re.compile(
    r"^\s*(?:correct|incorrect|partially\s+correct|not\s+(?:yet\s+)?answered|answer\s+saved"
    r"|complete|incomplete|not\s+graded|mark\s+\d+(?:\.\d+)?\s+out\s+of\s+\d+(?:\.\d+)?"
    r"|marked\s+out\s+of\s+\d+(?:\.\d+)?|points?\s+\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?"
    r"|flag\s+question|remove\s+flag|question\s+text|skipped|marked\s+for\s+review)\s*$",
    re.I,
)
_SELECT = re.compile(
    r"^\s*select\s+(?:one(?:\s+or\s+more)?(?:\s+answers?)?|all\s+that\s+apply)\s*[:.]\s*$", re.I
)
#: edX's problem header: its score, "0.67/1 point (ungraded)"; problems are not numbered.
_EDX_HEADER = re.compile(r"^\s*\d+(?:\.\d+)?/\d+(?:\.\d+)?\s+points?\s*\((?:un)?graded\)\s*$", re.I)
#: edX's words under a problem: attempts, the score, its buttons.
_EDX_FURNITURE = re.compile(
    r"^\s*(?:you\s+have\s+used\s+\d+\s+of\s+\d+\s+attempts?"
    r"|(?:partially\s+)?(?:correct|incorrect)\s*\(\d+(?:\.\d+)?/\d+(?:\.\d+)?\s+points?\)"
    r"|answers\s+are\s+displayed\s+within\s+the\s+problem|show\s+answer|submit|save|reset"
    r"|correct|incorrect)\s*$",
    re.I,
)
#: The answer edX shows under a problem whose answer is typed in: "Answer: 85".
_SHOWN_ANSWER = re.compile(r"^\s*answer\s*:\s*(?P<value>\S.*)$", re.I)
_EXPLANATION_HEAD = re.compile(r"^\s*explanation\s*$", re.I)
#: The page's discussion under the problems.
_DISCUSSION = re.compile(r"^\s*(?:#{1,6}\s*)?discussion\b", re.I)
_BOX = re.compile(r"^\s*\[[ xX]?\]\s*")  # the taker's tick on an option
#: The page's words in the feedback: its heading and the verdict on the taker's answer.
_VERDICT = re.compile(
    r"^\s*(?:feedback|your\s+answer\s+is\s+(?:partially\s+)?(?:correct|incorrect)\.?"
    r"|you\s+have\s+correctly\s+selected\s+\d+\.?|you\s+have\s+selected\s+too\s+many\s+options\.?)"
    r"\s*$",
    re.I,
)
_KEY = re.compile(
    r"^\s*the\s+correct\s+answers?\s+(?:is|are)\s*:?\s*(?P<value>\S.*?)\s*$",
    re.I,
)
#: Udemy's marks, each on the line above the option it marks: the taker's pick and the key.
_RIGHT_MARK = re.compile(
    r"^\s*(?:your\s+(?:answer|selection)\s+is\s+correct|correct\s+(?:answer|selection))\s*$", re.I
)
_WRONG_MARK = re.compile(r"^\s*your\s+(?:answer|selection)\s+is\s+incorrect\s*$", re.I)
#: Udemy's feedback: its heading, and the question's domain under its own heading.
_OVERALL = re.compile(r"^\s*overall\s+explanation\s*$", re.I)
_DOMAIN = re.compile(r"^\s*domain\s*$", re.I)
_MODEL_ANSWER = re.compile(r"^\s*(?:model|sample|suggested)\s+answer\s*:\s*(?P<value>\S.*)$", re.I)
_COMMENT = re.compile(r"^\s*comment\s*:", re.I)
#: The page after the last question: its buttons and the quiz's navigation.
_PAGE_END = re.compile(
    r"^\s*(?:finish\s+review|quiz\s+navigation|show\s+one\s+page\s+at\s+a\s+time"
    r"|show\s+all\s+questions\s+on\s+one\s+page|[\d\s]+)\s*$",
    re.I,
)
_LETTER_ALONE = re.compile(r"^\s*(?P<key>[a-jA-J])\s*[.)]\s*$")
_LETTERED = re.compile(r"^\s*(?P<key>[a-jA-J])\s*[.)]\s+(?P<text>\S.*)$")


def _is_review(lines: list[str]) -> bool:
    """Two or more questions headed the platform's way: "Question N" with its grade or
    controls on the lines right under it."""
    headed = sum(bool(_EDX_HEADER.match(line)) for line in lines)
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            below = [text for text in lines[i + 1 : i + 6] if text.strip()][:2]
            headed += bool(below) and (
                all(_HEADER_LINES.match(text) for text in below)
                or (_HEADER_LINES.match(below[0]) is not None and _marked(lines, i + 1))
            )
    return headed >= 2


@dataclass
class _Question:
    """Where the rewriting of one question stands."""

    number: str
    part: str = "header"  # then "prompt", "response", "options", "feedback", "comment",
    # or "furniture" (what follows Udemy's "Domain")
    options: dict[str, str] = field(default_factory=dict)  # text -> letter
    marked: bool = False  # Udemy's: each option's mark on the line above it
    edx: bool = False
    mark: bool | None = None  # the mark waiting for its option: right, wrong (None: none)
    right: list[str] = field(default_factory=list)  # the letters marked right


def rewrite_lms_review(lines: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The review as article lines, and the (first, last, reason) ranges it leaves out;
    ``lines`` unchanged when they are no such review."""
    if not _is_review(lines):
        return lines, []
    out = list(lines)
    left_out: list[tuple[int, int, str]] = []
    question: _Question | None = None
    problems = 0  # edX's, numbered in order
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if header := _HEADER.match(line):
            question = _Question(header["n"], marked=_marked(lines, i + 1))
            out[i] = ""
            left_out.append((i, i, N_("page furniture")))
        elif _EDX_HEADER.match(line):
            problems += 1
            question = _Question(str(problems), edx=True)
            out[i] = ""
            left_out.append((i, i, N_("page furniture")))
        elif question is not None and _DISCUSSION.match(line):
            out[i], question.part = "", "furniture"
            left_out.append((i, i, N_("page furniture")))
        elif question is None or not line:
            pass
        elif question.part == "header" and _HEADER_LINES.match(line):
            out[i] = ""
            left_out.append((i, i, N_("page furniture")))
        elif question.part == "header":
            out[i], question.part = f"Q{question.number}. {line}", "prompt"
            if question.marked:  # the options right under the prompt
                question.part = "options"
        elif (
            question.marked
            and question.part == "options"
            and ((right := _RIGHT_MARK.match(line)) or _WRONG_MARK.match(line))
        ):
            out[i], question.mark = "", right is not None
            left_out.append((i, i, N_("page furniture")))
        elif question.marked and _OVERALL.match(line):
            out[i], question.part = f"Answer: {', '.join(question.right)}", "feedback"
        elif question.marked and _DOMAIN.match(line):
            out[i], question.part = "", "furniture"  # the domain's name, then the page's end
            left_out.append((i, i, N_("page furniture")))
        elif question.edx and (_EDX_FURNITURE.match(line) or _EXPLANATION_HEAD.match(line)):
            out[i] = ""
            question.part = "feedback" if _EXPLANATION_HEAD.match(line) else question.part
            left_out.append((i, i, N_("page furniture")))
        elif question.edx and question.part == "prompt" and (shown := _SHOWN_ANSWER.match(line)):
            out[i], question.part = f"Answer: {shown['value']}", "feedback"
        elif _SELECT.match(line):
            out[i], question.part = "", "options"
            left_out.append((i, i, N_("page furniture")))
        elif _VERDICT.match(line):
            out[i], question.part = "", "feedback"
            left_out.append((i, i, N_("page furniture")))
        elif _COMMENT.match(line):
            out[i], question.part = "", "comment"
            left_out.append((i, i, N_("grader's remark")))
        elif key := _KEY.match(line):
            out[i], question.part = f"Answer: {_keys(key['value'], question.options)}", "feedback"
        elif model := _MODEL_ANSWER.match(line):
            out[i], question.part = f"Answer: {model['value']}", "feedback"
        elif question.part == "options":
            i = _option(lines, out, i, question)
            if question.mark:
                question.right.append(out[i][0].upper())
            question.mark = None
        elif question.part == "prompt" and not any(
            _SELECT.match(text) for text in lines[i : _next_header(lines, i)]
        ):  # an essay question: under its text, the taker's response
            out[i] = ""
            left_out.append((i, i, N_("the taker's answer")))
        elif question.part == "comment":
            out[i] = ""
            left_out.append((i, i, N_("grader's remark")))
        elif question.part == "furniture" or _PAGE_END.match(line):
            out[i] = ""
            left_out.append((i, i, N_("page furniture")))
        elif question.part == "feedback":
            out[i] = f"Explanation: {line}"
        i += 1
    return out, left_out


def _marked(lines: list[str], i: int) -> bool:
    """Whether the question from line ``i`` marks its options Udemy's way: a mark of the key
    on the line above an option, and no "Select one:" of Moodle's."""
    span = lines[i : _next_header(lines, i)]
    return any(_RIGHT_MARK.match(t) for t in span) and not any(_SELECT.match(t) for t in span)


def _next_header(lines: list[str], i: int) -> int:
    return next((k for k in range(i, len(lines)) if _HEADER.match(lines[k])), len(lines))


def _option(lines: list[str], out: list[str], i: int, question: _Question) -> int:
    """Write the option at line ``i`` as one lettered line; returns its last line."""
    letter = "abcdefghij"[len(question.options) % 10]
    if (alone := _LETTER_ALONE.match(lines[i])) and i + 1 < len(lines) and lines[i + 1].strip():
        text = lines[i + 1].strip()
        out[i], out[i + 1] = f"{alone['key']}. {text}", ""
        question.options[text] = alone["key"].upper()
        return i + 1
    if lettered := _LETTERED.match(lines[i]):
        question.options[lettered["text"].strip()] = lettered["key"].upper()
        return i
    text = _BOX.sub("", lines[i].strip())  # an option without a letter: "True", "False"
    out[i] = f"{letter}. {text}"
    question.options[text] = letter.upper()
    return i


def _keys(value: str, options: dict[str, str]) -> str:
    """The key's option texts as letters ("Grouped-query attention, Storing keys in FP8" ->
    "A, B"; edX's 'are “A”, “B” and “C” — because …' -> "A, B, C. because …", "pass@k. pass^k
    is …" -> "B. pass^k is …"), or the value as given when its texts are not all the
    options'."""
    if value in options:
        return options[value]
    found: list[str] = []
    rest = value
    while rest:
        text = max((t for t in options if rest.startswith(t)), key=len, default=None)
        if text is None:
            break
        found.append(options[text])
        rest = rest[len(text) :].lstrip(" ,;，；")
    if not rest:
        return ", ".join(sorted(found))
    by_text = {text.casefold(): letter for text, letter in options.items()}
    quoted = [q.casefold() for q in re.findall(r"[“\"‘']([^”\"’']+)[”\"’']", value)]
    if quoted and all(q in by_text for q in quoted):
        rest = re.split(r"[”\"’']", value)[-1].lstrip(" .,;—–-")
        return " ".join([", ".join(sorted(by_text[q] for q in quoted)) + ".", rest]).strip()
    for text in sorted(by_text, key=len, reverse=True):
        if value[: len(text)].casefold() == text and not value[len(text) : len(text) + 1].isalnum():
            return f"{by_text[text]}. {value[len(text) :].lstrip(' .,;')}".strip()
    return value
