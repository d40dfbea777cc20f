"""One breadcrumb trail per page (issue 19 item 2): home, the section, the parents a deep page
names, then the page — and no second "back" line of the page's own."""

from __future__ import annotations

import re
from html import unescape

from lms.core.roles import Role
from tests.exams.factories import make_session
from tests.factories import make_institution, make_staff, make_user
from tests.grading.factories import make_skill_session
from tests.learning.factories import make_cohort


def _trail(client, user, url: str) -> list[str]:
    client.login_as(user)
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    assert 'class="crumbs"' not in html  # the page's own back line is gone
    trails = re.findall(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert len(trails) == 1, url
    items = re.findall(r"<li[^>]*>(.*?)</li>", trails[0], re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def test_staff_detail_sits_under_staff(client):
    staff = make_staff(make_institution(), name="王小梅")
    trail = _trail(client, make_user(Role.CITY_ADMIN), f"/staff/{staff.id}")
    assert trail[:2] == ["首页", "人员档案"] and trail[-1].startswith("王小梅")
    assert len(trail) == 3


def test_a_staff_members_photo_page_names_the_person_as_its_parent(client):
    staff = make_staff(make_institution(), name="李红")
    trail = _trail(client, make_user(Role.CITY_ADMIN), f"/staff/{staff.id}/photo")
    assert trail == ["首页", "人员档案", "李红", "证书照片"]


def test_a_cohort_and_its_nomination_page(client):
    cohort = make_cohort(title="2026年第一期五级班")
    admin = make_user(Role.CITY_ADMIN)
    assert _trail(client, admin, f"/training/cohorts/{cohort.id}") == [
        "首页",
        "培训管理",
        "2026年第一期五级班",
    ]
    trail = _trail(client, admin, f"/training/cohorts/{cohort.id}/nominate")
    assert trail[:3] == ["首页", "培训管理", "2026年第一期五级班"] and len(trail) == 4


def test_an_exam_session_and_its_candidates(client):
    session = make_session(title="2026年12月理论考试", publish=False)
    admin = make_user(Role.CITY_ADMIN)
    assert _trail(client, admin, f"/exams/sessions/{session.id}") == [
        "首页",
        "考试场次",
        "2026年12月理论考试",
    ]
    assert _trail(client, admin, f"/exams/sessions/{session.id}/candidates") == [
        "首页",
        "考试场次",
        "2026年12月理论考试",
        "录入考生",
    ]


def test_a_skill_session_and_a_candidate_in_it(client):
    session = make_skill_session(title="2026年第2期技能考核")
    admin = make_user(Role.CITY_ADMIN)
    trail = _trail(client, admin, f"/skills/sessions/{session.id}")
    assert trail == ["首页", "技能考核", "2026年第2期技能考核"]
    candidate = session.candidates[0]
    trail = _trail(client, admin, f"/skills/candidates/{candidate.id}")
    assert trail == ["首页", "技能考核", "2026年第2期技能考核", candidate.admission_number]


def test_recording_a_certificate_from_elsewhere_names_the_person(client):
    staff = make_staff(make_institution(), name="赵敏")
    trail = _trail(client, make_user(Role.CITY_ADMIN), f"/external-certificates/new/{staff.id}")
    assert trail[2] == "赵敏" and len(trail) == 4
