"""What the authoring tests share: two experts, the lock an edit page carries, the version an
address names, a new practical task as its document."""

from __future__ import annotations

import re
from typing import Any

from lms.authoring.models import ContentVersion, VersionStatus
from lms.core.roles import Role
from lms.db import db
from tests.factories import make_user


def experts() -> tuple[Any, Any]:
    return (
        make_user(Role.COURSE_EXPERT, username="alice", display_name="专家甲"),
        make_user(Role.COURSE_EXPERT, username="bob", display_name="专家乙"),
    )


def lock(page: str) -> str:
    """The draft's lock version an edit page carries."""
    return re.search(r'name="lock_version" type="hidden" value="(\d+)"', page).group(1)


def version_of(url: str) -> ContentVersion:
    """The version ``/author/versions/<id>/…`` names."""
    return db.session.get(ContentVersion, int(url.rstrip("/").split("/")[-2]))


def publish_as(client: Any, author: Any, reviewer: Any, url: str) -> ContentVersion:
    """``author`` sends the draft at ``url`` (its edit page) for review, ``reviewer``
    publishes it."""
    version = version_of(url)
    client.login_as(author)
    client.post(f"/author/versions/{version.id}/submit")
    assert version.status == VersionStatus.IN_REVIEW, client.get(url).get_data(as_text=True)
    client.login_as(reviewer)
    client.post(f"/author/versions/{version.id}/publish", data={"note": "可以"})
    return version


NEW_TASK: dict[str, Any] = {
    "code": "bottle-feeding",
    "title": "奶瓶喂养",
    "levels": [5],
    "work_area": "daily_care",
    "duration_minutes": 8,
    "scenario": "为6个月的婴儿用奶瓶喂奶，边操作边口述要点。",
    "materials": ["婴儿模型", "奶瓶", "围嘴"],
    "criteria": [
        {"id": "prepare", "text": "洗手，检查奶液温度", "minutes": 1, "points": 30},
        {"id": "position", "text": "半卧位抱起，奶嘴充满奶液", "minutes": 2, "points": 40},
        {"id": "burp", "text": "喂后竖抱拍嗝，记录奶量", "minutes": 1.5, "points": 30},
    ],
    "critical_errors": [{"id": "lying-flat", "text": "让婴儿平躺喂奶"}],
}
