"""Every route × every role: who may reach it, who gets 403, who is sent to sign in.

Adding a route without adding it here fails ``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams.models import Attempt, Candidate, Response
from lms.learning import study
from lms.learning.media_access import author_roles
from lms.learning.models import EnrolmentStatus
from lms.org.models import Staff
from lms.org.roster_uploads import store_upload
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan

ANON = "anonymous"
T, E, M, D, C, X = (
    Role.TRAINEE,
    Role.EXAMINER,
    Role.INSTITUTION_MANAGER,
    Role.DISTRICT_ADMIN,
    Role.CITY_ADMIN,
    Role.COURSE_EXPERT,
)
SIGNED_IN = frozenset(Role)
ADMINS = frozenset({M, D, C})
TRAINERS = frozenset({E, D, C})
TRAINEE = frozenset({T})
BANK = frozenset({C, E})
EXAM_ADMINS = frozenset({D, C})
CITY = frozenset({C})
AUTHORS = frozenset({X, C})
EXAMINER = frozenset({E})
PUBLIC = frozenset({ANON, *Role})
#: Lesson media: trainees of the course, and those who write lessons.
LESSON_MEDIA = frozenset({T, *author_roles()})
#: Reached with an API token only (tests/api): signed-in sessions get 401 like anyone else.
BEARER: frozenset[Any] = frozenset({"bearer token"})
ACTORS = [ANON, *Role]


@dataclass
class World:
    users: dict[Any, Any]
    ids: dict[str, int] = field(default_factory=dict)


def build_world(exams: bool = False, skills: bool = False, certificates: bool = False) -> World:
    home, away = make_district("140403"), make_district("140404")
    institution = make_institution(home)
    make_institution(away)
    trainee_staff = make_staff(institution, name="学员甲")
    plain_staff = make_staff(institution, name="员工乙")
    users = {
        T: make_user(T, staff=trainee_staff),
        E: make_user(E),
        M: make_user(M, institution=institution),
        D: make_user(D, district=home),
        C: make_user(C),
        X: make_user(X),
    }
    plan = make_plan(quotas={home.id: 10})
    course = make_course()
    cohort = make_cohort(plan, course, district_id=home.id)
    enrolment = make_enrolment(cohort, trainee_staff)
    now = utcnow()
    session = study.create_session(cohort, "实操课", now, now + timedelta(hours=2))
    exam_ids = build_exams(home, trainee_staff, users) if exams else {}
    skill_ids = build_skills(users) if skills else {}
    certificate_ids = build_certificates(users) if certificates else {}
    ids = {
        **exam_ids,
        **skill_ids,
        **certificate_ids,
        "institution_id": institution.id,
        "staff_id": plain_staff.id,
        "user_id": users[T].id,
        "fmt": "csv",
        "plan_id": plan.id,
        "cohort_id": cohort.id,
        "enrolment_id": enrolment.id,
        "lesson_id": course.active_lessons[0].id,
        "session_id": session.id,
        "code": session.check_in_code,
    }
    return World(users=users, ids=ids)


def build_exams(home: Any, trainee_staff: Any, users: dict[Any, Any]) -> dict[str, int]:
    """A published session where the trainee is a candidate and another candidate's short
    answer waits for marking, and a draft session of the home district to administer."""
    from lms.exams import attempts, sessions
    from tests.exams.factories import (
        make_blueprint,
        make_question,
        make_session,
        stock_bank,
    )
    from tests.learning.factories import make_cohort as cohort
    from tests.learning.factories import make_course as course
    from tests.learning.factories import make_enrolment as enrol

    stock_bank(per_type=3)
    short = make_question("short")
    blueprint = make_blueprint(cells=[("single", 2, 20), ("short", 1, 60)])
    enrol(cohort(course=course(level=5)), trainee_staff, status=EnrolmentStatus.COMPLETED)
    published = make_session(blueprint, candidates=1, publish=False)
    sessions.add_candidates(published, [trainee_staff])
    sessions.publish(published, users[C])
    other_attempt, my_attempt = sorted(
        (a for a in db.session.scalars(select(Attempt))), key=lambda a: a.id
    )
    if my_attempt.candidate.staff_id != trainee_staff.id:
        other_attempt, my_attempt = my_attempt, other_attempt
    attempts.start(other_attempt.candidate)
    position = next(i.position for i in other_attempt.items if i.question_id == short.id)
    attempts.save_answer(other_attempt, position, "回答", seq=1)
    attempts.submit(other_attempt)
    response = db.session.scalar(select(Response).where(Response.score.is_(None)))
    draft = make_session(blueprint, candidates=1, publish=False, district_id=home.id)
    room = draft.rooms[0]
    return {
        "question_id": short.id,
        "exam_session_id": draft.id,
        "room_id": room.id,
        "invigilation_id": room.invigilators[0].id,
        "candidate_id": db.session.scalar(
            select(Candidate.id).where(Candidate.session_id == draft.id)
        ),
        "my_candidate_id": my_attempt.candidate_id,
        "attempt_id": my_attempt.id,
        "response_id": response.id,
    }


def build_skills(users: dict[Any, Any]) -> dict[str, int]:
    """A published skill session whose panel the examiner chairs."""
    from lms.grading import sessions
    from tests.exams.factories import eligible_trainee
    from tests.grading.factories import load_practical_tasks, make_examiner

    load_practical_tasks()
    session = sessions.create_session(
        sessions.SessionData(title="技能考核", level=5, starts_at=utcnow()), users[C]
    )
    sessions.add_panel(session, "第1考站", users[E], [users[E], make_examiner(), make_examiner()])
    sessions.add_candidates(session, [eligible_trainee(5)])
    sessions.assign(session)
    sessions.publish(session, users[C])
    candidate = session.candidates[0]
    return {
        "skill_session_id": session.id,
        "skill_candidate_id": candidate.id,
        "task_id": candidate.tasks[0].id,
    }


def build_certificates(users: dict[Any, Any]) -> dict[str, Any]:
    """A certificate held by the trainee (who passed level 5)."""
    from lms.certification import services
    from tests.certification.factories import make_passed_candidate

    candidate = make_passed_candidate()
    users[T] = make_user(T, staff=candidate.staff)
    return {"number": services.issue(candidate).number}


def job(world: World, user: Any) -> dict[str, Any]:
    """A finished bulk-issue job."""
    from lms.jobs.models import Job, JobStatus

    finished = Job(kind="certificates.issue")
    db.session.add(finished)
    db.session.flush()
    finished.status, finished.active = JobStatus.FINISHED, None
    db.session.flush()
    return {"job_id": finished.id}


def skill(world: World, user: Any) -> dict[str, Any]:
    return {"session_id": world.ids["skill_session_id"]}


def skill_candidate(world: World, user: Any) -> dict[str, Any]:
    return {"candidate_id": world.ids["skill_candidate_id"]}


def external(world: World, user: Any) -> dict[str, Any]:
    """A pending certificate from elsewhere of a staff member of the home institution."""
    from lms.certification.models import ExternalStatus
    from tests.reports.factories import record_external

    staff = db.session.get(Staff, world.ids["staff_id"])
    return {"certificate_id": record_external(staff, status=ExternalStatus.PENDING).id}


def confirmed_external(world: World, user: Any) -> dict[str, Any]:
    from tests.reports.factories import record_external

    return {"certificate_id": record_external(db.session.get(Staff, world.ids["staff_id"])).id}


def token(world: World, user: Any) -> dict[str, Any]:
    """An API token of the home district, created by the acting administrator: a token is its
    creator's (and those who may act on the creator's account) to see and revoke."""
    from lms.api.services import create_token

    district_id = db.session.get(Staff, world.ids["staff_id"]).institution.district_id
    creator = user if user is not None and user.role in (C, D) else world.users[C]
    _, created = create_token(creator, "平台", district_id, 30)
    return {"token_id": created.id}


def exam(world: World, user: Any) -> dict[str, Any]:
    return {"session_id": world.ids["exam_session_id"]}


def mine(world: World, user: Any) -> dict[str, Any]:
    return {"candidate_id": world.ids["my_candidate_id"]}


def paper_media(world: World, user: Any) -> dict[str, Any]:
    """A picture on the trainee's started paper (the bank's readers see every question's)."""
    from lms.exams import attempts
    from lms.exams.models import QuestionMedia

    attempt = db.session.get(Attempt, world.ids["attempt_id"])
    if attempt.started_at is None:
        attempts.start(attempt.candidate)
    picture = QuestionMedia(sha256="0" * 64, content_type="image/png", size=1, data=b"\x89")
    db.session.add(picture)
    db.session.flush()
    attempt.items[0].version.media = {"stem": [{"id": picture.id, "type": "image/png"}]}
    db.session.flush()
    return {"media_id": picture.id}


