"""Three examiners mark one candidate in three browsers: marks stay hidden until all have
submitted, the final mark appears only then (or after the chief's arbitration when they
disagree), a second tab cannot silently overwrite a sheet, and the agreement report shows
figures from the demo data."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import expect

from tests.conftest import zh
from tests.e2e.conftest import DESKTOP, PHONE, shoot, sign_in

TABLET = {"width": 800, "height": 1100}
PANEL = ["examiner", "examiner2", "examiner3"]


def _waiting_candidate(database: str) -> tuple[str, str, list[int]]:
    """(admission number, name, task ids) of a first-panel candidate nobody has marked yet."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT c.id, c.admission_number, s.name FROM skill_candidates c "
            "JOIN staff s ON s.id = c.staff_id JOIN skill_panels p ON p.id = c.panel_id "
            "WHERE p.name = '第1考站' AND NOT EXISTS (SELECT 1 FROM skill_candidate_tasks t "
            "JOIN skill_marks m ON m.candidate_task_id = t.id WHERE t.candidate_id = c.id) "
            "ORDER BY c.id LIMIT 1"
        ).fetchone()
        tasks = connection.execute(
            "SELECT id FROM skill_candidate_tasks WHERE candidate_id = ? ORDER BY position",
            (row[0],),
        ).fetchall()
    return row[1], row[2], [task for (task,) in tasks]


def _fill(page, total_off: float) -> None:
    """Full points on every criterion, minus ``total_off`` taken from the first ones."""
    for field in page.locator("input[name^=p_]").all():
        maximum = float(field.get_attribute("max"))
        taken = min(maximum, total_off)
        total_off -= taken
        field.fill(f"{maximum - taken:g}")


def _submit(page) -> None:
    """Submit the sheet: the confirmation page names the admission number and says the marks
    cannot be changed afterwards; confirming hands it in."""
    with page.expect_navigation():
        page.click("button[name=step][value=submit]")
    expect(page.locator("h1")).to_have_text(zh("Submit marks"))
    with page.expect_navigation():
        page.click("[data-testid=confirm-button]")


def test_three_examiners_mark_in_three_browsers(browser, live_server, server_env):
    database = server_env["LMS_DATABASE_URL"].removeprefix("sqlite:///")
    admission, name, tasks = _waiting_candidate(database)
    pages = []
    for username, viewport in zip(PANEL, (PHONE, TABLET, DESKTOP), strict=True):
        context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.viewport_name = f"{username}-{viewport['width']}"
        sign_in(page, username)
        page.goto("/skills/marking")
        expect(page.locator("[data-testid=skill-queue]")).to_contain_text(admission)
        pages.append(page)

    # Task 1: close marks. Blind: the number, never the name.
    agreeing = tasks[0]
    for page in pages:
        page.goto(f"/skills/marking/{agreeing}")
        expect(page.locator("[data-testid=admission-number]")).to_have_text(admission)
        assert name not in page.content()
    chief, second, third = pages
    _fill(chief, 8)
    expect(chief.locator("[data-testid=save-state]")).to_have_text(zh("Saved"))  # autosaved
    expect(chief.locator("[data-testid=my-total]")).to_have_text("92")
    _submit(chief)
    second.reload()
    expect(second.locator("[data-testid=panel-hidden]")).to_be_visible()
    _fill(second, 10)
    _submit(second)
    chief.goto(f"/skills/marking/{agreeing}")
    expect(chief.locator("[data-testid=panel-hidden]")).to_be_visible()
    assert chief.locator("[data-testid=final-mark]").count() == 0
    _fill(third, 12)
    _submit(third)
    chief.reload()
    expect(chief.locator("[data-testid=panel-marks]")).to_contain_text("88")
    expect(chief.locator("[data-testid=final-mark]")).to_contain_text("90")

    # Task 2: the third examiner is far off; the result waits for the chief's arbitration.
    disputed = tasks[1]
    for page, off in zip(pages, (5, 8, 40), strict=True):
        page.goto(f"/skills/marking/{disputed}")
        _fill(page, off)
        _submit(page)
    chief.goto(f"/skills/marking/{disputed}")
    expect(chief.locator("[data-testid=task-status]")).to_have_text(zh("Awaiting arbitration"))
    assert chief.locator("[data-testid=final-mark]").count() == 0
    chief.fill("#score", "92")
    chief.fill("#reason", "复看录像：第三位考评员误判了洗手步骤")
    chief.click("form[action$='/arbitrate'] button[type=submit]")
    chief.click("[data-testid=confirm-button]")  # the final mark cannot be taken back
    expect(chief.locator("[data-testid=final-mark]")).to_contain_text("92")
    shoot(chief, "skills-arbitrated")

    # Two tabs of one examiner: the older tab's save is refused, with a clear message.
    third_task = tasks[2]
    tab_a = second
    tab_b = second.context.new_page()
    tab_b.viewport_name = "examiner2-second-tab"
    tab_a.goto(f"/skills/marking/{third_task}")
    tab_b.goto(f"/skills/marking/{third_task}")
    _fill(tab_a, 3)
    expect(tab_a.locator("[data-testid=save-state]")).to_have_text(zh("Saved"))
    _fill(tab_b, 20)
    expect(tab_b.locator("[data-testid=save-state]")).to_contain_text(
        zh(
            "This sheet was changed in another window or tab. Reload it to see the latest marks "
            "before changing them."
        )
    )
    shoot(tab_b, "skills-stale-tab")
    tab_b.reload()
    expect(tab_b.locator("[data-testid=my-total]")).to_have_text("97")

    for page in pages:
        page.context.close()


def test_agreement_report_shows_figures_from_the_demo(page):
    sign_in(page, "admin")
    page.goto("/skills/sessions")
    page.locator("table tbody a").first.click()
    page.click(f"text={zh('Examiner agreement')}")
    icc = page.locator("[data-testid=task-agreement] tbody tr td:nth-child(3)").all_inner_texts()
    assert any(value.replace(".", "", 1).replace("-", "", 1).isdigit() for value in icc)
    flags = page.locator("[data-testid=examiner-agreement]").inner_text()
    assert zh("Lenient") in flags and zh("Harsh") in flags
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shoot(page, "skills-agreement")
