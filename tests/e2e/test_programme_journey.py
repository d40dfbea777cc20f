"""The whole programme on one viewport at a time (360-px phone, desktop), on a server and
database of its own: the city admin imports a roster; a trainee studies, sits the theory paper
and hands it in; the city admin publishes the skill and theory results, issues certificates in
bulk and sees the city's rate move on the dashboard; the trainee sees the result and downloads
the certificate; anyone scans its QR code and reads the verification page.

The skill marks are entered before the journey (the three-examiner marking journey is
tests/e2e/test_skill_journey.py); the theory window closes 150 s after the journey starts, as
results can only be published once a window has closed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import expect

from lms.core import idnumber
from tests.conftest import zh
from tests.e2e.conftest import DESKTOP, PHONE, ROOT, ServerProcess, shoot, sign_in
from tests.e2e.test_certificate_journey import _qr_url
from tests.e2e.test_foundation_journeys import _roster_csv

THEORY_WINDOW_SECONDS = 150
THEORY_TITLE = "全程旅程理论考试"
#: The e2e course's questions (tests/learning/content_tree.py) and their right answers, by label.
RIGHT_ANSWERS = {
    "single": ["约40–60℃温开水"],
    "multiple": ["掌心", "指缝", "手腕"],
    "truefalse": [zh("False")],
}

#: Run in the server's environment before the journey: a trainee account for a caregiver of the
#: level-5 course, a theory session open now for them alone, and a skill session
#: in which a panel has marked them a pass (results not yet published).
SETUP = """
import json, sys
from datetime import timedelta
from sqlalchemy import select
from lms import create_app
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.certification import photos
from lms.core.roles import Role
from lms.demo.photos import portrait
from lms.db import db, transaction, utcnow
from lms.exams import sessions
from lms.exams.models import Blueprint, Candidate
from lms.grading import marking as grading_marking
from lms.grading import sessions as grading_sessions
from lms.grading.models import SkillCandidate
from lms.learning.models import Cohort, Course, Enrolment, EnrolmentStatus

window = int(sys.argv[1])
with create_app().app_context(), transaction():
    admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id))
    busy = select(Candidate.staff_id).union(select(SkillCandidate.staff_id))
    # Someone still studying the level-5 course, counted as having finished it (finishing in
    # the browser is the training journey's part).
    enrolment = db.session.scalars(
        select(Enrolment)
        .join(Cohort).join(Course)
        .where(
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Course.level == 5,
            Enrolment.staff_id.not_in(busy),
        )
        .order_by(Enrolment.id)
    ).first()
    enrolment.status, enrolment.completed_at = EnrolmentStatus.COMPLETED, utcnow()
    staff = enrolment.staff
    # A certificate needs the holder's photo (taking it on the phone is the photo test's part).
    photos.store(staff.id, portrait(staff.id))
    accounts.create_user(
        username="journey-trainee", password="Changzhi-Demo-2026", role=Role.TRAINEE,
        display_name=staff.name, staff=staff, chosen_by_user=True,
    )
    blueprint = db.session.scalar(select(Blueprint).where(Blueprint.level == 5))
    now = utcnow()
    theory = sessions.create_session(
        sessions.SessionData(
            title=sys.argv[2], blueprint_id=blueprint.id, opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(seconds=window), duration_minutes=30, district_id=None,
        ),
        admin,
    )
    room = sessions.add_room(theory, "旅程考场", 30)
    examiners = db.session.scalars(
        select(User).where(User.role == Role.EXAMINER).order_by(User.id)
    ).all()
    sessions.add_invigilator(room, admin)
    sessions.add_invigilator(room, examiners[-1])
    sessions.add_candidates(theory, [staff])
    sessions.publish(theory, admin)
    skill = grading_sessions.create_session(
        grading_sessions.SessionData(title="全程旅程技能考核", level=5, starts_at=now), admin
    )
    grading_sessions.add_panel(skill, "旅程考站", examiners[0], examiners[:3])
    grading_sessions.add_candidates(skill, [staff])
    grading_sessions.assign(skill)
    grading_sessions.publish(skill, admin)
    for task in skill.candidates[0].current_tasks:
        for examiner in task.panel.examiners:
            grading_marking.save_sheet(task, examiner, grading_marking.SheetInput(
                points={c["key"]: c["points"] for c in task.criteria}, critical=[],
                comment="", version=grading_marking.sheet_version(task, examiner), submit=True,
            ))
    facts = {"theory": theory.id, "skill": skill.id, "name": staff.name,
             "closes": (now + timedelta(seconds=window)).timestamp()}
