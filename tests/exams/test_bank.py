import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db
from lms.exams import bank, qti
from lms.exams.models import Blueprint, Question
from tests.conftest import zh
from tests.factories import make_user
from tests.learning.content_tree import write_tree


def sync(root: Path) -> Counter:
    content, problems = load_content(root)
    assert problems == []
    return sync_content(content)


def test_course_questions_and_blueprints_load_and_removed_ones_retire(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    (root / "blueprints.yaml").write_text(
        "blueprints:\n  - key: t5\n    title: 测试\n    level: 5\n    cells:\n"
        "      - {type: single, count: 1, points: 40}\n"
        "      - {type: multiple, count: 1, points: 40}\n"
        "      - {type: truefalse, count: 1, points: 20}\n",
        encoding="utf-8",
    )
    report = sync(root)
    assert (report["question.created"], report["blueprint.created"]) == (3, 1)
    assert sync(root)["question.unchanged"] == 3
    blueprint = db.session.scalar(select(Blueprint))
    assert [(c.question_type, c.count) for c in blueprint.cells] == [
        ("single", 1),
        ("multiple", 1),
        ("truefalse", 1),
    ]
    questions = root / "test-l5" / "questions" / "daily.yaml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text[: text.index("  - id: t5-q-003")], encoding="utf-8")
    (root / "blueprints.yaml").write_text(
        (root / "blueprints.yaml")
        .read_text(encoding="utf-8")
        .replace("{type: single, count: 1, points: 40}", "{type: single, count: 1, points: 60}")
        .replace("      - {type: truefalse, count: 1, points: 20}\n", ""),
        encoding="utf-8",
    )
    report = sync(root)
    assert report["question.retired"] == 1 and report["blueprint.updated"] == 1
    retired = db.session.scalar(select(Question).where(Question.key == "t5-q-003"))
    assert retired.retired_at is not None


def test_a_blueprint_the_bank_cannot_fill_is_reported_by_the_checker(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    (root / "blueprints.yaml").write_text(
        "blueprints:\n  - key: t5\n    title: 测试\n    level: 5\n    cells:\n"
        "      - {type: single, count: 5, points: 20}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in load_content(root)[1]]
    assert len(problems) == 1 and problems[0].startswith("courses/blueprints.yaml:2: ")


@pytest.mark.parametrize(
    ("kind", "options", "answer", "stored"),
    [
        ("single", "甲\n乙\n丙", "b", "B"),
        ("multiple", "甲\n乙\n丙\n丁", "A，C", ["A", "C"]),
        ("truefalse", "", "对", True),
        ("short", "", "要点一、要点二", "要点一、要点二"),
    ],
)
def test_every_type_can_be_written_in_the_bank(app, kind, options, answer, stored):
    question = bank.create_question(
        bank.QuestionData(
            type=kind,
            level=4,
            work_area="safety_health",
            difficulty="hard",
            stem="题干",
            options_text=options,
            answer_text=answer,
            explanation="解析",
        )
    )
    assert question.answer_key == stored and question.source == "manual"


def test_a_malformed_question_is_refused_with_the_reason(app):
    with pytest.raises(DomainError) as error:
        bank.create_question(
            bank.QuestionData(
                type="single",
                level=4,
                work_area="ethics",
                difficulty="easy",
                stem="题干",
                options_text="甲\n乙\n丙",
                answer_text="D",
                explanation="解析",
            )
        )
    assert zh("the answer must be one option key, e.g. B") in str(error.value.message)


ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{id}" title="t"
  adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="{card}" baseType="identifier">
    <correctResponse>{correct}</correctResponse>
  </responseDeclaration>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">
      <prompt>{prompt}</prompt>
      {choices}
    </choiceInteraction>
  </itemBody>
</assessmentItem>"""


def item(identifier, card, correct, choices, prompt="婴儿睡眠的安全姿势是？"):
    return ITEM.format(
        id=identifier,
        card=card,
        prompt=prompt,
        correct="".join(f"<value>{c}</value>" for c in correct),
        choices="".join(f'<simpleChoice identifier="{k}">{t}</simpleChoice>' for k, t in choices),
    ).encode()


def test_qti_choice_items_import_as_single_multiple_and_true_false(app):
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        archive.writestr(
            "items/one.xml",
            item("one", "single", ["c2"], [("c1", "俯卧"), ("c2", "仰卧"), ("c3", "侧卧")]),
        )
        archive.writestr(
            "items/two.xml",
            item("two", "multiple", ["x", "z"], [("x", "甲"), ("y", "乙"), ("z", "丙")]),
        )
        archive.writestr(
            "items/three.xml", item("three", "single", ["f"], [("t", "正确"), ("f", "错误")])
        )
    result = qti.parse("package.zip", package.getvalue())
    assert result.errors == []
    parsed = {i.identifier: i for i in result.items}
    assert (parsed["one"].type, parsed["one"].answer, parsed["one"].options["B"]) == (
        "single",
        "B",
        "仰卧",
    )
    assert (parsed["two"].type, parsed["two"].answer) == ("multiple", ["A", "C"])
    assert (parsed["three"].type, parsed["three"].answer) == ("truefalse", False)
    author = make_user(Role.EXAMINER)
    report = qti.import_items(
        result.items, level=5, work_area="daily_care", difficulty="medium", author=author
    )
    assert (report.created, report.updated, report.refused) == (3, 0, [])
    again = qti.import_items(
        result.items,
        level=5,
        work_area="daily_care",
        difficulty="medium",
        author=author,
        on_conflict="update",
    )
    assert (again.created, again.updated, again.unchanged, again.refused) == (0, 0, 3, [])
    refused = qti.import_items(
        result.items, level=5, work_area="daily_care", difficulty="medium", author=author
    )
    assert (refused.created, len(refused.refused)) == (0, 3)  # by default nothing is replaced


def test_unsupported_qti_items_are_reported_item_by_item(app):
    text_entry = b"""<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
      identifier="gap"><responseDeclaration identifier="R" cardinality="single"/>
      <itemBody><textEntryInteraction responseIdentifier="R"/></itemBody></assessmentItem>"""
    two_choices = item("pair", "single", ["a"], [("a", "甲"), ("b", "乙")])
    result = qti.parse("gap.xml", text_entry)
    assert "textEntryInteraction" in result.errors[0] and result.items == []
    assert qti.parse("pair.xml", two_choices).errors
    assert qti.parse("broken.xml", b"<assessmentItem").errors
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<assessmentItem>&a;</assessmentItem>"
    )
    assert qti.parse("bomb.xml", bomb).errors


def test_qti_upload_page_imports_nothing_when_an_item_is_bad(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(
            "good.xml", item("good", "single", ["a"], [("a", "甲"), ("b", "乙"), ("c", "丙")])
        )
        archive.writestr(
            "bad.xml", item("bad", "multiple", ["a"], [("a", "甲"), ("b", "乙"), ("c", "丙")])
        )
    data = {
        "file": (io.BytesIO(package.getvalue()), "items.zip"),
        "level": 5,
        "work_area": "ethics",
        "difficulty": "easy",
    }
    page = client.post("/exams/bank/import", data=data).get_data(as_text=True)
    assert "bad.xml" in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
