"""Editing lessons in the browser: draft → review by a second expert → publish, with every
version kept for its history, diffs and rollback.

A lesson's live text stays in its row (``lessons``), which publishing updates in place: the
row's id, and so every trainee's progress on it, stays the same across versions. Two experts
saving the same draft from pages showing different states of it never overwrite each other:
the second save is refused with the difference (``DraftConflict``), as the marking sheet does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from lms.authoring import lesson_media
from lms.authoring.models import OPEN, ContentVersion, VersionStatus
from lms.content.lesson_check import lesson_problems
from lms.content.sources import find_media
from lms.core import audit
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.db import db, utcnow
from lms.learning.models import Lesson

LESSON = "lesson"
HOURS = (0.5, 6.0)


class DraftConflict(Conflict):
    """The draft was saved by someone else since the page was loaded; nothing was written."""

    def __init__(self, version: ContentVersion, mine: dict[str, Any]) -> None:
        super().__init__(
            _l(
                "%(name)s saved this draft while you were editing it. Nothing was overwritten: "
                "compare the two texts below, merge your changes into the current draft and save "
                "again.",
                name=_last_editor_name(version),
            )
        )
        self.version = version
        self.mine = mine
        self.diff = diff_html(version.document, mine, _l("Saved draft"), _l("Your text"))


def _last_editor_name(version: ContentVersion) -> str:
    from lms.accounts.models import User

    last = version.editors[-1] if version.editors else version.created_by_id
    user = db.session.get(User, last) if last else None
    return user.display_name if user is not None else str(_l("Another expert"))


# The lesson's document ---------------------------------------------------------------------


def lesson_document(lesson: Lesson) -> dict[str, Any]:
    return {"title": lesson.title, "hours": float(lesson.hours), "body": lesson.body_markdown}


def document_text(document: dict[str, Any]) -> str:
    """The document as the lines a diff compares (the lesson file's fields, then its body)."""
    return f"title: {document['title']}\nhours: {document['hours']:g}\n---\n{document['body']}"


def problems(lesson: Lesson, document: dict[str, Any]) -> list[tuple[int, str]]:
    """What keeps the document from being published: (line of the body, message)."""
    found: list[tuple[int, str]] = []
    if not str(document.get("title", "")).strip():
        found.append((0, str(_l("%(key)s is required", key="title"))))
    hours = document.get("hours")
    if not isinstance(hours, int | float) or not HOURS[0] <= hours <= HOURS[1]:
        found.append((0, str(_l("hours must be a number from 0.5 to 6"))))
    course = lesson.course.code
    found += lesson_problems(document["body"], lambda ref, kind: find_media(course, ref, kind))
    return found


def _apply(lesson: Lesson, document: dict[str, Any]) -> None:
    lesson.title = document["title"].strip()
    lesson.hours = document["hours"]
    lesson.body_markdown = document["body"]
    lesson.body_html = lesson_media.render(lesson, document["body"], store=True)
    lesson_media.link_pictures(lesson, document["body"])


# Versions ----------------------------------------------------------------------------------


def history(lesson: Lesson) -> list[ContentVersion]:
    """Every version of the lesson, newest first; the first is the text from courses/."""
    baseline(lesson)
    return list(
        db.session.scalars(
            select(ContentVersion)
            .where(ContentVersion.kind == LESSON, ContentVersion.key == lesson.key)
            .order_by(ContentVersion.number.desc())
        )
    )


def baseline(lesson: Lesson) -> ContentVersion:
    """The lesson's published version; created from the live text (as courses/ loaded it)
    the first time the lesson is opened for authoring, or when courses/ changed it since."""
    live = _published(lesson.key)
    document = lesson_document(lesson)
    if live is not None and live.document == document:
        return live
    if live is not None:
        live.status = VersionStatus.SUPERSEDED
    version = ContentVersion(
        kind=LESSON,
        key=lesson.key,
        number=_next_number(lesson.key),
        status=VersionStatus.PUBLISHED,
        document=document,
        editors=[],
        note=str(_l("Text loaded from courses/")),
        published_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _published(key: str) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == LESSON,
            ContentVersion.key == key,
            ContentVersion.status == VersionStatus.PUBLISHED,
        )
    )


def open_version(lesson: Lesson) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == LESSON,
            ContentVersion.key == lesson.key,
            ContentVersion.status.in_(OPEN),
        )
    )


def _next_number(key: str) -> int:
    latest = db.session.scalar(
        select(func.max(ContentVersion.number)).where(
            ContentVersion.kind == LESSON, ContentVersion.key == key
        )
    )
    return (latest or 0) + 1


def start_draft(lesson: Lesson, user: Any, source: ContentVersion | None = None) -> ContentVersion:
    """The lesson's open draft (shared by the experts editing it), or a new one from the live
    text, or from ``source`` (an older version: rollback)."""
    live = baseline(lesson)
    existing = open_version(lesson)
    if existing is not None:
        if source is not None:
            raise Conflict(
                _l("Version %(n)d is being edited; finish or discard it first", n=existing.number)
            )
        return existing
    base = source or live
    draft = ContentVersion(
        kind=LESSON,
        key=lesson.key,
        number=_next_number(lesson.key),
        status=VersionStatus.DRAFT,
        document=dict(base.document),
        based_on_id=base.id,
        created_by_id=user.id,
        editors=[],
        note=str(_l("Rollback to version %(n)d", n=base.number)) if source else "",
    )
    db.session.add(draft)
    db.session.flush()
    if source is not None:
        audit.record("content.rollback_started", lesson, version=draft.number, to=source.number)
    return draft


