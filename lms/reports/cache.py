"""Licensed-to-work counts kept per institution, per process, and brought up to date by
counting again only the institutions a committed change touched.

Counting 100,000 staff takes seconds; a write changes the count of one institution or a few.
Every write through the session (unit of work, or ORM-enabled ``insert()``/``update()``/
``delete()``) to a column the counts read (``COUNTED``) is noted on the session, and its commit
bumps the ``rates`` revision and logs what that revision changed (``FigureChange``: one
institution's counts, the list of institutions, or everything) in the same transaction. A
process holding counts of an older revision reads the log since then and counts again only the
institutions it names, so a process behind a load balancer catches up with the others' writes
too. A transaction holding uncommitted changes of its own always counts afresh. Writes that
bypass the session (raw SQL on a connection) are not seen: there are none in this code base.
The session listeners are installed by ``register_listeners`` (lms.registries.register_all),
not by importing this."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from lms.db import db
from lms.org.models import Staff
from lms.reports import rates
from lms.reports.figures import FigureCache, Figures
from lms.reports.models import DataRevision, FigureChange

RATES = "rates"
#: The columns the counts read (lms/reports/rates.py: ``places``, ``counts_per_institution``),
#: per table; a write to other columns (a phone number, a stored PDF's digest) leaves them as
#: they are. tests/reports/test_cache.py holds this to the columns the queries read.
COUNTED: dict[str, frozenset[str]] = {
    "staff": frozenset({"id", "institution_id", "post", "in_post_from", "in_post_to"}),
    "certificates": frozenset({"id", "staff_id", "issued_on", "expires_on", "revoked_at"}),
    "external_certificates": frozenset(
        {"id", "staff_id", "kind", "status", "issued_on", "expires_on", "revoked_at"}
    ),
    "institutions": frozenset({"id", "name", "type", "district_id", "is_active"}),
    "districts": frozenset({"id", "name", "position"}),
}
#: Whose counts a row of each table changes: an institution's (staff), a member of staff's
#: (certificates), its own (institutions, districts).
OWNER_COLUMN = {
    "staff": "institution_id",
    "certificates": "staff_id",
    "external_certificates": "staff_id",
    "institutions": "id",
    "districts": "id",
}
#: Revisions of the log kept; a process further behind counts everything again.
KEEP_REVISIONS = 2000
#: Past this many institutions (or staff) in one change, counting everything is as cheap.
MAX_NAMED = 500
_CHANGES = "rates_changes"


@dataclass
class _Changes:
    """What the session's uncommitted writes changed."""

    institutions: set[int] = field(default_factory=set)
    staff: set[int] = field(default_factory=set)
    places: bool = False
    everything: bool = False


def _cache() -> FigureCache:
    store: FigureCache = current_app.extensions.setdefault("lms_figures", FigureCache())
    return store


def revision() -> int:
    return db.session.scalar(select(DataRevision.revision).where(DataRevision.name == RATES)) or 0


def institution_figures(days: tuple[date, ...]) -> Figures:
    """Every active institution's count on each of ``days``: kept ones brought up to the
    current revision, or counted afresh while this transaction holds changes of its own."""
    current = revision()  # autoflushes first, so this transaction's own writes are noted
    if _pending(db.session()):
        return Figures(-1, tuple(rates.places()), rates.counts_per_institution(days))
    key = ("institutions", days)
    known = _cache().get(key)
    if known is not None and known.revision >= current:
        return known
    changed = _changed_between(known.revision, current) if known is not None else None
    if known is None or changed is None:
        fresh = Figures(current, tuple(rates.places()), rates.counts_per_institution(days))
    else:
        places_changed, institutions = changed
        counts = dict(known.counts)
        if institutions:
            recounted = rates.counts_per_institution(days, only=institutions)
            for institution_id in institutions:
                if institution_id in recounted:
                    counts[institution_id] = recounted[institution_id]
                else:
                    counts.pop(institution_id, None)
        if places_changed:
            fresh = Figures(current, tuple(rates.places()), counts)
        else:
            fresh = known.recounted(current, counts, institutions)
    _cache().keep(key, fresh)
    return fresh


