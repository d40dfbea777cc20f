"""The revision that tells cached figures they are stale: bumped by a commit that changed counted
rows, however the change was made, and by nothing else."""

from __future__ import annotations

from sqlalchemy import update

from lms.db import db
from lms.learning.models import Course
from lms.org.models import Staff
from lms.reports import cache
from tests.factories import make_staff
from tests.learning.factories import make_course


def test_a_change_still_pending_at_commit_bumps_the_revision(app):
    staff = make_staff()
    db.session.commit()
    before = cache.revision()
    staff.name = "改名"  # not flushed: the commit's own flush writes it
    db.session.commit()
    assert cache.revision() == before + 1


def test_a_bulk_update_statement_bumps_the_revision(app):
    staff = make_staff()
    db.session.commit()
    before = cache.revision()
    db.session.execute(update(Staff).where(Staff.id == staff.id).values(phone="13900000000"))
    db.session.commit()
    assert cache.revision() == before + 1


def test_changes_to_uncounted_tables_leave_the_revision_alone(app):
    course = make_course()
    db.session.commit()
    before = cache.revision()
    db.session.get(Course, course.id).title = "新课程名"
    db.session.commit()
    assert cache.revision() == before


def test_a_cached_figure_is_reused_until_the_revision_moves(app):
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.cached("probe", compute) == 1
    assert cache.cached("probe", compute) == 1
    make_staff()
    db.session.commit()
    assert cache.cached("probe", compute) == 2
