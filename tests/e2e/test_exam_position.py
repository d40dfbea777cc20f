"""A candidate answers questions 1–5 of an eight-question paper and stands on question 6; a
reload, and then the paper opened in a new browser (another phone), land on question 6 with the
five answers kept."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import zh
from tests.e2e.conftest import DEMO_PASSWORD, PHONE, ROOT, shoot, sign_in

USERNAME = "position-trainee"
TITLE = "翻页位置测试理论考试"

#: Run against the e2e database: eight single-choice questions, a level-5 session drawing all of
#: them, and one candidate (a trainee who completed the course, outside the demo session).
SETUP = """
import sys
from datetime import timedelta
from sqlalchemy import select
from lms import create_app
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core.localtime import utcnow
from lms.core.roles import Role
from lms.db import db
from lms.exams import sessions
from lms.exams.models import Blueprint, BlueprintCell, Candidate, Question
from lms.learning.models import Cohort, Course, Enrolment, EnrolmentStatus
from lms.org.models import Staff

username, title, password = sys.argv[1:4]
app = create_app()
with app.app_context():
    if db.session.scalar(select(User).where(User.username == username)) is None:
        for number in range(1, 9):
            db.session.add(Question(
                key=f"e2e-position-{number}", type="single", level=5, work_area="daily_care",
                difficulty="medium", stem=f"翻页测试第{number}题", source="manual",
                options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, answer_key="A",
                explanation="解析"))
        blueprint = Blueprint(key="theory-position", title="翻页测试", level=5,
                              duration_minutes=60)
        blueprint.cells.append(BlueprintCell(position=1, question_type="single", count=8,
                                             points=12.5, work_area="daily_care"))
        db.session.add(blueprint)
        db.session.flush()
        taken = select(Candidate.staff_id)
        staff = db.session.scalars(
            select(Staff).join(Enrolment, Enrolment.staff_id == Staff.id)
            .join(Cohort, Cohort.id == Enrolment.cohort_id).join(Course)
            .where(Enrolment.status == EnrolmentStatus.COMPLETED, Course.level == 5,
                   Staff.id.not_in(taken), Staff.id.not_in(select(User.staff_id)
                   .where(User.staff_id.is_not(None))))
            .order_by(Staff.id.desc())).first()
        admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN))
        opens = utcnow() - timedelta(minutes=5)
        session = sessions.create_session(sessions.SessionData(
            title=title, blueprint_id=blueprint.id, opens_at=opens,
            closes_at=opens + timedelta(days=2), duration_minutes=60, district_id=None), admin)
        room = sessions.add_room(session, "第二考场", 30)
        sessions.add_invigilator(room, admin)
        sessions.add_invigilator(
            room, db.session.scalar(select(User).where(User.role == Role.EXAMINER))
        )
        sessions.add_candidates(session, [staff])
        sessions.publish(session, admin)
        blueprint.is_active = False  # the demo's own sessions keep drawing from theirs
        accounts.create_user(username=username, password=password,
                             role=Role.TRAINEE, display_name=staff.name, staff=staff,
                             chosen_by_user=True)
        db.session.commit()
"""


@pytest.fixture(scope="module")
def position_candidate(server_env):
    subprocess.run(
        [sys.executable, "-c", SETUP, USERNAME, TITLE, DEMO_PASSWORD],
        env=server_env,
        cwd=ROOT,
        check=True,
    )
    return server_env["LMS_DATABASE_URL"].removeprefix("sqlite:///")


def _stored_position(database: str) -> int | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT a.current_position FROM exam_attempts a "
            "JOIN exam_candidates c ON c.id = a.candidate_id "
            "JOIN users u ON u.staff_id = c.staff_id WHERE u.username = ?",
            (USERNAME,),
        ).fetchone()
    return row[0] if row else None


def _new_phone(browser, base_url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = "phone"
    return context, page


def _current(page) -> str:
    return page.eval_on_selector("fieldset.question.current", "q => q.dataset.position")


def test_a_reload_and_another_phone_open_the_question_the_candidate_was_on(
    browser, live_server, position_candidate
):
    first, page = _new_phone(browser, live_server)
    sign_in(page, USERNAME)
    page.goto("/exams/my/")
    page.locator(f"section.card:has-text('{TITLE}') a.button").first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=start-exam]")
    page.wait_for_selector("body.js-paged #paper")
    assert _current(page) == "1"
    for position in range(1, 6):
        page.locator(f"#q-{position} input[type=radio]").first.check()
        page.click(f"#q-{position} [data-go='{position + 1}']")
    assert _current(page) == "6"
    expect(page.locator("#save-state")).to_have_text(zh("All answers saved"), timeout=15000)
    for _ in range(100):
        if _stored_position(position_candidate) == 6:
            break
        page.wait_for_timeout(100)
    assert _stored_position(position_candidate) == 6
    paper_url = page.url

    page.reload()
    page.wait_for_selector("body.js-paged #paper")
    assert _current(page) == "6" and page.locator("#q-6").is_visible()
    first.close()

    other, phone = _new_phone(browser, live_server)
    sign_in(phone, USERNAME)
    phone.goto(paper_url)
    phone.wait_for_selector("body.js-paged #paper")
    assert _current(phone) == "6" and phone.locator("#q-6").is_visible()
    shoot(phone, "exam-position-other-phone")
    for position in range(1, 6):
        assert phone.locator(f"#q-{position} input:checked").count() == 1, position
    assert phone.locator("#q-6 input:checked").count() == 0
    assert phone.inner_text("#answered-count") == "5"
    other.close()
