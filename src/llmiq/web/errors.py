"""Errors the web app turns into pages with their own status."""

from __future__ import annotations

from llmiq.errors import LlmiqError


class NotFound(LlmiqError):
    """What was asked for does not exist (for this person): a 404 with this sentence."""
