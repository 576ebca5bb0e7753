"""``llmiq exam``: a language model takes a bank (models, run), and the runs kept in the
database (list, show, compare)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from llmiq.cli.database import DatabaseOpener
from llmiq.cli.options import (
    LlmiqGroup,
    bank_argument,
    console,
    database_option,
    default_lang,
    lang_option,
)
from llmiq.errors import LlmiqError
from llmiq.messages import N_, Translate, plural_translator, translator

if TYPE_CHECKING:
    from llmiq.bank.model import Lang
    from llmiq.exam.results import ExamReport, QuestionOutcome
    from llmiq.exam.stored_runs import StoredRun


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

    _ = translator(default_lang())
    table = Table(_("model"), _("what it is"), box=None, pad_edge=False)
    for entry in BACKENDS.entries():
        name = entry.name + ("..." if entry.is_prefix else "")
        table.add_row(name, Text(_(entry.description)))
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
@click.option("--base-url", metavar="URL",
              help="An OpenAI-compatible server: --model names the model it serves.")  # fmt: skip
@click.option("--api-key-env", metavar="VAR", default="OPENAI_API_KEY", show_default=True,
              help="The environment variable holding the server's API key.")  # fmt: skip
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
    base_url: str | None,
    api_key_env: str,
    fmt: str,
    lang: Lang,
    database_url: str | None,
) -> None:
    """Let a model take BANK and report accuracy, recall by the answer's position and its
    spread (RStd), before and after debiasing. The run is stored as it goes: stopped (Ctrl-C,
    a crash), the same command resumes it without measuring anything twice."""
    try:  # scoring and calibration compute with numpy, whichever the backend
        import numpy  # noqa: F401
    except ImportError:
        raise LlmiqError(
            N_("exam runs need numpy: {command} (or {extra} for the local models too)"),
            command="pip install numpy",
            extra="'llmiq[exam]'",
        ) from None
    from llmiq.exam.backends import BACKENDS
    from llmiq.exam.runner import ExamConfig, planned_requests, run_exam
    from llmiq.exam.stored_runs import open_run, save_report

    opener = DatabaseOpener(database_url)
    loaded = opener.bank(bank)
    config = ExamConfig(scoring, debias, lang, limit, shots, options_only, seed)
    config.check()
    options = {}
    if base_url is not None:
        model_id = model_id if model_id.startswith("openai:") else f"openai:{model_id}@{base_url}"
    if model_id.startswith("openai:"):
        options["api_key_env"] = api_key_env
    BACKENDS.entry_for(model_id)  # an unknown model is refused before a run is stored
    total = planned_requests(loaded, config)
    run = open_run(opener(), model_id, loaded, config)
    _, ngettext = translator(lang), plural_translator(lang)
    if run.resumed:
        resuming = ngettext(
            "resuming run {run}, {count} measurement kept",
            "resuming run {run}, {count} measurements kept",
            run.kept,
        )
        click.echo(resuming.format(run=run.id, count=run.kept), err=True)
    try:
        with (
            BACKENDS.load(model_id, **options) as backend,
            _progress_bar(total, fmt == "table", _("questions")) as advance,
        ):
            report = run_exam(loaded, backend, config, progress=advance, cache=run.measurements)
    except KeyboardInterrupt:
        kept = len(run.measurements)
        stopped = ngettext(
            "stopped: run {run} keeps {count} measurement; the same command resumes it",
            "stopped: run {run} keeps {count} measurements; the same command resumes it",
            kept,
        )
        click.echo(stopped.format(run=run.id, count=kept), err=True)
        raise click.Abort() from None
    save_report(opener(), run.id, report)
    _print_report(run.id, report, fmt, lang)


@exam.command("list")
@click.option("--bank", "bank_id", metavar="BANK", help="Only the runs on this bank (its id).")
@database_option
def exam_list(bank_id: str | None, database_url: str | None) -> None:
    """The stored runs: model, bank, scoring, debiasing, accuracy and RStd (after debiasing),
    and whether each finished."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.exam.stored_runs import stored_runs

    _ = translator(default_lang())
    runs = stored_runs(DatabaseOpener(database_url)(), bank_id)
    if not runs:
        click.echo(
            _("No exam runs yet: {command} makes one.").format(
                command="llmiq exam run BANK --model MODEL"
            )
        )
        return
    table = Table(box=None, pad_edge=False)
    for name in (N_("run"), N_("model"), N_("bank"), N_("lang"), N_("scoring"), N_("debias"),
                 N_("accuracy"), "RStd", N_("finished")):  # fmt: skip
        table.add_column(_(name), no_wrap=name != "model")
    for run in runs:
        s = run.summary or {}
        table.add_row(
            str(run.id),
            Text(run.model),
            Text(run.bank),
            run.lang,
            run.scoring,
            run.debias,
            _pct(s.get("accuracy")),
            _num(s.get("rstd")),
            _finished(run, _),
        )
    console().print(table)


@exam.command("show")
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@database_option
def exam_show(run_id: int, fmt: str, database_url: str | None) -> None:
    """A stored run's report, as llmiq exam run printed it."""
    from llmiq.exam.stored_runs import load_report

    _, report = load_report(DatabaseOpener(database_url)(), run_id)
    _print_report(run_id, report, fmt, default_lang())