def _changed_between(since: int, current: int) -> tuple[bool, set[int]] | None:
    """(whether the list of institutions changed, the institutions whose counts changed)
    from revision ``since`` to ``current``; None when everything must be counted again."""
    if current - since > KEEP_REVISIONS:
        return None
    rows = db.session.execute(
        select(FigureChange.revision, FigureChange.what, FigureChange.institution_id).where(
            FigureChange.revision > since, FigureChange.revision <= current
        )
    ).all()
    if len({row.revision for row in rows}) != current - since:
        return None  # pruned, or written by a version without the log
    if any(row.what == "all" for row in rows):
        return None
    institutions = {row.institution_id for row in rows if row.institution_id is not None}
    if len(institutions) > MAX_NAMED:
        return None
    return any(row.what == "places" for row in rows), institutions


def clear() -> None:
    """Forget the counts kept by the current application."""
    _cache().entries.clear()


# Noting writes -------------------------------------------------------------------------------


def _changes(session: Session) -> _Changes:
    found: _Changes = session.info.setdefault(_CHANGES, _Changes())
    return found


def _pending(session: Session) -> bool:
    return _CHANGES in session.info


def _column_values(state: Any, column: str) -> set[int]:
    """The values ``column`` of a flushed instance had and has now (both, when it changed),
    also when it was set through a relationship."""
    values: set[int] = set()
    for prop in state.mapper.column_attrs:
        if any(c.name == column for c in prop.columns):
            history = state.attrs[prop.key].history
            values.update((*history.added, *history.unchanged, *history.deleted))
    for prop in state.mapper.relationships:
        if any(c.name == column for c in prop.local_columns):
            history = state.attrs[prop.key].history
            for related in (*history.added, *history.deleted):
                if related is not None:
                    values.update(inspect(related).mapper.primary_key_from_instance(related))
    return {value for value in values if value is not None}


def _changed_columns(state: Any) -> set[str]:
    names: set[str] = set()
    for prop in state.mapper.column_attrs:
        if state.attrs[prop.key].history.has_changes():
            names.update(c.name for c in prop.columns)
    for prop in state.mapper.relationships:
        if state.attrs[prop.key].history.has_changes():
            names.update(c.name for c in prop.local_columns)
    return names


def _note(changes: _Changes, table: str, owners: Iterable[int] | None) -> None:
    """Note a write to ``table`` for ``owners`` (institutions of staff rows, staff of
    certificates, the institutions or districts themselves); None: whose is unknown."""
    if owners is None:
        changes.everything = True
    elif table == "districts":
        changes.places = True
    elif table == "institutions":
        changes.places = True
        changes.institutions.update(owners)  # (de)activated: counted again, or dropped
    elif table == "staff":
        changes.institutions.update(owners)
    else:
        changes.staff.update(owners)


def _owner_changing(state: Any, owner: str) -> bool:
    """Whether a pending change moves the row to another owner (set by key or relationship)."""
    for prop in (*state.mapper.column_attrs, *state.mapper.relationships):
        columns = prop.local_columns if hasattr(prop, "local_columns") else prop.columns
        if any(c.name == owner for c in columns) and state.attrs[prop.key].history.added:
            return True
    return False


def _watch_moves(session: Session, _context: Any, _instances: Any) -> None:
    # Before the flush: a row moved to another owner counts for its old one too, and an
    # attribute set on an expired instance does not remember its old value; the database does.
    for instance in session.dirty:
        state = inspect(instance)
        table = state.mapper.local_table.name
        owner = OWNER_COLUMN.get(table)
        if owner is None or owner == "id" or not state.identity:
            continue
        if _owner_changing(state, owner):
            model = state.mapper.class_
            with session.no_autoflush:
                before = session.scalar(
                    select(state.mapper.local_table.c[owner]).where(model.id == state.identity[0])
                )
            if before is not None:
                _note(_changes(session), table, {before})


