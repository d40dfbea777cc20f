"""What the authoring workflow (lms.authoring.services) needs of each kind of content it edits:
lessons, theory questions, practical tasks. One workflow, one class per kind."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

#: Where a problem is: a line of a lesson's text (0: the lesson as a whole), or the label of
#: the form's field; and what it is.
Problem = tuple[int | str, str]

#: The key of an item written in the browser until it is published (it gets its own then).
NEW_PREFIX = "new-"


class Authored:
    """A kind of content edited as versions: its live row, its document, its checks."""

    #: ``ContentVersion.kind``.
    name: ClassVar[str]
    #: The address segment of its pages (``/author/<plural>/…``).
    plural: ClassVar[str]
    label: ClassVar[Any]
    #: The live rows' model.
    model: ClassVar[type[Any]]
    #: A new item can be written in the browser (a lesson needs its file's place in a module).
    may_create: ClassVar[bool] = False

    def find(self, key: str) -> Any | None:
        """The live row of ``key`` (None for an item not yet published)."""
        raise NotImplementedError

    def visible(self, item_id: int) -> Any:
        """The live row by id, or 404."""
        raise NotImplementedError

    def key_of(self, row: Any) -> str:
        return str(row.key)

    def document(self, row: Any) -> dict[str, Any]:
        """The editable fields of the live row."""
        raise NotImplementedError

    def text(self, document: dict[str, Any]) -> str:
        """The document as the lines a diff compares (as its file writes it)."""
        raise NotImplementedError

    def title(self, document: dict[str, Any]) -> str:
        raise NotImplementedError

    def problems(self, document: dict[str, Any], key: str, row: Any | None) -> list[Problem]:
        """What keeps the document from being published, and where."""
        raise NotImplementedError

    def apply(self, document: dict[str, Any], key: str, row: Any | None, author: Any) -> Any:
        """Make the document live (creating the row of a new item); return the row."""
        raise NotImplementedError

    def blank(self) -> dict[str, Any]:
        """The document a new item starts from."""
        raise NotImplementedError

    @staticmethod
    def new_key() -> str:
        return NEW_PREFIX + secrets.token_hex(5)
