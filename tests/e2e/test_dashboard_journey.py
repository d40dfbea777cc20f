"""The city administrator's journey through the licensed-to-work rate: the city's figure, a
district below the target, an institution's people without a certificate, nominated in one
click; then the same figure from the JSON API with a token made on the tokens page."""

from __future__ import annotations

import json
import re
import urllib.request

from tests.e2e.conftest import shoot, sign_in


def test_find_institutions_below_target_and_nominate_their_staff(page, live_server):
    sign_in(page, "admin")
    page.goto("/dashboard")
    city_rate = page.locator("[data-testid=rate] strong").inner_text()
    assert re.fullmatch(r"\d+\.\d%", city_rate)
    assert page.locator("svg.chart").count() >= 2
    shoot(page, "dashboard")

    # Not 潞州区 (its manager nominates in the training journey), and one district per viewport
    # since both journeys share the demo database.
    district = "上党区" if page.viewport_name == "phone" else "屯留区"
    page.locator("[data-testid=district-table] a", has_text=district).click()
    assert district in page.inner_text("[data-testid=institution-table]")
    page.check("input[name=below]")
    page.select_option("select[name=sort]", "uncertified")
    page.check("input[name=desc]")
    page.click("form.filters button[type=submit]")
    shoot(page, "dashboard-institutions")
    listing = page.url
    rows = page.locator("[data-testid=institution-table] tbody tr a")
    ticked = page.locator("[data-testid=uncertified] input[name=staff_ids]:checked")
    count = 0
    for index in range(rows.count()):  # most of the demo's uncertified staff are in training
        page.goto(listing)
        rows.nth(index).click()
        count = ticked.count()
        if count:
            break
    assert count >= 1
    shoot(page, "dashboard-institution")
    page.click("[data-testid=nominate]")
    assert f"已推荐 {count} 人" in page.inner_text(".flashes")
    assert page.locator("[data-testid=uncertified] input[name=staff_ids]").count() == 0

    page.goto("/api-tokens")
    page.fill("input[name=name]", "市智慧托育平台")
    page.click("main form button[type=submit]")
    token = page.locator("[data-testid=new-token]").inner_text()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{live_server}/api/v1/rates", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        body = json.load(response)
    assert f"{body['total']['rate'] * 100:.1f}%" == city_rate