def _watch_flush(session: Session, _context: Any) -> None:
    # After the flush (keys and foreign keys assigned), while the instances' history and the
    # session's new/dirty/deleted lists still show what the flush wrote.
    for instance in (*session.new, *session.deleted, *session.dirty):
        state = inspect(instance)
        table = state.mapper.local_table.name
        counted = COUNTED.get(table)
        if counted is None:
            continue
        if instance in session.dirty and not counted & _changed_columns(state):
            continue
        _note(_changes(session), table, _column_values(state, OWNER_COLUMN[table]))


def _watch_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", "")
    counted = COUNTED.get(table)
    if counted is None:
        return
    rows = state.parameters if isinstance(state.parameters, list) else []
    if state.is_update:
        if rows:
            written = set().union(*rows) - {"id"}
        else:
            values = getattr(state.statement, "_values", None) or {}
            written = {getattr(column, "name", column) for column in values}
        if written and not written & counted:
            return  # e.g. a stored PDF's digest, a phone number
    _note(_changes(state.session), table, _statement_owners(state, table, rows))


def _statement_owners(
    state: ORMExecuteState, table: str, rows: list[dict[str, Any]]
) -> set[int] | None:
    """Whose counts a bulk statement changes (see ``_note``); None when it cannot tell."""
    if state.is_insert and table in ("institutions", "districts"):
        return set()  # new institutions have no staff yet: only the list changes
    if state.is_delete or not rows:
        return None
    owner = OWNER_COLUMN[table]
    if state.is_insert:
        if any(owner not in row for row in rows):
            return None
        return {row[owner] for row in rows}
    # A bulk update by primary key: whose the rows were before it, and are after it.
    model = state.bind_mapper.class_ if state.bind_mapper else None
    if model is None:
        return None
    owners = {row[owner] for row in rows if owner in row}
    owners.update(
        state.session.scalars(
            select(getattr(model, owner))
            .where(model.id.in_([row["id"] for row in rows]))
            .distinct()
        )
    )
    return owners


def _log_rows(session: Session, changes: _Changes) -> list[dict[str, Any]]:
    if changes.everything or len(changes.staff) > MAX_NAMED * 20:
        return [{"what": "all", "institution_id": None}]
    institutions = set(changes.institutions)
    if changes.staff:
        institutions.update(
            session.scalars(
                select(Staff.institution_id).where(Staff.id.in_(sorted(changes.staff))).distinct()
            )
        )
    if len(institutions) > MAX_NAMED:
        return [{"what": "all", "institution_id": None}]
    rows = [{"what": "institution", "institution_id": i} for i in sorted(institutions)]
    if changes.places or not rows:
        rows.append({"what": "places", "institution_id": None})
    return rows


def _bump(session: Session, rows: list[dict[str, Any]]) -> None:
    current = session.scalar(
        update(DataRevision)
        .where(DataRevision.name == RATES)
        .values(revision=DataRevision.revision + 1)
        .returning(DataRevision.revision)
        .execution_options(synchronize_session=False)
    )
    if current is None:
        session.execute(insert(DataRevision).values(name=RATES, revision=1))
        current = 1
    session.execute(insert(FigureChange), [{"revision": current, **row} for row in rows])
    session.execute(
        delete(FigureChange)
        .where(FigureChange.revision <= current - KEEP_REVISIONS)
        .execution_options(synchronize_session=False)
    )


def _bump_on_commit(session: Session) -> None:
    # Commit fires this before its own final flush: flush now, so that changes still pending
    # are seen. Last, just before COMMIT: the revision row is then the last lock a transaction
    # takes, so two writers can wait on each other's row locks but never in a cycle.
    session.flush()
    changes: _Changes | None = session.info.pop(_CHANGES, None)
    if changes is not None:
        _bump(session, _log_rows(session, changes))


def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGES, None)


_LISTENERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("before_flush", _watch_moves),
    ("after_flush", _watch_flush),
    ("do_orm_execute", _watch_statements),
    ("before_commit", _bump_on_commit),
    ("after_rollback", _forget_changes),
)


def register_listeners() -> None:
    """Watch every session's writes so that kept counts follow the data (idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
