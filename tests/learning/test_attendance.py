"""Attendance: check-in codes cannot be guessed, and class hours follow the actor's scope."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.core.errors import DomainError, NotAllowed
from lms.core.ratelimit import RateLimitCounter
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning import study
from lms.learning.models import Attendance
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment


def running_class(cohort):
    now = utcnow()
    return study.create_session(
        cohort, "现场实操课", now - timedelta(hours=1), now + timedelta(hours=2)
    )


def wrong_code(session):
    return "000000" if session.check_in_code != "000000" else "000001"


def check_in(client, code):
    return client.post("/learn/attend", data={"code": code}, follow_redirects=True)


def attended(enrolment):
    return db.session.scalar(select(Attendance).where(Attendance.enrolment_id == enrolment.id))


# Guessing check-in codes ---------------------------------------------------------------------


def test_a_trainee_cannot_try_more_than_the_allowed_number_of_codes(client, app):
    assert app.config["CHECK_IN_GUESS_LIMIT"] == "5 per 10 minutes"
    cohort = make_cohort(course=make_course(min_hours=3))
    enrolment = make_enrolment(cohort, make_staff())
    session = running_class(cohort)
    client.login_as(make_user(Role.TRAINEE, staff=enrolment.staff))

    no_such_class = zh("No class has this check-in code")
    for _ in range(5):
        assert no_such_class in check_in(client, wrong_code(session)).get_data(as_text=True)
    # The sixth try is refused before the code is looked at: even the right code, so that a
    # lucky guess after the limit earns nothing.
    page = check_in(client, session.check_in_code).get_data(as_text=True)
    assert "签到码错误次数过多" in page and "10" in page
    assert no_such_class not in page
    assert attended(enrolment) is None
    # The QR address is refused alike.
    client.post(f"/learn/attend/{session.check_in_code}")
    assert attended(enrolment) is None

    # The count is kept where every worker process sees it, not in this process's memory.
    counter = db.session.scalar(
        select(RateLimitCounter).where(
            RateLimitCounter.key.contains(f"/check-in/{enrolment.staff_id}/")
        )
    )
    assert counter is not None and counter.count >= 6

    # Once the window has passed, the right code checks in.
    db.session.execute(update(RateLimitCounter).values(expires_at=0))
    assert zh("Checked in to %(title)s.", title="现场实操课") in check_in(
        client, session.check_in_code
    ).get_data(as_text=True)
    assert attended(enrolment).method == "code"


def test_right_codes_do_not_count_and_each_trainee_has_their_own_allowance(app):
    cohort = make_cohort(course=make_course(min_hours=3))
    first, second = (make_enrolment(cohort, make_staff()) for _ in range(2))
    sessions = [running_class(cohort) for _ in range(7)]
    for session in sessions:  # seven right codes in a row: none of them is a failure
        study.check_in(session.check_in_code, first.staff_id, "code")
    for _ in range(5):
        with pytest.raises(DomainError) as wrong:
            study.check_in(wrong_code(sessions[0]), first.staff_id, "code")
        assert wrong.value.status == 400
    with pytest.raises(DomainError) as refused:
        study.check_in(sessions[0].check_in_code, first.staff_id, "code")
    assert refused.value.status == 429
    # Another trainee of the same class is not locked out by the first one's guesses.
    study.check_in(sessions[0].check_in_code, second.staff_id, "code")


def test_the_limit_is_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHECK_IN_GUESS_LIMIT", "2 per hour")
    cohort = make_cohort()
    enrolment = make_enrolment(cohort, make_staff())
    session = running_class(cohort)
    for _ in range(2):
        with pytest.raises(DomainError) as wrong:
            study.check_in(wrong_code(session), enrolment.staff_id, "code")
        assert wrong.value.status == 400
    with pytest.raises(DomainError) as refused:
        study.check_in(session.check_in_code, enrolment.staff_id, "code")
    assert refused.value.status == 429


def test_the_qr_page_does_not_tell_which_codes_exist(client):
    cohort = make_cohort()
    enrolment = make_enrolment(cohort, make_staff())
    session = running_class(cohort)
    client.login_as(make_user(Role.TRAINEE, staff=enrolment.staff))
    right = client.get(f"/learn/attend/{session.check_in_code}")
    wrong = client.get(f"/learn/attend/{wrong_code(session)}")
    assert right.status_code == wrong.status_code == 200
    assert session.title not in right.get_data(as_text=True)


# Class hours follow the actor's scope ----------------------------------------------------------


def city_wide_class():
    home, away = make_district("140403"), make_district("140404")
    cohort = make_cohort(course=make_course(min_hours=3))  # district_id None: city-wide
    assert cohort.district_id is None
    ours = make_enrolment(cohort, make_staff(make_institution(home), name="本区学员"))
    theirs = make_enrolment(cohort, make_staff(make_institution(away), name="外区学员"))
    admin = make_user(Role.DISTRICT_ADMIN, district=home)
    return running_class(cohort), ours, theirs, admin


def test_a_district_admin_credits_hours_only_to_their_own_districts_trainees(client):
    session, ours, theirs, admin = city_wide_class()
    client.login_as(admin)
    mark = "/training/sessions/{}/attendance/{}"
    refused = client.post(mark.format(session.id, theirs.id))
    assert refused.status_code == 404
    assert attended(theirs) is None
    assert study.attendance_seconds(theirs) == 0

    assert client.post(mark.format(session.id, ours.id)).status_code == 302
    assert attended(ours).method == "manual"
    assert study.attendance_seconds(ours) == 3 * 3600

    # The service holds the rule whoever calls it.
    with pytest.raises(NotAllowed):
        study.mark_present(session, theirs, admin.scope, admin.id)
    # The city administrator covers every district.
    city = make_user(Role.CITY_ADMIN)
    study.mark_present(session, theirs, city.scope, city.id)
    assert study.attendance_seconds(theirs) == 3 * 3600


def test_the_class_attendance_list_shows_only_trainees_in_scope(client):
    session, ours, theirs, admin = city_wide_class()
    study.check_in(session.check_in_code, theirs.staff_id, "code")
    client.login_as(admin)
    page = client.get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "本区学员" in page
    assert "外区学员" not in page
    assert "· 0/1" in page  # the other district's check-in is not counted either
    study.check_in(session.check_in_code, ours.staff_id, "code")
    page = client.get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "· 1/1" in page
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "本区学员" in page and "外区学员" in page and "· 2/2" in page


def test_concurrent_guesses_by_one_trainee_get_no_more_than_the_limit(app, committed):
    """Twenty guesses sent at once (say, from a script) still get five answers."""
    from concurrent.futures import ThreadPoolExecutor

    from lms.db import transaction

    with transaction():
        cohort = make_cohort()
        enrolment = make_enrolment(cohort, make_staff())
        session = running_class(cohort)
        staff_id, guess = enrolment.staff_id, wrong_code(session)

    def attempt(_: int) -> int:
        with app.app_context():
            try:
                with transaction():
                    study.check_in(guess, staff_id, "code")
            except DomainError as refused:
                return refused.status
            finally:
                db.session.remove()
        return 200

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses.count(400) == 5  # codes looked at and found wrong
    assert statuses.count(429) == 15  # refused before the code was looked at
