"""Each role's home shows its work waiting now, counted within the user's scope, each figure
linking to where the work is done (issue 19 item 1)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.certification.models import ExternalStatus
from lms.core.localtime import format_local
from lms.core.roles import Role
from lms.db import db
from lms.exams import attempts, sessions
from lms.exams.models import Attempt, Candidate
from lms.learning.models import DistrictQuota, EnrolmentStatus
from lms.reports.home import short_of
from lms.reports.rates import Count
from tests.certification.factories import make_passed_candidate
from tests.exams.factories import make_blueprint, make_question, make_session, stock_bank
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.grading.factories import mark_all
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan
from tests.reports.factories import certify, record_external


def _needs(html: str) -> dict[str, tuple[int, str]]:
    """data-need key -> (count shown, link)."""
    found = {}
    for key, href, count in re.findall(
        r'data-need="([a-z_]+)">\s*<a href="([^"]+)"><strong>(\d+)</strong>', html
    ):
        found[key] = (int(count), href)
    return found


def _stages(html: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(r'data-stage="([a-z_]+)"><strong>(\d+)</strong>', html)
    }


def _home(client, user) -> str:
    client.login_as(user)
    page = client.get("/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_city_admin_sees_the_rate_against_the_target_the_pipeline_and_the_queues(client):
    place = make_institution(make_district("140403"))
    certify(make_staff(place, name="持证甲"))
    for name in ("未证乙", "未证丙"):
        make_staff(place, name=name)
    make_passed_candidate()  # passed both parts, photo on file: a certificate to issue
    waiting = make_passed_candidate(photo=False)  # passed both, no photo yet
    record_external(make_staff(place), status=ExternalStatus.PENDING)
    for staff in (make_staff(place), make_staff(place)):
        make_enrolment(make_cohort(), staff, status=EnrolmentStatus.NOMINATED)
    closed = make_session(candidates=1)
    sessions.close(closed, now=closed.closes_at + timedelta(seconds=1))
    make_session(candidates=1)  # still open: nothing to publish

    html = _home(client, make_user(Role.CITY_ADMIN))

    needs = _needs(html)
    assert needs["theory_results"] == (1, "/exams/sessions/")
    assert needs["sittings_to_close"] == (0, "/exams/sessions/")  # the open one is not over
    assert needs["certificates"][0] == 1 and needs["photos"][0] == 1
    assert needs["certificates"][1] == "/certificates"
    assert needs["external"] == (1, "/external-certificates")
    assert needs["nominations"][0] == 2
    assert needs["skill_results"][0] == 0  # both skill sessions' results are published
    assert 'data-testid="home-rate"' in html and "90%" in html
    stages = _stages(html)
    # Trained: the two who passed and the two theory candidates (each finished a course).
    assert stages == {"trained": 4, "theory_passed": 2, "skills_passed": 2, "certified": 1}
    assert waiting.staff.name not in html  # counts, not names, on the home


def test_a_district_admin_counts_only_their_district_and_sees_the_places_left(client):
    home, away = make_district("140403"), make_district("140404")
    ours, theirs = make_institution(home), make_institution(away)
    plan = make_plan(quotas={home.id: 10, away.id: 5})
    quota = db.session.scalar(
        select(DistrictQuota).where(
            DistrictQuota.plan_id == plan.id, DistrictQuota.district_id == home.id
        )
    )
    quota.used = 7
    cohort = make_cohort(plan)
    for _ in range(3):
        make_enrolment(cohort, make_staff(ours), status=EnrolmentStatus.NOMINATED)
    make_enrolment(cohort, make_staff(theirs), status=EnrolmentStatus.NOMINATED)
    record_external(make_staff(theirs), status=ExternalStatus.PENDING)
    certify(make_staff(ours))
    db.session.flush()

    html = _home(client, make_user(Role.DISTRICT_ADMIN, district=home))

    needs = _needs(html)
    assert needs["nominations"] == (3, "/training/nominations")
    assert needs["external"][0] == 0
    # 3 nominated + 1 certified in post: 1 of 4.
    assert needs["uncertified"][0] == 3
    assert re.search(r'data-testid="quota-left">3<', html)
    assert "25.0%" in html
    assert "pipeline" not in html and "skill_results" not in html  # the city's queues


def test_a_manager_sees_their_institutions_uncertified_staff_and_nominations(client):
    district = make_district("140403")
    ours, other = make_institution(district), make_institution(district)
    certify(make_staff(ours))
    nominated = make_staff(ours)
    make_enrolment(make_cohort(), nominated, status=EnrolmentStatus.NOMINATED)
    make_staff(ours)
    make_staff(other)
    make_enrolment(make_cohort(), make_staff(other), status=EnrolmentStatus.NOMINATED)

    html = _home(client, make_user(Role.INSTITUTION_MANAGER, institution=ours))

    needs = _needs(html)
    assert needs["uncertified"] == (2, f"/dashboard/institutions/{ours.id}#uncertified-head")
    assert needs["nominations"][0] == 1
    assert "33.3%" in html


def test_the_examiner_sees_the_sheets_and_scripts_waiting_for_them(client):
    candidate = make_passed_candidate()  # a published session: nothing left to mark
    from tests.grading.factories import make_skill_session

    running = make_skill_session(candidates=1)
    task = running.candidates[0].tasks[0]
    examiner, colleague = task.panel.examiners[0], task.panel.examiners[1]
    waiting = len(running.candidates[0].tasks)
    html = _home(client, examiner)
    assert _needs(html)["practical"] == (waiting, "/skills/marking")
    assert running.title in html and 'data-testid="my-sessions"' in html

    mark_all(task)  # every member hands in this task's sheet
    html = _home(client, examiner)
    assert _needs(html)["practical"][0] == waiting - 1
    assert _needs(_home(client, colleague))["practical"][0] == waiting - 1
    assert candidate.staff.name not in html

    # A short answer handed in waits for a mark.
    stock_bank(per_type=3)
    short = make_question("short")
    exam = make_session(make_blueprint(cells=[("single", 2, 20), ("short", 1, 60)]), candidates=1)
    attempt = db.session.scalar(
        select(Attempt).join(Candidate).where(Candidate.session_id == exam.id)
    )
    attempts.start(attempt.candidate)
    position = next(i.position for i in attempt.items if i.question_id == short.id)
    attempts.save_answer(attempt, position, "回答", seq=1)
    attempts.submit(attempt)
    assert _needs(_home(client, examiner))["scripts"] == (1, "/exams/marking")


def test_the_trainee_sees_the_next_lesson_hours_next_exam_results_and_certificates(client):
    staff = make_staff()
    done = make_course(level=5)  # finished: admitted to the level-5 exam
    make_enrolment(make_cohort(course=done), staff, status=EnrolmentStatus.COMPLETED)
    course = make_course(level=4, lessons=3, min_hours=2)
    stock_bank(per_type=8)
    enrolment = make_enrolment(make_cohort(course=course), staff)
    exam = make_session(candidates=0, publish=False, opens_in=timedelta(days=2))
    sessions.add_candidates(exam, [staff])
    sessions.publish(exam, make_user(Role.CITY_ADMIN))
    certificate = certify(staff)
    trainee = make_user(Role.TRAINEE, staff=staff)

    html = _home(client, trainee)

    lesson = course.active_lessons[0]
    assert f"/learn/{enrolment.id}/lessons/{lesson.id}" in html and lesson.title in html
    assert "0.0" in html.split('data-testid="hours"')[1].split("</p>")[0]
    next_exam = html.split('data-testid="next-exam"')[1].split("</section>")[0]
    assert exam.title in next_exam and format_local(exam.opens_at, "short") in next_exam
    assert "第一考场" in next_exam
    assert certificate.number in html
    assert 'href="/exams/my/"' in html


def test_short_of_the_target_counts_whole_people():
    assert short_of(Count(30, 20), 0.9) == 7  # 27 needed, not 28 from 27.000000000000004
    assert short_of(Count(10, 9), 0.9) == 0
    assert short_of(Count(0, 0), 0.9) == 0
    assert short_of(Count(7, 1), 0.9) == 6  # 6.3 -> 7 needed


def test_the_pipelines_last_step_says_it_counts_this_programmes_certificates(client):
    # One caregiver certified here, one holding a confirmed certificate from elsewhere: the
    # rate counts both, the way to a certificate only ours, and each says what it counts.
    place = make_institution(make_district("140403"))
    certify(make_staff(place))
    record_external(make_staff(place))
    make_staff(place)

    html = _home(client, make_user(Role.CITY_ADMIN))

    assert _stages(html)["certified"] == 1
    assert "在岗保育人员 3 人中，2 人持有效证书。" in html
    assert re.search(r'data-stage="certified"><strong>1</strong><span>本项目发证</span>', html)
    assert "持证上岗率还计入已确认的外来证书" in html
    # Chinese sentences follow each other without a space.
    assert "2 人持有效证书。还需 1 人" in html and "今日有效的证书。最后一步" in html
