import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.models import User
from lms.core import localtime
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning.models import DistrictQuota, Enrolment, EnrolmentStatus
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_plan


def world():
    home, away = make_district("140403"), make_district("140404")
    institution = make_institution(home, name="潞州区测试托育点")
    plan = make_plan(quotas={home.id: 1, away.id: 5})
    cohort = make_cohort(plan, make_course(lessons=2, min_hours=0.1), capacity=10)
    return home, away, institution, cohort


def test_manager_nominates_and_district_admin_approves_within_quota(client):
    home, away, institution, cohort = world()
    first, second = make_staff(institution, name="候选甲"), make_staff(institution, name="候选乙")
    stranger = make_staff(make_institution(away), name="外区人员")
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    page = client.get(f"/training/cohorts/{cohort.id}/nominate").get_data(as_text=True)
    assert "候选甲" in page and "候选乙" in page and "外区人员" not in page
    response = client.post(
        f"/training/cohorts/{cohort.id}/nominate",
        data={"staff_ids": [first.id, second.id, stranger.id]},
    )
    # The stranger is not among those this manager may nominate: ignored, never nominated.
    assert response.status_code == 302
    assert db.session.scalar(select(Enrolment).where(Enrolment.staff_id == stranger.id)) is None
    assert (
        db.session.scalar(select(Enrolment.status).where(Enrolment.staff_id == first.id))
        == EnrolmentStatus.NOMINATED
    )

    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    pending = client.get("/training/nominations").get_data(as_text=True)
    assert "候选甲" in pending and "候选乙" in pending
    ids = list(db.session.scalars(select(Enrolment.id).order_by(Enrolment.id)))
    page = client.post(
        "/training/nominations", data={"enrolment_ids": ids, "approve": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert zh("%(n)d approved.", n=1) in page
    statuses = dict(db.session.execute(select(Enrolment.staff_id, Enrolment.status)).all())
    assert sorted(statuses.values()) == [EnrolmentStatus.ENROLLED, EnrolmentStatus.NOMINATED]
    assert (
        db.session.scalar(select(DistrictQuota.used).where(DistrictQuota.district_id == home.id))
        == 1
    )


def test_rejection_keeps_the_reason(client):
    _home, _away, institution, cohort = world()
    person = make_staff(institution)
    client.login_as(make_user(Role.CITY_ADMIN))
    client.post(f"/training/cohorts/{cohort.id}/nominate", data={"staff_ids": [person.id]})
    enrolment = db.session.scalar(select(Enrolment))
    client.post(
        "/training/nominations",
        data={"enrolment_ids": [enrolment.id], "reject": "1", "note": "本期名额已满"},
    )
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.NOMINATED  # asked first: nothing rejected yet
    client.post(
        "/training/nominations",
        data={
            "enrolment_ids": [enrolment.id],
            "reject": "1",
            "note": "本期名额已满",
            "confirmed": "1",
        },
    )
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.decision_note) == (EnrolmentStatus.REJECTED, "本期名额已满")


def test_trainee_studies_completes_and_becomes_eligible(client, app):
    _home, _away, institution, cohort = world()
    staff = make_staff(institution)
    admin = make_user(Role.CITY_ADMIN)
    client.login_as(admin)
    client.post(f"/training/cohorts/{cohort.id}/nominate", data={"staff_ids": [staff.id]})
    enrolment = db.session.scalar(select(Enrolment))
    client.post("/training/nominations", data={"enrolment_ids": [enrolment.id], "approve": "1"})
    sheet = client.post(f"/training/cohorts/{cohort.id}/accounts").get_data(as_text=True)
    assert staff.phone in sheet

    trainee = db.session.scalar(select(User).where(User.staff_id == staff.id))
    trainee.must_change_password = False
    client.login_as(trainee)
    assert "保育师5级课程" in client.get("/learn/").get_data(as_text=True)
    for lesson in cohort.course.active_lessons:
        url = f"/learn/{enrolment.id}/lessons/{lesson.id}"
        assert client.get(url).status_code == 200
        refused = client.post(url + "/complete", follow_redirects=True).get_data(as_text=True)
        message = (
            "Spend at least %(m)d minutes on this lesson before marking it done (so far %(s)d)"
        )
        assert zh(message, m=18, s=0) in refused
        read_for(client, enrolment, url, minutes=19)
        assert client.post(url + "/complete").status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    page = client.get(f"/learn/{enrolment.id}").get_data(as_text=True)
    assert 'data-testid="completed"' in page


def read_for(client, enrolment, url, minutes):
    """Simulate a trainee reading: each heartbeat arrives a minute after the previous one."""
    client.post(url + "/heartbeat")
    for _ in range(minutes):
        db.session.refresh(enrolment)
        enrolment.last_study_at = utcnow() - timedelta(seconds=60)
        assert 59 <= client.post(url + "/heartbeat").get_json()["credited"] <= 61


def test_progress_report_is_scoped_and_exports(client):
    home, _away, institution, cohort = world()
    other = make_institution(home, name="同区另一托育点")
    for person, _place in (
        (make_staff(institution, name="本机构学员"), institution),
        (make_staff(other, name="另一机构学员"), other),
    ):
        db.session.add(
            Enrolment(
                cohort_id=cohort.id,
                staff_id=person.id,
                status=EnrolmentStatus.ENROLLED,
                study_seconds=7200,
                last_study_at=utcnow(),
            )
        )
    db.session.flush()
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    page = client.get("/training/progress", query_string={"by": "institution"}).get_data(
        as_text=True
    )
    assert "潞州区测试托育点" in page and "同区另一托育点" not in page
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    page = client.get("/training/progress", query_string={"by": "institution"}).get_data(
        as_text=True
    )
    assert "潞州区测试托育点" in page and "同区另一托育点" in page
    workbook = load_workbook(
        io.BytesIO(
            client.get("/training/progress.xlsx", query_string={"by": "institution"}).get_data()
        )
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == zh("Institution")  # the column says what it lists
    assert {row[0] for row in rows[1:]} == {"潞州区测试托育点", "同区另一托育点"}
    assert all(row[5] == 2.0 for row in rows[1:])


def test_check_in_page_shows_a_code_and_qr_and_trainee_checks_in(client):
    _home, _away, institution, cohort = world()
    staff = make_staff(institution)
    db.session.add(
        Enrolment(cohort_id=cohort.id, staff_id=staff.id, status=EnrolmentStatus.ENROLLED)
    )
    cohort.enrolled += 1
    trainer = make_user(Role.EXAMINER)
    client.login_as(trainer)
    today = localtime.today().isoformat()
    response = client.post(
        f"/training/cohorts/{cohort.id}/sessions",
        data={"title": "实操：七步洗手法", "day": today, "starts": "00:00", "ends": "23:59"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'data-testid="check-in-code">(\d{6})<', page).group(1)
    assert "<svg" in page
    trainee = make_user(Role.TRAINEE, staff=staff)
    client.login_as(trainee)
    assert client.get(f"/learn/attend/{code}").status_code == 200
    client.post(f"/learn/attend/{code}")
    from lms.learning.models import Attendance

    assert db.session.scalar(select(Attendance.method)) == "qr"


def test_quota_form_refuses_forged_districts_and_saves_nothing(client):
    """Found by `make scan`: a hidden district id edited to text or to an unknown district was
    a server error."""
    home = make_district("140403")
    plan = make_plan(quotas={home.id: 3})
    client.login_as(make_user(Role.CITY_ADMIN))
    for forged in ("1'\"(", "999999"):
        response = client.post(
            f"/training/plans/{plan.id}/quotas",
            data={"entries-0-district_id": forged, "entries-0-quota": "7"},
        )
        assert response.status_code == 200, forged
    quotas = db.session.scalars(select(DistrictQuota).where(DistrictQuota.plan_id == plan.id))
    assert [(q.district_id, q.quota) for q in quotas] == [(home.id, 3)]
    assert zh("There is no such district") in response.get_data(as_text=True)
