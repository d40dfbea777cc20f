"""Bulk actions on a list: what they apply to. The one home of "select all matching the filter"
(every page, not only the one shown) and of refusing an empty selection out loud; the templates'
``bulk_select`` macro (templates/macros/forms.html) draws the two check boxes.

The ticked ids are read from the posted form and kept only when they are among ``matching`` (what
the user may act on, narrowed by the filter posted with the form): an id from elsewhere is
ignored, never acted on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import request

from lms.core import params

T = TypeVar("T")

#: The form field meaning "every item matching the filter".
ALL_MATCHING = "all_matching"


def chosen(field: str, matching: Sequence[T], key: Callable[[T], int]) -> list[T]:
    """The items of ``matching`` the post applies to: all of them with ``all_matching``, else
    those whose id was ticked in ``field``; in the order of ``matching``."""
    if request.form.get(ALL_MATCHING):
        return list(matching)
    ticked = {
        params.whole_number(raw, field, 1, params.MAX_ID) for raw in request.form.getlist(field)
    }
    return [item for item in matching if key(item) in ticked]
