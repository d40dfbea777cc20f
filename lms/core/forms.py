"""Helpers shared by the feature forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select/radio choices from (value, label) pairs; labels may be lazy translations."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def drop_invalid_filters(form: Any) -> None:
    """A filter form read from the address: a value that is not allowed (an edited or stale
    link) filters nothing, and the field shows why, instead of failing the page."""
    form.validate()
    for field in form:
        if field.errors:
            field.data = field.default
