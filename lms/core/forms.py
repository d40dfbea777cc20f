"""Helpers shared by the feature forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField
from wtforms.fields.choices import SelectChoice

from lms.core import params


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


class BoundedDateField(DateField):
    """A date field that refuses dates outside ``params.EARLIEST_DATE … LATEST_DATE`` (year 1
    and year 9999 parse, and then overflow the date arithmetic of the queries): the field's
    data stays None and it shows why."""

    data: Any  # a date or None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            _refuse_out_of_range(self, self.data)


class BoundedDateTimeLocalField(DateTimeLocalField):
    """``BoundedDateField`` for date and time."""

    data: Any  # a datetime or None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            _refuse_out_of_range(self, self.data.date())


def _refuse_out_of_range(field: Any, day: Any) -> None:
    """Empty ``field`` and say why when ``day`` lies outside the dates the queries can handle."""
    if not params.in_date_range(day):
        field.data = None
        raise ValueError(
            _l(
                "Enter a date between %(low)s and %(high)s.",
                low=params.EARLIEST_DATE.isoformat(),
                high=params.LATEST_DATE.isoformat(),
            )
        )


def flash_invalid(form: Any) -> bool:
    """Validate a posted form; when it is invalid, flash each field's errors (one message per
    field) and return True, so that the view goes back to the page the form was on."""
    if form.validate_on_submit():
        return False
    for errors in form.errors.values():
        flash("；".join(str(error) for error in errors), "error")
    return True
