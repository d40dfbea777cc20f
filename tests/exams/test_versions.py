"""Questions keep versions: an import never overwrites another author's or a retired question;
an edit makes a new version; a drawn paper shows and scores the version it drew; only an audited
regrade by a city admin re-scores handed-in papers."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from lms.core.audit import ACTION_LABELS, AuditEvent
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import attempts, bank, qti, sessions
from lms.exams.models import Attempt, PaperItem, Question, QuestionVersion
from tests.conftest import zh
from tests.exams.factories import make_blueprint, make_session
from tests.exams.test_bank import item, sync
from tests.factories import make_user
from tests.learning.content_tree import write_tree

CHOICES = [("a", "俯卧"), ("b", "仰卧"), ("c", "侧卧")]


def package(correct="b", stem="婴儿睡眠的安全姿势是？", identifiers=("one", "two", "three")):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for identifier in identifiers:
            archive.writestr(
                f"{identifier}.xml", item(identifier, "single", [correct], CHOICES, prompt=stem)
            )
    return data.getvalue()


def import_as(author, content, **values):
    result = qti.parse("items.zip", content)
    assert result.errors == []
    return qti.import_items(
        result.items,
        level=values.get("level", 5),
        work_area="daily_care",
        difficulty="medium",
        author=author,
        on_conflict="update",
    )


def snapshot():
    return [
        (q.key, q.stem, q.answer_key, q.retired_at, q.created_by_id)
        for q in db.session.scalars(select(Question).order_by(Question.key))
    ]


def versions(key):
    question = db.session.scalar(select(Question).where(Question.key == key))
    return list(
        db.session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.question_id == question.id)
            .order_by(QuestionVersion.number)
        )
    )


def test_another_authors_reimport_is_refused_item_by_item_and_changes_nothing(app):
    author_a, author_b = make_user(Role.EXAMINER), make_user(Role.EXAMINER)
    assert import_as(author_a, package()).created == 3
    before = snapshot()
    report = import_as(
        author_b, package(correct="a", stem="改写的题干", identifiers=("one", "two", "new"))
    )
    assert report.created == 1 and report.updated == 0
    assert [identifier for identifier, _ in report.refused] == ["one", "two"]
    assert all(
        zh("the question with this identifier belongs to another author") in reason
        for _, reason in report.refused
    )
    assert [row for row in snapshot() if row[0] != "qti:new"] == before
    assert [v.number for v in versions("qti:one")] == [1]


def test_a_city_admin_cannot_overwrite_an_examiners_question_either(app):
    examiner = make_user(Role.EXAMINER)
    import_as(examiner, package(identifiers=("one",)))
    report = import_as(make_user(Role.CITY_ADMIN), package(correct="c", identifiers=("one",)))
    assert [identifier for identifier, _ in report.refused] == ["one"]
    assert versions("qti:one")[-1].answer_key == "B"


def test_a_retired_question_is_not_revived_by_its_authors_reimport(app):
    author = make_user(Role.EXAMINER)
    import_as(author, package(identifiers=("one",)))
    question = db.session.scalar(select(Question).where(Question.key == "qti:one"))
    bank.set_retired(question, True)
    report = import_as(author, package(correct="a", identifiers=("one",)))
    [(identifier, reason)] = report.refused
    assert identifier == "one"
    assert zh("the question with this identifier is retired; it is not brought back") in reason
    db.session.refresh(question)
    assert question.retired_at is not None and question.answer_key == "B"


def test_the_upload_page_lists_each_refused_identifier_with_the_reason(client):
    import_as(make_user(Role.EXAMINER), package(identifiers=("one",)))
    client.login_as(make_user(Role.EXAMINER))
    page = client.post(
        "/exams/bank/import",
        data={
            "file": (io.BytesIO(package(identifiers=("one", "fresh"))), "items.zip"),
            "level": 5,
            "work_area": "ethics",
            "difficulty": "easy",
        },
    ).get_data(as_text=True)
    assert "one" in page and zh("another author's question (%(k)s)", k="qti:one") in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2


def test_an_authors_own_reimport_makes_a_new_version(app):
    author = make_user(Role.EXAMINER)
    import_as(author, package(identifiers=("one",)))
    report = import_as(author, package(correct="c", identifiers=("one",)))
    assert (report.updated, report.refused) == (1, [])
    found = versions("qti:one")
    assert [(v.number, v.answer_key, v.created_by_id) for v in found] == [
        (1, "B", author.id),
        (2, "C", author.id),
    ]


def drawn_paper(author, candidates=1, identifiers=("one", "two", "three")):
    """A session whose two-question papers come from ``author``'s imported questions."""
    import_as(author, package(identifiers=identifiers))
    blueprint = make_blueprint(cells=[("single", 2, 50)])
    return make_session(blueprint, candidates=candidates)


def answer_everything(attempt, letter_of):
    attempts.start(attempt.candidate)
    for paper_item in attempt.items:
        display = "ABCDEF"[paper_item.option_order.index(letter_of)]
        attempts.save_answer(attempt, paper_item.position, [display], seq=1)
    attempts.submit(attempt)


