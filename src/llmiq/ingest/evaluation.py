"""Score an import against what a person expects of it (``NAME.expect.json`` beside an
article, see ``tests/fixtures/real_world/README.md``): which expected questions came out
right, which imported ones are right, keys, titles, and page text that leaked in.

A question is *right* when an imported question matches it (by the article's number, else
by its prompt) with the same kind, the same option keys and the same answer keys (choice),
or a reference holding the expected phrases (open), and a prompt holding the expected
phrase and none of the excluded ones. Recall is right / expected, precision is right /
imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmiq.bank.model import Question
from llmiq.errors import LlmiqError
from llmiq.ingest.importing import import_article
from llmiq.ingest.result import ImportResult


@dataclass
class Score:
    """Counts for one article, or summed over many."""

    files: int = 0
    expected: int = 0
    imported: int = 0
    right: int = 0
    keys_checked: int = 0  # choice questions matched to an imported choice question
    keys_right: int = 0
    leaks: int = 0  # expected-absent phrases found in the bank
    titles_right: int = 0
    failed_files: int = 0  # the import raised an error
    problems: list[str] = field(default_factory=list)

    def __iadd__(self, other: Score) -> Score:
        for name in ("files", "expected", "imported", "right", "keys_checked", "keys_right",
                     "leaks", "titles_right", "failed_files"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems
        return self

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.imported if self.imported else (1.0 if not self.expected else 0)

    @property
    def key_accuracy(self) -> float:
        return self.keys_right / self.keys_checked if self.keys_checked else 1.0

    @property
    def exact(self) -> bool:
        return self.right == self.expected == self.imported and not self.leaks


def article_for(expectation: Path) -> Path:
    stem = expectation.name.removesuffix(".expect.json")
    return next(p for p in expectation.parent.glob(f"{stem}.*") if not p.name.endswith(".json"))


def _text(question: Question, lang: str) -> str:
    parts = [question.prompt.get(lang)]
    parts += [o.text.get(lang) for o in question.options]
    for extra in (question.reference, question.explanation):
        if extra is not None:
            parts.append(extra.get(lang))
    return "\n".join(parts)


def _problems(question: Question, spec: dict[str, Any], lang: str) -> list[str]:
    found: list[str] = []
    if question.kind.value != spec["kind"]:
        found.append(f"kind {question.kind.value}, expected {spec['kind']}")
    prompt = question.prompt.get(lang)
    if spec.get("prompt_contains", "") not in prompt:
        found.append(f"prompt lacks {spec['prompt_contains']!r}")
    excluded = spec.get("prompt_excludes", [])
    excluded = [excluded] if isinstance(excluded, str) else excluded
    found += [f"prompt has {x!r}" for x in excluded if x in prompt]
    if spec["kind"] == "open":
        reference = question.reference.get(lang) if question.reference else ""
        wanted = spec.get("reference_contains", [])
        wanted = [wanted] if isinstance(wanted, str) else wanted
        found += [f"reference lacks {x!r}" for x in wanted if x not in reference]
        if isinstance(spec.get("answer"), str) and reference != spec["answer"]:
            found.append(f"reference {reference!r}, expected {spec['answer']!r}")
    else:
        keys = [o.key for o in question.options]
        if keys != spec["options"]:
            found.append(f"options {keys}, expected {spec['options']}")
        if sorted(question.answer) != sorted(spec["answer"]):
            found.append(f"answer {question.answer}, expected {spec['answer']}")
    return found


def _match(
    questions: list[Question], specs: list[dict[str, Any]], lang: str
) -> list[Question | None]:
    """The imported question for each expected one: by number, else by prompt phrase, else
    (for expectations without numbers or phrases) by position."""
    free = list(questions)
    matched: list[Question | None] = []
    for position, spec in enumerate(specs):
        found = None
        number = spec.get("number")
        if number is not None:
            found = next((q for q in free if q.id == f"q{number}"), None)
        if found is None and spec.get("prompt_contains"):
            found = next((q for q in free if spec["prompt_contains"] in q.prompt.get(lang)), None)
        if found is None and "number" not in spec and position < len(questions):
            candidate = questions[position]
            found = candidate if candidate in free else None
        if found is not None:
            free.remove(found)
        matched.append(found)
    return matched


def score_import(result: ImportResult, expected: dict[str, Any], name: str = "") -> Score:
    lang = expected.get("lang", result.lang)
    specs = expected["questions"]
    questions = result.bank.questions
    score = Score(files=1, expected=len(specs), imported=len(questions))
    for spec, question in zip(specs, _match(questions, specs, lang), strict=True):
        label = f"{name} #{spec.get('number') or specs.index(spec) + 1}"
        if question is None:
            score.problems.append(f"{label}: not imported")
            continue
        problems = _problems(question, spec, lang)
        if spec["kind"] != "open" and question.is_choice:
            score.keys_checked += 1
            score.keys_right += sorted(question.answer) == sorted(spec["answer"])
        if problems:
            score.problems.append(f"{label}: {'; '.join(problems)}")
        else:
            score.right += 1
    everything = "\n".join(_text(q, lang) for q in questions)
    for phrase in expected.get("absent", []):
        if phrase in everything:
            score.leaks += 1
            score.problems.append(f"{name}: page text {phrase!r} is in a question")
    title = result.bank.title.get(lang)
    if "title" not in expected or title == expected["title"]:
        score.titles_right += 1
    else:
        score.problems.append(f"{name}: title {title!r}, expected {expected['title']!r}")
    return score


def score_file(expectation: Path) -> Score:
    """Import the article beside ``expectation`` and score it; an import that fails scores
    nothing right."""
    expected = json.loads(expectation.read_text("utf-8"))
    name = expectation.name.removesuffix(".expect.json")
    try:
        result = import_article(article_for(expectation), bank_id="t")
    except LlmiqError as exc:
        return Score(
            files=1,
            expected=len(expected["questions"]),
            failed_files=1,
            problems=[f"{name}: {exc}"],
        )
    return score_import(result, expected, name)
