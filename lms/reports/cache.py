"""Licensed-to-work figures cached per process until the data they count changes.

Counting 100,000 staff takes a few hundred milliseconds; the figures change only when staff,
institutions, districts or certificates do. Every write to those tables through the session
(unit of work or ORM-enabled ``insert()``/``update()``/``delete()``) marks the session, and its
commit bumps the ``rates`` revision in the same transaction. A cached figure is keyed by the
revision, so the first request after a committed change recomputes it; a transaction holding
uncommitted changes of its own always computes afresh. Writes that bypass the session (raw SQL
on a connection) are not seen: there are none in this code base. The session listeners are
installed by ``register_listeners`` (lms.registries.register_all), not by importing this."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import CursorResult, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from lms.db import db
from lms.reports.models import DataRevision

RATES = "rates"
#: Tables whose rows the licensed-to-work figures count.
WATCHED = frozenset({"staff", "institutions", "districts", "certificates", "external_certificates"})
MAX_ENTRIES = 256
_DIRTY = "rates_data_changed"

T = TypeVar("T")


class FigureCache:
    """The most recently used figures of one application (so of one database)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            if key not in self.entries:
                return False, None
            self.entries.move_to_end(key)
            return True, self.entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


def _figures() -> FigureCache:
    store: FigureCache = current_app.extensions.setdefault("lms_figures", FigureCache())
    return store


def revision() -> int:
    return db.session.scalar(select(DataRevision.revision).where(DataRevision.name == RATES)) or 0


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for ``key`` at the current revision, from the cache when present; computed
    afresh while this transaction holds changes of its own."""
    if db.session.info.get(_DIRTY):
        return compute()
    full_key = (key, revision())
    found, value = _figures().get(full_key)
    if found:
        return value
    value = compute()
    _figures().put(full_key, value)
    return value


def clear() -> None:
    """Forget the figures of the current application."""
    _figures().entries.clear()


def _bump(session: Session) -> None:
    changed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(DataRevision)
        .where(DataRevision.name == RATES)
        .values(revision=DataRevision.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:
        session.execute(insert(DataRevision).values(name=RATES, revision=1))


def _table_of(instance: Any) -> str | None:
    table = getattr(type(instance), "__table__", None)
    return table.name if table is not None else None


def _watch_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.deleted, *session.dirty)
    if any(
        _table_of(instance) in WATCHED
        and (instance not in session.dirty or session.is_modified(instance))
        for instance in changed
    ):
        session.info[_DIRTY] = True


def _watch_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in WATCHED:
        state.session.info[_DIRTY] = True


def _bump_on_commit(session: Session) -> None:
    # Commit fires this before its own final flush: flush now, so that changes still pending
    # are seen. Last, just before COMMIT: the revision row is then the last lock a transaction
    # takes, so two writers can wait on each other's row locks but never in a cycle.
    session.flush()
    if session.info.pop(_DIRTY, False):
        _bump(session)


def _forget_changes(session: Session) -> None:
    session.info.pop(_DIRTY, None)


_LISTENERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("before_flush", _watch_flush),
    ("do_orm_execute", _watch_statements),
    ("before_commit", _bump_on_commit),
    ("after_rollback", _forget_changes),
)


def register_listeners() -> None:
    """Watch every session's writes so that cached figures follow the data (idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
