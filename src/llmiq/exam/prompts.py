"""The prompts a model sees, in the bank's language, as lm-evaluation-harness writes them.

- **letter** (MMLU style): the question, its options lettered A, B, ..., then ``Answer:``
  (Chinese: ``答案：``, as CMMLU); the model's next token chooses a letter, so one forward
  pass scores every option.
- **cloze**: the question, then ``Answer:``; each option's own text is a continuation.
- **generate**: the letter prompt; the model writes, and its letter is parsed.

Options may be shown in another order (``order[i]`` is the option shown at position ``i``),
which is how position bias is measured and removed. ``shots`` are whole worked examples
(other questions of the bank with their answers) placed before the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmiq.bank.model import Lang, Question
from llmiq.exam.backends import ScoringRequest

LETTERS = "ABCDEFGHIJ"

#: The letter prompt's first lines, its answer cue and the cloze prompt's question label (the
#: lm-eval export, `lm_eval_task`, writes its templates from these).
HEADER = {
    "en": "The following are multiple choice questions (with answers) about large language "
    "models.\n\n",
    "zh": "以下是关于大语言模型的单项选择题，请直接给出正确答案的选项。\n\n",
}
ANSWER = {"en": "Answer:", "zh": "答案："}
QUESTION = {"en": "Question:", "zh": "题目："}
#: What a model writes when it answers: "Answer: B", "答案：B", "(B)", or a letter alone.
_WRITTEN_LETTER = re.compile(
    r"(?:answer\s*(?:is)?\s*[:：]?\s*|答案\s*(?:是|为)?\s*[:：]?\s*|^\s*|\()\(?\s*([A-J])\b", re.I
)


@dataclass(frozen=True)
class Shown:
    """A question as shown: its options in display order."""

    question: Question
    order: tuple[int, ...]  # order[i]: index (in question.options) of the option at position i

    @property
    def letters(self) -> list[str]:
        return list(LETTERS[: len(self.order)])


def _stem(question: Question, lang: Lang, stem: bool) -> str:
    return question.prompt.get(lang).strip() if stem else ""


def letter_text(shown: Shown, lang: Lang, *, answer: str | None = None, stem: bool = True) -> str:
    """One question in letter form; with ``answer`` (a letter), a worked example."""
    lines = [_stem(shown.question, lang, stem)] if stem else []
    options = shown.question.options
    for letter, index in zip(shown.letters, shown.order, strict=True):
        lines.append(f"{letter}. {options[index].text.get(lang).strip()}")
    tail = ANSWER[lang] + ("" if answer is None else (" " if lang == "en" else "") + answer)
    return "\n".join([*lines, tail])


def _continuation(letter: str, lang: Lang) -> str:
    return f" {letter}" if lang == "en" else letter


def shot_text(examples: Sequence[Shown], lang: Lang) -> str:
    """Worked examples, each answered with the letter of its (first) correct option."""
    parts = []
    for shown in examples:
        keys = [shown.question.options[i].key for i in shown.order]
        answer = next(letter for letter, key in zip(shown.letters, keys, strict=True)
                      if key in shown.question.answer)  # fmt: skip
        parts.append(letter_text(shown, lang, answer=answer) + "\n\n")
    return "".join(parts)


def letter_request(
    shown: Shown, lang: Lang, *, shots: Sequence[Shown] = (), stem: bool = True
) -> ScoringRequest:
    prompt = HEADER[lang] + shot_text(shots, lang) + letter_text(shown, lang, stem=stem)
    return ScoringRequest(prompt, tuple(_continuation(letter, lang) for letter in shown.letters))


def content_free_request(shown: Shown, lang: Lang, blank: str) -> ScoringRequest:
    """The letter prompt with the question and every option replaced by ``blank`` ("N/A"):
    what the model answers to the format alone (Zhao et al., 2021)."""
    letters = shown.letters
    body = "\n".join([blank, *(f"{letter}. {blank}" for letter in letters), ANSWER[lang]])
    return ScoringRequest(HEADER[lang] + body, tuple(_continuation(x, lang) for x in letters))


def question_prompt(question: Question, lang: Lang) -> str:
    """``Question: ... Answer:``: the question alone, for cloze scoring and open answers."""
    return f"{QUESTION[lang]} {question.prompt.get(lang).strip()}\n{ANSWER[lang]}"


def cloze_request(shown: Shown, lang: Lang) -> ScoringRequest:
    """``Question: ... Answer:`` with each option's text as a continuation (lm-eval's
    multiple-choice ``doc_to_choice``)."""
    prompt = question_prompt(shown.question, lang)
    options = shown.question.options
    return ScoringRequest(
        prompt, tuple(" " + options[i].text.get(lang).strip() for i in shown.order)
    )


def parse_written_letter(text: str, n_options: int) -> str | None:
    """The letter a model wrote ("Answer: C", "答案：B", "(D)", "A"), if it names an
    option."""
    for match in _WRITTEN_LETTER.finditer(text.strip()):
        letter = match.group(1).upper()
        if LETTERS.index(letter) < n_options:
            return letter
    return None
