"""The ``llmiq`` command line: a package of command modules that parse arguments and call the
services, nothing more."""

from llmiq.cli.app import cli, main

__all__ = ["cli", "main"]
