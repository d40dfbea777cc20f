"""Alembic environment: migrates the database named by the ``sqlalchemy.url`` option."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from lms.db import UTCDateTime, make_engine
from lms.models import metadata

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTCDateTime as a plain DateTime, so migrations do not import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _sqlite_foreign_keys(connection, on: bool) -> bool:  # type: ignore[no-untyped-def]
    """Turn SQLite's foreign keys on or off; only possible outside a transaction."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        return False
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    return True


def _violations(connection) -> int:  # type: ignore[no-untyped-def]
    found = connection.connection.dbapi_connection.execute("PRAGMA foreign_key_check").fetchall()
    return len(found)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # SQLite alters a table by rebuilding it, and dropping the old copy with foreign keys on
    # deletes by cascade every row that points at it (0013 took the stored certificate PDFs
    # with it). Migrate with them off, and refuse to finish if the migration broke a reference.
    checking = _sqlite_foreign_keys(connection, on=False)
    before = _violations(connection) if checking else 0
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=_render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if checking and _violations(connection) > before:
            raise RuntimeError("the migration left rows pointing at rows that are gone")
    if checking:
        _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
