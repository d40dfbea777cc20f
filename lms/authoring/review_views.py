"""Sending a version for review, publishing it, sending it back, discarding it and rolling
back to an older version (a second expert publishes; nobody reviews their own)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.forms import ActionForm
from lms.authoring import services
from lms.authoring.blueprint import bp, to_version, version_named
from lms.authoring.forms import ReviewForm
from lms.core.access import roles_required
from lms.core.errors import DomainError
from lms.core.roles import AUTHOR_ROLES


def _act(version_id: int, action: Any, done: Any) -> Any:
    version, _kind, _row = version_named(version_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            action(version, (form.note.data or "").strip())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
    return to_version(version)


@bp.route("/versions/<int:version_id>/submit", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def submit(version_id: int) -> Any:
    return _act(
        version_id,
        lambda version, _note: services.submit(version, current_user),
        _l("Sent for review. Another expert reviews and publishes it."),
    )


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def publish(version_id: int) -> Any:
    return _act(
        version_id,
        lambda version, note: services.publish(version, current_user, note),
        _l("Published. Trainees now see this version; their progress is kept."),
    )


@bp.route("/versions/<int:version_id>/return", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def send_back(version_id: int) -> Any:
    return _act(
        version_id,
        lambda version, note: services.return_to_author(version, current_user, note),
        _l("Sent back to the author."),
    )


@bp.route("/versions/<int:version_id>/discard", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def discard(version_id: int) -> Any:
    return _act(
        version_id,
        lambda version, _note: services.discard(version, current_user),
        _l("Draft discarded."),
    )


@bp.route("/versions/<int:version_id>/rollback", methods=["POST"])
@roles_required(*AUTHOR_ROLES)
def rollback(version_id: int) -> Any:
    old, kind, row = version_named(version_id)
    if row is None or not ActionForm().validate_on_submit():
        return to_version(old)
    try:
        draft = services.start_draft(row, current_user, source=old)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("author.item", plural=kind.plural, item_id=row.id))
    flash(_l("A new draft holds version %(n)d's text; it is published after review.", n=old.number))
    return redirect(url_for("author.edit", version_id=draft.id))
