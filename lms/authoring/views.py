"""The course experts' pages: content to edit (lessons, theory questions, practical tasks), an
item's versions, the editors, review and publishing. Course experts and the city admin only;
content, no people. One set of pages for every kind (lms.authoring.kinds)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, or_, select

from lms.accounts.forms import ActionForm
from lms.authoring import kinds, lesson_media, services, stale
from lms.authoring.base import Authored
from lms.authoring.blueprint import bp, kind_named, to_version, version_named
from lms.authoring.files import catalog
from lms.authoring.forms import (
    DraftFilterForm,
    LessonDraftForm,
    NewLessonDraftForm,
    PictureForm,
    QuestionDraftForm,
    ReviewForm,
    TaskDraftForm,
    VideoForm,
)
from lms.authoring.lessons import course_of
from lms.authoring.models import ContentVersion, VersionStatus
from lms.core import params
from lms.core.access import roles_required
from lms.core.errors import DomainError
from lms.core.forms import drop_invalid_filters, options
from lms.core.pagination import paginate
from lms.core.roles import AUTHOR_ROLES
from lms.db import db
from lms.exams.models import Question
from lms.exams.question_types import REGISTRY
from lms.grading.models import PracticalTask
from lms.learning.models import Course

FORMS: dict[str, Any] = {
    "lesson": LessonDraftForm,
    "question": QuestionDraftForm,
    "task": TaskDraftForm,
}
PAGE_SIZE = 25


# Lists -------------------------------------------------------------------------------------


@bp.route("/")
@roles_required(*AUTHOR_ROLES)
def index() -> Any:
    """The review queue, the drafts (by kind and status, a page at a time), and the lessons."""
    filters = DraftFilterForm(request.args)
    filters.kind.choices = options(
        [
            ("", _l("Every kind of content")),
            *((kind.name, kind.label) for kind in kinds.KINDS.values()),
        ]
    )
    filters.status.choices = options(
        [
            ("", _l("Drafts and waiting for review")),
            (VersionStatus.DRAFT.value, VersionStatus.DRAFT.label),
            (VersionStatus.IN_REVIEW.value, VersionStatus.IN_REVIEW.label),
        ]
    )
    drop_invalid_filters(filters)
    drafts = paginate(
        services.open_versions(filters.kind.data or None, filters.status.data or None),
        params.page_arg(),
        PAGE_SIZE,
    )
    courses = db.session.scalars(
        select(Course).where(Course.is_active.is_(True)).order_by(Course.level.desc())
    ).all()
    lesson_drafts = {
        row.key: row
        for row in db.session.scalars(
            select(ContentVersion).where(
                ContentVersion.kind == "lesson",
                ContentVersion.status.in_((VersionStatus.DRAFT, VersionStatus.IN_REVIEW)),
            )
        )
    }
    return render_template(
        "author/index.html",
        courses=courses,
        lesson_drafts=lesson_drafts,
        waiting=services.waiting_for_review(current_user),
        drafts=drafts,
        filters=filters,
        kinds=kinds.KINDS,
        form=ActionForm(),
    )


@bp.route("/questions", defaults={"plural": "questions"}, endpoint="questions")
@bp.route("/tasks", defaults={"plural": "tasks"}, endpoint="tasks")
@roles_required(*AUTHOR_ROLES)
def items(plural: str) -> Any:
    """The live questions or practical tasks to edit, searched by words of their text or id."""
    kind = kind_named(plural)
    search = (request.args.get("q") or "").strip()[:100]
    if kind.name == "question":
        statement: Select[Any] = select(Question).where(Question.retired_at.is_(None))
        if search:
            statement = statement.where(
                or_(Question.stem.contains(search), Question.key.contains(search))
            )
        statement = statement.order_by(Question.level.desc(), Question.key)
    else:
        statement = select(PracticalTask).where(PracticalTask.retired_at.is_(None))
        if search:
            statement = statement.where(
                or_(PracticalTask.title.contains(search), PracticalTask.code.contains(search))
            )
        statement = statement.order_by(PracticalTask.code)
    page = paginate(statement, params.page_arg(), PAGE_SIZE)
    keys = [kind.key_of(row) for row in page.items]
    open_drafts = {
        row.key: row
        for row in db.session.scalars(
            select(ContentVersion).where(
                ContentVersion.kind == kind.name,
                ContentVersion.key.in_(keys),
                ContentVersion.status.in_((VersionStatus.DRAFT, VersionStatus.IN_REVIEW)),
            )
        )
    }
    return render_template(
        "author/items.html",
        kind=kind,
        page=page,
        search=search,
        open_drafts=open_drafts,
        form=ActionForm(),
    )


# One item and its versions -------------------------------------------------------------------


@bp.route("/<plural>/<int:item_id>")
@roles_required(*AUTHOR_ROLES)
def item(plural: str, item_id: int) -> Any:
    kind = kind_named(plural)
    row = kind.visible(item_id)
    return render_template(
        "author/item.html",
        kind=kind,
        row=row,
        title=kind.title(kind.document(row)),
        versions=services.history(row),
        draft=services.open_version(row),
        form=ActionForm(),
    )


@bp.route("/<plural>/<int:item_id>/draft", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def start(plural: str, item_id: int) -> Any:
    kind = kind_named(plural)
    row = kind.visible(item_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("author.item", plural=plural, item_id=row.id))
    draft = services.start_draft(row, current_user)
    return redirect(url_for("author.edit", version_id=draft.id))


@bp.route("/<plural>/new", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def new(plural: str) -> Any:
    kind = kind_named(plural)
    if not kind.may_create or kind.name == "lesson":  # a new lesson: lesson_views.new_lesson
        raise DomainError(_l("No such kind of content"), status=404)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(f"author.{plural}"))
    draft = services.start_new(kind, current_user)
    return redirect(url_for("author.edit", version_id=draft.id))


def _shown(kind: Authored, row: Any, document: dict[str, Any]) -> Any:
    """What a version's page shows of its content (a lesson: rendered as trainees see it)."""
    if kind.name == "lesson":
        course = row.course if row is not None else course_of(document, None)
        return lesson_media.render(course, document["body"]) if course else ""
    return None


