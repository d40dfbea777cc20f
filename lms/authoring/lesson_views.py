"""The lesson editor's own pages: the live preview, pictures, the video, and starting a new
lesson in a course (it goes through the same draft → review → publish workflow as an edit)."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.forms import ActionForm
from lms.authoring import kinds, lesson_media, services
from lms.authoring.blueprint import bp, version_named
from lms.authoring.forms import PictureForm, PreviewForm, VideoForm
from lms.authoring.lessons import LessonKind, course_of
from lms.authoring.models import ContentVersion, VersionStatus
from lms.content.media import MediaRefused
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.forms import flash_invalid
from lms.core.roles import AUTHOR_ROLES
from lms.learning import markdown
from lms.learning.models import Course, Lesson


@bp.route("/courses/<int:course_id>/lessons/new", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def new_lesson(course_id: int) -> Any:
    """A draft of a new lesson at the end of the course; its editor sets the rest."""
    course = get_visible(Course, course_id, lambda course: course.is_active)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("author.index"))
    kind = kinds.get("lesson")
    assert isinstance(kind, LessonKind)
    draft = services.start_new(kind, current_user, kind.blank_in(course))
    return redirect(url_for("author.edit", version_id=draft.id))


@bp.route("/preview", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def preview() -> Any:
    """The lesson text as trainees will see it: the same sanitising renderer, with the
    pictures of the lesson's course when ``?lesson=<id>`` (or, for a new lesson,
    ``?course=<id>``) names it."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify(error=str(_l("The text could not be previewed"))), 400
    lesson_id = request.args.get("lesson", type=int)
    course_id = request.args.get("course", type=int)
    body = form.body.data or ""
    if lesson_id:
        lesson = kinds.get("lesson").visible(lesson_id)
        return jsonify(html=lesson_media.render(lesson.course, body))
    if course_id:
        course = get_visible(Course, course_id, lambda course: course.is_active)
        return jsonify(html=lesson_media.render(course, body))
    return jsonify(html=markdown.render(body))


def _lesson_version(
    version_id: int, *, open_only: bool = False
) -> tuple[ContentVersion, Lesson | None, Course]:
    """A lesson's version (a new lesson's has no lesson yet) and the course it belongs to."""
    version, kind, lesson = version_named(version_id)
    course = lesson.course if lesson is not None else course_of(version.document, None)
    if kind.name != "lesson" or course is None or (open_only and not version.is_open):
        raise DomainError(_l("No such version"), status=404)
    return version, lesson, course


@bp.route("/versions/<int:version_id>/pictures", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def upload(version_id: int) -> Any:
    """Upload a picture with its alternative text; the page says what to write in the text."""
    version, lesson, course = _lesson_version(version_id)
    form = PictureForm()
    back = redirect(url_for("author.edit", version_id=version.id))
    if flash_invalid(form):
        return back
    upload = form.picture.data
    try:
        ref = lesson_media.upload_picture(
            course,
            lesson,
            upload.read(),
            upload.filename or "",
            form.alt.data.strip(),
            current_user,
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


@bp.route("/versions/<int:version_id>/video", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def upload_video(version_id: int) -> Any:
    """Upload the lesson's video with its captions into the draft (published with it); a video
    phones cannot play is transcoded in the background, and the editor says so meanwhile."""
    version, _lesson, course = _lesson_version(version_id, open_only=True)
    form = VideoForm()
    back = redirect(url_for("author.edit", version_id=version.id))
    if flash_invalid(form):
        return back
    try:
        src, row = lesson_media.upload(
            course, form.video.data.read(), form.video.data.filename or "", "video", current_user
        )
        captions, _row = lesson_media.upload(
            course,
            form.captions.data.read(),
            form.captions.data.filename or "",
            "captions",
            current_user,
        )
    except MediaRefused as refused:
        flash(refused.message, "error")
        return back
    title = (form.title.data or "").strip()
    video = {"src": src, "captions": captions, "title": title}
    version.document = {**version.document, "video": video}
    # Like a save: a draft in review goes back to draft, and pages showing it are now stale.
    version.status, version.submitted_at = VersionStatus.DRAFT, None
    if current_user.id not in version.editors:
        version.editors = [*version.editors, current_user.id]
    if row.variant == "source":
        flash(_l("Video kept. It is being prepared for phones (H.264); this takes a while."))
    else:
        flash(_l("Video kept."), "success")
    return back