@exam.command("compare")
@click.argument("first", metavar="RUN", type=int)
@click.argument("second", metavar="RUN", type=int)
@database_option
def exam_compare(first: int, second: int, database_url: str | None) -> None:
    """Two stored runs side by side (accuracy, RStd, recall by the answer's position), and
    the questions they answered differently."""
    from llmiq.exam.stored_runs import disagreements, load_report

    database = DatabaseOpener(database_url)()
    (run_a, a), (run_b, b) = load_report(database, first), load_report(database, second)
    console().print(compare_view(run_a, a, run_b, b, disagreements(a, b), default_lang()))


def _print_report(run_id: int, report: ExamReport, fmt: str, lang: str) -> None:
    if fmt == "json":
        data = {"run": run_id} | report.to_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console().print(report_view(report, run_id, lang))


@contextmanager
def _progress_bar(total: int, show: bool, label: str) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` of a progress bar on stderr (a no-op away from a terminal)."""
    if not (show and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _finished(run: StoredRun, _: Translate) -> str:
    if run.finished_at is not None:
        return run.finished_at.astimezone().strftime("%m-%d %H:%M")
    return _("no, {count} kept").format(count=run.measurements)


def report_view(report: ExamReport, run_id: int | None = None, lang: str = "en") -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    _ = translator(lang)
    s = report.summary()
    about = _(
        "{model} on {bank} ({lang}, {scoring} scoring, debias {debias}): {scored} questions "
        "scored, {skipped} skipped"
    ).format(model=report.model, bank=report.bank, lang=report.lang, scoring=report.scoring,
             debias=report.debias, scored=s["scored"], skipped=s["skipped"])  # fmt: skip
    if run_id is not None:
        about = _("run {run}: {about}").format(run=run_id, about=about)
    head = Text(about, style="bold")
    table = Table("", _("accuracy"), "RStd", _("recall by answer position"),
                  _("choices by position"), box=None, pad_edge=False)  # fmt: skip
    for label, suffix in ((_("before debiasing"), "_before_debiasing"), (_("after"), "")):
        if suffix == "" and report.debias == "none":
            continue
        recall = s[f"position_recall{suffix}"]
        shares = s[f"choice_shares{suffix}"]
        table.add_row(
            label if report.debias != "none" else "",
            _pct(s[f"accuracy{suffix}"]),
            _num(s[f"rstd{suffix}"]),
            " ".join(f"{k} {v:.2f}" for k, v in recall.items()),
            " ".join(f"{k} {v:.2f}" for k, v in shares.items()),
        )
    parts: list[Any] = [head, table]
    cost = ""
    if s["scored"]:
        passes = f"{s['passes_per_question']:.2f}"
        cost = _("{passes} forward passes per question").format(passes=passes)
    speed = _("{seconds} s ({rate} questions/s)").format(
        seconds=s["seconds"], rate=s["questions_per_second"]
    )
    parts.append(Text(cost + _("; ") + speed))
    if report.scoring == "cloze":
        parts.append(Text(f"acc_norm {_pct(s['acc_norm'])}, acc_bytes {_pct(s['acc_bytes'])}"))
    if leaking := report.leaking():
        leaked = _("answered without their stems: {questions}").format(questions=", ".join(leaking))
        parts.append(Text(leaked, style="yellow"))
    return Group(*parts)


def _verdict(outcome: QuestionOutcome, _: Translate) -> str:
    if outcome.correct is None:
        return _("skipped")
    return f"{','.join(outcome.choice) or '-'} {'✓' if outcome.correct else '✗'}"


def compare_view(
    run_a: StoredRun,
    a: ExamReport,
    run_b: StoredRun,
    b: ExamReport,
    differing: list[Any],
    lang: str = "en",
) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    _ = translator(lang)
    sa, sb = a.summary(), b.summary()
    head_a, head_b = (_("run {run}").format(run=run.id) for run in (run_a, run_b))
    table = Table("", head_a, head_b, box=None, pad_edge=False)
    before = "  " + _("before debiasing")
    rows = [
        (_("model"), Text(a.model), Text(b.model)),
        (_("bank"), Text(a.bank), Text(b.bank)),
        (_("lang, scoring"), f"{a.lang}, {a.scoring}", f"{b.lang}, {b.scoring}"),
        (_("debias"), a.debias, b.debias),
        (_("scored"), str(sa["scored"]), str(sb["scored"])),
        (_("accuracy"), _pct(sa["accuracy"]), _pct(sb["accuracy"])),
        (before, _pct(sa["accuracy_before_debiasing"]), _pct(sb["accuracy_before_debiasing"])),
        ("RStd", _num(sa["rstd"]), _num(sb["rstd"])),
        (before, _num(sa["rstd_before_debiasing"]), _num(sb["rstd_before_debiasing"])),
    ]
    positions = sorted(set(sa["position_recall"]) | set(sb["position_recall"]))
    for letter in positions:
        ra, rb = sa["position_recall"].get(letter), sb["position_recall"].get(letter)
        rows.append((_("recall {letter}").format(letter=letter), _num(ra), _num(rb)))
    for row in rows:
        table.add_row(*row)
    parts: list[Any] = [table]
    if not differing:
        parts.append(Text("\n" + _("They answered every question they share alike.")))
        return Group(*parts)
    differently = _("Answered differently ({count}):").format(count=len(differing))
    parts.append(Text("\n" + differently, style="bold"))
    questions = Table(_("question"), head_a, head_b, box=None, pad_edge=False)
    for d in differing:
        questions.add_row(Text(d.id), _verdict(d.first, _), _verdict(d.second, _))
    parts.append(questions)
    return Group(*parts)
