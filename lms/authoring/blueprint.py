"""The course experts' pages' blueprint (``/author``) and what its view modules share: the
kind an address names, the version an address names. The pages are in lms.authoring.views
(lists, an item, its versions, the editor), review_views (review and publishing) and
lesson_views (a lesson's preview, pictures and video, a new lesson)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for
from flask_babel import lazy_gettext as _l

from lms.authoring import kinds, services
from lms.authoring.base import Authored
from lms.authoring.models import ContentVersion
from lms.core.errors import DomainError

bp = Blueprint("author", __name__, url_prefix="/author")


def kind_named(plural: str) -> Authored:
    kind = kinds.BY_PLURAL.get(plural)
    if kind is None:
        raise DomainError(_l("No such kind of content"), status=404)
    return kind


def version_named(version_id: int) -> tuple[ContentVersion, Authored, Any]:
    """The version, its kind and its live row (None for a new item); 404 for a version of
    content that was retired."""
    version = services.version_by_id(version_id)
    kind = kinds.get(version.kind)
    row = kind.find(version.key)
    if row is not None and row.retired_at is not None:
        raise DomainError(_l("No such version"), status=404)
    return version, kind, row


def to_version(version: ContentVersion) -> Any:
    return redirect(url_for("author.version", version_id=version.id))
