"""Authoring practical tasks and their rubrics in the browser (issue 20 item 4): an expert
drafts a new task or an edit, a second expert publishes it; conflicting saves keep both texts;
a task the task-file checks refuse cannot be published and says where; candidates' tasks
already drawn keep the rubric they drew."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from lms.authoring.models import VersionStatus
from lms.core.audit import AuditEvent
from lms.db import db
from lms.grading.models import CandidateTask, PracticalTask
from lms.grading.tasks import task_pool
from tests.authoring.helpers import NEW_TASK, experts, lock, publish_as, version_of
from tests.grading.factories import load_practical_tasks, make_skill_session
from tests.learning.factories import make_course


def form_data(document: dict[str, Any], lock_version: str) -> dict[str, Any]:
    """The edit page's fields for ``document`` (the task's file form)."""
    data: dict[str, Any] = {
        "code": document.get("code", ""),
        "title": document["title"],
        "levels": [str(level) for level in document["levels"]],
        "work_area": document["work_area"],
        "duration_minutes": str(document["duration_minutes"]),
        "scenario": document["scenario"],
        "materials": "\n".join(document["materials"]),
        "lock_version": lock_version,
    }
    for n, item in enumerate(document["criteria"]):
        data |= {
            f"criteria-{n}-key": item["id"],
            f"criteria-{n}-text": item["text"],
            f"criteria-{n}-minutes": str(item["minutes"]),
            f"criteria-{n}-points": str(item["points"]),
        }
        if item.get("describe_only"):
            data[f"criteria-{n}-describe_only"] = "y"
            data[f"criteria-{n}-real_minutes"] = str(item["real_minutes"])
    for n, item in enumerate(document["critical_errors"]):
        data |= {f"critical_errors-{n}-key": item["id"], f"critical_errors-{n}-text": item["text"]}
    return data


def edit_task(client, url: str, document: dict[str, Any]):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data=form_data(document, lock(page)))


def test_an_edited_rubric_is_published_and_tasks_already_drawn_keep_theirs(app, client):
    alice, bob = experts()
    session = make_skill_session(candidates=1)
    drawn = session.candidates[0].current_tasks[0]
    drawn_rubric = dict(drawn.rubric)
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == drawn.task_code))

    client.login_as(alice)
    edit = client.post(f"/author/tasks/{task.id}/draft").headers["Location"]
    version = version_of(edit)
    document = dict(version.document)
    first, second = document["criteria"][0], document["criteria"][1]
    document["criteria"] = [
        {**first, "text": "改写后的第一条评分要点", "points": first["points"] + 5},
        {**second, "points": second["points"] - 5},
        *document["criteria"][2:],
    ]
    assert edit_task(client, edit, document).status_code == 302
    # The author may not publish their own version.
    client.post(f"/author/versions/{version.id}/submit")
    client.post(f"/author/versions/{version.id}/publish")
    assert version.status == VersionStatus.IN_REVIEW
    client.login_as(bob)
    page = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    assert "diff-add" in page and "改写后的第一条评分要点" in page
    client.post(f"/author/versions/{version.id}/publish")
    db.session.refresh(task)
    assert task.rubric["criteria"][0]["text"] == "改写后的第一条评分要点"
    assert task.rubric["criteria"][0]["points"] == first["points"] + 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published"))
    assert event.details["kind"] == "task" and event.target_id == task.id
    # The candidate's task was drawn before: it is marked by the rubric it drew.
    db.session.refresh(drawn)
    assert drawn.rubric == drawn_rubric
    assert all(
        row.rubric["criteria"][0]["text"] != "改写后的第一条评分要点"
        for row in db.session.scalars(select(CandidateTask))
    )
    history = client.get(f"/author/tasks/{task.id}").get_data(as_text=True)
    assert history.count("data-version=") == 2


def test_a_new_task_is_written_reviewed_and_joins_its_levels_pool(app, client):
    alice, bob = experts()
    make_course(level=5)
    client.login_as(alice)
    edit = client.post("/author/tasks/new").headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    assert 'name="criteria-1-key"' in page  # empty rows to fill in
    assert edit_task(client, edit, NEW_TASK).status_code == 302
    version = publish_as(client, alice, bob, edit)
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == "bottle-feeding"))
    assert task is not None and version.key == "bottle-feeding"
    assert task.rubric["criteria"][1] == {
        "key": "position",
        "text": "半卧位抱起，奶嘴充满奶液",
        "points": 40,
        "minutes": 2.0,
    }
    assert task.rubric["critical_errors"] == [{"key": "lying-flat", "text": "让婴儿平躺喂奶"}]
    assert task in task_pool(5)


def test_a_task_the_checks_refuse_cannot_be_published_and_says_where(app, client):
    alice, _bob = experts()
    make_course(level=5)
    load_practical_tasks()
    client.login_as(alice)
    edit = client.post("/author/tasks/new").headers["Location"]
    broken = {
        **NEW_TASK,
        "code": "hand-washing",  # another task's code
        "duration_minutes": 3,  # the steps take 4.5 minutes
        "criteria": [{**item, "points": 20} for item in NEW_TASK["criteria"]],  # 60 points
    }
    assert edit_task(client, edit, broken).status_code == 302
    version = version_of(edit)
    page = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    problems = re.search(r'data-testid="problems">(.*?)</ul>', page, re.S).group(1)
    assert "评分项" in problems and "60" in problems  # the points, at the rubric
    assert "限时" in problems and "4.5" in problems  # the time, at the time allowed
    assert "hand-washing" in problems  # the code another task uses
    client.post(f"/author/versions/{version.id}/submit")
    assert version.status == VersionStatus.DRAFT


def test_two_experts_saving_the_same_task_draft_never_lose_a_change(app, client):
    alice, bob = experts()
    make_course(level=5)
    client.login_as(alice)
    edit = client.post("/author/tasks/new").headers["Location"]
    alice_lock = lock(client.get(edit).get_data(as_text=True))
    client.login_as(bob)
    bob_lock = lock(client.get(edit).get_data(as_text=True))
    client.login_as(alice)
    saved = client.post(edit, data=form_data({**NEW_TASK, "title": "甲的标题"}, alice_lock))
    assert saved.status_code == 302
    client.login_as(bob)
    clash = client.post(edit, data=form_data({**NEW_TASK, "title": "乙的标题"}, bob_lock))
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "专家甲" in page and "甲的标题" in page and "乙的标题" in page
    version = version_of(edit)
    db.session.refresh(version)
    assert version.document["title"] == "甲的标题"
