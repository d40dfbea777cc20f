"""The course experts' pages: lessons to edit, a lesson's versions, the editor with its live
preview, review and publishing. Course experts and the city admin only; content, no people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.authoring import lesson_media, services
from lms.authoring.forms import LessonDraftForm, PictureForm, PreviewForm, ReviewForm
from lms.authoring.models import ContentVersion, VersionStatus
from lms.content.media import MediaRefused
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.roles import AUTHOR_ROLES
from lms.db import db
from lms.learning import markdown
from lms.learning.models import Course, Lesson

bp = Blueprint("author", __name__, url_prefix="/author")


def _lesson(lesson_id: int) -> Lesson:
    return get_visible(Lesson, lesson_id, lambda lesson: lesson.retired_at is None)


def _to_version(lesson: Lesson, version: ContentVersion) -> Any:
    return redirect(url_for("author.version", lesson_id=lesson.id, version_id=version.id))


@bp.route("/")
@roles_required(*AUTHOR_ROLES)
def index() -> Any:
    courses = db.session.scalars(
        select(Course).where(Course.is_active.is_(True)).order_by(Course.level.desc())
    ).all()
    drafts = {
        row.key: row
        for row in db.session.scalars(
            select(ContentVersion).where(
                ContentVersion.status.in_((VersionStatus.DRAFT, VersionStatus.IN_REVIEW))
            )
        )
    }
    return render_template(
        "author/index.html",
        courses=courses,
        drafts=drafts,
        waiting=services.waiting_for_review(current_user),
        lesson_ids={
            lesson.key: lesson.id for course in courses for lesson in course.active_lessons
        },
    )


@bp.route("/lessons/<int:lesson_id>")
@roles_required(*AUTHOR_ROLES)
def lesson(lesson_id: int) -> Any:
    lesson = _lesson(lesson_id)
    return render_template(
        "author/lesson.html",
        lesson=lesson,
        versions=services.history(lesson),
        draft=services.open_version(lesson),
        form=ActionForm(),
    )


@bp.route("/lessons/<int:lesson_id>/draft", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def start(lesson_id: int) -> Any:
    lesson = _lesson(lesson_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("author.lesson", lesson_id=lesson.id))
    draft = services.start_draft(lesson, current_user)
    return redirect(url_for("author.edit", lesson_id=lesson.id, version_id=draft.id))


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>")
@roles_required(*AUTHOR_ROLES)
def version(lesson_id: int, version_id: int) -> Any:
    lesson = _lesson(lesson_id)
    version = services.version_of(lesson, version_id)
    base = version.based_on or version
    return render_template(
        "author/version.html",
        lesson=lesson,
        version=version,
        base=base,
        diff=services.diff_html(
            base.document,
            version.document,
            _l("Version %(n)d", n=base.number),
            _l("Version %(n)d", n=version.number),
        ),
        preview=lesson_media.render(lesson, version.document["body"]),
        problems=services.problems(lesson, version.document) if version.is_open else [],
        may_review=version.status == VersionStatus.IN_REVIEW
        and current_user.id not in version.editors
        and current_user.id != version.created_by_id,
        form=ActionForm(),
        review_form=ReviewForm(),
    )


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/edit", methods=["GET", "POST"])
@roles_required(*AUTHOR_ROLES)
def edit(lesson_id: int, version_id: int) -> Any:
    lesson = _lesson(lesson_id)
    version = services.version_of(lesson, version_id)
    if not version.is_open:
        flash(_l("This version is no longer a draft"), "error")
        return _to_version(lesson, version)
    form = LessonDraftForm()
    conflict = None
    if form.validate_on_submit():
        document = {
            "title": (form.title.data or "").strip(),
            "hours": float(form.hours.data or 0),
            "body": (form.body.data or "").replace("\r\n", "\n"),
        }
        try:
            services.save_draft(version, current_user, document, form.lock_version.data or 0)
        except services.DraftConflict as error:
            conflict = error
            # The page now carries the saved draft's lock: saving the merged text goes through.
            form.lock_version.raw_data = [str(error.version.lock_version)]
        else:
            flash(_l("Draft saved."), "success")
            return redirect(url_for("author.edit", lesson_id=lesson.id, version_id=version.id))
    elif request.method == "GET":
        form.title.data = version.document["title"]
        form.hours.data = version.document["hours"]
        form.body.data = version.document["body"]
        form.lock_version.data = version.lock_version
    status = 409 if conflict else 400 if form.errors else 200
    return render_template(
        "author/edit.html",
        lesson=lesson,
        version=version,
        form=form,
        conflict=conflict,
        preview=lesson_media.render(lesson, form.body.data or ""),
        picture_form=PictureForm(formdata=None),
        problems=services.problems(lesson, version.document),
    ), status


def _act(lesson_id: int, version_id: int, action: Any, done: Any) -> Any:
    lesson = _lesson(lesson_id)
    version = services.version_of(lesson, version_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            action(lesson, version, (form.note.data or "").strip())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
    return _to_version(lesson, version)


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/submit", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def submit(lesson_id: int, version_id: int) -> Any:
    return _act(
        lesson_id,
        version_id,
        lambda lesson, version, _note: services.submit(lesson, version, current_user),
        _l("Sent for review. Another expert reviews and publishes it."),
    )


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/publish", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def publish(lesson_id: int, version_id: int) -> Any:
    return _act(
        lesson_id,
        version_id,
        lambda lesson, version, note: services.publish(lesson, version, current_user, note),
        _l("Published. Trainees now see this version; their progress is kept."),
    )


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/return", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def send_back(lesson_id: int, version_id: int) -> Any:
    return _act(
        lesson_id,
        version_id,
        lambda lesson, version, note: services.return_to_author(
            lesson, version, current_user, note
        ),
        _l("Sent back to the author."),
    )


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/discard", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def discard(lesson_id: int, version_id: int) -> Any:
    return _act(
        lesson_id,
        version_id,
        lambda lesson, version, _note: services.discard(lesson, version, current_user),
        _l("Draft discarded."),
    )


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/rollback", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def rollback(lesson_id: int, version_id: int) -> Any:
    lesson = _lesson(lesson_id)
    old = services.version_of(lesson, version_id)
    if not ActionForm().validate_on_submit():
        return _to_version(lesson, old)
    try:
        draft = services.start_draft(lesson, current_user, source=old)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("author.lesson", lesson_id=lesson.id))
    flash(_l("A new draft holds version %(n)d's text; it is published after review.", n=old.number))
    return redirect(url_for("author.edit", lesson_id=lesson.id, version_id=draft.id))


@bp.route("/preview", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def preview() -> Any:
    """The lesson text as trainees will see it: the same sanitising renderer, with the
    pictures of the lesson's course when ``?lesson=<id>`` names it."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify(error=str(_l("The text could not be previewed"))), 400
    lesson_id = request.args.get("lesson", type=int)
    body = form.body.data or ""
    if lesson_id:
        return jsonify(html=lesson_media.render(_lesson(lesson_id), body))
    return jsonify(html=markdown.render(body))


@bp.route("/lessons/<int:lesson_id>/versions/<int:version_id>/pictures", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def upload(lesson_id: int, version_id: int) -> Any:
    """Upload a picture with its alternative text; the page says what to write in the text."""
    lesson = _lesson(lesson_id)
    version = services.version_of(lesson, version_id)
    form = PictureForm()
    back = redirect(url_for("author.edit", lesson_id=lesson.id, version_id=version.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return back
    upload = form.picture.data
    try:
        ref = lesson_media.upload_picture(
            lesson, upload.read(), upload.filename or "", form.alt.data.strip(), current_user
        )
    except MediaRefused as refused:
        flash(refused.message, "error")
        return back
    flash(
        _l(
            "Picture kept. Write it in the text as: %(md)s", md=f"![{form.alt.data.strip()}]({ref})"
        ),
        "success",
    )
    return back