print(json.dumps(facts))
"""


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def programme(request, server_env, tmp_path_factory) -> Iterator[dict]:
    instance = tmp_path_factory.mktemp(f"e2e-programme-{request.param['width']}")
    env = {
        **server_env,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": f"sqlite:///{instance / 'programme.sqlite3'}",
        "LMS_CERT_FONT_CACHE": str(ROOT / ".cache" / "fonts"),
    }
    lms = [sys.executable, "-m", "lms.cli"]
    subprocess.run([*lms, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*lms, "demo", "seed", "--trainees", "120", "--institutions", "30"],
        env=env, check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(THEORY_WINDOW_SECONDS), THEORY_TITLE],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    server = ServerProcess(env, f"e2e-programme-server-{request.param['width']}")
    env["LMS_PUBLIC_URL"] = server.base
    server.start()
    yield {
        **json.loads(setup.stdout.strip().splitlines()[-1]),
        "base": server.base,
        "viewport": request.param,
        "viewport_name": "phone" if request.param is PHONE else "desktop",
    }
    server.stop()


def _page(browser, programme: dict, who: str):
    context = browser.new_context(
        viewport=programme["viewport"], locale="zh-CN", base_url=programme["base"],
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20000)
    page.viewport_name = f"{programme['viewport_name']}-{who}"
    return page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _city_rate(page) -> tuple[int, int]:
    """(certified, in post) from the city dashboard."""
    page.goto("/dashboard")
    certified = int(page.inner_text("[data-testid=certified]").replace(",", ""))
    in_post = int(page.inner_text("[data-testid=in-post]").replace(",", ""))
    return certified, in_post


def test_roster_study_exam_publish_issue_download_verify(
    browser, programme, demo_users, tmp_path
) -> None:
    admin = _page(browser, programme, "city-admin")
    sign_in(admin, demo_users["city_admin"])
    certified_before, in_post_before = _city_rate(admin)

    # The city admin imports a roster with one new caregiver.
    newcomer = idnumber.synthesize("140402", date(1996, 6, 6), 36)
    roster = tmp_path / "名单.csv"
    roster.write_bytes(
        _roster_csv(
            [["全程新保育员", "女", newcomer, "13603550077", "长治市托育综合服务中心", "保育人员",
              "2024-03-01"]]
        )
    )  # fmt: skip
    admin.goto("/roster/import")
    admin.set_input_files("input[type=file]", str(roster))
    admin.click("main button[type=submit]")
    admin.wait_for_load_state()
    assert admin.inner_text("[data-testid=error-count]") == "0"
    admin.locator("form button.button:not(.secondary)").first.click()
    admin.wait_for_load_state()
    assert "flash-success" in admin.content()
    shoot(admin, "programme-roster-imported")

    # The trainee studies a lesson, then sits the theory paper and hands it in.
    trainee = _page(browser, programme, "trainee")
    sign_in(trainee, "journey-trainee")
    trainee.goto("/learn/")
    trainee.locator("main a.button[href^='/learn/']:not([href*='attend'])").first.click()
    trainee.locator(".lesson-list a").first.click()
    expect(trainee.locator("article.lesson .lesson-body")).to_be_visible()
    _fits(trainee)
    shoot(trainee, "programme-lesson")
    trainee.goto("/exams/my/")
    trainee.locator(f"section.card:has-text('{THEORY_TITLE}') a.button").first.click()
    trainee.once("dialog", lambda dialog: dialog.accept())
    trainee.click("[data-testid=start-exam]")
    trainee.wait_for_selector("#paper")
    assert "correct" not in trainee.content().lower()
    count = trainee.locator("fieldset.question").count()
    for position in range(1, count + 1):
        question = trainee.locator(f"#q-{position}")
        for label in RIGHT_ANSWERS[question.get_attribute("data-type")]:
            question.locator("label.choice", has_text=label).click()
        if position < count:
            question.locator(f"[data-go='{position + 1}']").click()
    expect(trainee.locator("#save-state")).to_have_text(zh("All answers saved"), timeout=15000)
    _fits(trainee)
    shoot(trainee, "programme-paper")
    trainee.once("dialog", lambda dialog: dialog.accept())
    trainee.click("[data-testid=hand-in]")
    trainee.wait_for_load_state()
    assert zh("Your paper has been handed in.") in trainee.inner_text(".flashes")

    # The city admin publishes the skill results, then — once the window has closed — the
    # theory results.
    admin.goto(f"/skills/sessions/{programme['skill']}")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click(f"button:has-text('{zh('Publish results')}')")
    admin.click("[data-testid=confirm-button]")  # it says how many candidates it reaches
    admin.wait_for_load_state()
    assert "flash-success" in admin.content()
    time.sleep(max(0.0, programme["closes"] - time.time() + 1))
    admin.goto(f"/exams/sessions/{programme['theory']}")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click(f"button:has-text('{zh('Close the session')}')")
    admin.click("[data-testid=confirm-button]")
    admin.wait_for_load_state()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click(f"button:has-text('{zh('Publish results')}')")
    admin.click("[data-testid=confirm-button]")  # it says how many candidates it reaches
    admin.wait_for_load_state()
    assert "flash-success" in admin.content()
    shoot(admin, "programme-theory-published")

    # Bulk issue, followed on the job page; the dashboard counts the new certificate.
    admin.goto("/certificates")
    admin.click(f"button:has-text('{zh('Issue certificates')}')")
    admin.click("[data-testid=confirm-button]")
    expect(admin.locator("[data-testid=job-status]")).to_have_text(zh("Finished"), timeout=120000)
    assert admin.locator("[data-testid=job-done]").inner_text() == "1"
    shoot(admin, "programme-issued")
    certified_after, in_post_after = _city_rate(admin)
    assert certified_after == certified_before + 1
    assert in_post_after == in_post_before + 1  # the imported caregiver
    _fits(admin)
    shoot(admin, "programme-dashboard")

    # The trainee sees the result and downloads the certificate.
    trainee.goto("/exams/my/")
    trainee.locator(f"section.card:has-text('{THEORY_TITLE}') a.button").first.click()
    trainee.click(f"a:has-text('{zh('See my result')}')")
    assert trainee.inner_text("[data-testid=score]") == "100"
    assert trainee.inner_text("[data-testid=passed]") == zh("Pass")
    shoot(trainee, "programme-result")
    trainee.goto("/certificates/my")
    _fits(trainee)
    shoot(trainee, "programme-my-certificate")
    with trainee.expect_download() as download:
        trainee.click(f"a:has-text('{zh('Download PDF')}')")
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert programme["name"] in text.replace(" ", "")

    # Anyone scans the QR code printed on it.
    scanned = _qr_url(pdf)
    assert scanned.startswith(f"{programme['base']}/verify/")
    visitor = _page(browser, programme, "visitor")
    visitor.goto(scanned)
    main = visitor.inner_text("main")
    assert zh("Valid") in main and programme["name"][0] in main
    assert re.search(r"\d{4}\*+\d{3}[\dX]", main) or "*" in main  # the ID number is masked
    _fits(visitor)
    shoot(visitor, "programme-verified")