def test_a_key_changed_after_the_draw_leaves_the_paper_and_its_score_alone(client):
    author = make_user(Role.EXAMINER)
    drawn_paper(author)
    attempt = db.session.scalar(select(Attempt))
    # The author corrects the key (B → C) and the stem by importing again.
    assert import_as(author, package(correct="c", stem="新题干")).updated == 3
    assert {q.answer_key for q in db.session.scalars(select(Question))} == {"C"}
    # The candidate still sees the text they drew…
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    attempts.start(attempt.candidate)
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    assert "婴儿睡眠的安全姿势是？" in page and "新题干" not in page
    # …and is scored by its key: B was right when they sat the paper.
    answer_everything(attempt, "B")
    assert attempt.score == 100
    assert {i.version.number for i in attempt.items} == {1}


def test_a_courses_sync_edit_is_a_new_version_and_never_revives_a_retired_question(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    sync(root)
    questions = root / "test-l5" / "questions" / "daily.yaml"
    first = db.session.scalar(select(Question).where(Question.key == "t5-q-001"))
    old_stem = first.stem
    questions.write_text(
        questions.read_text(encoding="utf-8").replace(old_stem, "改过的题干"), encoding="utf-8"
    )
    assert sync(root)["question.updated"] == 1
    assert [(v.number, v.stem) for v in versions("t5-q-001")] == [(1, old_stem), (2, "改过的题干")]
    bank.set_retired(first, True)
    report = sync(root)
    assert report["question.kept_retired"] == 1
    db.session.refresh(first)
    assert first.retired_at is not None


def sat_with_wrong_key(author):
    """Two candidates answered B under key B; then the author changed the key to C."""
    session = drawn_paper(author, candidates=2, identifiers=("one", "two"))
    for attempt in db.session.scalars(select(Attempt)):
        answer_everything(attempt, "B")
    import_as(author, package(correct="c", identifiers=("one", "two")))
    return session


def test_a_city_admin_regrades_after_a_confirmation_and_it_is_audited(client):
    author = make_user(Role.EXAMINER)
    session = sat_with_wrong_key(author)
    assert [a.score for a in db.session.scalars(select(Attempt))] == [100, 100]
    paper_item = db.session.scalars(select(PaperItem).order_by(PaperItem.id)).first()
    newer = versions(paper_item.question.key)[-1]
    admin = make_user(Role.CITY_ADMIN)
    client.login_as(admin)
    url = f"/exams/sessions/{session.id}/regrade"
    listing = client.get(url).get_data(as_text=True)
    assert paper_item.question.key in listing
    confirm = client.post(url, data={"version_id": newer.id}).get_data(as_text=True)
    assert (
        zh(
            "%(n)d handed-in papers of this session will be scored again by version %(v)d of "
            "question %(q)s.",
            n=2,
            v=2,
            q=paper_item.question.key,
        )
        in confirm
    )
    # Nothing changes before the confirmation.
    assert [a.score for a in db.session.scalars(select(Attempt))] == [100, 100]
    ids = [a.id for a in db.session.scalars(select(Attempt).order_by(Attempt.id))]
    done = client.post(url, data={"version_id": newer.id, "confirm": 1, "attempt_ids": ids})
    assert done.status_code == 302
    scores = [a.score for a in db.session.scalars(select(Attempt).order_by(Attempt.id))]
    assert scores == [50, 50]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.regraded"))
    assert event.actor_id == admin.id and event.details["attempts"] == 2
    assert [(c["before"], c["after"]) for c in event.details["changes"]] == [(100, 50)] * 2
    assert str(ACTION_LABELS["exam.regraded"]) == zh(
        "Handed-in papers regraded by a newer question version"
    )


def test_regrading_is_refused_once_results_are_published(app):
    author = make_user(Role.EXAMINER)
    session = sat_with_wrong_key(author)
    session.status, session.results_published_at = "results_published", utcnow()
    db.session.flush()
    version = versions(db.session.scalars(select(PaperItem)).first().question.key)[-1]
    from lms.core.errors import Conflict
    from lms.exams import regrade

    with pytest.raises(Conflict):
        regrade.regrade(session, version, make_user(Role.CITY_ADMIN))
    assert [a.score for a in db.session.scalars(select(Attempt))] == [100, 100]


def test_only_a_city_admin_can_regrade(client):
    author = make_user(Role.EXAMINER)
    session = sat_with_wrong_key(author)
    version = versions(db.session.scalars(select(PaperItem)).first().question.key)[-1]
    url = f"/exams/sessions/{session.id}/regrade"
    for role in (Role.DISTRICT_ADMIN, Role.EXAMINER, Role.TRAINEE):
        client.login_as(make_user(role))
        answer = client.post(
            url, data={"version_id": version.id, "confirm": 1, "attempt_ids": [1, 2, 3]}
        )
        assert answer.status_code in (403, 404)
    assert [a.score for a in db.session.scalars(select(Attempt))] == [100, 100]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exam.regraded")) is None


def test_the_draw_records_the_newest_version(app):
    author = make_user(Role.EXAMINER)
    import_as(author, package())
    import_as(author, package(correct="c"))
    make_session(make_blueprint(cells=[("single", 2, 50)]), candidates=1)
    drawn = db.session.scalars(select(PaperItem)).all()
    assert {(i.version.number, i.version.answer_key) for i in drawn} == {(2, "C")}
    assert sessions  # the draw went through sessions.publish


def test_the_migration_makes_every_question_version_1_and_points_drawn_papers_at_it(tmp_path):
    """Upgrade a database holding questions and a drawn paper from 0008 to 0009."""
    import json

    import sqlalchemy as sa
    from alembic import command

    from lms.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    config.attributes["skip_logging"] = True
    command.upgrade(config, "0008")
    engine = sa.create_engine(url)  # no PRAGMA foreign_keys: the attempt's candidate is not needed
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO exam_attempts (id, candidate_id, seed, auto_submitted, status,"
                " breakdown) VALUES (7, 1, 1, 0, 'in_progress', '{}')"
            )
        )
        for number, key in ((1, "B"), (2, ["A", "C"])):
            connection.execute(
                sa.text(
                    "INSERT INTO questions (id, key, type, level, work_area, difficulty, stem,"
                    " options, answer_key, explanation, source, created_at, updated_at) VALUES"
                    " (:id, :key, 'single', 5, 'daily_care', 'easy', :stem, :options, :answer,"
                    " '', 'qti', '2026-01-01', '2026-01-01')"
                ),
                {
                    "id": number,
                    "key": f"qti:{number}",
                    "stem": f"旧题干{number}",
                    "options": json.dumps({"A": "甲", "B": "乙", "C": "丙"}),
                    "answer": json.dumps(key),
                },
            )
            connection.execute(
                sa.text(
                    "INSERT INTO paper_items (attempt_id, position, question_id, option_order,"
                    ' points) VALUES (7, :n, :n, \'["C", "A", "B"]\', 50)'
                ),
                {"n": number},
            )
    command.upgrade(config, "0009")
    with engine.connect() as connection:
        versions = connection.execute(
            sa.text(
                "SELECT v.question_id, v.number, v.stem, v.answer_key FROM question_versions v"
                " ORDER BY v.question_id"
            )
        ).all()
        items = connection.execute(
            sa.text(
                "SELECT p.question_id, v.question_id, v.number FROM paper_items p"
                " JOIN question_versions v ON v.id = p.version_id ORDER BY p.position"
            )
        ).all()
    engine.dispose()
    assert [(q, n, s, json.loads(a)) for q, n, s, a in versions] == [
        (1, 1, "旧题干1", "B"),
        (2, 1, "旧题干2", ["A", "C"]),
    ]
    assert items == [(1, 1, 1), (2, 2, 1)]


