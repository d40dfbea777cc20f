"""A candidate sits the theory paper on a 360-px phone with the keyboard only; the server is
killed with SIGKILL mid-exam and started again: no acknowledged answer is lost and the clock
shows the server's remaining time."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

from playwright.sync_api import expect

from lms.core.localtime import utcnow
from tests.conftest import zh
from tests.e2e.conftest import PHONE, shoot, sign_in


def _remaining_seconds(page) -> int:
    minutes, seconds = page.inner_text("#timer").split(":")
    return int(minutes) * 60 + int(seconds)


def _saved_answers(database: str) -> dict[int, str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT r.position, r.value FROM exam_responses r "
            "JOIN exam_attempts a ON a.id = r.attempt_id "
            "JOIN exam_candidates c ON c.id = a.candidate_id "
            "JOIN users u ON u.staff_id = c.staff_id WHERE u.username = 'exam-trainee'"
        ).fetchall()
    return {position: value for position, value in rows}


def test_sit_paper_on_phone_survive_server_kill(browser, crashable_server, server_env):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=crashable_server.base)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = "phone"
    sign_in(page, "exam-trainee")
    page.goto("/exams/my/")
    page.locator("section.card:has-text('理论知识考试') a.button").first.click()
    assert re.fullmatch(r"\d{12}", page.inner_text("[data-testid=admission-number]"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=start-exam]")
    page.wait_for_selector("body.js-paged #paper")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # No correct answer is in what the browser received.
    assert "correct" not in page.content().lower()

    # Keyboard only: focus lands on the first option; Space chooses, Tab to "next", Enter.
    types = page.eval_on_selector_all("fieldset.question", "qs => qs.map(q => q.dataset.type)")
    assert sorted(types) == ["multiple", "single", "truefalse"]
    for position, kind in enumerate(types, start=1):
        focused = page.evaluate("document.activeElement.closest('fieldset').dataset.position")
        assert focused == str(position)
        if kind == "single":
            page.keyboard.press("ArrowDown")  # radios: arrows move and choose
        else:
            page.keyboard.press("Space")
        if position < len(types):
            page.locator(f"#q-{position} [data-go='{position + 1}']").focus()
            page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text(zh("All answers saved"), timeout=15000)
    shoot(page, "exam-paper")
    database = server_env["LMS_DATABASE_URL"].removeprefix("sqlite:///")
    before_crash = _saved_answers(database)
    assert sorted(before_crash) == [1, 2, 3]
    remaining_before = _remaining_seconds(page)

    # The server dies mid-exam and comes back on the same port.
    crashable_server.kill()
    crashable_server.start()
    page.reload()
    page.wait_for_selector("body.js-paged #paper")
    after = _saved_answers(database)
    assert after == before_crash
    for position, kind in enumerate(types, start=1):
        checked = page.locator(f"#q-{position} input:checked").count()
        assert checked >= 1, f"question {position} ({kind}) lost its answer on screen"
    with sqlite3.connect(database) as connection:
        (deadline,) = connection.execute(
            "SELECT a.deadline_at FROM exam_attempts a JOIN exam_candidates c "
            "ON c.id = a.candidate_id JOIN users u ON u.staff_id = c.staff_id "
            "WHERE u.username = 'exam-trainee'"
        ).fetchone()
    server_left = datetime.fromisoformat(deadline).replace(tzinfo=UTC) - utcnow()
    remaining_after = _remaining_seconds(page)
    assert abs(remaining_after - server_left.total_seconds()) <= 3
    assert remaining_after <= remaining_before
    shoot(page, "exam-paper-after-restart")

    # Hand in: the candidate sees the hand-in time, not a score (results are not published).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=hand-in]")
    page.wait_for_load_state()
    assert zh("Your paper has been handed in.") in page.inner_text(".flashes")
    assert "%" not in page.inner_text("main")  # no score before results are published
    shoot(page, "exam-handed-in")
    context.close()
