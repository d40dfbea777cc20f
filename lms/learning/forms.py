"""Forms of the training pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from lms.core.forms import BoundedDateField, options
from lms.learning.models import CohortMode


class PlanForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2020, max=2100)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    total_quota = IntegerField(
        _l("Total places"), validators=[DataRequired(), NumberRange(min=0, max=1_000_000)]
    )
    submit = SubmitField(_l("Create plan"))


class QuotaEntry(Form):
    district_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    quota = IntegerField(validators=[NumberRange(min=0, max=1_000_000)], default=0)


class QuotaForm(FlaskForm):
    entries = FieldList(FormField(QuotaEntry))
    submit = SubmitField(_l("Save quotas"))


class CohortForm(FlaskForm):
    plan_id = SelectField(_l("Training plan"), coerce=int)
    course_id = SelectField(_l("Course"), coerce=int)
    district_id = SelectField(_l("For"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    mode = SelectField(_l("Mode"))
    starts_on = BoundedDateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = BoundedDateField(_l("Ends on"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(
        _l("Capacity"), validators=[DataRequired(), NumberRange(min=1, max=10000)]
    )
    is_open = BooleanField(_l("Open for nominations"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = options([(mode.value, mode.label) for mode in CohortMode])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DecisionForm(FlaskForm):
    """Approve or reject: the ticked ``enrolment_ids`` (read by the view, any page of the list)
    or, with ``all_matching``, every nomination the posted filter matches."""

    all_matching = BooleanField(_l("All matching the filter"))
    note = StringField(_l("Reason (for rejections)"), validators=[Optional(), Length(max=200)])
    approve = SubmitField(_l("Approve selected"))
    reject = SubmitField(_l("Reject selected"))


class SessionForm(FlaskForm):
    title = StringField(_l("Class"), validators=[DataRequired(), Length(max=200)])
    day = BoundedDateField(_l("Date"), validators=[DataRequired()])
    starts = TimeField(_l("From"), validators=[DataRequired()])
    ends = TimeField(_l("To"), validators=[DataRequired()])
    submit = SubmitField(_l("Add class"))


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Check-in code"),
        validators=[DataRequired(), Regexp(r"^\s*\d{6}\s*$", message=_l("Six digits"))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6},
    )
    submit = SubmitField(_l("Check in"))


class ProgressFilterForm(FlaskForm):
    class Meta:
        csrf = False

    by = SelectField(_l("Per"), validators=[Optional()])
    plan_id = SelectField(_l("Training plan"), coerce=int, validators=[Optional()])
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=50)])
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    institution_id = SelectField(_l("Institution"), coerce=int, validators=[Optional()])