def test_only_the_papers_chosen_on_the_confirmation_page_are_regraded(client):
    author = make_user(Role.EXAMINER)
    session = sat_with_wrong_key(author)
    first, second = db.session.scalars(select(Attempt).order_by(Attempt.id)).all()
    newer = versions(first.items[0].question.key)[-1]
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session.id}/regrade"
    page = client.post(url, data={"version_id": newer.id}).get_data(as_text=True)
    assert first.candidate.admission_number in page and second.candidate.admission_number in page
    client.post(url, data={"version_id": newer.id, "confirm": 1, "attempt_ids": [second.id]})
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.score, second.score) == (100, 50)
    # Nothing chosen: nothing regraded, and the reason is shown.
    answer = client.post(url, data={"version_id": newer.id, "confirm": 1}, follow_redirects=True)
    assert zh("No paper was chosen to regrade") in answer.get_data(as_text=True)
    db.session.refresh(first)
    assert first.score == 100


def test_the_bank_page_of_a_question_lists_its_versions(client):
    author = make_user(Role.EXAMINER)
    import_as(author, package(identifiers=("one",)))
    import_as(author, package(correct="c", stem="更正后的题干", identifiers=("one",)))
    question = db.session.scalar(select(Question).where(Question.key == "qti:one"))
    client.login_as(author)
    page = client.get(f"/exams/bank/{question.id}").get_data(as_text=True)
    assert zh("Version %(v)d", v=1) in page and zh("Version %(v)d", v=2) in page
    assert "婴儿睡眠的安全姿势是？" in page and "更正后的题干" in page


def test_a_version_with_other_options_cannot_be_used_to_regrade(app):
    from lms.core.errors import DomainError
    from lms.exams import regrade

    author = make_user(Role.EXAMINER)
    session = sat_with_wrong_key(author)
    question = db.session.scalars(select(PaperItem)).first().question
    question.options = {**question.options, "D": "抱着睡"}
    db.session.flush()
    newest = versions(question.key)[-1]
    assert newest.options["D"] == "抱着睡"
    with pytest.raises(DomainError) as error:
        regrade.affected(session, newest, make_user(Role.CITY_ADMIN))
    assert error.value.message == zh(
        "Version %(new)d has another type or other options than version %(old)d the candidates "
        "saw; it cannot be used to regrade their papers",
        new=newest.number,
        old=1,
    )
