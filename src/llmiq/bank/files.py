"""Bank files: YAML in, YAML out, and every problem reported with its file, line and field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from llmiq.atomic import write_atomic
from llmiq.bank.model import (
    DEFER_RULES,
    Bank,
    Problem,
    Question,
    RuleError,
    duplicate_id_problems,
    said,
)
from llmiq.bulk import paused_gc
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.textfile import read_text

try:  # the C parser and emitter are several times faster; PyYAML may be built without them
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class FileProblem:
    """A problem in a bank file, printable as ``file:line: field: message``."""

    file: str
    line: int
    field: str
    message: str  # the English sentence
    #: ``message`` as a catalog message and its fields (:class:`Problem`)
    template: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """``file:line: field: message`` with the message in ``lang`` (the file, line and
        field stay as they are: they name what is in the file)."""
        message = said(lang, self.template or self.message, self.fields)
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


class BankFileError(LlmiqError):
    """A bank file's first problem, said in the reader's language (a field with
    ``text(lang)``: :func:`llmiq.messages.error_text`), and how many more there are."""

    def __init__(self, problems: list[FileProblem]) -> None:
        first = problems[0]
        if len(problems) > 1:
            super().__init__(
                N_("{problem} (and {count} more: {command})"),
                problem=first,
                count=len(problems) - 1,
                command=f"llmiq validate {first.file}",
            )
        else:
            super().__init__(N_("{problem}"), problem=first)
        self.problems = problems


def _file_problem(name: str, line: int, template: str, **fields: object) -> FileProblem:
    problem = Problem.of((), template, **fields)
    return FileProblem(name, line, "", problem.message, problem.template, problem.fields)


def format_loc(loc: tuple[str | int, ...]) -> str:
    """``("questions", 3, "answer", 0)`` -> ``questions[3].answer[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_line(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int:
    """1-based line of the deepest node along ``loc`` that exists in the YAML tree."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
        if not isinstance(node, yaml.ScalarNode):
            line = max(line, node.start_mark.line + 1)
    return line


def _duplicate_keys(node: yaml.Node, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, str]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield key.start_mark.line + 1, format_loc((*loc, key.value))
            seen.add(key.value)
            yield from _duplicate_keys(value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i))


def _describe(error: Any) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return Problem(loc, N_("missing required field"))
    if kind == "extra_forbidden":
        return Problem(loc, N_("unknown field"))
    if kind == "enum":
        expected = error["ctx"]["expected"].replace("'", "")  # "single, multiple or open"
        kinds, _, last = expected.rpartition(" or ")
        if not kinds:  # one value only
            return Problem(loc, f"unknown kind {error['input']!r} (expected {expected})")
        return Problem.of(
            loc, N_("unknown kind {kind} (expected {kinds} or {last})"), kind=repr(error["input"]),
            kinds=kinds, last=last,
        )  # fmt: skip
    if kind in {"value_error", "assertion_error"}:
        raised = error["ctx"]["error"]
        if isinstance(raised, RuleError):
            return Problem.of(loc, raised.message, **raised.fields)
        return Problem(loc, str(raised))
    if kind == "model_type":
        if error["ctx"].get("class_name") == "Text":
            return Problem(loc, N_("expected a text: a string, or a mapping with zh and/or en"))
        return Problem(loc, N_("expected a mapping of fields"))
    if kind == "list_type":
        return Problem(loc, N_("expected a list"))
    if kind == "string_type":
        return Problem(loc, N_("expected a string"))
    message = str(error["msg"])
    return Problem(loc, message[:1].lower() + message[1:])


def _validation_problems(exc: ValidationError) -> list[Problem]:
    return [_describe(error) for error in exc.errors()]


def _question_if_sound(raw: Any) -> Question | None:
    """The question built without rule checks, ignoring unknown fields (a typo such as
    ``explaination`` must not hide that ``answer`` names no option); None when broken."""
    deferred = {DEFER_RULES: True}
    try:
        return Question.model_validate(raw, context=deferred)
    except ValidationError as exc:
        unknown = {e["loc"][0] for e in exc.errors() if e["type"] == "extra_forbidden"}
        if not unknown or len(unknown) != len(exc.errors()) or not isinstance(raw, dict):
            return None
    try:
        return Question.model_validate(
            {k: v for k, v in raw.items() if k not in unknown}, context=deferred
        )
    except ValidationError:
        return None


def check_bank_data(data: Any) -> tuple[Bank | None, list[Problem]]:
    """Validate parsed bank data: the bank, or every structural and rule problem.

    Structure comes first (pydantic lists every structural error at once); the rules are
    then checked on every question whose structure is sound, so one broken question does
    not hide the rule problems of the others.
    """
    if not isinstance(data, dict):
        return None, [Problem((), N_("a bank file is a mapping with id, title and questions"))]
    deferred = {DEFER_RULES: True}
    try:
        bank = Bank.model_validate(data, context=deferred)
    except ValidationError as exc:
        problems = _validation_problems(exc)
    else:
        problems = [
            p.under("questions", i)
            for i, question in enumerate(bank.questions)
            for p in question.rule_problems()
        ]
        problems += bank.rule_problems()
        return (None if problems else bank), problems
    raw_questions = data.get("questions")
    if isinstance(raw_questions, list):
        if not raw_questions:
            problems.append(Problem(("questions",), N_("the bank has no questions")))
        for i, raw in enumerate(raw_questions):
            question = _question_if_sound(raw)
            if question is not None:
                problems += [p.under("questions", i) for p in question.rule_problems()]
        ids = [q.get("id") if isinstance(q, dict) else None for q in raw_questions]
        problems += duplicate_id_problems(ids)
    return None, problems


#: A further check of a valid bank (``llmiq validate --strict`` adds the curated standard).
ExtraCheck = Callable[[Bank], list[Problem]]


def check_bank_text(
    text: str, name: str, extra: ExtraCheck | None = None
) -> tuple[Bank | None, list[FileProblem]]:
    """Parse and validate a bank's YAML text; ``name`` is used in the problems it returns,
    which locate ``extra``'s problems by line too."""
    with paused_gc():
        return _check_bank_text(text, name, extra)


def _check_bank_text(
    text: str, name: str, extra: ExtraCheck | None
) -> tuple[Bank | None, list[FileProblem]]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [_file_problem(name, line, N_("not valid YAML: {reason}"),
                                    reason=exc.problem or exc)]  # fmt: skip
    except yaml.YAMLError as exc:  # the reader's errors: characters YAML does not allow
        position = getattr(exc, "position", 0)
        line = text.count("\n", 0, position) + 1
        reason = getattr(exc, "reason", "unreadable")
        return None, [_file_problem(name, line, N_("not valid YAML: {reason}"), reason=reason)]
    finally:
        loader.dispose()
    if root is None:
        return None, [FileProblem(name, 0, "", N_("the file is empty"))]
    problems = [
        FileProblem(name, line, field, N_("duplicate key (YAML keeps only the last one)"))
        for line, field in _duplicate_keys(root)
    ]
    bank, data_problems = check_bank_data(data)
    if bank is not None and extra is not None:
        data_problems = extra(bank)
    problems += [
        FileProblem(
            name, _node_line(root, p.loc), format_loc(p.loc), p.message, p.template, p.fields
        )
        for p in data_problems
    ]
    if problems or bank is None:
        return None, sorted(problems, key=lambda p: p.line)
    return bank, []


def check_bank_file(
    path: Path, extra: ExtraCheck | None = None
) -> tuple[Bank | None, list[FileProblem]]:
    return check_bank_text(read_text(path), str(path), extra)


def load_bank_file(path: Path) -> Bank:
    """Load a bank file; raise :class:`BankFileError` listing every problem if it is invalid."""
    bank, problems = check_bank_file(path)
    if bank is None:
        raise BankFileError(problems)
    return bank


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def bank_to_data(bank: Bank) -> dict[str, Any]:
    """The bank as plain data, without empty fields: what JSON and YAML files hold."""
    return _prune(bank.model_dump(mode="json"))


class _BlockStyleDumper(_Dumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockStyleDumper.add_representer(str, _represent_str)


def dump_bank_yaml(bank: Bank) -> str:
    with paused_gc():
        return yaml.dump(
            bank_to_data(bank),
            Dumper=_BlockStyleDumper,
            allow_unicode=True,
            sort_keys=False,
            width=100,
        )


def write_bank_file(bank: Bank, path: Path) -> None:
    write_atomic(path, dump_bank_yaml(bank))
