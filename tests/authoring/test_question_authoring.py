"""Authoring exam questions in the browser (issue 20 item 4): an expert drafts a new question or
an edit, a second expert publishes it; conflicting saves keep both texts; a question its type
or the tells refuse cannot be published and says where; history, diff and rollback; a paper
drawn before an edit keeps showing the text it drew."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.authoring.models import ContentVersion, VersionStatus
from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.exams import attempts
from lms.exams.models import Attempt, Question, QuestionVersion
from tests.authoring.helpers import experts, lock, publish_as, version_of
from tests.exams.factories import make_blueprint, make_question, make_session
from tests.factories import make_user

FORM = {
    "type": "single",
    "level": "5",
    "work_area": "daily_care",
    "difficulty": "medium",
    "stem": "婴儿午睡时最安全的睡姿是（　）。",
    "options": "仰卧\n俯卧\n侧卧\n趴睡",
    "answer": "A",
    "explanation": "仰卧可降低婴儿猝死综合征的风险。",
}


def save(client, url, **changes):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={**FORM, "lock_version": lock(page), **changes})


def test_an_edit_is_published_by_a_second_expert_and_a_drawn_paper_keeps_its_text(app, client):
    alice, bob = experts()
    questions = [make_question(stem=f"第{n}道关于婴儿照护的题目") for n in range(3)]
    make_session(make_blueprint(cells=[("single", 3, 100 / 3)]), candidates=1)
    attempt = db.session.scalar(select(Attempt))
    question = questions[0]
    old_stem = question.stem

    client.login_as(alice)
    started = client.post(f"/author/questions/{question.id}/draft")
    edit = started.headers["Location"]
    assert save(client, edit).status_code == 302
    version = version_of(edit)
    client.post(f"/author/versions/{version.id}/submit")
    # The author may not publish their own version.
    client.post(f"/author/versions/{version.id}/publish")
    assert version.status == VersionStatus.IN_REVIEW and question.stem == old_stem

    client.login_as(bob)
    assert f"/author/versions/{version.id}" in client.get("/author/").get_data(as_text=True)
    page = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    assert "diff-add" in page and "婴儿午睡时最安全的睡姿" in page
    client.post(f"/author/versions/{version.id}/publish")
    db.session.refresh(question)
    assert (question.stem, question.options["B"], question.answer_key) == (
        FORM["stem"],
        "俯卧",
        "A",
    )
    assert version.status == VersionStatus.PUBLISHED and version.reviewed_by_id == bob.id
    newest = db.session.scalar(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id)
        .order_by(QuestionVersion.number.desc())
    )
    assert (newest.number, newest.created_by_id, newest.stem) == (2, alice.id, FORM["stem"])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published"))
    assert event.details["kind"] == "question" and event.target_id == question.id

    # The candidate's paper was drawn before the edit: it shows the text it drew.
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    attempts.start(attempt.candidate)
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    assert old_stem in page and FORM["stem"] not in page
    assert {item.version.number for item in attempt.items} == {1}


def test_a_new_question_gets_its_id_when_published(app, client):
    alice, bob = experts()
    make_question(key="l5-dc-007", stem="给婴儿冲调配方奶时应先加什么")
    client.login_as(alice)
    created = client.post("/author/questions/new")
    edit = created.headers["Location"]
    assert version_of(edit).key.startswith("new-")
    assert save(client, edit, type="multiple", answer="A，C", options="仰卧\n俯卧\n侧卧\n趴睡")
    version = publish_as(client, alice, bob, edit)
    question = db.session.scalar(select(Question).where(Question.key == "l5-dc-008"))
    assert question is not None and question.source == "courses"
    assert (question.type, question.answer_key) == ("multiple", ["A", "C"])
    assert version.key == "l5-dc-008" and version.status == VersionStatus.PUBLISHED
    page = client.get(f"/author/questions/{question.id}").get_data(as_text=True)
    assert page.count("data-version=") == 1  # the published draft is version 1


def test_two_experts_saving_the_same_draft_never_lose_a_change(app, client):
    alice, bob = experts()
    question = make_question()
    client.login_as(alice)
    edit = client.post(f"/author/questions/{question.id}/draft").headers["Location"]
    alice_lock = lock(client.get(edit).get_data(as_text=True))
    client.login_as(bob)
    bob_lock = lock(client.get(edit).get_data(as_text=True))
    client.login_as(alice)
    first = {**FORM, "lock_version": alice_lock, "stem": "甲写的题干：婴儿睡姿"}
    assert client.post(edit, data=first).status_code == 302
    client.login_as(bob)
    clash = client.post(edit, data={**FORM, "lock_version": bob_lock, "stem": "乙写的题干：喂养"})
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "专家甲" in page and "甲写的题干" in page and "乙写的题干" in page
    version = version_of(edit)
    db.session.refresh(version)
    assert version.document["stem"] == "甲写的题干：婴儿睡姿"
    merged = {**FORM, "lock_version": lock(page), "stem": "合并后的题干：婴儿睡姿与喂养"}
    assert client.post(edit, data=merged).status_code == 302
    db.session.refresh(version)
    assert version.document["stem"] == "合并后的题干：婴儿睡姿与喂养"


def test_a_question_its_type_or_the_tells_refuse_cannot_be_published_and_says_where(app, client):
    alice, _bob = experts()
    make_question(stem="婴儿午睡时最安全的睡姿是哪一种（　）。", level=5)
    client.login_as(alice)
    edit = client.post("/author/questions/new").headers["Location"]
    broken = {
        "type": "multiple",
        "answer": "A",  # one key: a multiple-choice item needs two
        "options": "仰卧\n俯卧\n以上都对",  # a catch-all option, shuffled
    }
    assert save(client, edit, **broken).status_code == 302
    version = version_of(edit)
    page = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    problems = re.search(r'data-testid="problems">(.*?)</ul>', page, re.S).group(1)
    assert "答案" in problems and "至少" in problems  # the answer key, and why
    assert "选项" in problems and "以上都对" in problems  # the catch-all, in the options
    assert "婴儿午睡时最安全的睡姿是哪一种" not in problems
    assert "题干" in problems and "相似" in problems  # almost the same stem as another's
    client.post(f"/author/versions/{version.id}/submit")
    assert version.status == VersionStatus.DRAFT
    submitted = select(AuditEvent).where(AuditEvent.action == "content.submitted")
    assert db.session.scalar(submitted) is None


def test_history_diff_and_rollback_of_a_question(app, client):
    alice, bob = experts()
    question = make_question(stem="原来的题干：婴儿睡姿")
    client.login_as(alice)
    edit = client.post(f"/author/questions/{question.id}/draft").headers["Location"]
    save(client, edit)
    publish_as(client, alice, bob, edit)
    db.session.refresh(question)
    assert question.stem == FORM["stem"]
    first = db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == "question",
            ContentVersion.key == question.key,
            ContentVersion.number == 1,
        )
    )
    assert first.status == VersionStatus.SUPERSEDED
    client.login_as(alice)
    rolled = client.post(f"/author/versions/{first.id}/rollback").headers["Location"]
    draft = version_of(rolled)
    assert (draft.number, draft.document["stem"]) == (3, "原来的题干：婴儿睡姿")
    page = client.get(f"/author/versions/{draft.id}").get_data(as_text=True)
    assert "diff-del" in page and "diff-add" in page and "原来的题干" in page
    publish_as(client, alice, bob, rolled)
    db.session.refresh(question)
    assert question.stem == "原来的题干：婴儿睡姿"
    history = client.get(f"/author/questions/{question.id}").get_data(as_text=True)
    assert history.count("data-version=") == 3
    numbers = db.session.scalars(
        select(QuestionVersion.number).where(QuestionVersion.question_id == question.id)
    )
    assert sorted(numbers) == [1, 2, 3]  # every published text is a version papers may cite