@bp.route("/versions/<int:version_id>")
@roles_required(*AUTHOR_ROLES)
def version(version_id: int) -> Any:
    version, kind, row = version_named(version_id)
    base = services.diff_base(version)
    return render_template(
        "author/version.html",
        kind=kind,
        row=row,
        title=kind.title(version.document) or kind.label,
        version=version,
        base=base,
        diff=services.diff_html(
            kind,
            base.document,
            version.document,
            _l("Version %(n)d", n=base.number),
            _l("Version %(n)d", n=version.number),
        ),
        shown=_shown(kind, row, version.document),
        names=catalog(),
        type_labels={key: kind.label for key, kind in REGISTRY.items()},
        problems=services.version_problems(version) if version.is_open else [],
        stale=stale.shown(version),
        may_review=version.status == VersionStatus.IN_REVIEW
        and services.may_review(version, current_user),
        form=ActionForm(),
        review_form=ReviewForm(),
    )


@bp.route("/versions/<int:version_id>/edit", methods=["GET", "POST"])
@roles_required(*AUTHOR_ROLES)
def edit(version_id: int) -> Any:
    version, kind, row = version_named(version_id)
    if not version.is_open:
        flash(_l("This version is no longer a draft"), "error")
        return to_version(version)
    new_lesson = kind.name == "lesson" and row is None
    form = (NewLessonDraftForm if new_lesson else FORMS[kind.name])()
    if new_lesson:
        form.place_in(course_of(version.document, None))
    conflict: services.Conflict | None = None
    overtaken = stale.shown(version)
    if form.validate_on_submit():
        document = form.document(version.document, row)
        try:
            services.save_draft(
                version, current_user, document, form.lock_version.data or 0, form.base.data
            )
        except services.DraftConflict as error:
            conflict = error
            # The page now carries the saved draft's lock: saving the merged text goes through.
            form.lock_version.raw_data = [str(error.version.lock_version)]
        except services.StaleDraft as error:
            conflict = overtaken = error  # shown below: saving the merged text goes through
        else:
            flash(_l("Draft saved."), "success")
            return redirect(url_for("author.edit", version_id=version.id))
    elif request.method == "GET":
        form.fill(version.document)
        form.lock_version.data = version.lock_version
    if overtaken is not None:  # the page shows what the sync changed: a save may rebase
        form.base.raw_data = [str(overtaken.live.id)]
    if request.method == "POST" and kind.name == "task":
        form.add_spare_rows()
    extra: dict[str, Any] = {}
    if kind.name == "lesson":
        course = row.course if row is not None else course_of(version.document, None)
        extra = {
            "course": course,
            "preview": lesson_media.render(course, form.body.data or "") if course else "",
            "picture_form": PictureForm(formdata=None),
            "video_form": VideoForm(formdata=None),
            "video": (lesson_media.draft_video(course, version.document) if course else None)
            or (lesson_media.live_video(row) if row is not None else None),
        }
    status = 409 if conflict else 400 if form.errors else 200
    return render_template(
        f"author/edit_{kind.name}.html",
        kind=kind,
        row=row,
        title=kind.title(version.document) or kind.label,
        version=version,
        form=form,
        conflict=conflict if conflict is not overtaken else None,
        stale=overtaken,
        problems=services.version_problems(version),
        **extra,
    ), status


# The review actions and the lesson pages join the blueprint.
from lms.authoring import lesson_views, review_views  # noqa: E402, F401
