"""``llmiq exam``: a language model takes a bank (models, run)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import LlmiqGroup, bank_argument, console, database_option, lang_option

if TYPE_CHECKING:
    from llmiq.bank.model import Lang
    from llmiq.exam.results import ExamReport


@click.group(cls=LlmiqGroup)
def exam() -> None:
    """Exam mode: a language model answers a bank's questions, scored like
    lm-evaluation-harness, with its position bias measured and corrected (needs pip install
    'llmiq[exam]' for local models)."""


@exam.command("models")
def exam_models() -> None:
    """The models that can take an exam: built-in ones, and the id forms for your own."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.exam.backends import BACKENDS

    table = Table("model", "what it is", box=None, pad_edge=False)
    for entry in BACKENDS.entries():
        table.add_row(entry.name + ("..." if entry.is_prefix else ""), Text(entry.description))
    console().print(table)


@exam.command("run")
@bank_argument
@click.option("--model", "model_id", required=True, help="A model id (see llmiq exam models).")
@click.option("--scoring", type=click.Choice(["letter", "cloze", "generate"]), default="letter",
              show_default=True, help="How answers are read (see the README).")  # fmt: skip
@click.option("--debias", type=click.Choice(["none", "contextual", "pride", "permute"]),
              default="none", show_default=True, help="Position-bias correction.")  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N questions.")
@click.option("--shots", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worked examples from other questions of the bank.")  # fmt: skip
@click.option(
    "--options-only", is_flag=True, help="Remove the stems: do options give answers away?"
)
@click.option("--seed", type=int, default=0, show_default=True, help="PriDe's sample, examples.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@lang_option
@database_option
def exam_run(
    bank: str,
    model_id: str,
    scoring: str,
    debias: str,
    limit: int | None,
    shots: int,
    options_only: bool,
    seed: int,
    fmt: str,
    lang: Lang,
    database_url: str | None,
) -> None:
    """Let a model take BANK and report accuracy, recall by the answer's position and its
    spread (RStd), before and after debiasing."""
    from llmiq.exam.backends import BACKENDS
    from llmiq.exam.runner import ExamConfig, planned_requests, run_exam

    loaded = DatabaseOpener(database_url).bank(bank)
    config = ExamConfig(scoring, debias, lang, limit, shots, options_only, seed)
    config.check()
    total = planned_requests(loaded, config)
    with BACKENDS.load(model_id) as backend, _progress_bar(total, fmt == "table") as advance:
        report = run_exam(loaded, backend, config, progress=advance)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    console().print(report_view(report))


@contextmanager
def _progress_bar(total: int, show: bool) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` of a progress bar on stderr (a no-op away from a terminal)."""
    if not (show and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("questions", total=total)
        yield lambda n: bar.advance(task, n)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def report_view(report: ExamReport) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    s = report.summary()
    head = Text(
        f"{report.model} on {report.bank} ({report.lang}, {report.scoring} scoring, "
        f"debias {report.debias}): {s['scored']} questions scored, {s['skipped']} skipped",
        style="bold",
    )
    table = Table("", "accuracy", "RStd", "recall by answer position", "choices by position",
                  box=None, pad_edge=False)  # fmt: skip
    for label, suffix in (("before debiasing", "_before_debiasing"), ("after", "")):
        if suffix == "" and report.debias == "none":
            continue
        recall = s[f"position_recall{suffix}"]
        shares = s[f"choice_shares{suffix}"]
        table.add_row(
            label if report.debias != "none" else "",
            _pct(s[f"accuracy{suffix}"]),
            "-" if s[f"rstd{suffix}"] is None else f"{s[f'rstd{suffix}']:.3f}",
            " ".join(f"{k} {v:.2f}" for k, v in recall.items()),
            " ".join(f"{k} {v:.2f}" for k, v in shares.items()),
        )
    parts: list[Any] = [head, table]
    cost = f"{s['passes_per_question']:.2f} forward passes per question" if s["scored"] else ""
    parts.append(Text(f"{cost}; {s['seconds']} s ({s['questions_per_second']} questions/s)"))
    if report.scoring == "cloze":
        parts.append(Text(f"acc_norm {_pct(s['acc_norm'])}, acc_bytes {_pct(s['acc_bytes'])}"))
    if leaking := report.leaking():
        parts.append(Text(f"answered without their stems: {', '.join(leaking)}", style="yellow"))
    return Group(*parts)
