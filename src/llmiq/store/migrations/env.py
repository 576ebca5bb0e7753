"""Alembic environment: migrations run on a connection handed over by llmiq
(``config.attributes["connection"]``), or on the database named by ``sqlalchemy.url`` /
``$LLMIQ_DATABASE_URL`` / the default when run as ``alembic upgrade head``."""

from __future__ import annotations

from alembic import context

from llmiq.store.models import Base


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("llmiq migrations run online only: drop --sql")

_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    from llmiq.store.database import database_url, make_engine

    _engine = make_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    with _engine.connect() as connection:
        _run(connection)
    _engine.dispose()
