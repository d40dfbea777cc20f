"""QTI import with real public QTI 2.1 samples (tests/fixtures/qti/public/, see its README):
every item is imported whole, with its pictures, fixed options and feedback, or refused with a
reason naming what cannot be taken; nothing in the bank is overwritten without the importer's
explicit choice."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.core.roles import Role
from lms.core.storage import media_store
from lms.db import db
from lms.exams import attempts, draw, qti
from lms.exams.models import Attempt, Question, QuestionMedia
from tests.conftest import zh
from tests.exams.factories import make_question, make_session, stock_bank
from tests.factories import make_user

PUBLIC = Path(__file__).parents[1] / "fixtures" / "qti" / "public"
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="MANIFEST-1">
  <organizations/>
  <resources>{resources}</resources>
</manifest>"""
RESOURCE = (
    '<resource identifier="R{n}" type="imsqti_item_xmlv2p1" href="{href}">'
    '<file href="{href}"/>{files}</resource>'
)


def sample(name: str) -> bytes:
    return (PUBLIC / name).read_bytes()


def png(color: str = "red", size: tuple[int, int] = (40, 20)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, color).save(data, "PNG")
    return data.getvalue()


def package(items: dict[str, bytes], media: dict[str, bytes] | None = None) -> bytes:
    """A content package as the import expects: imsmanifest.xml naming each item file and its
    media, the items, and the media files at the paths the items give."""
    media = media or {}
    resources = "".join(
        RESOURCE.format(n=n, href=href, files="".join(f'<file href="{m}"/>' for m in media))
        for n, href in enumerate(items)
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST.format(resources=resources))
        for name, content in {**items, **media}.items():
            archive.writestr(name, content)
    return data.getvalue()


def parsed(content: bytes, name: str = "package.zip") -> qti.QtiResult:
    return qti.parse(name, content)


def only_item(result: qti.QtiResult) -> qti.QtiItem:
    assert result.errors == []
    [item] = result.items
    return item


def import_all(result, author, **options):
    return qti.import_items(
        result.items,
        level=5,
        work_area="daily_care",
        difficulty="medium",
        author=author,
        **options,
    )


# Items that are taken ---------------------------------------------------------------------------


