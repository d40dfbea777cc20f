"""The free-training journey across three roles and two viewports: a manager nominates a
caregiver, the district administrator approves within quota, the manager prints the account
slip, and the trainee signs in on a phone, studies both lessons and becomes exam-eligible."""

from __future__ import annotations

import re

from tests.e2e.conftest import shoot, sign_in

NEW_PASSWORD = "Tuesday-Orchard-Lamp-58"


def test_nominate_approve_study_complete(browser, live_server, page):
    viewport = (
        {"width": 360, "height": 780}
        if page.viewport_name == "phone"
        else {"width": 1280, "height": 900}
    )

    # 1. The institution manager nominates the first caregiver who can be nominated.
    sign_in(page, "manager")
    page.goto("/training/")
    page.locator("table.list a[href^='/training/cohorts/']").first.click()
    cohort_url = page.url
    page.click("text=推荐人员")
    candidate = page.locator("li:has(input[name=staff_ids]:not([disabled]))").first
    name = candidate.locator(".who").inner_text()
    candidate.locator("input").check()
    shoot(page, "nominate")
    page.click("main form[method=post] button[type=submit]")  # (the search form comes first)
    assert "已推荐 1 人" in page.inner_text(".flashes")

    # 2. The district administrator approves it in another browser.
    admin = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    admin_page = admin.new_page()
    admin_page.viewport_name = page.viewport_name
    sign_in(admin_page, "luzhou")
    admin_page.goto("/training/nominations")
    admin_page.locator(f"tr:has-text('{name}') input[name=enrolment_ids]").first.check()
    shoot(admin_page, "nominations")
    admin_page.click("button[name=approve]")
    assert "已批准 1 人" in admin_page.inner_text(".flashes")
    admin.close()

    # 3. The manager prints sign-in slips; the new trainee's slip carries a one-time password.
    page.goto(cohort_url)
    page.click("text=为已报名人员创建登录账号")
    slip = page.locator(f".slip:has-text('{name}')").first
    text = slip.inner_text()
    username = re.search(r"用户名[:：]\s*(\S+)", text).group(1)
    password = re.search(r"密码[:：]\s*(\S+)", text).group(1)

    # 4. The trainee, on their own phone, signs in, chooses a password, studies and completes.
    trainee = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server)
    page = trainee.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = admin_page.viewport_name
    sign_in(page, username, password)
    assert page.url.endswith("/account/password")
    page.fill("#current", password)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.goto("/learn/")
    shoot(page, "my-courses")
    page.click("text=开始学习")
    for number in (1, 2):
        page.locator(".lesson-list a").nth(number - 1).click()
        page.wait_for_selector("#complete-button:not([disabled])", timeout=20000)
        minutes_shown = page.inner_text("#lesson-minutes")
        assert minutes_shown.isdigit()
        shoot(page, f"lesson-{number}")
        page.click("#complete-button")
        if number == 1:
            page.goto(page.url.split("/lessons/")[0])
    page.wait_for_selector("[data-testid=completed]")
    shoot(page, "course-completed")
    page.goto("/learn/")
    assert "可以参加相应等级的考试" in page.inner_text("main")
    trainee.close()
