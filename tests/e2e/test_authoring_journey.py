"""On a 360-px phone: an expert edits a lesson with its live preview and sends it for review, a
second expert publishes it, and a trainee reads the new version and does its self-check. Every
page passes axe (no serious or critical violation) and nothing scrolls sideways."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE, ROOT, ServerProcess, shoot, sign_in
from tests.e2e.test_accessibility import AXE_OPTIONS, AXE_SCRIPT, IMPACTS
from tests.learning.content_tree import write_tree

PASSWORD = "Quiet-Harbour-Lantern-42"
SETUP = """
from lms import create_app
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Course
from tests.factories import make_staff, make_user
from tests.learning.factories import make_cohort, make_enrolment
from sqlalchemy import select

app = create_app()
with app.app_context():
    course = db.session.scalar(select(Course).where(Course.code == "test-l5"))
    staff = make_staff(name="学员自测")
    make_enrolment(make_cohort(course=course), staff)
    make_user(Role.TRAINEE, staff=staff, username="self-check-trainee")
    make_user(Role.COURSE_EXPERT, username="expert-a", display_name="专家甲")
    make_user(Role.COURSE_EXPERT, username="expert-b", display_name="专家乙")
    db.session.commit()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    instance = tmp_path_factory.mktemp("author-instance")
    courses = write_tree(tmp_path_factory.mktemp("author-courses") / "courses", lessons=3)
    (courses / "test-l5" / "practice").mkdir()
    fixtures = ROOT / "tests" / "learning" / "practice_fixtures"
    shutil.copy(fixtures / "02-lesson-2.yaml", courses / "test-l5" / "practice")
    database = instance / "author.sqlite3"
    env = {
        **os.environ,
        "LMS_ENV": "development",
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": f"sqlite:///{database}",
        "LMS_COURSES_ROOT": str(courses),
    }
    env.pop("LMS_REDIS_URL", None)
    lms = [sys.executable, "-m", "lms.cli"]
    for command in (["db", "upgrade"], ["courses", "sync"]):
        subprocess.run([*lms, *command], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT)
    process = ServerProcess(env, "e2e-author-server")
    process.start()
    yield process.base, database
    process.stop()


def check_page(page: object, found: list[str]) -> None:
    results = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")  # type: ignore[attr-defined]
    url = page.url  # type: ignore[attr-defined]
    for violation in results["violations"]:
        if violation["impact"] in IMPACTS:
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{url}: {violation['id']} {targets}")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
    if width > inner:
        found.append(f"{url}: scrolls sideways ({width} > {inner})")


def wait_until(page: object, expression: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def test_an_edit_is_reviewed_published_and_read_with_its_self_check(browser, server):
    base, database = server
    with sqlite3.connect(database) as connection:
        lesson_id, enrolment_id = connection.execute(
            "SELECT lessons.id, enrolments.id FROM lessons, enrolments "
            "WHERE lessons.key = 't5-lesson-2'"
        ).fetchone()
    found: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=base)
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.viewport_name = "phone"
    try:
        sign_in(page, "expert-a", PASSWORD)
        page.goto("/author/")
        check_page(page, found)
        page.goto(f"/author/lessons/{lesson_id}")
        check_page(page, found)
        page.click("form[action$='/draft'] button")
        body = page.locator("textarea#body")
        body.fill("## 新写的小节\n\n**重点**：进餐时不催促。\n\n" + body.input_value())
        wait_until(
            page,
            "document.querySelector('#preview h2') !== null && "
            "document.querySelector('#preview h2').textContent === '新写的小节'",
        )
        check_page(page, found)
        shoot(page, "author-edit")
        page.click("form.author-form button[type=submit]")
        page.click("text=修改对比与审核")
        page.click("form[action$='/submit'] button")
        assert page.locator("[data-testid=status]").inner_text() == "待审核"
        check_page(page, found)

        context.clear_cookies()
        sign_in(page, "expert-b", PASSWORD)
        page.goto("/author/")
        page.click("[data-testid=review-queue] a")
        assert "新写的小节" in page.locator("[data-testid=diff]").inner_text()
        check_page(page, found)
        shoot(page, "author-review")
        page.click("text=审核通过并发布")
        assert page.locator("[data-testid=status]").inner_text() == "已发布"

        context.clear_cookies()
        sign_in(page, "self-check-trainee", PASSWORD)
        page.goto(f"/learn/{enrolment_id}/lessons/{lesson_id}")
        assert page.locator(".lesson-body h2").first.inner_text() == "新写的小节"
        first = page.locator("form[data-self-check]").first
        first.locator("input[value=A]").check()
        first.locator("button[type=submit]").click()
        feedback = first.locator("[data-feedback]")
        feedback.locator("p").first.wait_for()
        assert "回答有误" in feedback.inner_text() and "不催促" in feedback.inner_text()
        check_page(page, found)
        shoot(page, "lesson-self-check")
    finally:
        context.close()
    assert found == []