def test_a_choice_item_comes_with_its_picture_which_is_served_only_to_who_may_see_it(client):
    result = parsed(package({"choice.xml": sample("choice.xml")}, {"images/sign.png": png()}))
    item = only_item(result)
    assert item.type == "single" and item.answer == "A"
    # The instruction around the interaction is part of the stem, before the prompt.
    assert item.stem == "Look at the text in the picture.\nWhat does it say?"
    assert item.options["A"] == "You must stay with your luggage at all times."
    [picture] = item.media["stem"]
    assert (picture.name, picture.content_type, picture.alt) == (
        "images/sign.png",
        "image/png",
        "NEVER LEAVE LUGGAGE UNATTENDED",
    )
    assert item.fixed == ["A", "B", "C"]  # shuffle="false": the author's order is kept
    examiner = make_user(Role.EXAMINER)
    report = import_all(result, examiner)
    assert [(o.identifier, o.status) for o in report.items] == [("choice", "imported")]
    question = db.session.scalar(select(Question).where(Question.key == "qti:choice"))
    [ref] = question.media["stem"]
    stored = db.session.get(QuestionMedia, ref["id"])
    assert stored.content_type == "image/png" and stored.size == len(png())
    # The bytes are in the media store, as lesson media's are, not in the database.
    assert stored.data is None and media_store().read(stored.sha256) == png()
    assert question.versions[-1].media == question.media  # papers show the version's media

    client.login_as(examiner)
    served = client.get(f"/exams/media/{ref['id']}")
    assert served.status_code == 200 and served.data == png()
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    part = client.get(f"/exams/media/{ref['id']}", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == png()[:10]  # players seek by ranges
    page = client.get(f"/exams/bank/{question.id}").get_data(as_text=True)
    assert f'src="/exams/media/{ref["id"]}"' in page
    for role in (Role.TRAINEE, Role.INSTITUTION_MANAGER, Role.DISTRICT_ADMIN):
        client.login_as(make_user(role))
        assert client.get(f"/exams/media/{ref['id']}").status_code in (403, 404), role


def test_fixed_options_keep_their_place_on_every_paper(app):
    item = only_item(
        parsed(
            package({"choice_fixed.xml": sample("choice_fixed.xml")}, {"images/sign.png": png()})
        )
    )
    assert item.fixed == ["D"]  # "None of the above." stays last; the others shuffle
    assert item.options["D"] == "None of the above."
    report = import_all(
        parsed(package({"f.xml": sample("choice_fixed.xml")}, {"images/sign.png": png()})),
        make_user(Role.EXAMINER),
    )
    question = db.session.scalar(select(Question).where(Question.key == report.items[0].detail))
    assert question.fixed_options == ["D"]
    orders = set()
    for seed in range(200):
        [drawn] = draw.draw(5, [_Cell()], [question], seed)
        assert drawn.option_order[-1] == "D"
        orders.add(tuple(drawn.option_order))
    assert len(orders) == 6  # every order of A, B, C occurs; D never moves


def test_without_fixed_options_a_paper_is_drawn_as_before():
    keys = ["A", "B", "C", "D"]
    for seed in range(50):
        old = keys[:]
        random.Random(seed).shuffle(old)
        assert draw.shuffled_options(keys, [], random.Random(seed)) == old


def test_multiple_answers_and_true_false_pairs_with_feedback_become_questions(app):
    multiple = only_item(parsed(sample("choice_multiple.xml"), "choice_multiple.xml"))
    assert (multiple.type, multiple.answer, multiple.fixed) == ("multiple", ["A", "D"], [])
    assert list(multiple.options.values()) == [
        "Hydrogen",
        "Helium",
        "Carbon",
        "Oxygen",
        "Nitrogen",
        "Chlorine",
    ]
    modal = only_item(parsed(sample("modalFeedback.xml"), "modalFeedback.xml"))
    assert (modal.type, modal.answer, modal.options) == ("truefalse", True, {})
    assert modal.stem.startswith("Sigmund Freud and Carl Jung")
    assert modal.explanation == "correct\nincorrect"  # both modal feedbacks, as written
    inline = only_item(parsed(sample("feedbackInline.xml"), "feedbackInline.xml"))
    assert (inline.type, inline.answer) == ("truefalse", True)
    # The inline feedback is the explanation, labelled with the choice it answers, and is no
    # longer part of the choice's text.
    assert inline.explanation == (
        f"{zh('True')}：That's correct\n{zh('False')}：That's not correct"
    )


# Items that are refused -------------------------------------------------------------------------

REFUSED = {
    "text_entry.xml": ["textEntryInteraction"],
    "extended_text.xml": ["extendedTextInteraction"],
    "order.xml": ["orderInteraction"],
    "match.xml": ["matchInteraction"],
    "hotspot.xml": ["hotspotInteraction"],
    "media_audio.xml": ["mediaInteraction"],
    "template.xml": ["templateDeclaration, templateProcessing", "textEntryInteraction"],
    "adaptive.xml": ['adaptive="true"', "feedbackBlock"],
    "orkney1.xml": ["text/html", "shared/orkney.html"],
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unsupported_public_items_are_refused_naming_what_cannot_be_taken(app, name):
    result = parsed(package({name: sample(name)}))
    assert result.items == []
    [message] = result.errors
    assert message.startswith(f"{name} (")
    for word in REFUSED[name]:
        assert word in message, message


def test_a_survey_item_without_a_correct_response_is_refused(app):
    [message] = parsed(sample("likert.xml"), "likert.xml").errors
    assert zh("the item has no correct response") in message


def test_the_import_page_lists_every_item_and_imports_nothing_when_one_is_refused(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    names = [p.name for p in sorted(PUBLIC.glob("*.xml"))]
    content = package({n: sample(n) for n in names}, {"images/sign.png": png()})
    page = client.post(
        "/exams/bank/import",
        data={
            "file": (io.BytesIO(content), "public.zip"),
            "level": 5,
            "work_area": "ethics",
            "difficulty": "easy",
        },
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    for name in REFUSED:
        assert f"{name} (" in page
    for name in ("choice.xml", "choice_fixed.xml", "choice_multiple.xml", "modalFeedback.xml"):
        assert f'data-item="{name}"' in page  # checked and importable, listed as such
    assert len(names) >= 15


# Media: only what the bank can show, only from inside the package ---------------------------


def _with_picture(src: str) -> bytes:
    return sample("choice.xml").replace(b'src="images/sign.png"', f'src="{src}"'.encode())


SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
NOT_MEDIA = (
    "%(f)s is not a PNG, JPEG or GIF picture nor an MP3, MP4, Ogg, WAV or WebM sound or video"
)


@pytest.mark.parametrize(
    ("src", "files", "reason", "name"),
    [
        ("images/sign.png", {}, "%(f)s is not in the package", "images/sign.png"),
        ("../../etc/passwd", {}, "%(f)s points outside the package", "../../etc/passwd"),
        (
            "http://example.com/s.png",
            {},
            "%(f)s points outside the package",
            "http://example.com/s.png",
        ),
        ("/etc/passwd", {}, "%(f)s points outside the package", "/etc/passwd"),
        (
            "images/sign.svg",
            {"images/sign.svg": SCRIPT_SVG},
            "%(f)s is an SVG drawing, which can carry scripts; convert it to PNG",
            "images/sign.svg",
        ),
        (
            "images/sign.png",
            {"images/sign.png": b"<b>not a picture</b>"},
            NOT_MEDIA,
            "images/sign.png",
        ),
        (
            "images/sign.png",
            {"images/sign.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64},
            "%(f)s cannot be read as a picture",
            "images/sign.png",
        ),
    ],
)
def test_media_outside_the_package_or_not_showable_refuse_the_item(app, src, files, reason, name):
    result = parsed(package({"choice.xml": _with_picture(src)}, files))
    assert result.items == []
    [message] = result.errors
    assert message == f"choice.xml (choice): {zh(reason, f=name)}"


def test_a_lone_item_file_with_a_picture_asks_for_the_package(app):
    [message] = parsed(sample("choice.xml"), "choice.xml").errors
    assert "images/sign.png" in message and "zip" in message


def test_a_package_entry_pointing_outside_is_refused_whole_by_the_zip_guards(app):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("choice.xml", sample("choice.xml"))
        archive.writestr("../images/sign.png", png())
    [message] = parsed(data.getvalue()).errors
    assert message == zh(
        "%(f)s: the file name %(n)s points outside the package",
        f="package.zip",
        n="../images/sign.png",
    )


def test_a_trainee_sees_a_picture_only_on_their_own_started_paper(client):
    stock_bank(per_type=8)
    make_session(candidates=2)
    mine, other = db.session.scalars(select(Attempt).order_by(Attempt.id)).all()
    picture = QuestionMedia(sha256="x" * 64, content_type="image/png", size=4, data=png())
    db.session.add(picture)
    db.session.flush()
    version = mine.items[0].version
    version.media = {"stem": [{"id": picture.id, "type": "image/png", "alt": "图"}]}
    db.session.flush()
    trainee = make_user(Role.TRAINEE, staff=mine.candidate.staff)
    client.login_as(trainee)
    assert client.get(f"/exams/media/{picture.id}").status_code == 404  # not started yet
    attempts.start(mine.candidate)
    db.session.flush()
    assert client.get(f"/exams/media/{picture.id}").data == png()
    paper = client.get(f"/exams/my/attempts/{mine.id}").get_data(as_text=True)
    assert f'src="/exams/media/{picture.id}"' in paper
    client.login_as(make_user(Role.TRAINEE, staff=other.candidate.staff))
    attempts.start(other.candidate)
    drawn = {item.version_id for item in other.items}
    assert client.get(f"/exams/media/{picture.id}").status_code == (
        200 if version.id in drawn else 404
    )
    client.login_as(make_user(Role.TRAINEE))
    assert client.get(f"/exams/media/{picture.id}").status_code == 404


def test_question_media_imported_before_the_store_are_served_from_their_row(client):
    old = QuestionMedia(sha256="b" * 64, content_type="image/png", size=len(png()), data=png())
    db.session.add(old)
    db.session.flush()
    client.login_as(make_user(Role.EXAMINER))
    served = client.get(f"/exams/media/{old.id}")
    assert served.status_code == 200 and served.data == png()
    assert served.headers["Content-Type"] == "image/png"
    part = client.get(f"/exams/media/{old.id}", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == png()[:10]
    # A row whose file is neither in the store nor in the row is not found.
    lost = QuestionMedia(sha256="c" * 64, content_type="image/png", size=10)
    db.session.add(lost)
    db.session.flush()
    assert client.get(f"/exams/media/{lost.id}").status_code == 404


# Identifiers ----------------------------------------------------------------------------------


def test_an_identifier_already_in_the_bank_is_reported_never_overwritten(app):
    first, second = make_user(Role.EXAMINER), make_user(Role.EXAMINER)
    content = sample("choice_multiple.xml")
    assert import_all(parsed(content, "a.xml"), first).created == 1
    before = db.session.scalar(select(Question).where(Question.key == "qti:choiceMultiple"))
    changed = content.replace(b"Hydrogen", b"Wasserstoff")

    again = import_all(parsed(changed, "a.xml"), first)  # default: refuse
    [(identifier, reason)] = again.refused
    assert identifier == "choiceMultiple"
    assert zh("your earlier import (%(k)s)", k="qti:choiceMultiple") in reason
    other = import_all(parsed(changed, "a.xml"), second, on_conflict="update")
    assert zh("another author's question (%(k)s)", k="qti:choiceMultiple") in other.refused[0][1]
    db.session.refresh(before)
    assert before.options["A"] == "Hydrogen" and len(before.versions) == 1

    renamed = import_all(parsed(changed, "a.xml"), second, on_conflict="rename")
    assert [(o.status, o.detail) for o in renamed.items] == [("renamed", "qti:choiceMultiple~2")]
    updated = import_all(parsed(changed, "a.xml"), first, on_conflict="update")
    assert [o.status for o in updated.items] == ["updated"]
    db.session.refresh(before)
    assert before.options["A"] == "Wasserstoff" and len(before.versions) == 2


def test_an_identifier_of_a_question_from_courses_is_refused_or_renamed(app):
    course_question = make_question("multiple", key="choiceMultiple")
    course_question.source = "courses"
    author = make_user(Role.EXAMINER)
    result = parsed(sample("choice_multiple.xml"), "c.xml")
    for choice in ("refuse", "update"):
        report = import_all(result, author, on_conflict=choice)
        assert report.created == 0
        assert zh("a question from courses/ (%(k)s)", k="choiceMultiple") in report.refused[0][1]
    renamed = import_all(result, author, on_conflict="rename")
    assert renamed.items[0].detail == "qti:choiceMultiple"  # a key of its own, reported
    db.session.refresh(course_question)
    assert course_question.options["A"] == "甲" and course_question.source == "courses"


class _Cell(SimpleNamespace):
    question_type = "single"
    work_area = None
    difficulty = None
    count = 1
    points = 10.0


# Media in other places: options, objects, sound ------------------------------------------------


def test_pictures_in_options_objects_with_fallbacks_and_sounds_come_with_the_item(app):
    base = sample("choice_fixed.xml")
    with_option_picture = base.replace(
        b">Remember your luggage when you leave.<",
        b'><img src="images/bag.gif" alt="bag"/><',
    )
    item = only_item(
        parsed(
            package(
                {"c.xml": with_option_picture},
                {"images/sign.png": png(), "images/bag.gif": _gif()},
            )
        )
    )
    assert item.options["C"] == "bag"  # a picture-only option is named by its alt text
    assert [m.content_type for m in item.media["C"]] == ["image/gif"]
    # An EPS picture with a PNG fallback (as nested_object.xml has): the PNG is shown, and the
    # fallback's text is not read into the stem.
    nested = base.replace(
        b'<img src="images/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED"/>',
        b'<object type="image/eps" data="images/sign.eps"><object type="image/png" '
        b'data="images/sign.png">NEVER LEAVE</object></object>',
    )
    item = only_item(parsed(package({"n.xml": nested}, {"images/sign.png": png()})))
    assert [m.name for m in item.media["stem"]] == ["images/sign.png"]
    assert "NEVER LEAVE" not in item.stem
    sound = base.replace(
        b'<img src="images/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED"/>',
        b'<object type="audio/mpeg" data="audio/sign.mp3">announcement</object>',
    )
    item = only_item(parsed(package({"s.xml": sound}, {"audio/sign.mp3": b"ID3" + b"\0" * 64})))
    assert [(m.content_type, m.alt) for m in item.media["stem"]] == [("audio/mpeg", "announcement")]


def test_a_scorers_rubric_is_not_shown_to_candidates(app):
    with_rubrics = sample("choice_multiple.xml").replace(
        b"<itemBody>",
        b'<itemBody><rubricBlock view="scorer"><p>Give 2 points for H and O.</p></rubricBlock>'
        b'<rubricBlock view="candidate"><p>Choose all that apply.</p></rubricBlock>',
    )
    item = only_item(parsed(with_rubrics, "r.xml"))
    assert (
        item.stem
        == "Choose all that apply.\nWhich of the following elements are used to form water?"
    )


def _gif() -> bytes:
    data = io.BytesIO()
    Image.new("P", (8, 8)).save(data, "GIF")
    return data.getvalue()
