"""The ``llmiq`` group: one command module per area, added here."""

from __future__ import annotations

import os
import sys

import click

from llmiq import __version__
from llmiq.cli import (
    account,
    banks,
    exam,
    export,
    imports,
    lab,
    maintenance,
    mock,
    profile,
    quiz,
    review,
    serve,
)
from llmiq.cli import stats as stats_commands
from llmiq.cli.options import LlmiqGroup


@click.group(cls=LlmiqGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llmiq")
def cli() -> None:
    """LLM interview questions: validated bilingual banks, an article importer, and a quiz.

    BANK is a built-in bank id (seed), the id of a bank you imported, or a path to a bank file.
    """


for command in (
    banks.banks,
    banks.show,
    banks.validate,
    imports.import_,
    export.export,
    quiz.quiz,
    review.review,
    mock.mock,
    stats_commands.stats,
    stats_commands.history,
    profile.profile,
    serve.serve,
    account.account,
    lab.lab,
    exam.exam,
    maintenance.doctor,
    maintenance.backup,
    maintenance.restore,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli()
    except BrokenPipeError:  # `llmiq export ... | head`: the reader left; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
