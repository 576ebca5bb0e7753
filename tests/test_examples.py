"""The files in ``examples/`` do what the README says they do.

Two kinds of check: each file's own promise (the article imports every question, the broken
bank fails with sentences naming line and field, the personal bank is curated), and the
README itself: every ``$ llmiq ...`` command of its code blocks that works on an example
file (or on a file an earlier one wrote) is run, in README order, from a copy of the
repository root, and its output must be the one the README shows. So neither the examples
nor the README's outputs can rot unnoticed.
"""

from __future__ import annotations

import functools
import http.server
import re
import shlex
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from llmiq.bank.files import dump_bank_yaml, load_bank_file
from llmiq.ingest import import_article

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
README = ROOT / "README.md"
PORT = "8765"  # the port of the README's `python -m http.server` line


@dataclass
class Command:
    line: int  # in README.md
    argv: list[str]  # after "llmiq"
    head: int | None  # `| head -N`
    expected: list[str]


def readme_commands() -> list[Command]:
    """Every ``$ llmiq ...`` line of README.md's code blocks with the lines shown under it."""
    commands: list[Command] = []
    in_block = False
    current: Command | None = None
    for number, line in enumerate(README.read_text("utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_block, current = not in_block, None
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            current = None
            pipeline = line[2:].split(" # ")[0].strip().split(" | ")
            if not pipeline[0].startswith("llmiq ") or pipeline[0].endswith("\\"):
                continue  # another program, or a command continued on the next line
            head = None
            if len(pipeline) == 2 and (match := re.fullmatch(r"head -(\d+)", pipeline[1])):
                head = int(match.group(1))
            elif len(pipeline) > 1:
                continue
            current = Command(number, shlex.split(pipeline[0])[1:], head, [])
            commands.append(current)
        elif current is not None:
            current.expected.append(line)
    return commands


def uses_examples(command: Command) -> bool:
    return any(arg.startswith(("examples/", f"http://127.0.0.1:{PORT}/")) for arg in command.argv)


@pytest.fixture
def repo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory like the repository root: ``examples/`` and nothing else."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMIQ_LANG", "en")
    monkeypatch.setenv("COLUMNS", "90")
    return tmp_path


@pytest.fixture
def examples_server(repo_copy: Path, run_server: Callable[[http.server.HTTPServer], None]) -> str:
    """``python -m http.server --directory examples``, on a free port; its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(repo_copy / "examples"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    run_server(server)
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_the_readme_outputs_are_what_the_examples_give(
    run_cli: Callable, repo_copy: Path, examples_server: str
) -> None:
    """Run, in order, every README command on an example file or on a file an earlier one
    wrote (``article.yaml``), and compare with the output the README shows."""
    ran = []
    for command in readme_commands():
        if not uses_examples(command) and not any(
            (repo_copy / arg).is_file() for arg in command.argv
        ):
            continue
        argv = [arg.replace(f"http://127.0.0.1:{PORT}", examples_server) for arg in command.argv]
        result = run_cli(*argv)
        output = result.output.replace(examples_server, f"http://127.0.0.1:{PORT}").splitlines()
        if command.head is not None:
            output = output[: command.head]
        shown = " ".join(["llmiq", *command.argv])
        assert [line.rstrip() for line in output] == command.expected, (
            f"README.md line {command.line}: `{shown}` now prints something else"
        )
        ran.append(command.argv)
    used = {
        Path(arg).name
        for argv in ran
        for arg in argv
        if arg.startswith("examples/") or f":{PORT}/" in arg
    }
    shipped = {path.name for path in EXAMPLES.iterdir()} - {"README.md"}
    assert used >= shipped, f"example files no README command runs: {sorted(shipped - used)}"


def test_every_example_file_the_readme_names_exists() -> None:
    named = set(re.findall(r"\bexamples/([\w.-]+\.\w+)", README.read_text("utf-8")))
    assert named, "the README names no example file"
    missing = sorted(name for name in named if not (EXAMPLES / name).is_file())
    assert not missing, f"README.md names example files that are not there: {missing}"


def test_every_example_file_is_described_in_examples_readme() -> None:
    described = (EXAMPLES / "README.md").read_text("utf-8")
    for path in EXAMPLES.iterdir():
        if path.name != "README.md":
            assert f"**`{path.name}`**" in described, path.name


def test_the_article_imports_every_question_and_skips_no_block() -> None:
    result = import_article(EXAMPLES / "article.txt", bank_id="article")
    assert not result.dropped_questions
    bank = result.bank
    assert result.lang == "zh"
    assert bank.title.get("zh") == "大模型面试题：注意力、微调与推理（附答案）"
    kinds = [q.kind.value for q in bank.questions]
    assert kinds == ["single", "multiple", "single", "single", "open"]
    assert [list(q.answer) for q in bank.questions[:4]] == [["B"], ["A", "B", "D"], ["B"], ["C"]]
    assert "奖励模型" in bank.questions[4].reference.get("zh")  # type: ignore[union-attr]
    assert all(q.explanation for q in bank.questions[:4])
    # only the introduction and the page's tail are left out, and nothing of the tail is kept
    assert len(result.skipped) == 2
    written = " ".join(dump_bank_yaml(bank).split())
    assert "相关文章" not in written
    assert "大模型面试题：分布式训练篇" not in written


def test_the_training_quiz_is_the_corpus_article_and_imports_its_prose_keys() -> None:
    corpus = ROOT / "tests/fixtures/real_world/multi-answer_en_reddit-training-quiz.md"
    assert (EXAMPLES / "training-quiz.md").read_bytes() == corpus.read_bytes()
    result = import_article(EXAMPLES / "training-quiz.md", bank_id="training")
    assert not result.dropped_questions
    assert Counter(q.kind.value for q in result.bank.questions) == {
        "multiple": 4,
        "single": 3,
        "open": 1,
    }
    assert list(result.bank.questions[0].answer) == ["B", "D"]
    assert len(result.notes) == 4  # every key read from prose is listed to check


def test_the_saved_page_imports_its_questions_without_the_site_around_them() -> None:
    result = import_article(EXAMPLES / "llm-quiz.html", bank_id="llm-quiz")
    bank = result.bank
    assert not result.dropped_questions
    assert result.lang == "en"
    assert bank.title.get("en") == "LLM Inference Interview Questions (with Answers)"
    assert [q.kind.value for q in bank.questions] == [
        "single", "single", "multiple", "single", "open", "open",
    ]  # fmt: skip
    assert [list(q.answer) for q in bank.questions[:4]] == [["B"], ["C"], ["A", "B", "D"], ["B"]]
    assert "arithmetic intensity" in bank.questions[4].reference.get("en")  # type: ignore[union-attr]
    text = " ".join(dump_bank_yaml(bank).split())  # unfolded: YAML wraps long texts
    assert "keeps the GPU busy and cuts queueing time" in text
    for chrome in ("cookies", "Popular posts", "Subscribe", "kvcache_kid", "Gradient Notebook"):
        assert chrome not in text


def test_the_gbk_file_is_not_utf8_and_imports() -> None:
    raw = (EXAMPLES / "gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    bank = import_article(EXAMPLES / "gbk.txt", bank_id="gbk").bank
    assert len(bank.questions) == 1
    assert list(bank.questions[0].answer) == ["B"]
    assert "BF16" in bank.questions[0].prompt.get("zh")


def test_the_pdf_is_refused_in_one_sentence(run_cli: Callable, repo_copy: Path) -> None:
    result = run_cli("import", "examples/slides.pdf")
    assert result.exit_code == 1
    assert result.output == "Error: examples/slides.pdf: is a PDF document, not a text file\n"


def test_the_broken_bank_names_each_mistake_by_line_and_field(
    run_cli: Callable, repo_copy: Path
) -> None:
    result = run_cli("validate", "examples/broken.yaml")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for expected in (
        ":13: questions[0].answer[1]: answer key 'D' is not one of the options (A, B, C)",
        ":21: questions[1].answer: a single-choice question has exactly one answer, got A, C",
        ":23: questions[1].explaination: unknown field",
        ":24: questions[2].id: duplicate question id 'kv-cache' (also questions[0])",
        ":25: questions[2].kind: unknown kind 'essay'",
        ":26: questions[2].prompt.en: empty text",
    ):
        assert any(line.startswith(f"examples/broken.yaml{expected}") for line in lines), expected
    assert lines[-1] == "examples/broken.yaml: 7 problems"


def test_my_notes_is_a_curated_bank_in_both_languages(run_cli: Callable, repo_copy: Path) -> None:
    result = run_cli("validate", "--strict", "examples/my-notes.yaml")
    assert result.exit_code == 0, result.output
    bank = load_bank_file(EXAMPLES / "my-notes.yaml")
    assert {q.kind.value for q in bank.questions} == {"single", "multiple", "open"}
    assert all(q.prompt.has("zh") and q.prompt.has("en") for q in bank.questions)


def test_my_notes_can_be_practised(run_cli: Callable, repo_copy: Path) -> None:
    result = run_cli("quiz", "examples/my-notes.yaml", "--in-order", "-n", "2", input="C\nA,C\n")
    assert result.exit_code == 0, result.output
    assert "Score: 2/2" in result.output


def test_the_draft_is_valid_but_not_curated(run_cli: Callable, repo_copy: Path) -> None:
    assert run_cli("validate", "examples/draft-notes.yaml").exit_code == 0
    result = run_cli("validate", "--strict", "examples/draft-notes.yaml")
    assert result.exit_code == 1
    for expected in (
        ":8: questions[0].difficulty: no difficulty",
        ":25: questions[0].options[3].text: a catch-all option",
        ":51: questions[1].lab: no lab named 'kv-cahce'",
        ":56: questions[2].key_points: an open question needs key points",
    ):
        assert f"examples/draft-notes.yaml{expected}" in result.output, expected
