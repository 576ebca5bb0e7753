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


class DatabaseCorrupt(DatabaseUnavailable):
    """The database file is damaged (SQLite: "database disk image is malformed", "file is not
    a database"): nothing is written into it, and the message says how to restore a backup.
    A front end may show it as a 503 page."""


def unavailable(url: str, detail: object, *, opening: bool = False) -> DatabaseUnavailable:
    """The sentence for a database that cannot be used just now; SQLite's "database is
    locked" (another process kept its write lock past the busy timeout) is said plainly."""
    if "locked" in str(detail):
        return DatabaseUnavailable(
            f"the database {url} is locked by another process that is writing to it; nothing "
            f"was written: try again when it has finished"
        )
    verb = "cannot open the database" if opening else "the database"
    tail = "" if opening else " is unavailable"
    return DatabaseUnavailable(f"{verb} {url}{tail}: {detail}")
