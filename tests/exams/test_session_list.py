"""The theory and skill session lists: search by title, filters (status, the sittings whose window
is over and wait to be closed, level, district), sorting by column header, pages; and the
district administrator's home counting the district's sittings to close, linked to that list."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.core.localtime import utcnow
from lms.core.roles import Role
from lms.db import db
from lms.exams import sessions
from lms.grading.models import SkillSessionStatus
from tests.exams.factories import eligible_trainee, make_session, stock_bank
from tests.factories import make_district, make_institution, make_user
from tests.grading.factories import make_skill_session
from tests.reports.test_home import _home, _needs


def titles(html: str) -> list[str]:
    """The session titles of the list, in the order shown."""
    return re.findall(
        r'<td data-label="[^"]+"><a href="/(?:exams|skills)/sessions/\d+">([^<]+)</a>', html
    )


def over(session) -> None:
    """The session's window ends a minute ago (published, not closed)."""
    session.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


def test_theory_sessions_are_searched_filtered_and_sorted(client) -> None:
    stock_bank()
    spring = make_session(candidates=1, title="春季理论考试", opens_in=timedelta(days=-2))
    autumn = make_session(candidates=1, title="秋季理论考试", opens_in=timedelta(days=-1))
    draft = make_session(candidates=1, title="冬季理论考试", publish=False)
    over(spring)
    sessions.close(autumn, now=autumn.closes_at + timedelta(seconds=1))
    client.login_as(make_user(Role.CITY_ADMIN))

    assert titles(client.get("/exams/sessions/").text) == [draft.title, autumn.title, spring.title]
    assert titles(client.get("/exams/sessions/?q=秋季").text) == [autumn.title]
    assert titles(client.get("/exams/sessions/?status=to_close").text) == [spring.title]
    assert titles(client.get("/exams/sessions/?status=closed").text) == [autumn.title]
    assert titles(client.get("/exams/sessions/?status=draft").text) == [draft.title]
    assert titles(client.get("/exams/sessions/?level=4").text) == []
    assert "没有符合条件的场次" in client.get("/exams/sessions/?level=4").text
    # Sorted by title (the column header's link), then reversed by a second click.
    page = client.get("/exams/sessions/?sort=title").text
    assert titles(page) == sorted([spring.title, autumn.title, draft.title])
    assert 'href="/exams/sessions/?sort=-title&amp;page=1"' in page
    reverse = titles(client.get("/exams/sessions/?sort=-title").text)
    assert reverse == sorted([spring.title, autumn.title, draft.title], reverse=True)
    assert client.get("/exams/sessions/?sort=closes_at;drop").status_code == 400


def test_theory_sessions_come_a_page_at_a_time(client) -> None:
    stock_bank()
    for n in range(26):
        make_session(candidates=0, publish=False, title=f"场次{n:02d}")
    client.login_as(make_user(Role.CITY_ADMIN))
    first = titles(client.get("/exams/sessions/?sort=title").text)
    second = titles(client.get("/exams/sessions/?sort=title&page=2").text)
    assert len(first) == 25 and second == ["场次25"]


def district_session(district, title: str):
    """A published session of ``district`` with one candidate of the district."""
    session = make_session(candidates=0, publish=False, title=title, district_id=district.id)
    sessions.add_candidates(session, [eligible_trainee(5, institution=make_institution(district))])
    sessions.publish(session, make_user(Role.CITY_ADMIN))
    return session


def test_the_district_home_counts_its_sittings_to_close_and_links_to_them(client) -> None:
    stock_bank()
    home, away = make_district("140403"), make_district("140404")
    ours = district_session(home, "本区已结束")
    running = district_session(home, "本区进行中")
    theirs = district_session(away, "外区已结束")
    over(ours)
    over(theirs)
    admin = make_user(Role.DISTRICT_ADMIN, district=home)

    needs = _needs(_home(client, admin))
    assert needs["sittings_to_close"] == (1, "/exams/sessions/?status=to_close")
    listed = titles(client.get("/exams/sessions/?status=to_close").text)
    assert listed == [ours.title]
    assert running.title in titles(client.get("/exams/sessions/").text)


def test_skill_sessions_are_searched_filtered_sorted_and_paged(client) -> None:
    spring = make_skill_session(candidates=1, title="春季技能考核")
    autumn = make_skill_session(candidates=1, title="秋季技能考核", publish=False)
    client.login_as(make_user(Role.CITY_ADMIN))
    assert titles(client.get("/skills/sessions?q=春季").text) == [spring.title]
    assert titles(client.get("/skills/sessions?status=draft").text) == [autumn.title]
    published = SkillSessionStatus.PUBLISHED.value
    assert titles(client.get(f"/skills/sessions?status={published}").text) == [spring.title]
    assert titles(client.get("/skills/sessions?sort=-title").text) == [
        autumn.title,
        spring.title,
    ]
    assert titles(client.get("/skills/sessions?sort=title").text) == [spring.title, autumn.title]
    assert client.get("/skills/sessions?level=99").status_code == 400
    assert client.get("/skills/sessions?page=2&sort=title").status_code == 200  # the last page
