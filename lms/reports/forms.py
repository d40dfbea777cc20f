"""Filters of the dashboards and the one-click nomination of uncertified staff."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.core.forms import BoundedDateField, options


class DayForm(FlaskForm):
    """``?on=YYYY-MM-DD``: the day the figures are counted on (today by default)."""

    class Meta:
        csrf = False

    on = BoundedDateField(_l("On"), validators=[Optional()])


class InstitutionFilterForm(DayForm):
    q = StringField(_l("Institution name"), validators=[Optional(), Length(max=100)])
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    below = BooleanField(_l("Only below the target"))
    sort = SelectField(_l("Sort by"), validators=[Optional()])
    desc = BooleanField(_l("Descending"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sort.choices = options(
            [
                ("rate", _l("Rate")),
                ("uncertified", _l("Without certificate")),
                ("in_post", _l("In post")),
                ("name", _l("Name")),
                ("district", _l("District")),
            ]
        )


class NominateForm(FlaskForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[DataRequired()])
    staff_ids = SelectMultipleField(_l("Staff"), coerce=int, validators=[DataRequired()])