def version_of(lesson: Lesson, version_id: int) -> ContentVersion:
    version = db.session.get(ContentVersion, version_id)
    if version is None or version.kind != LESSON or version.key != lesson.key:
        raise DomainError(_l("No such version of this lesson"), status=404)
    return version


def save_draft(
    version: ContentVersion, user: Any, document: dict[str, Any], seen: int
) -> ContentVersion:
    """Save the draft as ``user`` wrote it on a page that showed lock version ``seen``.

    Refused with the difference (``DraftConflict``) when somebody saved it since; a draft in
    review goes back to draft (it must be submitted again)."""
    if not version.is_open:
        raise Conflict(_l("This version is no longer a draft"))
    if seen != version.lock_version:
        raise DraftConflict(version, document)
    version.document = document
    if user.id not in version.editors:
        version.editors = [*version.editors, user.id]
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    try:
        db.session.flush()
    except StaleDataError:  # saved by another request between our read and our write
        db.session.rollback()
        raise DraftConflict(db.session.get(ContentVersion, version.id), document) from None
    return version


def submit(lesson: Lesson, version: ContentVersion, user: Any) -> None:
    """Ask for review; refused while the text has problems (each with its line)."""
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_l("Only a draft can be sent for review"))
    _refuse_problems(lesson, version)
    version.status, version.submitted_at = VersionStatus.IN_REVIEW, utcnow()
    if user.id not in version.editors:
        version.editors = [*version.editors, user.id]
    audit.record("content.submitted", lesson, version=version.number)


def _refuse_problems(lesson: Lesson, version: ContentVersion) -> None:
    found = problems(lesson, version.document)
    if found:
        raise DomainError(
            _l(
                "The lesson cannot be published yet: %(list)s",
                list="；".join(_where(line, message) for line, message in found),
            )
        )


def _where(line: int, message: str) -> str:
    return str(_l("line %(n)d: %(m)s", n=line, m=message)) if line else message


def check_reviewer(version: ContentVersion, user: Any) -> None:
    """A second expert reviews: nobody who wrote the version."""
    if user.id in version.editors or user.id == version.created_by_id:
        raise NotAllowed(_l("You edited this version; another expert must review and publish it"))


def publish(lesson: Lesson, version: ContentVersion, reviewer: Any, note: str = "") -> None:
    """Publish a reviewed version: the lesson's live text becomes it (same lesson row, so
    trainees keep their progress), the previous one becomes an earlier version; audited."""
    if version.status != VersionStatus.IN_REVIEW:
        raise Conflict(_l("Only a version waiting for review can be published"))
    check_reviewer(version, reviewer)
    _refuse_problems(lesson, version)
    previous = _published(lesson.key)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
    version.status, version.published_at = VersionStatus.PUBLISHED, utcnow()
    version.reviewed_by_id, version.review_note = reviewer.id, note.strip()
    _apply(lesson, version.document)
    db.session.flush()
    audit.record(
        "content.published",
        lesson,
        kind=LESSON,
        key=lesson.key,
        version=version.number,
        previous=previous.number if previous else None,
    )


def return_to_author(lesson: Lesson, version: ContentVersion, reviewer: Any, note: str) -> None:
    """Send a version in review back to draft, with the reviewer's note."""
    if version.status != VersionStatus.IN_REVIEW:
        raise Conflict(_l("Only a version waiting for review can be sent back"))
    check_reviewer(version, reviewer)
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    version.reviewed_by_id, version.review_note = reviewer.id, note.strip()
    audit.record("content.returned", lesson, version=version.number)


def discard(lesson: Lesson, version: ContentVersion, user: Any) -> None:
    if not version.is_open:
        raise Conflict(_l("This version is no longer a draft"))
    version.status = VersionStatus.DISCARDED
    audit.record("content.discarded", lesson, version=version.number)


# Diffs -------------------------------------------------------------------------------------


def diff_html(old: dict[str, Any], new: dict[str, Any], old_name: Any, new_name: Any) -> Markup:
    """A unified diff of two documents as escaped HTML lines marked added or removed."""
    lines = difflib.unified_diff(
        document_text(old).splitlines(),
        document_text(new).splitlines(),
        fromfile=str(old_name),
        tofile=str(new_name),
        lineterm="",
        n=2,
    )
    return Markup("\n").join(_diff_line(line) for line in lines)


def _diff_line(line: str) -> Markup:
    kind = {"+": "diff-add", "-": "diff-del", "@": "diff-hunk"}.get(line[:1], "diff-same")
    if line.startswith(("+++", "---")):
        kind = "diff-file"
    return Markup('<span class="{}">{}</span>').format(kind, escape(line))


def changed_lines(old: dict[str, Any], new: dict[str, Any]) -> int:
    matcher = difflib.SequenceMatcher(
        a=document_text(old).splitlines(), b=document_text(new).splitlines()
    )
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def waiting_for_review(user: Any) -> Iterable[ContentVersion]:
    """Versions in review that ``user`` may review (written by others)."""
    rows = db.session.scalars(
        select(ContentVersion)
        .where(ContentVersion.status == VersionStatus.IN_REVIEW)
        .order_by(ContentVersion.submitted_at)
    )
    return [row for row in rows if user.id not in row.editors and row.created_by_id != user.id]
