"""What can go wrong in the database, said in the store's own words: the layers above catch
these instead of importing SQLAlchemy's exceptions. :meth:`Database.transaction
<llmiq.store.database.Database.transaction>` raises them."""

from __future__ import annotations

from llmiq.errors import LlmiqError


class ConstraintViolation(Exception):
    """A write broke a rule of the schema, most often a unique key because another process
    wrote the same row a moment before (two first answers to one question, one name
    registered twice): the transaction is rolled back, and doing it again finds that row.

    Not a :class:`LlmiqError`: where nobody expects it, it is a bug to show, not a sentence.
    """


class DatabaseUnavailable(LlmiqError):
    """The database cannot be reached, or stayed locked longer than a writer waits."""
