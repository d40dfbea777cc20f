"""Editing course content in the browser: draft → review by a second expert → publish, with
every version kept for its history, diffs and rollback. One workflow for every kind of content
(lms.authoring.kinds: lessons, theory questions, practical tasks); each kind says what its
document is, how it is checked and how it goes live.

The live content stays in its own row (``lessons``, ``questions``, ``practical_tasks``), which
publishing updates in place: its id, and so every trainee's progress, stays the same across
versions. A new question or task has no row until its first version is published. Two experts
saving the same draft from pages showing different states of it never overwrite each other:
the second save is refused with the difference (``DraftConflict``), as the marking sheet does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.authoring import kinds
from lms.authoring.base import Authored, Problem
from lms.authoring.diffs import diff_html
from lms.authoring.models import OPEN, ContentVersion, VersionStatus
from lms.authoring.stale import StaleDraft, stale_base
from lms.core import audit
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.db import db, utcnow


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
        self.diff = diff_html(
            kinds.get(version.kind), version.document, mine, _l("Saved draft"), _l("Your text")
        )


def _last_editor_name(version: ContentVersion) -> str:
    last = version.editors[-1] if version.editors else version.created_by_id
    user = db.session.get(User, last) if last else None
    return user.display_name if user is not None else str(_l("Another expert"))


# Checks ------------------------------------------------------------------------------------


def problems(row: Any, document: dict[str, Any]) -> list[Problem]:
    """What keeps ``document`` from being published as the live ``row``'s next version."""
    kind = kinds.of(row)
    return kind.problems(document, kind.key_of(row), row)


def version_problems(version: ContentVersion) -> list[Problem]:
    kind = kinds.get(version.kind)
    return kind.problems(version.document, version.key, kind.find(version.key))


def _where(where: int | str, message: str) -> str:
    if isinstance(where, str):
        return f"{where}：{message}"
    return str(_l("line %(n)d: %(m)s", n=where, m=message)) if where else message


def _refuse_problems(version: ContentVersion) -> None:
    found = version_problems(version)
    if found:
        raise DomainError(
            _l(
                "It cannot be published yet: %(list)s",
                list="；".join(_where(where, message) for where, message in found),
            )
        )


# Versions ----------------------------------------------------------------------------------


def live_row(version: ContentVersion) -> Any | None:
    """The live content a version belongs to (None: a new item not yet published)."""
    return kinds.get(version.kind).find(version.key)


def history(row: Any) -> list[ContentVersion]:
    """Every version of the live ``row``, newest first; the first is the text from courses/."""
    kind = kinds.of(row)
    baseline(row)
    return versions_of(kind, kind.key_of(row))


def versions_of(kind: Authored, key: str) -> list[ContentVersion]:
    return list(
        db.session.scalars(
            select(ContentVersion)
            .where(ContentVersion.kind == kind.name, ContentVersion.key == key)
            .order_by(ContentVersion.number.desc())
        )
    )


def baseline(row: Any) -> ContentVersion:
    """The published version of ``row``; created from the live content (as courses/ loaded
    it) the first time it is opened for authoring, or when courses/ changed it since."""
    kind = kinds.of(row)
    key = kind.key_of(row)
    live = _published(kind, key)
    document = kind.document(row)
    if live is not None and live.document == document:
        return live
    if live is not None:
        live.status = VersionStatus.SUPERSEDED
    version = ContentVersion(
        kind=kind.name,
        key=key,
        number=_next_number(kind, key),
        status=VersionStatus.PUBLISHED,
        document=document,
        editors=[],
        note=str(_l("Text loaded from courses/")),
        published_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _published(kind: Authored, key: str) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind.name,
            ContentVersion.key == key,
            ContentVersion.status == VersionStatus.PUBLISHED,
        )
    )


def open_version(row: Any) -> ContentVersion | None:
    kind = kinds.of(row)
    return _open(kind, kind.key_of(row))


