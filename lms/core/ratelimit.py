"""Rate-limit counters shared by every process of a deployment.

Flask-Limiter counts in Redis when ``LMS_REDIS_URL`` is set; otherwise in the application's own
database (SQLite or PostgreSQL), never in a process's memory, where each gunicorn worker would
keep its own count and every limit would multiply by the number of workers. The database storage
is a ``limits`` storage registered under the schemes ``lms+sqlite`` and ``lms+postgresql``, so
``RATELIMIT_STORAGE_URI`` names it as ``lms+<database URL>`` (lms.config does).

Counting is a fixed window: one row per key holds the count and the window's end, incremented by
a single INSERT … ON CONFLICT DO UPDATE … RETURNING (atomic on both databases: PostgreSQL locks
the row, SQLite takes its write lock), so concurrent hits are never lost. Expired rows are swept
at most once a minute per process.

``Throttle`` counts attempts of one kind per identity (e.g. check-in codes per trainee) in the
same storage, for rules that services enforce themselves.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import limits
from flask import current_app, has_app_context
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import (
    CheckConstraint,
    Connection,
    Engine,
    Float,
    String,
    Table,
    case,
    delete,
    event,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.db import Base, db, make_engine, write_intent


class RateLimitCounter(Base):
    """One fixed-window counter: hits of ``key`` until ``expires_at``."""

    __tablename__ = "rate_limits"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    #: The limit's key (limit, endpoint, client address or user); hashed when very long.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: When the window ends, in seconds since the epoch (as the ``limits`` library counts time).
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    count: Mapped[int]


_table = cast(Table, RateLimitCounter.__table__)
SCHEME_PREFIX = "lms+"
#: How often one process deletes the rows of windows that have ended.
SWEEP_SECONDS = 60.0
_PENDING = "lms_rate_limit_pending"
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def storage_uri(database_url: str) -> str:
    """The ``limits`` storage URI that keeps counters in the database at ``database_url``."""
    return SCHEME_PREFIX + str(database_url)


def _column_key(key: str) -> str:
    if len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _upsert(connection: Connection, key: str, expires_at: float, amount: int, now: float) -> int:
    """Add ``amount`` to the key's count, starting a new window if the old one has ended."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(_table).values(key=key, expires_at=expires_at, count=amount)
    ended = _table.c.expires_at <= now
    statement = insert.on_conflict_do_update(
        index_elements=[_table.c.key],
        set_={
            "count": case((ended, insert.excluded.count), else_=_table.c.count + amount),
            "expires_at": case((ended, insert.excluded.expires_at), else_=_table.c.expires_at),
        },
    ).returning(_table.c.count)
    return int(connection.execute(statement).scalar_one())


def _decrement(connection: Connection, key: str, amount: int, now: float) -> int:
    statement = (
        update(_table)
        .where(_table.c.key == key, _table.c.expires_at > now)
        .values(count=case((_table.c.count > amount, _table.c.count - amount), else_=0))
        .returning(_table.c.count)
    )
    return int(connection.execute(statement).scalar() or 0)