def lesson_picture(world: World, user: Any) -> dict[str, Any]:
    """A picture shown by a lesson of the trainee's course (lms/learning/media_access.py)."""
    from lms.content import media
    from lms.learning.models import LessonMedia

    picture = media.keep(b"\x89PNG\r\n\x1a\n", "image/png", "image", "media/x.png")
    db.session.add(LessonMedia(lesson_id=world.ids["lesson_id"], media_id=picture.id, path="x"))
    db.session.flush()
    return {"media_id": picture.id}


def own_upload(world: World, user: Any) -> dict[str, Any]:
    if user is None:
        return {"upload_id": 1}
    upload = store_upload(user, "a.csv", "姓名\n".encode())
    return {"upload_id": upload.id}


def self_check_question(world: World, user: Any) -> dict[str, Any]:
    """A self-check question at the end of the trainee's lesson."""
    from lms.learning.practice_models import PracticeQuestion

    question = PracticeQuestion(
        key=f"self-check-{world.ids['lesson_id']}",
        lesson_id=world.ids["lesson_id"],
        position=1,
        type="truefalse",
        difficulty="easy",
        stem="进餐时应当观察婴幼儿的吞咽情况。",
        answer_key=True,
        explanation="观察吞咽才能及时发现呛噎。",
    )
    db.session.add(question)
    db.session.flush()
    return {"question_id": question.id}


