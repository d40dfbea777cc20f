"""Engine, session and declarative base.

One transaction per request: views and services only ``flush()``; the request wrapper commits
when the response is a success and rolls back otherwise. CLI commands and jobs own their own
transaction the same way (see ``transaction()``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum as PyEnum
from typing import Any, ClassVar

from flask import Flask, Response, current_app, g, has_app_context, request
from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    scoped_session,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from lms.core.localtime import utcnow as utcnow  # the one clock; models default to it

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Whether the current unit of work intends to write. On SQLite a writing transaction starts with
#: BEGIN IMMEDIATE so that it waits for the write lock up front instead of failing with
#: "database is locked" when a read transaction later tries to upgrade.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_class: type[PyEnum], name: str, length: int = 30) -> Enum:
    """A portable enum column: VARCHAR of the values plus a CHECK constraint in the database."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver this project installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit BEGIN handling."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **options)
        _configure_sqlite(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    return create_engine(url, **options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (pysqlite's own BEGIN handling breaks
        # SAVEPOINT and cannot say IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


#: The engine ``Database.engine_of`` chose for code running outside an application context.
_engine_outside_context: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "lms_engine_outside_context", default=None
)


class _ApplicationSession(Session):
    """A session bound to the database of the application whose context it runs in, so that a
    second application made in the same process (a tool, a test's throw-away one) never moves
    the first one's queries to its own database. An explicit bind (a test's connection) wins."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> Any:
        if self.bind is not None:
            return self.bind
        engine = db.engine
        if engine is None:
            return super().get_bind(mapper, clause=clause, **kwargs)
        return engine


class Database:
    """The engine of each application and one scoped session, which finds the engine of the
    application in whose context it is used."""

    def __init__(self) -> None:
        #: The engine of the application created last, for code run outside any app context.
        self._last_engine: Engine | None = None
        self.session = scoped_session(sessionmaker(class_=_ApplicationSession))

    @property
    def engine(self) -> Engine | None:
        if has_app_context():
            found: Engine | None = current_app.extensions.get("lms_engine")
            if found is not None:
                return found
        return _engine_outside_context.get() or self._last_engine

    @contextmanager
    def engine_of(self, app: Flask) -> Iterator[None]:
        """Queries in the block go to ``app``'s database without an application context (the
        autosave path answers before Flask does)."""
        token = _engine_outside_context.set(app.extensions["lms_engine"])
        try:
            yield
        finally:
            _engine_outside_context.reset(token)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["lms_engine"] = self._last_engine = engine
        self.session.remove()
        app.extensions["lms_db"] = self

        @app.before_request
        def _declare_write_intent() -> None:
            write_intent.set(request.method not in {"GET", "HEAD", "OPTIONS"})

        @app.after_request
        def _finish_transaction(response: Response) -> Response:
            if response.status_code < 400 or g.get("commit_on_error"):
                self.session.commit()
            else:
                self.session.rollback()
            return response

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @property
    def dialect_name(self) -> str:
        assert self.engine is not None
        return self.engine.dialect.name


db = Database()


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the work done inside the block, or roll it back on error (CLI and jobs)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def keep_transaction_on_error() -> None:
    """Ask the request wrapper to commit even though the response is an error (e.g. audit rows)."""
    g.commit_on_error = True