class DatabaseStorage(Storage):
    """A ``limits`` storage in the application's database (table ``rate_limits``)."""

    STORAGE_SCHEME = ["lms+sqlite", "lms+postgresql", "lms+postgresql+psycopg"]  # noqa: RUF012 (read by limits)

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        self.url = make_url(uri.removeprefix(SCHEME_PREFIX))
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        """The process's own engine for this database, shared by every storage naming it."""
        url = self.url.render_as_string(False)
        with _engines_lock:
            if url not in _engines:
                pool = {} if self.url.drivername.startswith("sqlite") else {"pool_size": 5}
                _engines[url] = make_engine(url, **pool)
            return _engines[url]

    # Where the statements run --------------------------------------------------------------

    def _request_session(self) -> Session | None:
        """This thread's application session, when statements must run in its transaction.

        On SQLite a request that writes holds the database's write lock from its first query
        to its commit: a second connection of the same thread would wait for it forever. Its
        counts therefore go into the request's own transaction, and are written again on their
        own should the request roll back (see ``_on_rollback``). A session bound to a connection
        (the tests' wrapping transaction) is used likewise on every database.
        """
        if not has_app_context():
            return None
        bound_to_connection = isinstance(db.session.session_factory.kw.get("bind"), Connection)
        if not bound_to_connection and not db.session.registry.has():
            return None
        session = db.session()
        bind = session.get_bind()
        if bind.engine.url.render_as_string(False) != self.url.render_as_string(False):
            return None
        if isinstance(bind, Connection):
            return session
        if self.url.drivername.startswith("sqlite") and session.in_transaction():
            return session if write_intent.get() else None
        return None

    @contextmanager
    def _own_connection(self) -> Iterator[Connection]:
        token = write_intent.set(True)
        try:
            with self.engine.begin() as connection:
                yield connection
        finally:
            write_intent.reset(token)

    def _write(self, operation: tuple[Any, ...]) -> int:
        session = self._request_session()
        if session is None:
            with self._own_connection() as connection:
                return self._apply(connection, operation)
        if not session.info.get(_PENDING + "_listening"):
            event.listen(session, "after_commit", _on_commit)
            event.listen(session, "after_rollback", self._on_rollback)
            session.info[_PENDING + "_listening"] = True
        session.info.setdefault(_PENDING, []).append(operation)
        return self._apply(session.connection(), operation)

    @staticmethod
    def _apply(connection: Connection, operation: tuple[Any, ...]) -> int:
        if operation[0] == "incr":
            _, key, expires_at, amount = operation
            return _upsert(connection, key, expires_at, amount, time.time())
        _, key, amount = operation
        return _decrement(connection, key, amount, time.time())

    def _on_rollback(self, session: Session) -> None:
        """Write again on their own the counts a rolled-back request had written."""
        operations = session.info.pop(_PENDING, [])
        if not operations:
            return
        bind = session.bind
        if isinstance(bind, Connection):
            for operation in operations:
                self._apply(bind, operation)
            return
        with self._own_connection() as connection:
            for operation in operations:
                self._apply(connection, operation)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        session = self._request_session()
        if session is not None:
            yield session.connection()
            return
        with self.engine.connect() as connection:
            yield connection

    # The ``limits`` storage interface ---------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self.sweep(now)
        return self._write(("incr", _column_key(key), now + expiry, amount))

    def decr(self, key: str, amount: int = 1) -> int:
        return self._write(("decr", _column_key(key), amount))

    def get(self, key: str) -> int:
        with self._reading() as connection:
            count = connection.scalar(
                select(_table.c.count).where(
                    _table.c.key == _column_key(key), _table.c.expires_at > time.time()
                )
            )
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with self._reading() as connection:
            expires_at = connection.scalar(
                select(_table.c.expires_at).where(_table.c.key == _column_key(key))
            )
        now = time.time()
        return float(expires_at) if expires_at and expires_at > now else now

    def check(self) -> bool:
        try:
            with self._reading() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        return self._delete()

    def clear(self, key: str) -> None:
        self._delete(_table.c.key == _column_key(key))

    def sweep(self, now: float | None = None) -> int:
        """Delete the counters of windows that have ended."""
        return self._delete(_table.c.expires_at <= (time.time() if now is None else now))

    def _delete(self, *where: Any) -> int:
        statement = delete(_table).where(*where)
        session = self._request_session()
        if session is not None:
            return session.connection().execute(statement).rowcount
        with self._own_connection() as connection:
            return connection.execute(statement).rowcount


def _on_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


# Throttles enforced by services ---------------------------------------------------------------


def shared_storage() -> Storage:
    """The application's rate-limit storage (the one Flask-Limiter's URI names)."""
    extensions = current_app.extensions
    storage = extensions.get("lms_rate_limit_storage")
    if storage is None:
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"])
        extensions["lms_rate_limit_storage"] = storage
    return cast(Storage, storage)


@dataclass(frozen=True)
class Throttle:
    """At most the configured number of attempts of one kind per identity and window."""

    #: Names the kind of attempt in the counters' keys.
    name: str
    #: The configuration setting holding the limit, e.g. ``"5 per 10 minutes"``.
    setting: str

    def _limit(self) -> tuple[limits.RateLimitItem, FixedWindowRateLimiter]:
        item = limits.parse(current_app.config[self.setting])
        return item, FixedWindowRateLimiter(shared_storage())

    def attempt(self, *identity: Any) -> int | None:
        """Count one attempt: None when allowed, else the seconds until attempts are allowed."""
        item, strategy = self._limit()
        ids = [self.name, *map(str, identity)]
        if strategy.hit(item, *ids):
            return None
        reset_at = strategy.get_window_stats(item, *ids).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def refund(self, *identity: Any) -> None:
        """Give back an attempt that succeeded, so that only failures count."""
        item, strategy = self._limit()
        key = item.key_for(self.name, *map(str, identity))
        storage = strategy.storage
        if isinstance(storage, DatabaseStorage):
            storage.decr(key)
        else:  # Redis has no decrement in ``limits``; its increment takes a negative amount
            storage.incr(key, item.get_expiry(), amount=-1)
