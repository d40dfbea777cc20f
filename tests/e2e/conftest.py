"""Browser journeys: a real server process on a seeded database, driven by Playwright in Debian's
Chromium. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lms.testing.server import GunicornServer
from tests.learning.content_tree import write_tree

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORD = "Changzhi-Demo-2026"
#: The e2e course has one question of each type: the paper takes all three.
E2E_BLUEPRINT = """blueprints:
  - key: theory-e2e
    title: 测试理论考试
    level: 5
    duration_minutes: 30
    cells:
      - {type: single, count: 1, points: 40}
      - {type: multiple, count: 1, points: 40}
      - {type: truefalse, count: 1, points: 20}
skills:
  - level: 5
    own_level: 1
    weights:
      {daily_care: 40, safety_health: 30, environment: 10, early_learning: 10, co_parenting: 10}
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    # A two-lesson course with tiny time requirements, so a journey can finish it in seconds.
    courses = write_tree(
        tmp_path_factory.mktemp("e2e-courses") / "courses", lessons=2, min_hours=0.0015
    )
    (courses / "blueprints.yaml").write_text(E2E_BLUEPRINT, encoding="utf-8")
    # The real level-5 practical tasks, so the demo skill session can draw four per candidate
    # after the level's skill plan (the E2E_BLUEPRINT's skills).
    tasks = next(courses.glob("*/tasks"))
    for task in (ROOT / "courses" / "baoyushi-l5" / "tasks").glob("*.yaml"):
        shutil.copy(task, tasks / task.name)
    env = {
        **os.environ,
        "LMS_ENV": "development",
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": f"sqlite:///{instance / 'e2e.sqlite3'}",
        "LMS_COURSES_ROOT": str(courses),
        "LMS_STUDY_HEARTBEAT_SECONDS": "1",
        "LMS_LESSON_MIN_FRACTION": "0.001",
        # Every journey signs in from 127.0.0.1; the per-address limit is tested on its own.
        "LMS_LOGIN_RATE_LIMIT": "600 per minute",
    }
    env.pop("LMS_REDIS_URL", None)
    lms = [sys.executable, "-m", "lms.cli"]
    subprocess.run([*lms, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*lms, "demo", "seed", "--trainees", "120", "--institutions", "30"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return env


@pytest.fixture(scope="session")
def demo_users(server_env: dict[str, str]) -> dict[str, str]:
    """The first account of each role in the demo database."""
    import sqlite3

    path = server_env["LMS_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT role, username FROM users ORDER BY id DESC").fetchall()
    return dict(rows)


class ServerProcess(GunicornServer):
    """gunicorn serving the e2e database; can be killed with SIGKILL and started again (on the
    same port). Its output goes to test-artifacts/<name>.log."""

    def __init__(self, env: dict[str, str], name: str) -> None:
        SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            env,
            options=["--workers", "2", "--threads", "4", "--access-logfile", "-"],
            log=SCREENSHOTS.parent / f"{name}.log",
        )


@pytest.fixture(scope="session")
def live_server(server_env: dict[str, str]) -> Iterator[str]:
    server = ServerProcess(server_env, "e2e-server")
    server.start()
    yield server.base
    server.stop()


@pytest.fixture
def crashable_server(server_env: dict[str, str]) -> Iterator[ServerProcess]:
    """A second server on the same database, for tests that kill it mid-request."""
    server = ServerProcess(server_env, "e2e-crash-server")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make system-packages` (installs Debian's chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(request: pytest.FixtureRequest, browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(
        viewport=request.param,
        locale="zh-CN",  # type: ignore[attr-defined]
        base_url=live_server,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = (request.param is PHONE and "phone") or "desktop"
    yield page
    context.close()


def shoot(page: object, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"  # type: ignore[attr-defined]
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def sign_in(page: object, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
