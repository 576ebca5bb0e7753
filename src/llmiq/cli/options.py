"""What the commands share: the language, bank, database and profile options, the console,
and reading answers from a terminal or a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from llmiq.errors import LlmiqError

if TYPE_CHECKING:  # pydantic: keep it off the --help path
    from llmiq.bank.model import Lang

LANG_ENV = "LLMIQ_LANG"


def default_lang() -> Lang:
    """``$LLMIQ_LANG``, else Chinese when the locale is Chinese, else English."""
    explicit = os.environ.get(LANG_ENV)
    if explicit == "zh" or explicit == "en":
        return explicit
    locale = (
        os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    )
    return "zh" if locale.lower().startswith("zh") else "en"


#: where ``--lang`` leaves its value for the error message (``ctx.meta`` is shared by a
#: command's context and its group's)
LANG_META = "llmiq.lang"


class UserError(click.ClickException):
    """A one-line ``Error: ...`` (``错误：...``) in the command's language."""

    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        from llmiq.messages import translator

        _ = translator(self.lang)
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


class LlmiqGroup(click.Group):
    """Turns :class:`LlmiqError` into a one-line ``Error: ...`` and exit status 1, in the
    language of the command's ``--lang`` (else ``$LLMIQ_LANG``, else the locale)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LlmiqError as exc:
            from llmiq.messages import error_text

            lang = ctx.meta.get(LANG_META) or default_lang()
            raise UserError(error_text(exc, lang), lang) from None


def _remember_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    ctx.meta[LANG_META] = value
    return value


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=default_lang,
    callback=_remember_lang,
    show_default="$LLMIQ_LANG, else from the locale",
    help="Language of the questions and of llmiq's own words (a text that exists in one "
    "language only is shown in that one).",
)
bank_argument = click.argument("bank", default="seed", metavar="[BANK]")
database_option = click.option(
    "--database-url",
    envvar="LLMIQ_DATABASE_URL",
    metavar="URL",
    help="SQLAlchemy URL of the progress database (default: SQLite in the data directory; "
    "env LLMIQ_DATABASE_URL).",
)
profile_option = click.option(
    "--profile",
    envvar="LLMIQ_PROFILE",
    metavar="NAME",
    help="Whose progress this is (default: the profile in config.toml, else your OS user "
    "name; env LLMIQ_PROFILE).",
)

rate_option = click.option(
    "--rate/--no-rate",
    default=None,
    help="After each answer llmiq graded, show the four ratings with their next intervals "
    "(1-4, Enter takes llmiq's suggestion) [default: --rate at a terminal, --no-rate when "
    "answers are piped].",
)


def rating_wanted(rate: bool | None) -> bool:
    """``--rate``, ``--no-rate``, else whether answers are typed at a terminal."""
    return sys.stdin.isatty() if rate is None else rate


def console() -> Any:
    from rich.console import Console

    from llmiq.terminal import TrailingSpaceTrimmer

    screen = Console(highlight=False)
    screen.push_render_hook(TrailingSpaceTrimmer())  # piped output without padding
    return screen


def read_line(console: Any) -> Callable[[str], str]:
    """Reads one answer; piped answers are echoed, since no terminal shows them."""
    from rich.text import Text

    echo = not sys.stdin.isatty()

    def read(prompt: str) -> str:
        line = console.input(Text(prompt))
        if echo:
            console.print(line, highlight=False, markup=False)
        return line

    return read
