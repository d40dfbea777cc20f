"""A trainee on a 360-px phone plays the lesson's video a few seconds, skips ahead, plays a
few more: the server keeps exactly the parts played and credits only those seconds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE, ROOT, ServerProcess, shoot, sign_in
from tests.learning.test_lesson_media import media_tree

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
    staff = make_staff(name="学员视频")
    make_enrolment(make_cohort(course=course), staff)
    user = make_user(Role.TRAINEE, staff=staff, username="video-trainee")
    db.session.commit()
    print(user.username)
"""


@pytest.fixture(scope="module")
def video_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    instance = tmp_path_factory.mktemp("video-instance")
    courses = media_tree(tmp_path_factory.mktemp("video-courses"))
    env = {
        **os.environ,
        "LMS_ENV": "development",
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": f"sqlite:///{instance / 'video.sqlite3'}",
        "LMS_COURSES_ROOT": str(courses),
        # Reading heartbeats rarely, so that what is credited here comes from the video.
        "LMS_STUDY_HEARTBEAT_SECONDS": "30",
        "LMS_WATCH_REPORT_SECONDS": "2",
    }
    env.pop("LMS_REDIS_URL", None)
    lms = [sys.executable, "-m", "lms.cli"]
    for command in (["db", "upgrade"], ["courses", "sync"]):
        subprocess.run([*lms, *command], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT)
    server = ServerProcess(env, "e2e-video-server")
    server.start()
    yield server.base, instance / "video.sqlite3"
    server.stop()


def progress_row(database: Path) -> tuple[list[list[float]], float, int]:
    with sqlite3.connect(database) as connection:
        intervals, watched, seconds = connection.execute(
            "SELECT video_intervals, video_seconds, seconds FROM lesson_progress "
            "WHERE video_seconds > 0"
        ).fetchone()
    return json.loads(intervals), watched, seconds


def wait_until(page: object, expression: str, timeout: float = 20) -> None:
    """Poll ``expression`` (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def play_for(page: object, seconds: float) -> None:
    page.evaluate("document.querySelector('video').play()")  # type: ignore[attr-defined]
    wait_until(page, f"document.querySelector('video').currentTime >= {seconds}")
    page.evaluate("document.querySelector('video').pause()")  # type: ignore[attr-defined]


def test_a_trainee_is_credited_only_what_they_watched(browser, video_server):
    base, database = video_server
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=base)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.viewport_name = "phone"
    try:
        sign_in(page, "video-trainee", "Quiet-Harbour-Lantern-42")
        with sqlite3.connect(database) as connection:
            enrolment, lesson = connection.execute(
                "SELECT enrolments.id, lessons.id FROM enrolments, lessons "
                "WHERE lessons.key = 't5-lesson-2'"
            ).fetchone()
        page.goto(f"/learn/{enrolment}/lessons/{lesson}")
        video = page.locator("video")
        video.wait_for()
        assert page.evaluate("document.querySelector('track').track.mode") in ("showing", "hidden")
        width = page.evaluate("document.querySelector('video').getBoundingClientRect().width")
        assert width <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("document.querySelector('video').muted = true")
        wait_until(page, "document.querySelector('video').readyState >= 1")
        play_for(page, 4)
        shoot(page, "video-lesson-playing")
        # Skip ahead to 40 s and play three more seconds.
        page.evaluate("document.querySelector('video').currentTime = 40")
        wait_until(page, "!document.querySelector('video').seeking")
        play_for(page, 43)
        wait_until(
            page, "parseInt(document.getElementById('watched-percent').textContent, 10) >= 12"
        )
        shoot(page, "video-lesson-after-seek")
        # Once the last report (sent on pause) is in, what was credited is what was played:
        # the opening heartbeat only started the clock and no other came within 30 s.
        deadline = time.monotonic() + 10
        while progress_row(database)[1] < 6.5 or progress_row(database)[2] < 6:
            assert time.monotonic() < deadline, progress_row(database)
            time.sleep(0.2)
        time.sleep(1)
        intervals, watched, credited = progress_row(database)
        assert 6 <= credited <= watched + 0.5, (credited, watched, intervals)
        # Opened again, the video resumes where the trainee stopped.
        page.reload()
        wait_until(page, "document.querySelector('video').readyState >= 1")
        wait_until(page, "document.querySelector('video').currentTime > 42")
    finally:
        context.close()
    intervals, watched, _seconds = progress_row(database)
    assert 6.5 <= watched <= 9, intervals
    print(f"played {intervals}, {watched} s unique, {credited} s credited")
    assert intervals[0][0] < 0.5 and 3.9 <= intervals[0][1] <= 5.5, intervals
    assert 39.5 <= intervals[-1][0] <= 40.5 and 42.9 <= intervals[-1][1] <= 44.5, intervals
    # Nothing between 6 s and 39 s was played, so none of it counts.
    assert not any(start < 39 and end > 6 for start, end in intervals)
