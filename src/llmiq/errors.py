"""Errors a user can act on. The CLI prints their message as one sentence and exits non-zero."""

from __future__ import annotations


class LlmiqError(Exception):
    """A problem with the user's input or environment, not a bug: shown without a traceback.

    Raised with a catalog message and its fields, ``LlmiqError(N_("no bank named {bank}"),
    bank="'x'")``, ``str()`` is the English sentence and a front end can say it in its
    reader's language (``llmiq.messages.error_text``); raised with a finished sentence, that
    sentence is all there is."""

    def __init__(self, *args: object, **fields: object) -> None:
        if fields and len(args) == 1 and isinstance(args[0], str):
            super().__init__(args[0].format(**fields))
            #: the message before its fields were filled in, and the fields
            self.message: str = args[0]
            self.fields: dict[str, object] = fields
        else:
            super().__init__(*args)
            self.message = str(args[0]) if len(args) == 1 else ""
            self.fields = {}