def _open(kind: Authored, key: str) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind.name,
            ContentVersion.key == key,
            ContentVersion.status.in_(OPEN),
        )
    )


def _next_number(kind: Authored, key: str) -> int:
    latest = db.session.scalar(
        select(func.max(ContentVersion.number)).where(
            ContentVersion.kind == kind.name, ContentVersion.key == key
        )
    )
    return (latest or 0) + 1


def diff_base(version: ContentVersion) -> ContentVersion:
    """What a version's changes are shown against: an open draft against the live version
    (what publishing it would change, a rollback included), any other against the version it
    was started from."""
    if version.is_open:
        live = _published(kinds.get(version.kind), version.key)
        if live is not None:
            return live
    return version.based_on or version


def start_draft(row: Any, user: Any, source: ContentVersion | None = None) -> ContentVersion:
    """The open draft of ``row`` (shared by the experts editing it), or a new one from the live
    content, or from ``source`` (an older version: rollback)."""
    kind = kinds.of(row)
    key = kind.key_of(row)
    live = baseline(row)
    existing = _open(kind, key)
    if existing is not None:
        if source is not None:
            raise Conflict(
                _l("Version %(n)d is being edited; finish or discard it first", n=existing.number)
            )
        return existing
    base = source or live
    draft = ContentVersion(
        kind=kind.name,
        key=key,
        number=_next_number(kind, key),
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
        audit.record(
            "content.rollback_started",
            row,
            kind=kind.name,
            key=key,
            version=draft.number,
            to=source.number,
        )
    return draft


def start_new(kind: Authored, user: Any, document: dict[str, Any] | None = None) -> ContentVersion:
    """A draft of a new item of ``kind`` (a question, a task; a lesson from ``document``, which
    says its course): it gets its row, and its key, when published."""
    if not kind.may_create:
        raise NotAllowed(_l("New items of this kind are written in courses/"))
    draft = ContentVersion(
        kind=kind.name,
        key=kind.new_key(),
        number=1,
        status=VersionStatus.DRAFT,
        document=document if document is not None else kind.blank(),
        created_by_id=user.id,
        editors=[],
        note=str(_l("New")),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def version_by_id(version_id: int, kind: Authored | None = None) -> ContentVersion:
    version = db.session.get(ContentVersion, version_id)
    if version is None or version.kind not in kinds.KINDS or (kind and version.kind != kind.name):
        raise DomainError(_l("No such version"), status=404)
    return version


def save_draft(
    version: ContentVersion,
    user: Any,
    document: dict[str, Any],
    seen: int,
    base: int | None = None,
) -> ContentVersion:
    """Save the draft as ``user`` wrote it on a page that showed lock version ``seen`` (and,
    when ``lms courses sync`` changed the live content since the draft began, live version
    ``base``: the page showed what the sync changed, so the draft is now based on it).

    Refused with the difference (``DraftConflict``, ``StaleDraft``) when somebody saved it
    since, or the sync's change was not shown; a draft in review goes back to draft (it must
    be submitted again)."""
    if not version.is_open:
        raise Conflict(_l("This version is no longer a draft"))
    if seen != version.lock_version:
        raise DraftConflict(version, document)
    live = stale_base(version)
    if live is not None:
        if base != live.id:
            raise StaleDraft(version, live)
        version.based_on_id = live.id
    version.document = document
    if user.id not in version.editors:
        version.editors = [*version.editors, user.id]
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    try:
        db.session.flush()
    except StaleDataError:  # saved by another request between our read and our write
        db.session.rollback()
        saved = db.session.get(ContentVersion, version.id)
        assert saved is not None  # a draft is never deleted
        raise DraftConflict(saved, document) from None
    return version


def submit(version: ContentVersion, user: Any) -> None:
    """Ask for review; refused while the content has problems (each saying where)."""
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_l("Only a draft can be sent for review"))
    _refuse_problems(version)
    version.status, version.submitted_at = VersionStatus.IN_REVIEW, utcnow()
    if user.id not in version.editors:
        version.editors = [*version.editors, user.id]
    subject, details = _subject(version)
    audit.record("content.submitted", subject, **details)


def _subject(version: ContentVersion, row: Any = None) -> tuple[Any, dict[str, Any]]:
    """What an audit entry about ``version`` names: the live row, the kind, key and number."""
    subject = row if row is not None else live_row(version)
    return subject, {"kind": version.kind, "key": version.key, "version": version.number}


def may_review(version: ContentVersion, user: Any) -> bool:
    return user.id not in version.editors and user.id != version.created_by_id


def check_reviewer(version: ContentVersion, user: Any) -> None:
    """A second expert reviews: nobody who wrote the version."""
    if not may_review(version, user):
        raise NotAllowed(_l("You edited this version; another expert must review and publish it"))


def publish(version: ContentVersion, reviewer: Any, note: str = "") -> Any:
    """Publish a reviewed version: the live content becomes it (the same row, so trainees keep
    their progress; a new item gets its row and key), the previous one becomes an earlier
    version; audited. Returns the live row."""
    if version.status != VersionStatus.IN_REVIEW:
        raise Conflict(_l("Only a version waiting for review can be published"))
    check_reviewer(version, reviewer)
    if stale_base(version) is not None:
        raise Conflict(
            _l(
                "The live text changed since this draft began (lms courses sync): the author "
                "must see the change in the editor and save the draft again before it is published"
            )
        )
    _refuse_problems(version)
    kind = kinds.get(version.kind)
    row = kind.find(version.key)
    previous = _published(kind, version.key)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
    author = db.session.get(User, version.created_by_id) if version.created_by_id else None
    row = kind.apply(version.document, version.key, row, author)
    # The version holds the content as it went live (the same, written as the row keeps it),
    # so the history's published version and the live content compare equal.
    version.key, version.document = kind.key_of(row), kind.document(row)
    version.status, version.published_at = VersionStatus.PUBLISHED, utcnow()
    version.reviewed_by_id, version.review_note = reviewer.id, note.strip()
    db.session.flush()
    subject, details = _subject(version, row)
    audit.record(
        "content.published", subject, previous=previous.number if previous else None, **details
    )
    return row


def return_to_author(version: ContentVersion, reviewer: Any, note: str) -> None:
    """Send a version in review back to draft, with the reviewer's note."""
    if version.status != VersionStatus.IN_REVIEW:
        raise Conflict(_l("Only a version waiting for review can be sent back"))
    check_reviewer(version, reviewer)
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    version.reviewed_by_id, version.review_note = reviewer.id, note.strip()
    subject, details = _subject(version)
    audit.record("content.returned", subject, **details)


def discard(version: ContentVersion, user: Any) -> None:
    if not version.is_open:
        raise Conflict(_l("This version is no longer a draft"))
    version.status = VersionStatus.DISCARDED
    subject, details = _subject(version)
    audit.record("content.discarded", subject, **details)


# Lists -------------------------------------------------------------------------------------


def waiting_for_review(user: Any) -> Iterable[ContentVersion]:
    """Versions in review that ``user`` may review (written by others)."""
    rows = db.session.scalars(
        select(ContentVersion)
        .where(ContentVersion.status == VersionStatus.IN_REVIEW)
        .order_by(ContentVersion.submitted_at)
    )
    return [row for row in rows if may_review(row, user)]


def open_versions(kind: str | None = None, status: str | None = None) -> Select[Any]:
    """Drafts and versions waiting for review, of one kind and status when given; the ones
    waiting longest first."""
    statement = select(ContentVersion).where(ContentVersion.status.in_(OPEN))
    if kind:
        statement = statement.where(ContentVersion.kind == kind)
    if status:
        statement = statement.where(ContentVersion.status == status)
    return statement.order_by(ContentVersion.updated_at.desc(), ContentVersion.id.desc())
