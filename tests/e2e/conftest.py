"""Browser journeys: a real server process on a seeded database, driven by Playwright in Debian's
Chromium. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    # A two-lesson course with tiny time requirements, so a journey can finish it in seconds.
    courses = write_tree(
        tmp_path_factory.mktemp("e2e-courses") / "courses", lessons=2, min_hours=0.0015
    )
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


@pytest.fixture(scope="session")
def live_server(server_env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    log = (SCREENSHOTS.parent / "e2e-server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "lms.wsgi:app",
        ],
        env=server_env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 (loopback)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the server did not start; see test-artifacts/e2e-server.log")
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


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
