"""``llmiq lab``: list the labs, run them, and the ZeRO memory model."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from llmiq.cli.options import LlmiqGroup, console, lang_option
from llmiq.errors import LlmiqError

if TYPE_CHECKING:
    from llmiq.bank.model import Lang


@click.group(cls=LlmiqGroup)
def lab() -> None:
    """Labs: a small, real experiment per seed question that measures the claim in its answer
    and prints a verdict with numbers and figures (needs pip install 'llmiq[labs]')."""


@lab.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: id, questions it backs, claim, run time.")  # fmt: skip
def lab_list(fmt: str) -> None:
    """The labs: id, the question each was built for, how many built-in questions name it,
    its claim and typical run time."""
    from rich.table import Table
    from rich.text import Text

    from llmiq.bank.catalog import backing_questions
    from llmiq.labs.registry import LAB_INFO

    backed = backing_questions()
    if fmt == "json":
        import json

        listed = [
            {
                "id": info.id,
                "question": info.question,
                "questions": backed.get(info.id, []),
                "claim": info.claim,
                "typical_seconds": info.typical_seconds,
            }
            for info in LAB_INFO.values()
        ]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    table = Table("lab", "question", "backs", "claim", "full run", box=None, pad_edge=False)
    for info in LAB_INFO.values():
        table.add_row(
            info.id,
            info.question,
            str(len(backed.get(info.id, []))),
            Text(info.claim),
            f"~{info.typical_seconds:.0f} s",
        )
    console().print(table)


@lab.command("run")
@click.argument("lab_ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "run_all", is_flag=True, help="Run every lab.")
@click.option("--fast", is_flag=True, help="Small configs: seconds per lab (used by the tests).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="First seed; a lab runs and reports SEED, SEED+1, ...")  # fmt: skip
@click.option("--seeds", "replicates", type=click.IntRange(1, 20),
              help="Seeds (runs) per claim  [default: 3, 1 with --fast]")  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Folder for reports and figures [default: DATA_DIR/labs].")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option("--fresh", is_flag=True, help="Retrain models a lab keeps in its cache.")
@lang_option
def lab_run(
    lab_ids: tuple[str, ...],
    run_all: bool,
    fast: bool,
    seed: int,
    replicates: int | None,
    out_dir: Path | None,
    fmt: str,
    fresh: bool,
    lang: Lang,
) -> None:
    """Run labs and print each claim with its verdict, computed from the measurement.

    Writes report.json and PNG figures per lab to --out.
    """
    import json

    from llmiq.labs.registry import LAB_INFO, load_lab
    from llmiq.labs.runner import planned_seeds, run_lab
    from llmiq.paths import data_dir

    chosen = list(LAB_INFO) if run_all else list(lab_ids)
    if not chosen:
        raise LlmiqError(f"name a lab or give --all; labs: {', '.join(LAB_INFO)}")
    planned_seeds(seed, fast=fast, replicates=replicates)
    for lab_id in chosen:
        load_lab(lab_id)  # unknown ids, a missing extra or bad seeds fail before anything runs
    folder = out_dir or data_dir() / "labs"
    reports = [
        run_lab(
            lab_id,
            fast=fast,
            seed=seed,
            out_dir=folder,
            show_progress=fmt == "table",
            cache_dir=data_dir() / "labs-cache",
            fresh=fresh,
            replicates=replicates,
        )
        for lab_id in chosen
    ]
    if fmt == "json":
        data = [report.to_dict() for report in reports]
        click.echo(json.dumps(data if run_all or len(data) > 1 else data[0], indent=2))
        return
    from llmiq.labs.view import reports_view

    console().print(reports_view(reports, lang))


class ParameterCount(click.ParamType):
    """A model size: a positive, finite number ("7e9"); nan, inf, 0 and -5 are refused."""

    name = "float"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of parameters such as 7e9", param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"{value} is not a positive, finite number of parameters", param, ctx)
        return number


@lab.command("memory")
@click.option("--params", type=ParameterCount(), multiple=True,
              help="Model size in parameters (7e9).")  # fmt: skip
@click.option("--gpus", type=click.IntRange(min=1), multiple=True, help="Number of GPUs.")
@click.option("--gpu-mem", type=click.FloatRange(min=1), default=80, show_default=True,
              help="Memory per GPU in GB.")  # fmt: skip
def lab_memory(params: tuple[float, ...], gpus: tuple[int, ...], gpu_mem: float) -> None:
    """The ZeRO memory model: per-GPU bytes of weights, gradients and Adam state under DDP and
    FSDP (mixed precision, 16 bytes per parameter), and whether they fit, before activations."""
    from llmiq.labs.memory_model import format_memory_table, memory_table

    rows = memory_table(list(params) or [1e9, 7e9, 70e9], list(gpus) or [1, 8, 64], gpu_mem)
    click.echo(format_memory_table(rows))
