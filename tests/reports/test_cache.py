"""Kept counts per institution: a commit that changes what the rate counts bumps the revision and
logs whose counts changed; the next dashboard counts again only those, and always shows what a
fresh count shows, however the change was made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.schema import Column, Table

from lms.certification.models import Certificate, CertificateStatus, ExternalStatus
from lms.core.access import Scope
from lms.core.localtime import today, utcnow
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Course
from lms.org.models import District, Institution, Staff
from lms.reports import cache, queries, rates
from lms.reports.models import FigureChange
from tests.factories import make_district, make_institution, make_staff
from tests.learning.factories import make_course
from tests.reports.factories import certify, record_external

CITY = Scope(Role.CITY_ADMIN)


def _logged(revision: int) -> set[tuple[str, int | None]]:
    return {
        (row.what, row.institution_id)
        for row in db.session.scalars(select(FigureChange).where(FigureChange.revision == revision))
    }


def test_a_counted_change_still_pending_at_commit_bumps_and_logs_its_institution(app):
    staff = make_staff()
    db.session.commit()
    before = cache.revision()
    staff.in_post_to = today()  # not flushed: the commit's own flush writes it
    db.session.commit()
    assert cache.revision() == before + 1
    assert _logged(before + 1) == {("institution", staff.institution_id)}


def test_a_bulk_update_of_a_counted_column_bumps_the_revision(app):
    staff = make_staff()
    db.session.commit()
    before = cache.revision()
    db.session.execute(update(Staff).where(Staff.id == staff.id).values(post="lead"))
    db.session.commit()
    assert cache.revision() == before + 1
    assert _logged(before + 1) == {("all", None)}  # a where clause: whose is unknown


def test_writes_the_rate_does_not_read_leave_the_revision_alone(app):
    staff = make_staff()
    certificate = certify(staff)
    course = make_course()
    db.session.commit()
    before = cache.revision()
    staff.phone = "13900000000"
    db.session.get(Course, course.id).title = "新课程名"
    db.session.commit()
    db.session.execute(update(Staff).where(Staff.id == staff.id).values(name="改名"))
    db.session.commit()
    from lms.certification.services import store_pdf

    store_pdf(certificate, b"%PDF-1.7 test")
    db.session.commit()
    assert cache.revision() == before


def test_the_columns_the_counts_read_are_the_ones_watched(app):
    """A column the counts start to read must be added to COUNTED, or kept counts go stale."""
    read: set[tuple[str, str]] = set()

    def collect(state: ORMExecuteState) -> None:
        for element in visitors.iterate(state.statement):
            if isinstance(element, Column) and isinstance(element.table, Table):
                read.add((element.table.name, element.name))

    make_staff()
    from sqlalchemy import event

    event.listen(Session, "do_orm_execute", collect)
    try:
        rates.places()
        rates.counts_per_institution([today()], only={1})
    finally:
        event.remove(Session, "do_orm_execute", collect)
    assert {table for table, _ in read} <= set(cache.COUNTED)
    for table, column in read:
        assert column in cache.COUNTED[table], (table, column)


@pytest.fixture
def world(app):
    north, south = make_district("140403"), make_district("140404")
    places = [make_institution(north), make_institution(north), make_institution(south)]
    people = [make_staff(places[n % 3], name=f"员工{n}") for n in range(9)]
    for person in people[:4]:
        certify(person, today() - timedelta(days=30))
    db.session.commit()
    return places, people


def _recounts(monkeypatch) -> list[set[int] | None]:
    """The institutions each recount asked for (None: all), while it still counts for real."""
    calls: list[set[int] | None] = []
    real = rates.counts_per_institution

    def spy(days: Any, only: Any = None) -> Any:
        calls.append(None if only is None else set(only))
        return real(days, only)

    monkeypatch.setattr(rates, "counts_per_institution", spy)
    return calls


def _assert_kept_counts_are_fresh() -> None:
    day = today()
    kept = queries.institution_counts(CITY, day)
    assert kept == rates.by_institution(day, CITY)
    assert queries.trend(CITY, day) == rates.trend(rates.month_ends(day, 12), CITY)
    for scope in (
        Scope(Role.DISTRICT_ADMIN, district_id=kept[0].district_id),
        Scope(Role.DISTRICT_ADMIN, district_id=kept[-1].district_id),
        Scope(Role.INSTITUTION_MANAGER, institution_id=kept[0].institution_id),
    ):
        assert queries.institution_counts(scope, day) == rates.by_institution(day, scope)
        assert queries.trend(scope, day) == rates.trend(rates.month_ends(day, 12), scope)


def test_a_certificate_issued_counts_again_only_its_holders_institution(world, monkeypatch):
    _places, people = world
    _assert_kept_counts_are_fresh()
    calls = _recounts(monkeypatch)
    passes = []
    for name in ("institution_rows", "totals_per_day"):
        real = getattr(rates, name)
        monkeypatch.setattr(
            rates, name, lambda *args, _real=real, _name=name: passes.append(_name) or _real(*args)
        )
    certify(people[5])
    db.session.commit()
    day = today()
    assert queries.overall(CITY, day) == rates.Count(9, 5)
    assert queries.trend(CITY, day)[-1][1] == rates.Count(9, 5)
    assert calls == [{people[5].institution_id}]
    # The city's rows and sums were patched with the one institution, not worked out again
    # from every institution's counts.
    assert passes == []
    _assert_kept_counts_are_fresh()


def _issue(places, people):
    certify(people[6])


def _revoke(places, people):
    held = db.session.scalars(select(Certificate).where(Certificate.staff_id == people[0].id))
    certificate = held.one()
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, utcnow()
    certificate.revoke_reason = "测试"


def _move_by_key(places, people):
    people[1].institution_id = places[2].id


def _move_by_relationship(places, people):
    people[2].institution = places[0]


def _leave(places, people):
    people[3].in_post_to = today() - timedelta(days=1)


def _become_lead(places, people):
    people[0].post = "lead"


def _confirm_external(places, people):
    external = record_external(people[7], today() - timedelta(days=400))
    external.status = ExternalStatus.CONFIRMED


def _bulk_insert_staff(places, people):
    template = {
        column: getattr(people[0], column)
        for column in ("gender", "id_number_encrypted", "id_number_masked", "post")
    }
    db.session.execute(
        insert(Staff),
        [
            {
                **template,
                "name": f"新人{n}",
                "id_number_hash": f"bulk{n}",
                "phone": f"1390000000{n}",
                "institution_id": places[n % 2].id,
                "in_post_from": today() - timedelta(days=9),
            }
            for n in range(3)
        ],
    )


def _bulk_update_by_key(places, people):
    db.session.execute(
        update(Staff), [{"id": people[4].id, "institution_id": places[0].id, "post": "caregiver"}]
    )


def _deactivate(places, people):
    places[1].is_active = False


def _reactivate(places, people):
    places[1].is_active = False
    db.session.commit()
    _assert_kept_counts_are_fresh()
    db.session.get(Institution, places[1].id).is_active = True


def _new_institution(places, people):
    make_staff(make_institution(places[0].district), name="新机构员工")


def _rename_district(places, people):
    db.session.get(District, places[2].district_id).name = "改名区"


def _delete_staff(places, people):
    lone = make_staff(places[2], name="临时")
    db.session.commit()
    _assert_kept_counts_are_fresh()
    db.session.delete(lone)


def _bulk_delete(places, people):
    db.session.execute(delete(Staff).where(Staff.name == "不存在"))


CHANGES: list[Callable[[list[Institution], list[Staff]], None]] = [
    _issue, _revoke, _move_by_key, _move_by_relationship, _leave, _become_lead,
    _confirm_external, _bulk_insert_staff, _bulk_update_by_key, _deactivate, _reactivate,
    _new_institution, _rename_district, _delete_staff, _bulk_delete,
]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__[1:] for change in CHANGES])
def test_kept_counts_follow_every_kind_of_change(world, change):
    places, people = world
    _assert_kept_counts_are_fresh()
    change(places, people)
    db.session.commit()
    _assert_kept_counts_are_fresh()


def test_a_pruned_log_counts_everything_again(world, monkeypatch):
    _places, people = world
    _assert_kept_counts_are_fresh()
    certify(people[8])
    db.session.commit()
    db.session.execute(delete(FigureChange))
    db.session.commit()  # (deleting the log is no counted change)
    calls = _recounts(monkeypatch)
    _assert_kept_counts_are_fresh()
    assert calls[0] is None
