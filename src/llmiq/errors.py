"""Errors a user can act on. The CLI prints their message as one sentence and exits non-zero."""

from __future__ import annotations


class LlmiqError(Exception):
    """A problem with the user's input or environment, not a bug: shown without a traceback."""