def lesson_draft(world: World, user: Any) -> dict[str, Any]:
    """A draft of the world's lesson, started by another expert."""
    from lms.authoring import services
    from lms.learning.models import Lesson

    lesson = db.session.get(Lesson, world.ids["lesson_id"])
    return {"version_id": services.start_draft(lesson, make_user(X)).id}


def lesson_item(world: World, user: Any) -> dict[str, Any]:
    """The world's lesson among the authored content."""
    return {"plural": "lessons", "item_id": world.ids["lesson_id"]}


def lesson_course(world: World, user: Any) -> dict[str, Any]:
    """The course of the world's lesson (a new lesson is started in it)."""
    from lms.learning.models import Lesson

    return {"course_id": db.session.get(Lesson, world.ids["lesson_id"]).course_id}


def new_question(world: World, user: Any) -> dict[str, Any]:
    return {"plural": "questions"}


# (method, rule, roles allowed, extra URL values computed for the acting user)
MATRIX: list[tuple[str, str, frozenset[Any], Callable[[World, Any], dict[str, Any]] | None]] = [
    ("GET", "/healthz", PUBLIC, None),
    ("GET", "/login", PUBLIC, None),
    ("POST", "/login", PUBLIC, None),
    ("POST", "/logout", SIGNED_IN, None),
    ("POST", "/language", PUBLIC, None),
    ("GET", "/", SIGNED_IN, None),
    ("GET", "/me", frozenset({T}), None),
    ("GET", "/account/password", SIGNED_IN, None),
    ("POST", "/account/password", SIGNED_IN, None),
    ("GET", "/audit", frozenset({C}), None),
    ("GET", "/districts", frozenset({D, C}), None),
    ("GET", "/institutions", ADMINS, None),
    ("GET", "/institutions/new", frozenset({D, C}), None),
    ("POST", "/institutions/new", frozenset({D, C}), None),
    ("GET", "/institutions/<int:institution_id>", ADMINS, None),
    ("GET", "/institutions/<int:institution_id>/edit", ADMINS, None),
    ("POST", "/institutions/<int:institution_id>/edit", ADMINS, None),
    ("GET", "/staff", ADMINS, None),
    ("GET", "/staff/export.<fmt>", ADMINS, None),
    ("GET", "/staff/new", ADMINS, None),
    ("POST", "/staff/new", ADMINS, None),
    ("GET", "/staff/<int:staff_id>", ADMINS, None),
    ("GET", "/staff/<int:staff_id>/edit", ADMINS, None),
    ("POST", "/staff/<int:staff_id>/edit", ADMINS, None),
    ("POST", "/staff/<int:staff_id>/id-number", frozenset({C}), None),
    ("POST", "/staff/<int:staff_id>/account", ADMINS, None),
    ("GET", "/roster/import", ADMINS, None),
    ("POST", "/roster/import", ADMINS, None),
    ("GET", "/roster/import/<int:upload_id>", ADMINS, own_upload),
    ("POST", "/roster/import/<int:upload_id>", ADMINS, own_upload),
    ("POST", "/roster/import/<int:upload_id>/discard", ADMINS, own_upload),
    ("GET", "/roster/template.<fmt>", ADMINS, None),
    ("GET", "/users", ADMINS, None),
    ("GET", "/users/new", frozenset({D, C}), None),
    ("POST", "/users/new", frozenset({D, C}), None),
    ("GET", "/users/<int:user_id>", ADMINS, None),
    ("POST", "/users/<int:user_id>", EXAM_ADMINS, None),
    ("POST", "/users/<int:user_id>/password-reset", ADMINS, None),
    ("POST", "/users/<int:user_id>/unlock", ADMINS, None),
    ("POST", "/users/<int:user_id>/active", ADMINS, None),
    ("GET", "/learn/", TRAINEE, None),
    ("GET", "/learn/<int:enrolment_id>", TRAINEE, None),
    ("GET", "/learn/<int:enrolment_id>/lessons/<int:lesson_id>", TRAINEE, None),
    ("POST", "/learn/<int:enrolment_id>/lessons/<int:lesson_id>/heartbeat", TRAINEE, None),
    ("POST", "/learn/<int:enrolment_id>/lessons/<int:lesson_id>/complete", TRAINEE, None),
    ("POST", "/learn/<int:enrolment_id>/lessons/<int:lesson_id>/watch", TRAINEE, None),
    ("GET", "/media/<int:media_id>", LESSON_MEDIA, lesson_picture),
    (
        "POST",
        "/learn/<int:enrolment_id>/lessons/<int:lesson_id>/self-check/<int:question_id>",
        TRAINEE,
        self_check_question,
    ),
    ("GET", "/learn/attend", TRAINEE, None),
    ("POST", "/learn/attend", TRAINEE, None),
    ("GET", "/learn/attend/<code>", TRAINEE, None),
    ("POST", "/learn/attend/<code>", TRAINEE, None),
    ("GET", "/author/", AUTHORS, None),
    ("POST", "/author/preview", AUTHORS, None),
    ("GET", "/author/questions", AUTHORS, None),
    ("GET", "/author/tasks", AUTHORS, None),
    ("POST", "/author/<plural>/new", AUTHORS, new_question),
    ("POST", "/author/courses/<int:course_id>/lessons/new", AUTHORS, lesson_course),
    ("GET", "/author/<plural>/<int:item_id>", AUTHORS, lesson_item),
    ("POST", "/author/<plural>/<int:item_id>/draft", AUTHORS, lesson_item),
    ("GET", "/author/versions/<int:version_id>", AUTHORS, lesson_draft),
    ("GET", "/author/versions/<int:version_id>/edit", AUTHORS, lesson_draft),
    ("POST", "/author/versions/<int:version_id>/edit", AUTHORS, lesson_draft),
    *[
        ("POST", f"/author/versions/<int:version_id>/{action}", AUTHORS, lesson_draft)
        for action in ("submit", "publish", "return", "discard", "rollback", "pictures", "video")
    ],
    ("GET", "/training/", ADMINS | {E}, None),
    ("GET", "/training/plans/new", frozenset({C}), None),
    ("POST", "/training/plans/new", frozenset({C}), None),
    ("GET", "/training/plans/<int:plan_id>/quotas", frozenset({C}), None),
    ("POST", "/training/plans/<int:plan_id>/quotas", frozenset({C}), None),
    ("GET", "/training/cohorts/new", frozenset({D, C}), None),
    ("POST", "/training/cohorts/new", frozenset({D, C}), None),
    ("GET", "/training/cohorts/<int:cohort_id>", ADMINS | {E}, None),
    ("GET", "/training/cohorts/<int:cohort_id>/edit", frozenset({D, C}), None),
    ("POST", "/training/cohorts/<int:cohort_id>/edit", frozenset({D, C}), None),
    ("GET", "/training/cohorts/<int:cohort_id>/nominate", ADMINS, None),
    ("POST", "/training/cohorts/<int:cohort_id>/nominate", ADMINS, None),
    ("POST", "/training/cohorts/<int:cohort_id>/accounts", ADMINS, None),
    ("POST", "/training/cohorts/<int:cohort_id>/sessions", TRAINERS, None),
    ("GET", "/training/nominations", frozenset({D, C}), None),
    ("POST", "/training/nominations", frozenset({D, C}), None),
    ("POST", "/training/enrolments/<int:enrolment_id>/withdraw", ADMINS, None),
    ("GET", "/training/sessions/<int:session_id>", TRAINERS, None),
    ("POST", "/training/sessions/<int:session_id>/attendance/<int:enrolment_id>", TRAINERS, None),
    ("GET", "/training/progress", ADMINS, None),
    ("GET", "/training/progress.<fmt>", ADMINS, None),
    ("GET", "/exams/bank", BANK, None),
    ("GET", "/exams/bank/new", BANK, None),
    ("POST", "/exams/bank/new", BANK, None),
    ("GET", "/exams/bank/<int:question_id>", BANK, None),
    ("GET", "/exams/media/<int:media_id>", frozenset({C, E, T}), paper_media),
    ("POST", "/exams/bank/<int:question_id>/retire", frozenset({C}), None),
    ("GET", "/exams/bank/import", BANK, None),
    ("POST", "/exams/bank/import", BANK, None),
    ("GET", "/exams/blueprints", BANK | {D}, None),
    ("GET", "/exams/marking", frozenset({E}), None),
    ("GET", "/exams/marking/<int:response_id>", frozenset({E}), None),
    ("POST", "/exams/marking/<int:response_id>", frozenset({E}), None),
    ("GET", "/exams/sessions/", EXAM_ADMINS, None),
    ("GET", "/exams/sessions/new", EXAM_ADMINS, None),
    ("POST", "/exams/sessions/new", EXAM_ADMINS, None),
    ("GET", "/exams/sessions/<int:session_id>", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/edit", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/edit", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/rooms", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/rooms/<int:room_id>/delete", EXAM_ADMINS, exam),
    (
        "POST",
        "/exams/sessions/<int:session_id>/rooms/<int:room_id>/invigilators",
        EXAM_ADMINS,
        exam,
    ),
    (
        "POST",
        "/exams/sessions/<int:session_id>/invigilations/<int:invigilation_id>/delete",
        EXAM_ADMINS,
        exam,
    ),
    ("GET", "/exams/sessions/<int:session_id>/candidates", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/candidates", EXAM_ADMINS, exam),
    (
        "POST",
        "/exams/sessions/<int:session_id>/candidates/<int:candidate_id>/delete",
        EXAM_ADMINS,
        exam,
    ),
    ("POST", "/exams/sessions/<int:session_id>/publish", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/close", EXAM_ADMINS, exam),
    ("POST", "/exams/sessions/<int:session_id>/results/publish", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/slips", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/results", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/results.<fmt>", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/analysis", EXAM_ADMINS, exam),
    ("GET", "/exams/sessions/<int:session_id>/regrade", frozenset({C}), exam),
    ("POST", "/exams/sessions/<int:session_id>/regrade", frozenset({C}), exam),
    ("GET", "/exams/my/", TRAINEE, None),
    ("GET", "/exams/my/<int:candidate_id>", TRAINEE, mine),
    ("GET", "/exams/my/<int:candidate_id>/slip", TRAINEE, mine),
    ("POST", "/exams/my/<int:candidate_id>/start", TRAINEE, mine),
    ("GET", "/exams/my/<int:candidate_id>/result", TRAINEE, mine),
    ("GET", "/exams/my/attempts/<int:attempt_id>", TRAINEE, None),
    ("POST", "/exams/my/attempts/<int:attempt_id>/answer", TRAINEE, None),
    ("POST", "/exams/my/attempts/<int:attempt_id>/position", TRAINEE, None),
    ("POST", "/exams/my/attempts/<int:attempt_id>/save", TRAINEE, None),
    ("POST", "/exams/my/attempts/<int:attempt_id>/submit", TRAINEE, None),
    ("GET", "/skills/sessions", CITY, None),
    ("GET", "/skills/sessions/new", CITY, None),
    ("POST", "/skills/sessions/new", CITY, None),
    ("GET", "/skills/sessions/<int:session_id>", CITY, skill),
    ("POST", "/skills/sessions/<int:session_id>/panels", CITY, skill),
    ("POST", "/skills/sessions/<int:session_id>/candidates", CITY, skill),
    ("POST", "/skills/sessions/<int:session_id>/assign", CITY, skill),
    ("POST", "/skills/sessions/<int:session_id>/publish", CITY, skill),
    ("POST", "/skills/sessions/<int:session_id>/publish-results", CITY, skill),
    ("GET", "/skills/sessions/<int:session_id>/results", CITY, skill),
    ("GET", "/skills/sessions/<int:session_id>/results.<fmt>", CITY, skill),
    ("GET", "/skills/sessions/<int:session_id>/agreement", CITY, skill),
    ("GET", "/skills/candidates/<int:candidate_id>", CITY, skill_candidate),
    ("POST", "/skills/tasks/<int:task_id>/appeal", CITY, None),
    ("GET", "/skills/marking", EXAMINER, None),
    ("GET", "/skills/marking/<int:task_id>", EXAMINER, None),
    ("POST", "/skills/marking/<int:task_id>", EXAMINER, None),
    ("POST", "/skills/marking/<int:task_id>/arbitrate", EXAMINER, None),
    ("GET", "/skills/relations", EXAMINER, None),
    ("POST", "/skills/relations", EXAMINER, None),
    ("GET", "/skills/my", TRAINEE, None),
    ("GET", "/verify/<number>", PUBLIC, None),
    ("GET", "/verify", PUBLIC, None),
    ("GET", "/verify/public-key.pem", PUBLIC, None),
    ("GET", "/api/v1/certificates/<number>", PUBLIC, None),
    ("GET", "/certificates/my", TRAINEE, None),
    ("GET", "/certificates/photo", TRAINEE, None),
    ("POST", "/certificates/photo", TRAINEE, None),
    ("GET", "/staff/<int:staff_id>/photo", ADMINS, None),
    ("POST", "/staff/<int:staff_id>/photo", ADMINS, None),
    ("GET", "/certificates/photos/import", EXAM_ADMINS, None),
    ("POST", "/certificates/photos/import", EXAM_ADMINS, None),
    ("GET", "/certificates/<number>.pdf", frozenset({T, C}), None),
    ("GET", "/certificates", CITY, None),
    ("POST", "/certificates/search", CITY, None),
    ("POST", "/certificates/issue", CITY, None),
    ("POST", "/certificates/<number>/revoke", CITY, None),
    ("POST", "/certificates/<number>/reissue", CITY, None),
    ("GET", "/certificates/<number>/badge.json", frozenset({T, C}), None),
    ("GET", "/certificates/<number>/badge.jwt", frozenset({T, C}), None),
    ("GET", "/certificates/archive.zip", CITY, None),
    ("GET", "/certificates/report", CITY, None),
    ("GET", "/certificates/report/<kind>", CITY, lambda world, user: {"kind": "csv"}),
    ("GET", "/verify/jwks.json", PUBLIC, None),
    ("GET", "/jobs/<int:job_id>", CITY, job),
    ("GET", "/dashboard", ADMINS, None),
    ("GET", "/dashboard/institutions", EXAM_ADMINS, None),
    ("GET", "/dashboard/institutions.<fmt>", EXAM_ADMINS, None),
    ("GET", "/dashboard/districts.<fmt>", EXAM_ADMINS, None),
    ("GET", "/dashboard/trend.<fmt>", ADMINS, None),
    ("GET", "/dashboard/funnel.<fmt>", ADMINS, None),
    ("GET", "/dashboard/pass-rates.<fmt>", ADMINS, None),
    ("GET", "/dashboard/institutions/<int:institution_id>", ADMINS, None),
    ("POST", "/dashboard/institutions/<int:institution_id>/nominate", ADMINS, None),
    ("GET", "/dashboard/institutions/<int:institution_id>/uncertified.<fmt>", ADMINS, None),
    ("GET", "/dashboard/report.pdf", EXAM_ADMINS, None),
    ("GET", "/external-certificates", ADMINS, None),
    ("GET", "/external-certificates/new/<int:staff_id>", ADMINS, None),
    ("POST", "/external-certificates/new/<int:staff_id>", ADMINS, None),
    ("POST", "/external-certificates/<int:certificate_id>/confirm", EXAM_ADMINS, external),
    ("POST", "/external-certificates/<int:certificate_id>/reject", EXAM_ADMINS, external),
    (
        "POST",
        "/external-certificates/<int:certificate_id>/withdraw",
        EXAM_ADMINS,
        confirmed_external,
    ),
    ("GET", "/external-certificates/<int:certificate_id>/scan", ADMINS, external),
    ("GET", "/api-tokens", EXAM_ADMINS, None),
    ("POST", "/api-tokens", EXAM_ADMINS, None),
    ("POST", "/api-tokens/<int:token_id>/revoke", EXAM_ADMINS, token),
    ("GET", "/api/v1/openapi.json", PUBLIC, None),
    ("GET", "/api/v1/rates", BEARER, None),
    ("GET", "/api/v1/institutions", BEARER, None),
    ("GET", "/api/v1/staff", BEARER, None),
    ("GET", "/api/v1/cohorts", BEARER, None),
    ("GET", "/api/v1/results", BEARER, None),
    ("GET", "/api/v1/certificates", BEARER, None),
    ("GET", "/jobs/<int:job_id>.json", CITY, job),
]


def test_every_route_is_in_the_matrix(app):
    listed = {(method, rule) for method, rule, _, _ in MATRIX}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - listed == set(), "routes missing from the access matrix"
    assert listed - routes == set(), "matrix lists routes that do not exist"


def world_for(rule: str) -> World:
    """The world with the objects the rule's area needs."""
    return build_world(
        exams=rule.startswith("/exams"),
        skills=rule.startswith("/skills"),
        certificates=rule.startswith(("/certificates", "/verify", "/api/v1/certificates")),
    )


def _url(rule: str, values: dict[str, Any]) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.mark.parametrize("actor", ACTORS, ids=str)
@pytest.mark.parametrize(
    ("method", "rule", "allowed", "extra"), MATRIX, ids=[f"{m} {r}" for m, r, _, _ in MATRIX]
)
def test_access(client, actor, method, rule, allowed, extra):
    world = world_for(rule)
    user = world.users.get(actor)
    values = dict(world.ids)
    if extra:
        values.update(extra(world, user))
    if user is not None:
        client.login_as(user)
    response = client.open(
        _url(rule, values),
        method=method,
        data={"file": (io.BytesIO(b""), "")} if "roster" in rule else {},
    )
    location = response.headers.get("Location", "")
    if allowed is BEARER:
        assert response.status_code == 401
    elif actor in allowed:
        assert response.status_code not in (401, 403, 404, 405), response.status_code
        assert "/login" not in location or rule in ("/logout", "/login")
    elif actor == ANON:
        assert response.status_code == 302 and "/login" in location
    else:
        assert response.status_code == 403


#: Object routes a role may open for any object of the kind, not only its own; every other route
#: with an object in its address, but public ones (verification), is checked by
#: ``test_nobody_reaches_another_scopes_objects``.
SHARED_OBJECTS: dict[tuple[str, Any], str] = {
    ("/learn/attend/<code>", T): "the code is the QR shown in class; check-in refuses outsiders",
    ("/exams/bank/<int:question_id>", E): "the question bank is one city-wide bank",
    ("/exams/media/<int:media_id>", E): "the question bank is one city-wide bank",
    ("/exams/marking/<int:response_id>", E): "written answers are marked blind from one pool",
    ("/training/cohorts/<int:cohort_id>", E): "trainers teach cohorts across the city",
    ("/training/cohorts/<int:cohort_id>/sessions", E): "trainers teach cohorts across the city",
    ("/training/sessions/<int:session_id>", E): "trainers teach cohorts across the city",
    (
        "/training/sessions/<int:session_id>/attendance/<int:enrolment_id>",
        E,
    ): "trainers teach cohorts across the city",
}
#: Parameters that name no object of anybody's.
NOT_OBJECTS = {"fmt"}


def _intruder(role: Any) -> Any:
    """Somebody with ``role`` whose scope holds none of build_world's objects: a trainee, a
    manager and a district admin of another district, an examiner on no panel."""
    from tests.grading.factories import make_examiner

    elsewhere = make_institution(make_district("140405"))
    if role == T:
        return make_user(T, staff=make_staff(elsewhere, name="外区学员"))
    if role == E:
        return make_examiner(elsewhere)
    if role == M:
        return make_user(M, institution=elsewhere)
    return make_user(D, district=elsewhere.district)


def _object_parameters(rule: str) -> set[str]:
    import re

    return set(re.findall(r"<(?:\w+:)?(\w+)>", rule)) - NOT_OBJECTS


IDOR_CASES = [
    (method, rule, role, extra)
    for method, rule, allowed, extra in MATRIX
    if _object_parameters(rule) and allowed is not BEARER and ANON not in allowed
    for role in (T, E, M, D)
    if role in allowed and (rule, role) not in SHARED_OBJECTS
]


def test_every_shared_object_route_exists(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {rule for rule, _ in SHARED_OBJECTS} <= rules


@pytest.mark.parametrize(
    ("method", "rule", "role", "extra"),
    IDOR_CASES,
    ids=[f"{role} {method} {rule}" for method, rule, role, _ in IDOR_CASES],
)
def test_nobody_reaches_another_scopes_objects(client, method, rule, role, extra):
    """Guessing the id of an object outside one's scope finds nothing: every object route × every
    role below the city, with the objects of another trainee, examiner, institution or district."""
    world = world_for(rule)
    values = dict(world.ids)
    if extra:
        values.update(extra(world, world.users[role]))
    client.login_as(_intruder(role))
    if rule.endswith("/answer"):  # a well-formed autosave, so only ownership can refuse it
        body: dict[str, Any] = {"json": {"position": 1, "seq": 99, "value": "A"}}
    else:
        body = {"data": {"file": (io.BytesIO(b""), "")} if "roster" in rule else {}}
    response = client.open(_url(rule, values), method=method, **body)
    assert response.status_code in (403, 404), response.status_code


def test_managers_see_only_their_own_institution_in_lists(client):
    world = build_world()
    other = make_institution(make_district("140403"), name="同区另一家托育点")
    make_staff(other, name="同区他人")
    client.login_as(world.users[M])
    assert "同区另一家托育点" not in client.get("/institutions").get_data(as_text=True)
    assert "同区他人" not in client.get("/staff").get_data(as_text=True)
    client.login_as(world.users[D])
    assert "同区他人" in client.get("/staff").get_data(as_text=True)
