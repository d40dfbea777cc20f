"""The demo shows every journey as seeded (issue 19 item 7): what each demo role sees on their
home after ``lms demo seed --with-results``, at a small size and a tiny one."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.localtime import format_local, utcnow
from lms.core.roles import Role
from lms.db import db
from lms.demo.journeys import RETAKE_TRAINEE_NAME, seed_journeys
from lms.demo.results import seed_results
from lms.demo.seed import DEMO_PASSWORD, DemoOptions, seed_demo
from lms.exams import sessions
from lms.exams.models import ExamSession, SessionStatus
from lms.exams.queries import next_sitting
from lms.grading import retakes
from lms.grading.results import part_passes


def _needs(html: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(
            r'data-need="([a-z_]+)">\s*<a href="[^"]+"><strong>(\d+)</strong>', html
        )
    }


def _stages(html: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(r'data-stage="([a-z_]+)"><strong>(\d+)</strong>', html)
    }


def _home(client, username: str) -> str:
    client.login_as(db.session.scalar(select(User).where(User.username == username)))
    page = client.get("/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _seed(trainees: int, institutions: int):
    options = DemoOptions(trainees=trainees, institutions=institutions)
    seed_demo(options)
    passed = seed_results(options.seed)
    return passed, seed_journeys(options.seed, DEMO_PASSWORD)


def test_a_small_demo_with_results_shows_every_journey_on_the_homes(client):
    # This size failed before: the open exam and the skill session took the same people, so
    # the results' theory sitting had nobody to seat.
    passed, journeys = _seed(60, 12)
    assert journeys.missing == []
    assert passed >= 2 and journeys.certified >= 1 and journeys.waiting >= 1

    city = _home(client, "admin")
    needs, stages = _needs(city), _stages(city)
    assert needs["certificates"] == journeys.waiting  # passed both parts, photo on file
    assert needs["nominations"] > 0
    assert min(stages["theory_passed"], stages["skills_passed"]) >= passed
    assert stages["certified"] >= journeys.certified

    # The sitting that is over can be closed now; its results then wait for publishing.
    over = db.session.scalars(
        select(ExamSession).where(
            ExamSession.status == SessionStatus.PUBLISHED, ExamSession.closes_at < utcnow()
        )
    ).all()
    assert len(over) == 1 and needs["sittings_to_close"] == 1 and needs["theory_results"] == 0
    sessions.close(over[0])
    needs = _needs(_home(client, "admin"))
    assert needs["sittings_to_close"] == 0 and needs["theory_results"] == 1

    examiner = _needs(_home(client, "examiner"))
    assert examiner["practical"] == journeys.sheets > 0

    # The retake: a candidate who failed the published theory, entered for a later sitting
    # that the retake rule allows, sees its time and place on their home.
    retaker = db.session.scalar(select(User).where(User.username == RETAKE_TRAINEE_NAME))
    assert part_passes(retaker.staff_id, 5)["theory"] == []
    sitting = next_sitting(retaker.staff_id, utcnow())
    assert sitting is not None and sitting.session.opens_at > utcnow()
    assert retakes.entry_refusal(retaker.staff_id, 5, "theory", sitting.session.opens_at) is None
    home = _home(client, RETAKE_TRAINEE_NAME)
    assert sitting.session.title in home
    assert format_local(sitting.session.opens_at, "short") in home
    assert sitting.room.name in home

    # The exam trainee can sit the open paper now; the demo trainee is studying.
    exam_trainee = db.session.scalar(select(User).where(User.username == "exam-trainee"))
    open_sitting = next_sitting(exam_trainee.staff_id, utcnow())
    assert open_sitting is not None and open_sitting.session.opens_at < utcnow()
    assert open_sitting.session.title in _home(client, "exam-trainee")
    learner = db.session.scalar(select(User).where(User.role == Role.TRAINEE).order_by(User.id))
    assert 'data-testid="hours"' in _home(client, learner.username)

    # Seeding again adds nothing (the CLI says so instead of claiming the demo is too small).
    again = seed_journeys(DemoOptions.seed, DEMO_PASSWORD)
    assert again.already and again.missing == [] and again.certified == 0


def test_a_tiny_demo_with_results_skips_the_journeys_it_has_no_people_for(client):
    # 5 caregivers in 2 institutions: nobody has finished the course, so there is no exam to
    # sit; --with-results publishes nothing, says which journeys it skipped, and fails nowhere.
    passed, journeys = _seed(5, 2)
    assert passed == 0 and not journeys.already
    assert {"retake", "exam to close", "certified"} <= set(journeys.missing)
    assert _needs(_home(client, "admin"))["certificates"] == 0
