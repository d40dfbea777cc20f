"""The kinds of content edited in the browser, by ``ContentVersion.kind``: a constant table
(authoring owns all three), not a registry other modules fill."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lms.authoring.base import Authored
from lms.authoring.lessons import LessonKind
from lms.authoring.questions import QuestionKind
from lms.authoring.tasks import TaskKind
from lms.core.errors import DomainError

KINDS: dict[str, Authored] = {
    kind.name: kind for kind in (LessonKind(), QuestionKind(), TaskKind())
}
BY_PLURAL: dict[str, Authored] = {kind.plural: kind for kind in KINDS.values()}


def get(name: str) -> Authored:
    kind = KINDS.get(name)
    if kind is None:
        raise DomainError(_l("No such kind of content"), status=404)
    return kind


def of(row: Any) -> Authored:
    """The kind of a live row (a lesson, a question, a practical task)."""
    for kind in KINDS.values():
        if isinstance(row, kind.model):
            return kind
    raise TypeError(f"not authored content: {row!r}")
